import sparkplug from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { defaultSettings, describeIssues, nodeSettingsSchema } from '../../node/settings.ts';
import type { TagDefinition } from '../../data/index.ts';
import { decodeMark, encodeMark, laterOf } from './published-mark.ts';
import { deviceChanges, groupByDevice, isOffline, shapeOf } from './sparkplug-devices.ts';
import { decodeCommand, deathPayload, parseState, toMetric } from './sparkplug-payloads.ts';
import { sparkplugSettingsFromFlags } from './sparkplug-settings.ts';

const codec = sparkplug.get('spBv1.0')!;

function check(given: Record<string, unknown>): string {
  const parsed = nodeSettingsSchema.safeParse({ ...defaultSettings('h'), ...given });
  return parsed.success ? 'ok' : describeIssues(parsed.error);
}

describe('Sparkplug settings', () => {
  it('flags become settings; "none" clears an optional one', () => {
    expect(
      sparkplugSettingsFromFlags({
        'mqtt-url': 'mqtts://broker:8883',
        'sparkplug-group': 'plant',
        'sparkplug-primary-host': 'none',
        'sparkplug-buffer': '500',
      }),
    ).toEqual({
      mqttUrl: 'mqtts://broker:8883',
      sparkplugGroup: 'plant',
      sparkplugPrimaryHost: null,
      sparkplugBufferSamples: 500,
    });
  });

  it('bad input is named by its flag', () => {
    expect(check({ mqttUrl: 'http://broker', sparkplugGroup: 'plant' })).toBe(
      '--mqtt-url must be an mqtt:// or mqtts:// URL with a host (mqtt://broker:1883).',
    );
    expect(check({ mqttUrl: 'mqtt://broker:1883' })).toBe(
      '--sparkplug-group is required when an MQTT broker is given.',
    );
    expect(check({ mqttUrl: 'mqtt://b', sparkplugGroup: 'a/b' })).toMatch(
      /^--sparkplug-group must be 1-128 characters without "\/"/,
    );
    expect(check({ mqttCertFile: '/etc/c.pem' })).toBe(
      '--mqtt-key: a client certificate and its key go together.',
    );
    expect(check({ sparkplugBufferSamples: 'lots' })).toMatch(/^--sparkplug-buffer must be a whole number/);
    expect(check({ mqttUrl: 'mqtt://b', sparkplugGroup: 'plant' })).toBe('ok');
  });
});

describe('the published mark', () => {
  it('round-trips, and a foreign retained message is not a mark', () => {
    const mark = { bdSeq: 255, tags: new Map([['a/b', { ts: 5, value: 1.5 }]]) };
    expect(decodeMark(encodeMark(mark))).toEqual(mark);
    expect(decodeMark(Buffer.from('hello'))).toBeNull();
    expect(decodeMark(Buffer.from('{"bdSeq":"x","tags":{}}'))).toBeNull();
  });

  it('laterOf keeps the newer sample of each tag', () => {
    const a = new Map([
      ['t', { ts: 10, value: 1 }],
      ['u', { ts: 1, value: 0 }],
    ]);
    const b = new Map([
      ['t', { ts: 5, value: 9 }],
      ['u', { ts: 2, value: 3 }],
    ]);
    expect(Object.fromEntries(laterOf(a, b))).toEqual({ t: { ts: 10, value: 1 }, u: { ts: 2, value: 3 } });
  });
});

describe('Sparkplug payloads', () => {
  it('a command decodes to plain values (Int64 too); a payload that is not protobuf throws', () => {
    const payload = codec.encodePayload({
      timestamp: 1,
      metrics: [
        { name: 'speed', type: 'Int64', value: 42 },
        { name: 'on', type: 'Boolean', value: true },
      ],
    });
    expect(decodeCommand(Buffer.from(payload))).toEqual([
      { name: 'speed', value: 42 },
      { name: 'on', value: true },
    ]);
    expect(() => decodeCommand(Buffer.from('not protobuf at all'))).toThrow();
  });

  it('NDEATH carries only the bdSeq; a bad sample is marked by its Quality property', () => {
    const death = codec.decodePayload(deathPayload(7, 1000));
    expect(death.metrics?.map((m) => [m.name, Number(m.value)])).toEqual([['bdSeq', 7]]);
    const metric = toMetric(
      { name: 't', dataType: 'float', value: null, quality: 'bad', ts: 3, unit: '°C' },
      true,
    );
    expect(metric).toMatchObject({
      type: 'Double',
      isNull: true,
      properties: { Quality: { value: 0 }, engUnit: { value: '°C' } },
    });
  });

  it('STATE is Sparkplug 3.0 JSON { online, timestamp }', () => {
    expect(parseState(Buffer.from('{"online":true,"timestamp":5}'))).toEqual({ online: true, timestamp: 5 });
    expect(parseState(Buffer.from('ONLINE'))).toBeNull();
  });
});

describe('Sparkplug devices', () => {
  const memory = { dataType: 'float', source: { kind: 'memory' } } as const;
  const onPlc = (device: string) =>
    ({ dataType: 'int', source: { kind: 'modbus', device, register: 0, table: 'holding' } }) as TagDefinition;

  it('tags are grouped as the OPC UA folders are: per Modbus device, memory, simulator; "/" in a key is %2F', () => {
    const devices = groupByDevice(
      new Map<string, TagDefinition>([
        ['b', onPlc('line/2')],
        ['a', memory],
        ['c', onPlc('plc')],
      ]),
    );
    expect([...devices].map(([id, tags]) => [id, [...tags.keys()]])).toEqual([
      ['line%2F2', ['b']],
      ['memory', ['a']],
      ['plc', ['c']],
    ]);
  });

  it('a config change kills removed devices, births new ones and does both for one whose tags changed', () => {
    const before = groupByDevice(
      new Map<string, TagDefinition>([
        ['a', memory],
        ['c', onPlc('plc')],
        ['d', onPlc('old')],
      ]),
    );
    const born = new Map([...before].map(([id, tags]) => [id, shapeOf(tags)]));
    const after = groupByDevice(
      new Map<string, TagDefinition>([
        ['a', memory],
        ['a2', memory],
        ['c', onPlc('plc')],
        ['e', onPlc('new')],
      ]),
    );
    expect(deviceChanges(born, after)).toEqual({ deaths: ['memory', 'old'], births: ['memory', 'new'] });
  });

  it('a device is offline when every one of its tags is bad', () => {
    const tags = new Map<string, TagDefinition>([
      ['x', onPlc('plc')],
      ['y', onPlc('plc')],
    ]);
    const bad = { quality: 'bad', value: null };
    expect(isOffline(tags, () => bad)).toBe(true);
    expect(isOffline(tags, (name) => (name === 'x' ? bad : { quality: 'good', value: 1 }))).toBe(false);
    expect(isOffline(tags, () => undefined)).toBe(false);
  });
});
