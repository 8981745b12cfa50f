/**
 * One MQTT session of the edge node and what it publishes (Sparkplug 3.0 §6.4): NBIRTH (seq 0), a DBIRTH per
 * device, DDATA, DDEATH, each with the next seq (0-255, shared by every message of the session). It keeps which
 * devices are born, so no DDATA goes to a device without a DBIRTH, and what it stated of each tag, so a value
 * is sent once (docs/sparkplug.md "Devices").
 */
import type { MqttClient } from 'mqtt';
import type { TagDefinition } from '../../protocol/config-items.ts';
import type { Polled } from './catch-up.ts';
import type { TagMark } from './published-mark.ts';
import { deviceChanges, deviceIdOf, groupByDevice, isOffline, shapeOf } from './sparkplug-devices.ts';
import {
  BDSEQ_METRIC,
  deviceTopic,
  encode,
  nodeTopic,
  REBIRTH_METRIC,
  sampleOf,
  toMetric,
  type EdgeIdentity,
  type MetricSample,
} from './sparkplug-payloads.ts';

/** Historical metrics per DDATA message, so a long outage is sent in messages of reasonable size. */
const HISTORICAL_PER_MESSAGE = 500;

/** The node's tags as the session reads them: definitions by name, and each one's current value. */
export interface SessionTags {
  readonly definitions: ReadonlyMap<string, TagDefinition>;
  current(name: string): Polled | undefined;
}

export class EdgeSession {
  readonly client: MqttClient;
  readonly bdSeq: number;
  readonly #id: EdgeIdentity;
  #seq = 0;
  born = false;
  /** The STATE timestamp of the primary host's online message the births followed. */
  hostOnlineAt: number | null = null;
  /** What this session stated of each tag (or the pair had published before it): the mark's content. */
  sent = new Map<string, TagMark>();
  /** Per tag, the first sample this session published live: where its catch-up ends (catch-up.ts). */
  readonly firstLive = new Map<string, Polled>();
  /** The devices born in this session (a DBIRTH and no DDEATH since): id -> the shape their DBIRTH stated. */
  readonly #devices = new Map<string, string>();

  constructor(client: MqttClient, bdSeq: number, id: EdgeIdentity) {
    this.client = client;
    this.bdSeq = bdSeq;
    this.#id = id;
  }

  /** NBIRTH with the node's own metrics (bdSeq, Node Control/Rebirth), then a DBIRTH per device. */
  birth(tags: SessionTags, now: number): void {
    this.#seq = 0;
    this.#devices.clear();
    const metrics = [
      { name: BDSEQ_METRIC, type: 'Int64' as const, value: this.bdSeq, timestamp: now },
      { name: REBIRTH_METRIC, type: 'Boolean' as const, value: false, timestamp: now },
    ];
    this.client.publish(nodeTopic(this.#id, 'NBIRTH'), encode({ timestamp: now, seq: 0, metrics }), {
      qos: 0,
    });
    this.born = true;
    for (const [device, deviceTags] of groupByDevice(tags.definitions))
      this.#deviceBirth(device, deviceTags, tags, now);
  }

  /** A DDEATH for each device that is offline (every tag bad); after the birth's historical data. */
  buryOffline(tags: SessionTags, now: number): void {
    for (const [device, deviceTags] of groupByDevice(tags.definitions))
      if (isOffline(deviceTags, (name) => tags.current(name))) this.#deviceDeath(device, now);
  }

  /**
   * Changed values as DDATA of their devices (a value equal to the one stated is not sent again). A device
   * whose tags all turned bad gets its DDEATH; one that was offline, a DBIRTH with its first value not bad.
   * Answers whether anything was stated (the mark then follows).
   */
  publishChanges(values: readonly Polled[], tags: SessionTags, now: number): boolean {
    const byDevice = new Map<string, MetricSample[]>();
    for (const v of values) {
      const definition = tags.definitions.get(v.name);
      if (!definition) continue;
      const device = deviceIdOf(definition);
      const samples = byDevice.get(device) ?? [];
      byDevice.set(device, samples);
      const sent = this.sent.get(v.name);
      if (!sent || (v.ts > sent.ts && v.value !== sent.value)) samples.push(sampleOf(v.name, definition, v));
    }
    if (byDevice.size === 0) return false;
    const devices = groupByDevice(tags.definitions);
    let stated = false;
    for (const [device, samples] of byDevice) {
      const deviceTags = devices.get(device)!;
      const born = this.#devices.has(device);
      const offline = isOffline(deviceTags, (name) => tags.current(name));
      if (born && offline) this.#deviceDeath(device, now);
      else if (!born && !offline) this.#deviceBirth(device, deviceTags, tags, now);
      else if (born && samples.length > 0) this.#deviceData(device, samples, now);
      else continue;
      stated = true;
    }
    return stated;
  }

