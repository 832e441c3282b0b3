/**
 * Webhook bodies for the ack benchmark, built by the GitHub double itself, so they are shaped and
 * sized like its real deliveries. The double only hands a payload over by delivering it, so it is
 * pointed at a capture server here before the benchmark starts; the probe thread then signs and
 * posts the captured bytes to the Worker.
 */
import { createServer, type Server } from "node:http";
import type { GithubDouble } from "@nightshift/testkit/github";

export interface CapturedDelivery {
  event: string;
  body: string;
}

/** A loopback server that keeps every body posted to it and answers 202, as the Worker would. */
async function startCapture(): Promise<{ url: string; bodies: CapturedDelivery[]; close(): Promise<void> }> {
  const bodies: CapturedDelivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({
        event: String(req.headers["x-github-event"] ?? ""),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(202, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("capture server has no address");
  return {
    url: `http://127.0.0.1:${address.port}/capture`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * `count` `issues.labeled` bodies, each for a fresh issue opened by `by` and labelled `label`
 * by them. The double's webhook URL is left pointing at the closed capture server: set it again.
 */
export async function captureLabeledDeliveries(
  gh: GithubDouble,
  repo: { owner: string; name: string },
  options: { count: number; label: string; by: string },
): Promise<CapturedDelivery[]> {
  const capture = await startCapture();
  try {
    gh.setWebhookUrl(capture.url);
    for (let i = 0; i < options.count; i++) {
      const issue = gh.createIssue(repo.owner, repo.name, {
        title: `Benchmark issue ${i + 1}`,
        body: `Add docs/bench-${i + 1}.md saying which benchmark issue this was.`,
        author: options.by,
      });
      const sent = await gh.labelIssue(repo.owner, repo.name, issue, options.label, options.by);
      if (sent.status !== 202) throw new Error(`capturing a delivery answered ${sent.status}`);
    }
    if (capture.bodies.length !== options.count)
      throw new Error(`captured ${capture.bodies.length} of ${options.count} deliveries`);
    return [...capture.bodies];
  } finally {
    await capture.close();
  }
}
