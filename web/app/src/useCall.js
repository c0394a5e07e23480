// One REST read a component shows: asked again whenever `deps` change, with the previous value
// cleared meanwhile. An answer that arrives after a newer call began is dropped, so a slow call
// for old settings never replaces the figures of the current ones.
import { useEffect, useState } from 'preact/hooks';

/** `load` returns the call's promise, or null when there is nothing to ask; gives [value, error]. */
export function useCall(load, deps) {
  const [state, setState] = useState({ value: null, error: null });
  useEffect(() => {
    setState({ value: null, error: null });
    const pending = load();
    if (!pending) return undefined;
    let current = true;
    pending.then(
      (value) => current && setState({ value, error: null }),
      (error) => current && setState({ value: null, error }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return [state.value, state.error];
}
