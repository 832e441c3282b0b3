/**
 * Assistant text as markdown (GitHub flavour). Raw HTML in the text is not rendered, links open
 * in a new tab without access to this page, and images load only on a click: model output is
 * untrusted input.
 */
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import ClickToLoadImage from "./markdown-image";

const components: Components = {
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer nofollow" />,
  img: ClickToLoadImage,
};

const plugins = [remarkGfm];

export default function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={plugins} components={components}>
        {text}
      </Markdown>
    </div>
  );
}
