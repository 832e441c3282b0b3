/**
 * A component loaded on demand that can also be fetched ahead of time. React.lazy alone
 * suspends on first render even when the module is already in cache, and React throttles the
 * reveal after a fallback by up to ~300 ms; once preloaded, this renders the component directly.
 */
import { type ComponentType, lazy } from "react";

export interface LazyComponent<P extends object> {
  (props: P): React.JSX.Element;
  preload(): Promise<unknown>;
}

export function lazyComponent<P extends object = Record<string, never>>(
  load: () => Promise<{ default: ComponentType<P> }>,
): LazyComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<{ default: ComponentType<P> }> | null = null;
  const preload = () => {
    pending ??= load().then(
      (m) => {
        loaded = m.default;
        return m;
      },
      (err: unknown) => {
        // Let the next render try again (and show its error) instead of caching a failed load.
        pending = null;
        throw err;
      },
    );
    return pending;
  };
  const Lazy = lazy(preload) as unknown as ComponentType<P>;
  // biome-ignore lint/correctness/noComponentHookFactories: a factory called once per module at load time, never per render
  const Component = (props: P) => {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  };
  Component.preload = preload;
  return Component;
}
