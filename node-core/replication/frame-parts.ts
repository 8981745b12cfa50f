/**
 * Splitting what one logical send holds into peer frames that stay well below the link's frame limit
 * (MAX_FRAME_BYTES in peer/frames.ts; a larger frame closes the link). Sizes are estimated without
 * serialising: three bytes per UTF-16 unit of every string covers UTF-8 (at most three bytes per unit) and
 * JSON escaping of `"` and `\` (two); only raw control characters take more (six, as `\u0001`), so a real
 * frame is at most twice its estimate. A fixed allowance per item covers field names and numbers.
 */

/** What one frame may hold by estimate: a real frame stays below twice this, well under MAX_FRAME_BYTES. */
const FRAME_BUDGET_BYTES = 8 * 1024 * 1024;

/** Bytes an item may take in a frame, at most (strings counted three times, plus `overhead`). */
export function estimateBytes(strings: readonly (string | null)[], overhead: number): number {
  let units = 0;
  for (const s of strings) if (s !== null) units += s.length;
  return 3 * units + overhead;
}

/**
 * Cuts `items` into consecutive parts in order, each at most `maxItems` long and at most `budget` bytes by
 * `size` (an item larger than the budget on its own gets a part to itself). Always at least one part.
 */
export function splitByBudget<T>(
  items: readonly T[],
  size: (item: T) => number,
  maxItems: number,
  budget: number = FRAME_BUDGET_BYTES,
): T[][] {
  const parts: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + itemBytes > budget)) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  parts.push(current);
  return parts;
}
