/**
 * Where a secret from create or rotate waits to be shown once. It is React state of the
 * Automations section only: never the router's history state (a reload would show it again), never
 * the query cache, never storage. Pressing Done, leaving its automation's page or another secret
 * forgets it.
 */
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from "react";
import { useLocation } from "react-router";

export interface HeldSecret {
  automationId: string;
  secret: string;
  rotated: boolean;
}

interface SecretHolder {
  held: HeldSecret | null;
  hold(secret: HeldSecret): void;
  forget(): void;
}

const Context = createContext<SecretHolder | null>(null);

export function OneTimeSecretProvider({ children }: { children: ReactNode }) {
  const [held, setHeld] = useState<HeldSecret | null>(null);
  const { pathname } = useLocation();
  // The page it was shown on; navigating away from there (not merely not being there yet) forgets it.
  const shownOn = useRef<string | null>(null);
  useEffect(() => {
    if (!held) {
      shownOn.current = null;
      return;
    }
    const page = `/automations/${held.automationId}`;
    if (pathname === page) shownOn.current = page;
    else if (shownOn.current === page) {
      shownOn.current = null;
      setHeld(null);
    }
  }, [pathname, held]);
  const holder = useMemo<SecretHolder>(() => ({ held, hold: setHeld, forget: () => setHeld(null) }), [held]);
  return <Context.Provider value={holder}>{children}</Context.Provider>;
}

export function useOneTimeSecret(): SecretHolder {
  const holder = useContext(Context);
  if (!holder) throw new Error("useOneTimeSecret needs an OneTimeSecretProvider above it");
  return holder;
}
