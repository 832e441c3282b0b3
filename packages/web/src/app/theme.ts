/** Light, dark or system colour scheme, stored per browser and applied as <html data-theme>. */
import { useCallback, useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "nightshift.theme";

function read(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", choice);
}

export function useTheme(): [ThemeChoice, () => void] {
  const [choice, setChoice] = useState<ThemeChoice>(read);
  useEffect(() => applyTheme(choice), [choice]);
  const cycle = useCallback(() => {
    setChoice((c) => {
      const next: ThemeChoice = c === "system" ? "dark" : c === "dark" ? "light" : "system";
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // not persisted in private mode
      }
      return next;
    });
  }, []);
  return [choice, cycle];
}
