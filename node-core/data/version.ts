/**
 * Versions of runtime data: the pair's epoch plus a hybrid logical clock, so that "newest wins" orders
 * changes across both nodes even when their clocks drift (the logical part breaks ties and skew).
 */
export interface Version {
  readonly epoch: number;
  /** `wall(15 digits).counter(6 digits).nodeId`, ordered as a string. */
  readonly hlc: string;
}

export class HybridClock {
  readonly #nodeId: string;
  readonly #now: () => number;
  #wall = 0;
  #counter = 0;

  constructor(nodeId: string, now: () => number) {
    this.#nodeId = nodeId;
    this.#now = now;
  }

  /** A new timestamp, later than any this clock made or observed. */
  tick(): string {
    const physical = this.#now();
    if (physical > this.#wall) {
      this.#wall = physical;
      this.#counter = 0;
    } else {
      this.#counter++;
    }
    return format(this.#wall, this.#counter, this.#nodeId);
  }

  /** Moves past a timestamp seen from the peer, so the next local change orders after it. */
  observe(hlc: string): void {
    const [wallText, counterText] = hlc.split('.');
    const wall = Number(wallText);
    const counter = Number(counterText);
    if (wall > this.#wall || (wall === this.#wall && counter > this.#counter)) {
      this.#wall = wall;
      this.#counter = counter;
    }
  }
}

function format(wall: number, counter: number, nodeId: string): string {
  return `${String(wall).padStart(15, '0')}.${String(counter).padStart(6, '0')}.${nodeId}`;
}

export function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  return a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0;
}
