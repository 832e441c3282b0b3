/**
 * The session's stream as a list: prompts, assistant messages (markdown, streaming), tool calls,
 * statuses, pushes, PRs, logs and errors. Follows the bottom while the reader is there.
 */
import { memo, Suspense, useEffect, useLayoutEffect, useRef } from "react";
import type { TimelineItem } from "../timeline/timeline";
import { formatDuration } from "../ui/format";
import { lazyComponent } from "../ui/lazy-component";
import { webUrl } from "../ui/web-url";
import { ToolCall } from "./tool-call";

const MarkdownText = lazyComponent(() => import("./markdown"));
// Sessions almost always hold assistant text: fetch the renderer as soon as this view loads.
MarkdownText.preload().catch(() => {
  // Rendering a message retries the load; the plain-text fallback shows meanwhile.
});
const NONE: ReadonlySet<string> = new Set();

const Item = memo(function Item({ item, queued }: { item: TimelineItem; queued: boolean }) {
  switch (item.kind) {
    case "prompt":
      return (
        <article
          className={`entry entry-prompt${queued ? " entry-queued" : ""}`}
          aria-label={`Prompt from ${item.author}${queued ? " (queued)" : ""}`}
          data-prompt-id={item.promptId}
        >
          <header className="entry-meta">
            {item.author}
            {queued ? <span className="queued-label"> · queued, runs after the current turn</span> : null}
          </header>
          <p className="prompt-text">{item.text}</p>
        </article>
      );
    case "message":
      return (
        <article
          className={`entry entry-message entry-${item.role}${item.streaming ? " streaming" : ""}`}
          data-message-id={item.messageId}
          aria-busy={item.streaming}
        >
          <Suspense fallback={<p className="plain-text">{item.text}</p>}>
            <MarkdownText text={item.text} />
          </Suspense>
          {item.streaming ? <span className="caret" aria-hidden="true" /> : null}
        </article>
      );
    case "tool":
      return <ToolCall item={item} />;
    case "status":
      return (
        <p className="entry entry-status" data-status={item.status}>
          Status: <strong>{item.status}</strong>
          {item.reason ? ` — ${item.reason}` : ""}
        </p>
      );
    case "turn":
      return (
        <p className={`entry entry-turn turn-${item.status}`}>
          Turn {item.status}
          {item.durationMs !== null ? ` in ${formatDuration(item.durationMs)}` : ""}
          {item.summary ? ` — ${item.summary}` : ""}
        </p>
      );
    case "push":
      return (
        <p className="entry entry-push">
          Pushed <code>{item.push.branch}</code> at <code>{item.push.sha.slice(0, 7)}</code>:{" "}
          {item.push.filesChanged} {item.push.filesChanged === 1 ? "file" : "files"} changed,{" "}
          <span className="ins">+{item.push.insertions}</span>{" "}
          <span className="del">−{item.push.deletions}</span>
        </p>
      );
    case "pr": {
      const href = webUrl(item.pr.url);
      return (
        <p className="entry entry-pr">
          Pull request{" "}
          {href ? (
            <a href={href} target="_blank" rel="noopener noreferrer">
              #{item.pr.number}
            </a>
          ) : (
            `#${item.pr.number}`
          )}{" "}
          ({item.pr.state})
        </p>
      );
    }
    case "log":
      return (
        <details className="entry entry-log">
          <summary>
            {item.source} output ({item.lines.length} {item.lines.length === 1 ? "line" : "lines"})
          </summary>
          <pre className="mono">
            {item.lines.map((l, i) => (
              // Lines are append-only, so the index is a stable key.
              // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
              <span key={i} className={l.stream === "stderr" ? "stderr" : undefined}>
                {l.text.endsWith("\n") ? l.text : `${l.text}\n`}
              </span>
            ))}
          </pre>
        </details>
      );
    case "error":
      return (
        <p className="entry entry-error" role="alert">
          <strong>{item.code}</strong>: {item.message}
        </p>
      );
  }
});

export function TimelineView({
  items,
  queued = NONE,
}: {
  items: readonly TimelineItem[];
  /** Prompts waiting for the current turn to end. */
  queued?: ReadonlySet<string>;
}) {
  const endRef = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    const onScroll = () => {
      const doc = document.documentElement;
      follow.current = doc.scrollHeight - (window.scrollY + window.innerHeight) < 120;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: follow the bottom whenever items change
  useLayoutEffect(() => {
    if (follow.current) endRef.current?.scrollIntoView?.({ block: "end" });
  }, [items]);

  return (
    <div className="timeline" data-testid="timeline">
      {items.map((item) => (
        <div key={item.key} className="timeline-item" data-key={item.key}>
          <Item item={item} queued={item.kind === "prompt" && queued.has(item.promptId)} />
        </div>
      ))}
      <div ref={endRef} />
    </div>
  );
}
