import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import MarkdownText from "./markdown";

describe("MarkdownText images", () => {
  it("an image in agent markdown does not load from another host until the reader clicks it", async () => {
    const { container } = render(
      <MarkdownText text={"Look: ![build status](https://tracker.example.net/p.gif?session=abc) done"} />,
    );
    const placeholder = await screen.findByRole("button", {
      name: 'Image "build status" from tracker.example.net: click to load',
    });
    expect(container.querySelector("img")).toBeNull();
    fireEvent.click(placeholder);
    await waitFor(() => expect(container.querySelector("img")).toBeTruthy());
    const img = container.querySelector("img")!;
    expect(img.getAttribute("src")).toBe("https://tracker.example.net/p.gif?session=abc");
    expect(img.getAttribute("alt")).toBe("build status");
    expect(img.getAttribute("referrerpolicy")).toBe("no-referrer");
  });

  it("gates same-site images too, and offers nothing to load for an address markdown refuses", async () => {
    const { container } = render(<MarkdownText text={"![logo](/logo.svg) and ![x](javascript:alert(1))"} />);
    await screen.findByRole("button", { name: 'Image "logo" from this site: click to load' });
    const refused = await screen.findByRole("button", { name: 'Image "x" from nowhere: click to load' });
    expect((refused as HTMLButtonElement).disabled).toBe(true);
    expect(container.querySelector("img")).toBeNull();
  });
});
