import { SESSION_STATUSES } from "@nightshift/protocol";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { StatusBadge } from "./status-badge";

describe("StatusBadge", () => {
  it("a paused session reads as paused, explains that a follow-up resumes it, and does not pulse", () => {
    render(<StatusBadge status="paused" />);
    const badge = screen.getByText("paused");
    expect(badge.className).toBe("badge badge-paused");
    expect(badge.getAttribute("title")).toMatch(/send a follow-up to resume/);
    expect(badge.querySelector(".pulse")).toBeNull();
  });

  it("a resuming session pulses like a starting one and says what is happening", () => {
    render(<StatusBadge status="resuming" />);
    const badge = screen.getByText("resuming");
    expect(badge.querySelector(".pulse")).not.toBeNull();
    expect(badge.getAttribute("title")).toMatch(/new sandbox/);
  });

  it("every status the protocol knows gets a badge named for it", () => {
    for (const status of SESSION_STATUSES) {
      const { container, unmount } = render(<StatusBadge status={status} />);
      expect(container.querySelector(`[data-status="${status}"]`)?.textContent).toBe(status);
      unmount();
    }
  });
});
