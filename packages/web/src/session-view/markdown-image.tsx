/**
 * An image in agent markdown loads only when the reader asks for it. A remote image is a request
 * the model chose: it can tell a host who is reading the session and when, or carry data out in
 * its URL. Until clicked, the reader sees where it would come from.
 */
import { type ImgHTMLAttributes, useState } from "react";

/** Where an image would be fetched from, in words a reader can judge. */
export function imageSource(src: string | undefined): string {
  if (!src) return "nowhere";
  if (src.startsWith("data:")) return "an inline image";
  try {
    const url = new URL(src, window.location.href);
    return url.origin === window.location.origin ? "this site" : url.host;
  } catch {
    return "an unreadable address";
  }
}

type Props = ImgHTMLAttributes<HTMLImageElement> & { node?: unknown };

export default function ClickToLoadImage({ node: _node, src, alt, title }: Props) {
  const [loaded, setLoaded] = useState(false);
  const source = imageSource(typeof src === "string" ? src : undefined);
  if (loaded && typeof src === "string")
    return <img src={src} alt={alt ?? ""} title={title} referrerPolicy="no-referrer" />;
  return (
    <button
      type="button"
      className="markdown-image-placeholder"
      onClick={() => setLoaded(true)}
      disabled={typeof src !== "string" || src === ""}
      title={typeof src === "string" ? src : undefined}
    >
      {`Image${alt ? ` "${alt}"` : ""} from ${source}: click to load`}
    </button>
  );
}
