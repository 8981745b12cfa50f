/**
 * Config replication's frames: which they are, and changes and snapshots cut into frames by count and by
 * size (frame-parts.ts), as runtime-frames.ts does for the runtime data.
 */
import type { PeerFrame } from '../peer/index.ts';
import type { ConfigChange, ConfigHead, ConfigSnapshot } from '../data/config-types.ts';
import { estimateBytes, splitByBudget } from './frame-parts.ts';

/** Most items in one frame (the frame schema allows more); frames are also cut by size (frame-parts.ts). */
const CONFIG_CHUNK = 10_000;
const SNAPSHOT_CHUNK = 100_000;

export type SnapshotItem = ConfigSnapshot['items'][number];

/** The frames of config replication, the ones ConfigReplication handles. */
export const CONFIG_FRAMES = [
  'config-head',
  'config-changes',
  'config-snapshot',
  'config-ack',
  'config-conflicts',
  'config-conflict-resolved',
] as const;

export type ConfigFrame = Extract<PeerFrame, { t: (typeof CONFIG_FRAMES)[number] }>;

/** Changes as `config-changes` frames, in order. */
export function changeFrames(changes: readonly ConfigChange[]): PeerFrame[] {
  return splitByBudget(changes, changeBytes, CONFIG_CHUNK).map((part) => ({
    t: 'config-changes',
    changes: part,
  }));
}

/** As many of `changes`, from the first, as one frame holds. */
export function firstFrameOf(changes: readonly ConfigChange[]): ConfigChange[] {
  const [first = []] = splitByBudget(changes, changeBytes, CONFIG_CHUNK);
  return first;
}

/** A snapshot as `config-snapshot` frames; each but the last says that more parts follow. */
export function snapshotFrames(snapshot: ConfigSnapshot): PeerFrame[] {
  const parts = splitByBudget(snapshot.items, snapshotItemBytes, SNAPSHOT_CHUNK);
  return parts.map((items, i) => ({
    t: 'config-snapshot',
    head: snapshot.head,
    items,
    ...(i < parts.length - 1 ? { more: true } : {}),
  }));
}

/**
 * The peer's config position after one of its frames, as the frame tells it (acks from a follower, changes
 * from the active node); `known` where the frame tells nothing.
 */
export function peerSeqAfter(frame: ConfigFrame, known: number | null): number | null {
  if (frame.t === 'config-ack') return frame.seq;
  if (frame.t === 'config-head' || frame.t === 'config-snapshot') return frame.head.seq;
  if (frame.t === 'config-changes' && frame.changes.length > 0)
    return Math.max(known ?? 0, frame.changes.at(-1)!.seq);
  return known;
}

/** Parts of a snapshot that came in several frames, gathered until the last one is here. */
export class SnapshotAssembly {
  #parts: { head: ConfigHead; items: SnapshotItem[] } | null = null;

  /** Adds a part; the whole snapshot once its last part is in, else null (a part of another one starts over). */
  add(head: ConfigHead, items: readonly SnapshotItem[], more: boolean): ConfigSnapshot | null {
    const parts = this.#parts;
    const sameSnapshot =
      parts !== null && parts.head.seq === head.seq && parts.head.checksum === head.checksum;
    const all = sameSnapshot ? parts.items : [];
    for (const item of items) all.push(item);
    if (more) {
      this.#parts = { head, items: all };
      return null;
    }
    this.#parts = null;
    return { head, items: all };
  }

  reset(): void {
    this.#parts = null;
  }
}

function changeBytes(c: ConfigChange): number {
  return estimateBytes([c.origin, c.key, c.value, c.checksum], 160);
}

function snapshotItemBytes(item: SnapshotItem): number {
  return estimateBytes([item.key, item.definition], 48);
}
