/** NCMD and DCMD over a small fake of the edge's data port (edge-ports.ts): no node, no DataService. */
import sparkplug from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logging.ts';
import { handleCommand, type CommandPorts } from './sparkplug-commands.ts';

const codec = sparkplug.get('spBv1.0')!;
const command = (metrics: { name: string; type: 'Double' | 'Boolean'; value: unknown }[]): Buffer =>
  Buffer.from(codec.encodePayload({ timestamp: 1, metrics }));

function fakePorts(refuse: (name: string) => string | null = () => null) {
  const writes: [string, unknown][] = [];
  const refused: string[] = [];
  let rebirths = 0;
  const ports: CommandPorts = {
    data: {
      writeTag: (name, value) => {
        const reason = refuse(name);
        if (reason) return Promise.reject(new Error(reason));
        writes.push([name, value]);
        return Promise.resolve();
      },
    },
    logger: silentLogger,
    rebirth: () => void rebirths++,
    deviceOf: (tag) => ({ speed: 'plc', setpoint: 'memory' })[tag],
    refused: (reason) => void refused.push(reason),
  };
  return { ports, writes, refused, rebirths: () => rebirths };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Sparkplug commands', () => {
  it("a DCMD writes its device's tags through the data port and refuses another device's", async () => {
    const fake = fakePorts();
    handleCommand(
      'spBv1.0/plant/DCMD/edge/memory',
      command([
        { name: 'setpoint', type: 'Double', value: 4 },
        { name: 'speed', type: 'Double', value: 9 },
      ]),
      fake.ports,
    );
    await settle();
    expect(fake.writes).toEqual([['setpoint', 4]]);
    expect(fake.refused).toEqual(['DCMD to device "memory" refused for "speed": the tag is on device "plc"']);
  });

  it('an NCMD may name any tag; Rebirth births again; a refused write is reported', async () => {
    const fake = fakePorts((name) => (name === 'speed' ? 'read-only' : null));
    handleCommand(
      'spBv1.0/plant/NCMD/edge',
      command([
        { name: 'Node Control/Rebirth', type: 'Boolean', value: true },
        { name: 'setpoint', type: 'Double', value: 5 },
        { name: 'speed', type: 'Double', value: 1 },
      ]),
      fake.ports,
    );
    await settle();
    expect(fake.rebirths()).toBe(1);
    expect(fake.writes).toEqual([['setpoint', 5]]);
    expect(fake.refused).toEqual(['NCMD write to "speed" refused: read-only']);
  });
});
