/**
 * Assistant text as markdown (GitHub flavour). Raw HTML in the text is not rendered, and links
 * open in a new tab without access to this page: model output is untrusted input.
 */
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const components: Components = {
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer nofollow" />,
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
