import { RepoKey } from "@nightshift/protocol";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import * as fields from "./form-fields";

/** A control in a labelled field, the way the panels place one; returns the control the label names. */
function inField(label: string, control: (id: string) => ReactNode): HTMLElement {
  render(
    <fields.Field id="field" label={label}>
      {control("field")}
    </fields.Field>,
  );
  return screen.getByLabelText(label);
}

const optionTexts = (select: HTMLElement) =>
  [...(select as HTMLSelectElement).options].map((o) => o.textContent);

describe("settings form fields", () => {
  it("the repository scope field is labelled, hints at its format and reports what is typed", async () => {
    const onChange = vi.fn();
    render(<fields.RepositoryScopeField id="repo" value="" onChange={onChange} />);
    const input = screen.getByLabelText("Repository (optional)");
    expect(input.getAttribute("placeholder")).toBe("all repositories, or github:owner/name");
    // A repository key is not prose: no red underlines, no autocorrect.
    expect(input.getAttribute("spellcheck")).toBe("false");
    const user = userEvent.setup();
    await user.click(input);
    await user.paste("github:acme/widgets");
    expect(onChange).toHaveBeenLastCalledWith("github:acme/widgets");
  });

  it("a blank scope is every repository; anything else must be a repository key", () => {
    expect(fields.repositoryScopeOf("  ")).toEqual({ repo: null });
    expect(fields.repositoryScopeOf(" github:acme/widgets ")).toEqual({ repo: "github:acme/widgets" });
    const refusal = RepoKey.safeParse("Acme/Widgets").error?.issues[0]?.message;
    expect(refusal).toBeTruthy();
    expect(fields.repositoryScopeOf("Acme/Widgets")).toEqual({ error: `Repository: ${refusal}` });
  });

  it("the admins-only checkbox is named by the panel's words and reports its new state", async () => {
    const onChange = vi.fn();
    render(
      <fields.AdminsOnlyField id="admins" checked={false} onChange={onChange}>
        Admins' sessions only
      </fields.AdminsOnlyField>,
    );
    // The box and the panel's words are apart by a space, as in every panel before.
    expect(screen.getByText("Admins' sessions only", { exact: false }).textContent).toBe(
      " Admins' sessions only",
    );
    await userEvent.setup().click(screen.getByLabelText("Admins' sessions only"));
    expect(onChange).toHaveBeenCalledWith(true);
  });

  it("the provider select lists every model provider by name and reports the one picked", async () => {
    const onChange = vi.fn();
    const select = inField("Provider", (id) => (
      <fields.ModelProviderSelect id={id} value="anthropic" onChange={onChange} />
    ));
    expect(optionTexts(select)).toEqual(["Anthropic", "OpenAI", "Google Gemini"]);
    await userEvent.setup().selectOptions(select, "gemini");
    expect(onChange).toHaveBeenCalledWith("gemini");
  });

  it("a write-only value is masked and never offered the browser's saved passwords", async () => {
    const onChange = vi.fn();
    const input = inField("Your key", (id) => <fields.WriteOnlyInput id={id} value="" onChange={onChange} />);
    expect(input.getAttribute("type")).toBe("password");
    expect(input.getAttribute("autocomplete")).toBe("new-password");
    const user = userEvent.setup();
    await user.click(input);
    await user.paste("sk-test-1234");
    expect(onChange).toHaveBeenLastCalledWith("sk-test-1234");
  });

  it("a deployment choice keeps a stored one the deployment no longer runs, marked as such", async () => {
    const onChange = vi.fn();
    const labelOf = (name: string) => name.toUpperCase();
    const select = inField("Default", (id) => (
      <fields.DeploymentChoiceSelect
        id={id}
        value="gone"
        available={["a", "b"]}
        deploymentDefault="a"
        labelOf={labelOf}
        onChange={onChange}
      />
    ));
    expect(optionTexts(select)).toEqual(["Deployment default (A)", "A", "B", "GONE (not available here)"]);
    await userEvent.setup().selectOptions(select, "b");
    expect(onChange).toHaveBeenCalledWith("b");
  });

  it("a deployment choice without a deployment default offers only what can run", () => {
    const select = inField("Provider for it", (id) => (
      <fields.DeploymentChoiceSelect
        id={id}
        value="a"
        available={["a"]}
        labelOf={String}
        onChange={vi.fn()}
      />
    ));
    expect(optionTexts(select)).toEqual(["a"]);
  });

  it("the error line shows the form's own message before a request's error, and nothing without either", () => {
    const { container, rerender } = render(<fields.FormError message={null} error={null} />);
    expect(container.textContent).toBe("");
    rerender(<fields.FormError message="Name: is required" error={new Error("network down")} />);
    expect(screen.getByRole("alert").textContent).toBe("Name: is required");
    rerender(<fields.FormError message={null} error={new Error("network down")} />);
    expect(screen.getByRole("alert").textContent).toBe("network down");
  });
});
