/**
 * Sparkplug B topics and payloads (Eclipse Sparkplug 3.0): the protobuf encoding is sparkplug-payload's
 * (Eclipse Tahu); this file maps Tandem's tags and values onto metrics and reads commands back.
 */
import sparkplug from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';

const codec = sparkplug.get('spBv1.0')!;

export type NodeMessage = 'NBIRTH' | 'NDEATH' | 'NCMD';
export type DeviceMessage = 'DBIRTH' | 'DDATA' | 'DDEATH' | 'DCMD';

export interface EdgeIdentity {
  readonly group: string;
  readonly edgeNode: string;
}

export function nodeTopic(id: EdgeIdentity, type: NodeMessage): string {
  return `spBv1.0/${id.group}/${type}/${id.edgeNode}`;
}

export function deviceTopic(id: EdgeIdentity, type: DeviceMessage, device: string): string {
  return `spBv1.0/${id.group}/${type}/${id.edgeNode}/${device}`;
}

export function stateTopic(hostId: string): string {
  return `spBv1.0/STATE/${hostId}`;
}

/**
 * What the pair has published, kept retained on the broker outside the Sparkplug namespace (hosts do not
 * subscribe to it): the bdSeq in use and, per tag, the last value the broker took (docs/sparkplug.md).
 */
export function markTopic(id: EdgeIdentity): string {
  return `tandem/sparkplug/${id.group}/${id.edgeNode}/published`;
}

export const REBIRTH_METRIC = 'Node Control/Rebirth';
export const BDSEQ_METRIC = 'bdSeq';

export type TagDataType = 'float' | 'int' | 'bool' | 'string';
export type MetricValue = number | boolean | string | null;

const TYPE_OF: Record<TagDataType, 'Double' | 'Int64' | 'Boolean' | 'String'> = {
  float: 'Double',
  int: 'Int64',
  bool: 'Boolean',
  string: 'String',
};

/** Sparkplug quality codes as hosts such as Ignition read them (property "Quality"). */
const QUALITY_CODE = { good: 192, uncertain: 64, bad: 0 } as const;

export interface MetricSample {
  readonly name: string;
  readonly dataType: TagDataType;
  readonly value: MetricValue;
  readonly quality: 'good' | 'bad' | 'uncertain';
  readonly ts: number;
  readonly historical?: boolean;
  readonly unit?: string | undefined;
  readonly precision?: number | undefined;
}

/** A tag's value as a metric sample; `unit` and `precision` are optional fields of a tag definition. */
export function sampleOf(
  name: string,
  definition: { readonly dataType: TagDataType },
  v: { readonly value: MetricValue; readonly quality: MetricSample['quality']; readonly ts: number },
): MetricSample {
  const extra = definition as { unit?: unknown; precision?: unknown };
  return {
    name,
    dataType: definition.dataType,
    value: v.value,
    quality: v.quality,
    ts: v.ts,
    unit: typeof extra.unit === 'string' ? extra.unit : undefined,
    precision: typeof extra.precision === 'number' ? extra.precision : undefined,
  };
}

export function toMetric(s: MetricSample, withProperties: boolean): UMetric {
  const properties: NonNullable<UMetric['properties']> = {};
  if (s.quality !== 'good') properties['Quality'] = { type: 'Int32', value: QUALITY_CODE[s.quality] };
  if (withProperties && s.unit !== undefined) properties['engUnit'] = { type: 'String', value: s.unit };
  if (withProperties && s.precision !== undefined)
    properties['precision'] = { type: 'Int32', value: s.precision };
  return {
    name: s.name,
    type: TYPE_OF[s.dataType],
    timestamp: s.ts,
    value: s.value,
    ...(s.value === null ? { isNull: true } : {}),
    ...(s.historical ? { isHistorical: true } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

export function encode(payload: UPayload): Buffer {
  return Buffer.from(codec.encodePayload(payload));
}

/** A death certificate: only the bdSeq of the session it ends (Sparkplug 3.0 §6.4.7). */
export function deathPayload(bdSeq: number, now: number): Buffer {
  return encode({
    timestamp: now,
    metrics: [{ name: BDSEQ_METRIC, type: 'Int64', value: bdSeq, timestamp: now }],
  });
}

export interface CommandMetric {
  readonly name: string;
  readonly value: MetricValue;
}

/** The metrics of a command; throws on a payload that is not a Sparkplug B protobuf. */
export function decodeCommand(message: Buffer): CommandMetric[] {
  const payload = codec.decodePayload(new Uint8Array(message));
  return (payload.metrics ?? []).map((m) => ({
    name: typeof m.name === 'string' ? m.name : '',
    value: plainValue(m.value, m.isNull === true),
  }));
}

/**
 * Per metric, the newest sample of a DDATA this edge node published, as the broker sends it back (it has
 * processed it and delivered it to the hosts: docs/sparkplug.md "Published up to"); none when not Sparkplug B.
 */
export function decodeEcho(message: Buffer): Map<string, { ts: number; value: MetricValue }> {
  const echoed = new Map<string, { ts: number; value: MetricValue }>();
  try {
    for (const m of codec.decodePayload(new Uint8Array(message)).metrics ?? []) {
      const ts = plainValue(m.timestamp, false);
      if (typeof m.name !== 'string' || typeof ts !== 'number') continue;
      if ((echoed.get(m.name)?.ts ?? -Infinity) < ts)
        echoed.set(m.name, { ts, value: plainValue(m.value, m.isNull === true) });
    }
  } catch {
    // A foreign client on the edge node's topic: nothing to learn.
  }
  return echoed;
}

function plainValue(value: unknown, isNull: boolean): MetricValue {
  if (isNull || value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  // Int64 values come back as Long.
  if (typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function')
    return Number((value as { toNumber(): number }).toNumber());
  return null;
}

/** A Sparkplug 3.0 STATE message: `{ online, timestamp }`; null when it is not one. */
export function parseState(message: Buffer): { online: boolean; timestamp: number } | null {
  try {
    const parsed = JSON.parse(message.toString('utf8')) as { online?: unknown; timestamp?: unknown };
    if (typeof parsed.online !== 'boolean' || typeof parsed.timestamp !== 'number') return null;
    return { online: parsed.online, timestamp: parsed.timestamp };
  } catch {
    return null;
  }
}
