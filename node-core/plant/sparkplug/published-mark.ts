/**
 * What the pair has published to the broker (docs/sparkplug.md "Nothing twice"): the bdSeq of the last
 * session and, per tag, the newest sample sent. The active node keeps it retained on the broker (QoS 1, after
 * the data it covers, on the same connection), so the broker holds it only once it holds that data; a node
 * that takes over reads it before it connects as the edge node and goes on from there.
 */
import type { MetricValue } from './sparkplug-payloads.ts';

export interface TagMark {
  readonly ts: number;
  readonly value: MetricValue;
}

export interface PublishedMark {
  readonly bdSeq: number;
  readonly tags: ReadonlyMap<string, TagMark>;
}

export function encodeMark(mark: PublishedMark): Buffer {
  return Buffer.from(JSON.stringify({ bdSeq: mark.bdSeq, tags: Object.fromEntries(mark.tags) }));
}

/** The mark in a retained message, or null when it is not one (a foreign writer, an older format). */
export function decodeMark(message: Buffer): PublishedMark | null {
  try {
    const parsed = JSON.parse(message.toString('utf8')) as { bdSeq?: unknown; tags?: unknown };
    if (typeof parsed.bdSeq !== 'number' || typeof parsed.tags !== 'object' || parsed.tags === null)
      return null;
    const tags = new Map<string, TagMark>();
    for (const [name, mark] of Object.entries(parsed.tags as Record<string, unknown>)) {
      const m = mark as { ts?: unknown; value?: unknown };
      if (typeof m.ts !== 'number') continue;
      const value = m.value;
      if (value === null || ['number', 'boolean', 'string'].includes(typeof value))
        tags.set(name, { ts: m.ts, value: value as MetricValue });
    }
    return { bdSeq: parsed.bdSeq, tags };
  } catch {
    return null;
  }
}

/** Per tag, the later of the two marks: what either source knows was published. */
export function laterOf(
  a: ReadonlyMap<string, TagMark>,
  b: ReadonlyMap<string, TagMark>,
): Map<string, TagMark> {
  const out = new Map(a);
  for (const [name, mark] of b) {
    const held = out.get(name);
    if (!held || mark.ts > held.ts) out.set(name, mark);
  }
  return out;
}