  /** The config changed: removed devices get a DDEATH, new ones a DBIRTH, changed ones both. */
  followConfig(tags: SessionTags, now: number): { deaths: string[]; births: string[] } {
    const devices = groupByDevice(tags.definitions);
    const { deaths, births } = deviceChanges(this.#devices, devices);
    for (const device of deaths) this.#deviceDeath(device, now);
    const born: string[] = [];
    for (const device of births) {
      const deviceTags = devices.get(device)!;
      if (isOffline(deviceTags, (name) => tags.current(name))) continue;
      this.#deviceBirth(device, deviceTags, tags, now);
      born.push(device);
    }
    return { deaths, births: born };
  }

  /** Historical samples as DDATA of their (born) devices, in the order given within each. */
  publishHistorical(samples: readonly MetricSample[], tags: SessionTags, now: number): void {
    const byDevice = new Map<string, MetricSample[]>();
    for (const sample of samples) {
      const definition = tags.definitions.get(sample.name);
      if (!definition) continue;
      const device = deviceIdOf(definition);
      const held = byDevice.get(device);
      if (held) held.push(sample);
      else byDevice.set(device, [sample]);
    }
    for (const [device, deviceSamples] of byDevice)
      for (let i = 0; i < deviceSamples.length; i += HISTORICAL_PER_MESSAGE)
        this.#deviceData(device, deviceSamples.slice(i, i + HISTORICAL_PER_MESSAGE), now);
  }

  /** A DBIRTH with every tag of the device at its current value. */
  #deviceBirth(
    device: string,
    deviceTags: ReadonlyMap<string, TagDefinition>,
    tags: SessionTags,
    now: number,
  ) {
    const samples: MetricSample[] = [];
    for (const [name, definition] of deviceTags) {
      const value = tags.current(name);
      samples.push(sampleOf(name, definition, value ?? { value: null, quality: 'uncertain', ts: now }));
      const sent = this.sent.get(name);
      if (value && (!sent || sent.ts < value.ts)) this.sent.set(name, { ts: value.ts, value: value.value });
    }
    this.#publish(device, 'DBIRTH', now, samples, true);
    this.#devices.set(device, shapeOf(deviceTags));
  }

  /** DDATA of a born device; a device that is not born gets none (its DBIRTH states its values). */
  #deviceData(device: string, samples: readonly MetricSample[], now: number): void {
    if (!this.#devices.has(device)) return;
    this.#publish(device, 'DDATA', now, samples, false);
    for (const s of samples) {
      if (!s.historical && !this.firstLive.has(s.name))
        this.firstLive.set(s.name, { name: s.name, value: s.value, quality: s.quality, ts: s.ts });
      const sent = this.sent.get(s.name);
      if (!sent || sent.ts < s.ts) this.sent.set(s.name, { ts: s.ts, value: s.value });
    }
  }

  #deviceDeath(device: string, now: number): void {
    if (!this.#devices.delete(device)) return;
    this.#publish(device, 'DDEATH', now, [], false);
  }

  #publish(
    device: string,
    type: 'DBIRTH' | 'DDATA' | 'DDEATH',
    now: number,
    samples: readonly MetricSample[],
    withProperties: boolean,
  ): void {
    this.#seq = (this.#seq + 1) % 256;
    const metrics = samples.map((s) => toMetric(s, withProperties));
    const payload = encode({ timestamp: now, seq: this.#seq, metrics });
    this.client.publish(deviceTopic(this.#id, type, device), payload, { qos: 0 });
  }
}
