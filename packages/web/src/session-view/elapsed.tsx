/** Elapsed time since the session started, ticking once a second until it ends. */
import { useEffect, useState } from "react";
import { formatDuration } from "../ui/format";

export function Elapsed({ since, until }: { since: string; until: string | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [until]);
  const start = Date.parse(since);
  const end = until ? Date.parse(until) : now;
  if (Number.isNaN(start)) return null;
  return (
    <time dateTime={`PT${Math.max(0, Math.round((end - start) / 1000))}S`}>
      {formatDuration(end - start)}
    </time>
  );
}
