/**
 * A secret split across streamed pieces, at every split point, in every form: the concatenated
 * output never contains it, and equals what masking the whole text at once gives (so text that is
 * not a secret arrives unchanged and in order).
 */
import type { AgentEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../log";
import { EventSink } from "./event-sink";
import { createMasker, MASK } from "./mask-secrets";
import { StreamEventMasker } from "./stream-events";
import { StreamMasker } from "./stream-masker";

const SECRETS = [
  "sk-live-0123456789abcdef",
  'p@ss w/"quote"\\back+slash&=é✓',
  "ghs_ABCdef1234567890",
  "hunter2x",
];

/** The base64 characters of `encoded` (= base64 of prefix+secret+suffix) that depend on the secret's bytes only. */
function secretOnlyBase64(encoded: string, prefixBytes: number, secretBytes: number): string {
  return encoded.slice(Math.ceil((prefixBytes * 8) / 6), Math.floor(((prefixBytes + secretBytes) * 8) / 6));
}

interface Case {
  name: string;
  text: string;
  /** Substrings that must never appear in the output. */
  forbidden: string[];
}

function casesFor(secret: string): Case[] {
  const bytes = Buffer.from(secret, "utf8");
  const cases: Case[] = [
    { name: "raw", text: `token: ${secret} (ok)\n`, forbidden: [secret] },
    {
      name: "url-encoded",
      text: `GET /cb?key=${encodeURIComponent(secret)}&x=1\n`,
      forbidden: [encodeURIComponent(secret)],
    },
    {
      name: "json-escaped",
      text: `{"key":${JSON.stringify(secret)}}\n`,
      forbidden: [JSON.stringify(secret).slice(1, -1)],
    },
    { name: "hex", text: `dump ${bytes.toString("hex")} end`, forbidden: [bytes.toString("hex")] },
    {
      name: "HEX",
      text: `dump ${bytes.toString("hex").toUpperCase()} end`,
      forbidden: [bytes.toString("hex").toUpperCase()],
    },
  ];
  for (const prefix of [0, 1, 2, 4]) {
    const whole = Buffer.concat([Buffer.from("xyz!?".slice(0, prefix)), bytes, Buffer.from("<tail>")]);
    const standard = whole.toString("base64");
    const urlSafe = whole.toString("base64url");
    cases.push(
      {
        name: `base64 +${prefix}`,
        text: `Authorization: Basic ${standard}\n`,
        forbidden: [secretOnlyBase64(standard, prefix, bytes.length)],
      },
      {
        name: `base64url +${prefix}`,
        text: `jwt=${urlSafe};`,
        forbidden: [secretOnlyBase64(urlSafe, prefix, bytes.length)],
      },
    );
  }
  return cases;
}

function streamed(masker: StreamMasker, pieces: string[]): string {
  let out = "";
  for (const piece of pieces) out += masker.push("s", piece);
  return out + masker.end("s");
}

describe("StreamMasker", () => {
  it("masks a secret split at every offset, in every encoded form, and changes nothing else", () => {
    const whole = createMasker(SECRETS);
    for (const secret of SECRETS) {
      for (const c of casesFor(secret)) {
        const expected = whole(c.text);
        expect(expected, `${c.name} of ${secret}: masked whole`).toContain(MASK);
        for (const forbidden of c.forbidden) expect(expected).not.toContain(forbidden);
        for (let split = 0; split <= c.text.length; split++) {
          const out = streamed(new StreamMasker(SECRETS), [c.text.slice(0, split), c.text.slice(split)]);
          expect(out, `${c.name} of ${secret} split at ${split}`).toBe(expected);
        }
        // One character at a time: every boundary at once.
        expect(streamed(new StreamMasker(SECRETS), [...c.text]), `${c.name} one char at a time`).toBe(
          expected,
        );
      }
    }
  });

  it("keeps streams apart and releases a held-back tail that turned out not to be a secret", () => {
    const masker = new StreamMasker(["sk-live-0123456789abcdef"]);
    expect(masker.push("a", "hello sk-live-01")).toBe("hello ");
    expect(masker.push("b", "other stream")).toBe("other stream");
    expect(masker.push("a", "23 is not it")).toBe("sk-live-0123 is not it");
    expect(masker.push("a", "sk-")).toBe("");
    expect(masker.end("a")).toBe("sk-");
    expect(masker.openStreams).toEqual([]);
  });

  it("passes text through untouched when there are no secrets", () => {
    const masker = new StreamMasker([]);
    expect(masker.push("a", "anything at all")).toBe("anything at all");
    expect(masker.openStreams).toEqual([]);
  });
});

describe("EventSink with streamed text", () => {
  function sink(secrets: string[]) {
    const appended: AgentEvent[] = [];
    const events = new EventSink({
      buffer: {
        append: (event: AgentEvent) => {
          appended.push(event);
          return appended.length;
        },
        isFull: false,
        waitForRoom: () => Promise.resolve(),
      } as never,
      mask: createMasker(secrets),
      streams: new StreamEventMasker(secrets),
      onAppended: () => {},
      log: silentLogger,
    });
    return { events, appended };
  }

  it("a secret split across message.delta chunks never reaches the buffer, at any split point", () => {
    const secret = 'p@ss w/"quote"\\back+slash&=é✓';
    const text = `Here it is: ${secret}. And base64: ${Buffer.from(secret).toString("base64")} done`;
    const expected = createMasker([secret])(text);
    for (let a = 0; a <= text.length; a += 3) {
      for (let b = a; b <= text.length; b += 7) {
        const { events, appended } = sink([secret]);
        for (const piece of [text.slice(0, a), text.slice(a, b), text.slice(b)]) {
          if (piece) events.emit({ type: "message.delta", messageId: "m1", text: piece });
        }
        events.emit({ type: "message", messageId: "m1", role: "assistant", text });
        const deltas = appended.flatMap((e) => (e.type === "message.delta" ? [e.text] : []));
        expect(deltas.join(""), `split at ${a}/${b}`).toBe(expected);
        // The held-back tail went out before the message that ends the deltas.
        expect(appended.at(-1)).toMatchObject({ type: "message", text: expected });
        expect(JSON.stringify(appended)).not.toContain("p@ss w/");
      }
    }
  });

  it("log chunks of a stream are masked across chunks; endStreams releases what is held back", () => {
    const secret = "ghs_ABCdef1234567890";
    const { events, appended } = sink([secret]);
    events.emit({ type: "log", source: "setup", stream: "stdout", text: "key=ghs_ABC" });
    events.emit({ type: "log", source: "setup", stream: "stderr", text: "warn\n" });
    events.emit({ type: "log", source: "setup", stream: "stdout", text: "def1234567890\nbye g" });
    events.endStreams();
    const stdout = appended.flatMap((e) => (e.type === "log" && e.stream === "stdout" ? [e.text] : []));
    expect(stdout.join("")).toBe(`key=${MASK}\nbye g`);
    expect(JSON.stringify(appended)).not.toContain("ghs_ABC");
  });
});
