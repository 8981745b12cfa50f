/**
 * How a receiver of peer frames dispatches them: a table with one handler per frame type it takes, checked by
 * the compiler. A frame type added to the union without a handler in the table is a type error, where a
 * `switch` ending in `default:` would drop it without a word.
 */

/** One handler per frame type of `F`, each given the frame of its own type. */
export type FrameHandlers<F extends { readonly t: string }> = {
  readonly [T in F['t']]: (frame: Extract<F, { readonly t: T }>) => void;
};

/** Hands `frame` to the handler of its type. */
export function dispatchFrame<F extends { readonly t: string }>(handlers: FrameHandlers<F>, frame: F): void {
  // The compiler cannot relate `handlers[frame.t]` to `frame`'s own type: the table's type guarantees it.
  (handlers[frame.t as F['t']] as (frame: F) => void)(frame);
}

/** Table entries that hand every frame type of `types` to one handler (a receiver that owns them all). */
export function handlersFor<F extends { readonly t: string }>(
  types: readonly F['t'][],
  handler: (frame: F) => void,
): FrameHandlers<F> {
  return Object.fromEntries(types.map((t) => [t, handler])) as unknown as FrameHandlers<F>;
}
