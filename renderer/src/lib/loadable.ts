/** Helpers for `Loadable` that the state classes share (no runtime import of dashboard-state). */
import type { ApiProblem } from './api-client.ts';
import type { Loadable } from './dashboard-state.svelte.ts';

/** Moving a `Loadable` to its error state: what was last known is kept, marked as such. */
export function failed<T>(current: Loadable<T>, problem: ApiProblem): Loadable<T> {
  switch (current.kind) {
    case 'loading':
      return { kind: 'error', problem, last: null, lastAt: null };
    case 'loaded':
      return { kind: 'error', problem, last: current.value, lastAt: current.at };
    case 'error':
      return { kind: 'error', problem, last: current.last, lastAt: current.lastAt };
  }
}

/** The value, or what was last known before an error; null while loading. */
export function valueOf<T>(loadable: Loadable<T>): T | null {
  switch (loadable.kind) {
    case 'loading':
      return null;
    case 'loaded':
      return loadable.value;
    case 'error':
      return loadable.last;
  }
}
