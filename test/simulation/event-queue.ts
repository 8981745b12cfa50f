/** A binary min-heap of timed items; ties keep insertion order, so a run is deterministic. */
interface Entry<T> {
  readonly at: number;
  readonly seq: number;
  readonly item: T;
}

export class EventQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(at: number, item: T): void {
    const heap = this.#heap;
    heap.push({ at, seq: this.#seq++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  peekTime(): number | null {
    return this.#heap[0]?.at ?? null;
  }

  pop(): { at: number; item: T } | null {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return null;
    const last = heap.pop();
    if (last !== undefined && heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && before(heap[l], heap[min])) min = l;
        if (r < heap.length && before(heap[r], heap[min])) min = r;
        if (min === i) break;
        swap(heap, i, min);
        i = min;
      }
    }
    return { at: top.at, item: top.item };
  }
}

function before<T>(a: Entry<T> | undefined, b: Entry<T> | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(heap: Entry<T>[], i: number, j: number): void {
  const a = heap[i];
  const b = heap[j];
  if (a === undefined || b === undefined) return;
  heap[i] = b;
  heap[j] = a;
}
