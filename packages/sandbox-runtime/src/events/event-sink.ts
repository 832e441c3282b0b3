/**
 * The one door for runtime events: validate (so one bad event can never wedge the bridge, whose
 * frames are parsed strictly), mask secrets (across the pieces of streamed text too, see
 * stream-events.ts), shrink oversized events, append under the next seq, and wake the bridge.
 * When the buffer is full the producers are paused until acks free room.
 */
import { AgentEvent } from "@nightshift/protocol";
import type { EventBuffer } from "../buffer/event-buffer";
import type { Logger } from "../log";
import { fitEvent } from "./fit-event";
import type { StreamEventMasker } from "./stream-events";

export interface EventSinkOptions {
  buffer: Pick<EventBuffer, "append" | "isFull" | "waitForRoom">;
  mask: <T>(value: T) => T;
  /** Masks secrets split across streamed pieces (deltas, output chunks); without it each event stands alone. */
  streams?: StreamEventMasker;
  /** Called after each append (the bridge sends soon). */
  onAppended(): void;
  /** Stops and resumes producers while the buffer is full. */
  gate?: { pause(): void; resume(): void };
  log: Logger;
}

export type Emit = (event: AgentEvent) => void;

export class EventSink {
  private waitingForRoom = false;

  constructor(private readonly options: EventSinkOptions) {}

  readonly emit: Emit = (event) => {
    this.append(event);
  };

  get isFull(): boolean {
    return this.options.buffer.isFull;
  }

  /** Resolves when the buffer has room (at once if it has). */
  waitForRoom(): Promise<void> {
    return this.options.buffer.waitForRoom();
  }

  /** Accepts anything; what is not a valid event becomes an `error` event that says so. */
  append(input: unknown): void {
    const events = this.options.streams ? this.options.streams.accept(input) : [input];
    for (const event of events) this.appendOne(event);
  }

  /** Releases the text every stream holds back (hooks finished, shutdown): nothing may stay unsent. */
  endStreams(): void {
    for (const event of this.options.streams?.endAll() ?? []) this.appendOne(event);
  }

  private appendOne(input: unknown): void {
    const masked = this.options.mask(input);
    let parsed = AgentEvent.safeParse(fitEvent(masked));
    if (!parsed.success) {
      const type =
        typeof input === "object" && input !== null ? String((input as { type?: unknown }).type) : "?";
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
      const message = `replaced an invalid "${type.slice(0, 50)}" event${where}: ${issue?.message ?? "unknown problem"}`;
      this.options.log.warn(message);
      parsed = AgentEvent.safeParse({
        type: "error",
        code: "invalid_event",
        message: this.options.mask(message),
      });
      if (!parsed.success) return;
    }
    try {
      this.options.buffer.append(parsed.data);
    } catch (err) {
      // A full or broken disk must not crash the agent layer's callback; say it loudly instead.
      this.options.log.error(
        `cannot write the event buffer (${(err as Error).message}); a ${parsed.data.type} event is lost`,
      );
      return;
    }
    this.options.onAppended();
    if (this.options.buffer.isFull && !this.waitingForRoom) this.pauseUntilRoom();
  }

  private pauseUntilRoom(): void {
    this.waitingForRoom = true;
    this.options.gate?.pause();
    void this.options.buffer.waitForRoom().then(() => {
      this.waitingForRoom = false;
      this.options.gate?.resume();
    });
  }
}
