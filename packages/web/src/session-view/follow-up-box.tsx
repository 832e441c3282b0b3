/**
 * The follow-up prompt box. While a turn runs, a follow-up is queued by the server; it is shown
 * as queued here until its `prompt` event arrives in the stream. Typing is shared as presence.
 */
import { PromptText } from "@nightshift/protocol";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { describeError } from "../api/http-client";
import { sendPrompt } from "../api/sessions";
import { RetryAfterNote, useRetryAfter } from "../ui/retry-after";

interface Queued {
  promptId: string;
  text: string;
  position: number;
}

const TYPING_IDLE_MS = 3_000;

export function FollowUpBox({
  sessionId,
  closed,
  turnRunning,
  seenPromptIds,
  onTyping,
}: {
  sessionId: string;
  closed: boolean;
  turnRunning: boolean;
  seenPromptIds: ReadonlySet<string>;
  onTyping(typing: boolean): void;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [queued, setQueued] = useState<Queued[]>([]);
  const [error, setError] = useState<string | null>(null);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);

  const send = useMutation({
    mutationFn: (value: string) => sendPrompt(sessionId, { text: value }),
    onSuccess: (res, value) => {
      setQueued((q) => [...q, { promptId: res.promptId, text: value, position: res.position }]);
      setText("");
    },
    onError: (err) => setError(describeError(err)),
  });
  const retryIn = useRetryAfter(send.error);

  useEffect(
    () => () => {
      if (idle.current) clearTimeout(idle.current);
    },
    [],
  );

  const waiting = queued.filter((q) => !seenPromptIds.has(q.promptId));

  function stopTyping() {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    onTyping(false);
  }

  function onChange(value: string) {
    setText(value);
    setError(null);
    if (!value) {
      stopTyping();
      return;
    }
    onTyping(true);
    if (idle.current) clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (send.isPending || closed || retryIn > 0) return;
    const parsed = PromptText.safeParse(text);
    if (!parsed.success) {
      setError(`Follow-up ${parsed.error.issues[0]?.message ?? "is not valid"}.`);
      return;
    }
    stopTyping();
    send.mutate(parsed.data);
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit();
  }

  return (
    <form className="follow-up card" onSubmit={submit} aria-label="Follow-up">
      {waiting.length > 0 ? (
        <ul className="queued" aria-live="polite">
          {waiting.map((q) => (
            <li key={q.promptId} data-queued-prompt={q.promptId}>
              <span className="badge badge-queued">queued</span> {q.text}
            </li>
          ))}
        </ul>
      ) : null}
      <label htmlFor={id} className="visually-hidden">
        Follow-up prompt
      </label>
      <textarea
        id={id}
        value={text}
        rows={3}
        disabled={closed}
        placeholder={
          closed
            ? "This session has ended; start a new one to continue."
            : turnRunning
              ? "Send a follow-up (it runs after the current turn)…"
              : "Send a follow-up…"
        }
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKey}
        onBlur={stopTyping}
      />
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        {retryIn > 0 ? (
          <RetryAfterNote seconds={retryIn} />
        ) : (
          <span className="muted small">Ctrl+Enter to send</span>
        )}
        <button
          type="submit"
          className="button button-primary"
          disabled={closed || send.isPending || !text.trim() || retryIn > 0}
        >
          {send.isPending ? "Sending…" : turnRunning ? "Queue follow-up" : "Send"}
        </button>
      </div>
    </form>
  );
}
