/** What the main thread and the probe thread (probe-thread.ts) exchange. */

export interface ProbeSpec {
  name: string;
  /** The status a correct answer has; anything else counts as a failure. */
  expect: number;
  url: string;
  /** POSTed as a signed GitHub delivery when present (body `index % bodies.length`); a GET otherwise. */
  delivery?: {
    event: string;
    bodies: string[];
    secret: string;
    /** Sent instead of the real signature (to measure a rejection). */
    signature?: string;
    /** Signed as Slack signs Events API requests (v0, with a timestamp) instead of as GitHub. */
    slack?: boolean;
    /**
     * Signed as Linear signs webhooks (hex HMAC of the body in `Linear-Signature`, a new
     * `Linear-Delivery` each), the body's `"webhookTimestamp":0` set to the send time first.
     */
    linear?: boolean;
  };
}

export interface ProbeRun {
  probes: ProbeSpec[];
  rounds: number;
  warmup: number;
  /** After each request of this probe the thread waits for the main thread's go-ahead. */
  pace?: string;
}

export interface ProbeTally {
  /** Latencies of the measured requests (warm-up excluded), in ms. */
  samples: number[];
  ok: number;
  failed: number;
  /** Every answer with the expected status, warm-up included (how much work was started). */
  okIncludingWarmup: number;
  /** A few failures, printed with the results (webhook-report.ts). */
  failures: { status: number; body: string }[];
}

/** One tally per probe, in the order of `ProbeRun.probes`. */
export type ThreadReport = ProbeTally[];
