import { describe, expect, it } from "vitest";
import { allSecretForms, secretForms } from "./secret-forms";

describe("secretForms", () => {
  it("includes the URL-safe base64 form, whose + and / become - and _", () => {
    // ">>>???" encodes to "Pj4+Pz8/": both characters URL-safe base64 replaces.
    const forms = secretForms(">>>???");
    expect(forms).toContain("Pj4+Pz8/");
    expect(forms).toContain("Pj4-Pz8_");
  });

  it("includes a form body's encoding, with + for spaces, next to the URL encoding", () => {
    const forms = secretForms("open sesame 42");
    expect(forms).toContain("open%20sesame%2042");
    expect(forms).toContain("open+sesame+42");
  });

  it("includes the JSON form that escapes every non-ASCII character as \\uXXXX", () => {
    const forms = secretForms("pässwörd");
    expect(forms).toContain("p\\u00e4ssw\\u00f6rd");
    expect(forms).toContain("pässwörd");
    expect(forms).toContain(Buffer.from("pässwörd", "utf8").toString("hex"));
  });

  it("keeps the short fragments of a short secret, but never an empty form that would match everywhere", () => {
    expect(secretForms("")).toEqual([]);
    const one = secretForms("a");
    expect(one).not.toContain("");
    expect(one).toContain("a");
    // "ab" at offset 0 of a base64 group: "YWI=", of which only "YW" is fixed by the secret alone.
    expect(secretForms("ab")).toContain("YW");
  });

  it("includes the base64 characters fixed by the secret alone, at each of the three offsets", () => {
    // "hunter22" is "aHVudGVyMjI=": the last "I" also depends on what follows, so it is not part of the form.
    const forms = secretForms("hunter22");
    expect(forms).toContain("aHVudGVyMj");
    expect(forms).not.toContain("aHVudGVyMjI");
    // One and two bytes in (the "AA" prefix comes from the zero bytes before the secret).
    expect(forms).toContain(Buffer.from("\0hunter22").toString("base64").slice(2, 12));
    expect(forms).toContain(Buffer.from("\0\0hunter22").toString("base64").slice(3, 13));
  });

  it("lists every form of every value once, longest first", () => {
    const forms = allSecretForms(["token-1", "token-1", "k3y"]);
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms).toContain("token-1");
    expect(forms).toContain("k3y");
    for (let i = 1; i < forms.length; i++)
      expect(forms[i - 1]!.length).toBeGreaterThanOrEqual(forms[i]!.length);
  });
});
