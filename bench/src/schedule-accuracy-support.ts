/** Helpers for the schedule-accuracy bench: a due instant as a zone's cron, bounded concurrency. */

/** A daily cron ("m h * * *") that fires at `at` read as wall-clock time in `timezone`. */
export function scheduleInZone(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return `${field("minute")} ${field("hour")} * * *`;
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
