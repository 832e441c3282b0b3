import { describe, expect, it } from "vitest";
import { webUrl } from "./web-url";

describe("webUrl", () => {
  it("keeps http(s) links and refuses script, data and relative ones", () => {
    expect(webUrl("https://github.com/acme/api/pull/7")).toBe("https://github.com/acme/api/pull/7");
    expect(webUrl("http://ghe.internal/x")).toBe("http://ghe.internal/x");
    expect(webUrl("javascript:alert(1)")).toBeNull();
    expect(webUrl(" JavaScript:alert(1)")).toBeNull();
    expect(webUrl("data:text/html,<b>x</b>")).toBeNull();
    expect(webUrl("/settings")).toBeNull();
    expect(webUrl(null)).toBeNull();
    expect(webUrl("")).toBeNull();
  });
});
