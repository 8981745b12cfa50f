/**
 * A real MQTT broker (Debian's mosquitto, started by the test on 127.0.0.1 and a free port) and a Sparkplug
 * host application written with mqtt.js and sparkplug-payload that decodes every message it receives.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import sparkplug from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { freePort, tempDir, waitFor } from './harness.ts';

const codec = sparkplug.get('spBv1.0')!;

/** Where `.ci/run` installs mosquitto; a test that needs it fails with this message when it is missing. */
export function mosquittoPath(): string {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', ['mosquitto'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error(
    'mosquitto is not installed: the Sparkplug tests need a real broker (apt-get install -y mosquitto; .ci/run installs it)',
  );
}

export class Broker {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | null = null;
  output = '';

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<Broker> {
    const broker = new Broker(await freePort(), tempDir('mosquitto'));
    await broker.up();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const config = path.join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(
      config,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        'queue_qos0_messages true',
        `persistence_location ${this.dir}/`,
        `user ${os.userInfo().username}`,
        '',
      ].join('\n'),
    );
    const child = spawn(mosquittoPath(), ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited:\n${this.output}`);
        return this.output.includes(' running') ? true : undefined;
      },
      10_000,
      'mosquitto to listen',
    );
  }

  /** Stops the broker (SIGTERM: it saves its retained messages, as a broker restart in a plant would). */
  async down(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

export interface HostMetric {
  readonly name: string;
  readonly value: unknown;
  readonly ts: number;
  readonly historical: boolean;
}

export interface HostMessage {
  readonly topic: string;
  readonly type: string;
  readonly at: number;
  readonly seq: number | null;
  readonly bdSeq: number | null;
  readonly metrics: HostMetric[];
}

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function')
    return Number((value as { toNumber(): number }).toNumber());
  return null;
}

/** A metric value as plain JS: Int64 arrives as a Long. */
function plain(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? num(value) : value;
}

/** A host application: subscribes to the group, decodes every message, keeps them in arrival order. */
export class SparkplugHost {
  readonly messages: HostMessage[] = [];
  readonly undecodable: string[] = [];
  readonly client: MqttClient;

  private constructor(client: MqttClient) {
    this.client = client;
  }

  static async connect(url: string, group: string): Promise<SparkplugHost> {
    // A persistent session (and a broker that queues QoS 0 for it, see `up`), as a host that must not miss a
    // birth during its own reconnect after a broker restart keeps.
    const client = await mqtt.connectAsync(url, {
      clientId: `host-${process.pid}`,
      reconnectPeriod: 50,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
    });
    const host = new SparkplugHost(client);
    client.on('message', (topic, payload) => host.#receive(topic, payload));
    // Resubscribes after a broker restart (clean session).
    client.on('connect', () => void client.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 }));
    await client.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
    return host;
  }

  #receive(topic: string, payload: Buffer): void {
    const type = topic.split('/')[2] ?? '';
    // Commands are what hosts send (this one included), not what the edge node published.
    if (type === 'NCMD' || type === 'DCMD') return;
    try {
      const decoded = codec.decodePayload(new Uint8Array(payload));
      const metrics = (decoded.metrics ?? []).map((m) => ({
        name: m.name ?? '',
        value: plain(m.value as unknown),
        ts: num(m.timestamp) ?? 0,
        historical: m.isHistorical === true,
      }));
      const bdSeq = metrics.find((m) => m.name === 'bdSeq');
      this.messages.push({
        topic,
        type,
        at: Date.now(),
        seq: num(decoded.seq),
        bdSeq: bdSeq ? num(bdSeq.value) : null,
        metrics,
      });
    } catch (error) {
      this.undecodable.push(`${topic}: ${String(error)}`);
    }
  }

  ofType(type: string): HostMessage[] {
    return this.messages.filter((m) => m.type === type);
  }

  async command(topic: string, metrics: { name: string; type: string; value: unknown }[]): Promise<void> {
    const payload = codec.encodePayload({
      timestamp: Date.now(),
      metrics: metrics as UMetric[],
    });
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: 0 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
