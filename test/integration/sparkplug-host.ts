/**
 * A real MQTT broker (Debian's mosquitto, started by the test on 127.0.0.1 and a free port) and a Sparkplug
 * host application written with mqtt.js and sparkplug-payload that decodes every message it receives.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ModbusTCPServer } from 'jsmodbus';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import sparkplug from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { freePort, tempDir, waitFor } from './harness.ts';
import type { TlsFiles } from './sparkplug-tls.ts';

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

  /** A user and password the broker requires (no anonymous clients), or null. */
  readonly login: { user: string; password: string } | null;

  /** Certificates of a TLS listener that requires a client certificate signed by its CA, or null. */
  readonly tls: TlsFiles | null;

  private constructor(
    port: number,
    dir: string,
    login: { user: string; password: string } | null,
    tls: TlsFiles | null,
  ) {
    this.port = port;
    this.dir = dir;
    this.login = login;
    this.tls = tls;
  }

  static async start(
    login: { user: string; password: string } | null = null,
    tls: TlsFiles | null = null,
  ): Promise<Broker> {
    const broker = new Broker(await freePort(), tempDir('mosquitto'), login, tls);
    if (login) {
      const made = spawnSync('mosquitto_passwd', [
        '-b',
        '-c',
        path.join(broker.dir, 'passwd'),
        login.user,
        login.password,
      ]);
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${String(made.stderr)}`);
    }
    await broker.up();
    return broker;
  }

  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const config = path.join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(
      config,
      [
        `listener ${this.port} 127.0.0.1`,
        ...(this.tls
          ? [
              `cafile ${this.tls.ca}`,
              `certfile ${this.tls.serverCert}`,
              `keyfile ${this.tls.serverKey}`,
              'require_certificate true',
            ]
          : []),
        ...(this.login
          ? ['allow_anonymous false', `password_file ${path.join(this.dir, 'passwd')}`]
          : ['allow_anonymous true']),
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
  /** The device of a DBIRTH, DDATA or DDEATH; null for the node's own messages. */
  readonly device: string | null;
  readonly at: number;
  readonly seq: number | null;
  readonly bdSeq: number | null;
  readonly metrics: HostMetric[];
  /** The broker sent it again (MQTT DUP flag: a QoS 1 message not acknowledged before a broker restart). */
  readonly redelivered: boolean;
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

  /** `options`: what the broker asks of a client besides (TLS files, user and password). */
  static async connect(url: string, group: string, options: IClientOptions = {}): Promise<SparkplugHost> {
    // A persistent session (and a broker that queues QoS 0 for it, see `up`), as a host that must not miss a
    // birth during its own reconnect after a broker restart keeps.
    const client = await mqtt.connectAsync(url, {
      ...options,
      clientId: `host-${process.pid}`,
      reconnectPeriod: 50,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
    });
    const host = new SparkplugHost(client);
    client.on('message', (topic, payload, packet) => host.#receive(topic, payload, packet.dup));
    // Resubscribes after a broker restart (clean session).
    client.on('connect', () => void client.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 }));
    await client.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
    return host;
  }

  #receive(topic: string, payload: Buffer, redelivered: boolean): void {
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
        device: topic.split('/')[4] ?? null,
        at: Date.now(),
        seq: num(decoded.seq),
        bdSeq: bdSeq ? num(bdSeq.value) : null,
        metrics,
        redelivered,
      });
    } catch (error) {
      this.undecodable.push(`${topic}: ${String(error)}`);
    }
  }

  ofType(type: string, device?: string): HostMessage[] {
    return this.messages.filter((m) => m.type === type && (device === undefined || m.device === device));
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

/** A Modbus server whose holding register 0 counts up every 100 ms while `running`; on `port` when given. */
export async function countingPlc(port = 0): Promise<{
  port: number;
  now: () => number;
  stop: () => number;
  close: () => Promise<void>;
}> {
  const server = net.createServer();
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const holding = Buffer.alloc(20);
  new ModbusTCPServer(server, {
    holding,
    input: Buffer.alloc(20),
    coils: Buffer.alloc(4),
    discrete: Buffer.alloc(4),
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  let count = 1;
  holding.writeUInt16BE(count, 0);
  const timer = setInterval(() => holding.writeUInt16BE(++count % 65536, 0), 100);
  return {
    port: (server.address() as net.AddressInfo).port,
    now: () => count,
    stop: () => {
      clearInterval(timer);
      return count;
    },
    close: async () => {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the host holds of the ramp: each value and how many times it arrived as a new sample. */
export function rampSamples(messages: readonly HostMessage[]): Map<number, number> {
  const seen = new Map<number, number>();
  let last: unknown = undefined;
  for (const m of messages) {
    const birth = m.type === 'NBIRTH' || m.type === 'DBIRTH';
    if (!birth && m.type !== 'NDATA' && m.type !== 'DDATA') continue;
    for (const metric of m.metrics) {
      if (metric.name !== 'ramp' || typeof metric.value !== 'number') continue;
      // A birth states the current value; it is a sample only when it is not the value already held.
      if (birth && metric.value === last) continue;
      last = metric.value;
      seen.set(metric.value, (seen.get(metric.value) ?? 0) + 1);
    }
  }
  return seen;
}

/** bdSeq `next` comes after `last` (mod 256): a fresh number, a few ahead at most (connections that never birthed). */
function bdSeqAfter(next: number | null, last: number | null): boolean {
  if (next === null || last === null) return last === null;
  const step = (next - last + 256) % 256;
  return step >= 1 && step <= 16;
}

/**
 * Sparkplug 3.0 sequence rules, as a host checks them; returns what breaks them. Every connection has a
 * bdSeq of its own, after the last one (a connection that died before its NBIRTH shows only by its NDEATH,
 * one ended before it connected not at all), and one NDEATH; seq counts every message of a session (NBIRTH 0,
 * then DBIRTH, NDATA, DDATA, DDEATH); a device's DDATA and DDEATH come only while it is born. A message the
 * broker delivered again (DUP, after a restart) is the same message, not a second one.
 */
export function sequenceProblems(messages: readonly HostMessage[]): string[] {
  const problems: string[] = [];
  let session: number | null = null;
  let lastBdSeq: number | null = null;
  let lastDeath: number | null = null;
  let seq: number | null = null;
  const devices = new Set<string>();
  for (const m of messages) {
    if (m.type === 'NBIRTH') {
      if (m.seq !== 0) problems.push(`NBIRTH seq ${m.seq}, not 0`);
      if (m.bdSeq !== session) {
        if (!bdSeqAfter(m.bdSeq, lastBdSeq)) problems.push(`NBIRTH bdSeq ${m.bdSeq} after ${lastBdSeq}`);
        lastBdSeq = m.bdSeq;
      }
      session = m.bdSeq;
      lastDeath = null;
      seq = 0;
      devices.clear();
    } else if (m.type === 'NDEATH') {
      if (m.bdSeq === lastDeath) {
        if (!m.redelivered) problems.push(`a second NDEATH for bdSeq ${m.bdSeq}`);
        continue;
      }
      // The will of a connection taken over or lost before its NBIRTH: it had a bdSeq of its own.
      if (m.bdSeq !== lastBdSeq && bdSeqAfter(m.bdSeq, lastBdSeq) && session === null) lastBdSeq = m.bdSeq;
      else if (m.bdSeq !== lastBdSeq)
        problems.push(`NDEATH bdSeq ${m.bdSeq} does not match the NBIRTH's ${lastBdSeq}`);
      lastDeath = m.bdSeq;
      session = null;
      seq = null;
      devices.clear();
    } else if (['NDATA', 'DBIRTH', 'DDATA', 'DDEATH'].includes(m.type)) {
      const what = `${m.type}${m.device === null ? '' : ` of ${m.device}`}`;
      if (seq === null) problems.push(`${what} seq ${m.seq} outside a session`);
      else if (m.seq !== (seq + 1) % 256) problems.push(`${what} seq ${m.seq} after ${seq}`);
      seq = m.seq;
      if (m.device === null) continue;
      if ((m.type === 'DDATA' || m.type === 'DDEATH') && !devices.has(m.device))
        problems.push(`${what} without its DBIRTH`);
      if (m.type === 'DBIRTH') devices.add(m.device);
      if (m.type === 'DDEATH') devices.delete(m.device);
    }
  }
  return problems;
}

/** Values of the ramp between its first and last at the host that never arrived, and those that arrived twice. */
export function rampLoss(messages: readonly HostMessage[]): {
  first: number;
  last: number;
  missing: number[];
  twice: number[];
} {
  const samples = rampSamples(messages);
  const values = [...samples.keys()].sort((a, b) => a - b);
  const first = values[0] ?? 0;
  const last = values.at(-1) ?? 0;
  const missing: number[] = [];
  for (let v = first; v <= last; v++) if (!samples.has(v)) missing.push(v);
  return { first, last, missing, twice: [...samples].filter(([, n]) => n > 1).map(([v]) => v) };
}
