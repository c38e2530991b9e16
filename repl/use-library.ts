/**
 * The command layer (`library.ts`), loaded in the background once the first frame is on screen: state is
 * undefined until it is in, or the error that kept it out.
 */
import { useEffect, useState } from "react";

/** The lazily loaded command layer. */
export type Library = typeof import("./library.js");

let loading: Promise<Library> | undefined;

/** Loads the command layer once per process; every caller gets the same module. */
export function loadLibrary(): Promise<Library> {
  loading ??= import("./library.js");
  return loading;
}

export function useLibrary(): { library?: Library; error?: unknown } {
  const [state, setState] = useState<{ library?: Library; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    loadLibrary().then(
      (library) => live && setState({ library }),
      (error: unknown) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
