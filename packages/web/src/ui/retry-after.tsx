/**
 * Honouring a limit's Retry-After: after a 429 the action that caused it stays disabled, with a
 * countdown, until the server said it may be tried again.
 */
import { useEffect, useState } from "react";
import { ApiError } from "../api/http-client";

/** Seconds left before `error` (a 429 with Retry-After) allows another try; 0 when it does. */
export function useRetryAfter(error: unknown): number {
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const seconds = error instanceof ApiError ? (error.retryAfterSeconds ?? 0) : 0;
    const at = Date.now();
    setNow(at);
    setUntil(seconds > 0 ? at + seconds * 1000 : 0);
  }, [error]);

  useEffect(() => {
    if (until <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(1000, until - now));
    return () => clearTimeout(timer);
  }, [until, now]);

  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

/** "Try again in 42 s" next to the disabled action, announced politely. */
export function RetryAfterNote({ seconds }: { seconds: number }) {
  if (seconds <= 0) return null;
  return (
    <span className="muted small" role="status" data-testid="retry-after">
      You can try again in {seconds} s
    </span>
  );
}
