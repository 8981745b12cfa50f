/**
 * `Loadable` and its helpers, shared by the dashboard state and its state modules. A leaf: it imports no state
 * module, so none of them imports dashboard-state back.
 */
import type { ApiProblem } from './api-client.ts';

/** One piece of data from the node. An error keeps what was last known, marked as such. */
export type Loadable<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly value: T; readonly at: number }
  | {
      readonly kind: 'error';
      readonly problem: ApiProblem;
      readonly last: T | null;
      readonly lastAt: number | null;
    };

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
