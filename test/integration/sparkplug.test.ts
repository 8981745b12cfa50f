/**
 * Plant interfaces, MQTT Sparkplug B (docs/rules.md "Plant interfaces 2"; docs/sparkplug.md): a real
 * mosquitto broker, real `tandem-node` processes and a host application that decodes every message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ANY_PORT, freePort, NodeProcess, tempDir, waitFor } from './harness.ts';
import { Broker, countingPlc, sequenceProblems, SparkplugHost } from './sparkplug-host.ts';
import { makeTlsFiles } from './sparkplug-tls.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const GROUP = 'plant';
const simulator = { kind: 'simulator', waveform: 'sine', periodMs: 10_000, min: 0, max: 10 };

async function brokerAndHost(): Promise<{ broker: Broker; host: SparkplugHost }> {
  const broker = await Broker.start();
  cleanup.push(() => broker.down());
  const host = await SparkplugHost.connect(broker.url, GROUP);
  cleanup.push(() => host.close());
  return { broker, host };
}

async function independentNode(brokerUrl: string, extra: string[] = []): Promise<NodeProcess> {
  const node = new NodeProcess(tempDir('sparkplug'), ANY_PORT, [
    '--name',
    'line-1',
    '--ping-rate',
    '100',
    '--ping-timeout',
    '300',
    '--mqtt-url',
    brokerUrl,
    '--sparkplug-group',
    GROUP,
    ...extra,
  ]);
  cleanup.push(() => node.kill('SIGKILL'));
  await node.start();
  return node;
}

describe('Plant interfaces: MQTT Sparkplug B, the node is one edge node with births, data and commands', () => {
  it('births with every tag, publishes changes with seq, takes NCMD writes through the API path and refuses the rest', async () => {
    const { broker, host } = await brokerAndHost();
    const node = await independentNode(broker.url);
    const put = (name: string, body: unknown) => node.api('PUT', `/api/config/tags/${name}`, body);
    expect((await put('speed', { dataType: 'float', source: { kind: 'memory' } })).status).toBe(200);
    expect((await put('fixed', { dataType: 'int', source: { kind: 'memory' }, readOnly: true })).status).toBe(
      200,
    );
    await node.waitStatus((s) => s.sparkplug?.state === 'online', 'Sparkplug online');
    // Memory tags are one device, born with every tag whether they came before or after the NBIRTH.
    const memoryBirth = () =>
      host.ofType('DBIRTH', 'memory').findLast((m) => m.metrics.some((x) => x.name === 'fixed'));
    await waitFor(memoryBirth, 10_000, 'a DBIRTH of the memory device with both tags');
    // A rebirth (Node Control/Rebirth) sends the NBIRTH, with the node's own metrics only, and every DBIRTH again.
    const births = host.ofType('DBIRTH').length;
    await host.command('spBv1.0/plant/NCMD/line-1', [
      { name: 'Node Control/Rebirth', type: 'Boolean', value: true },
    ]);
    await waitFor(() => (host.ofType('DBIRTH').length > births ? true : undefined), 10_000, 'DBIRTH again');
    const birth = host.ofType('NBIRTH').at(-1)!;
    expect(birth.seq).toBe(0);
    expect(birth.bdSeq).toBe(0);
    expect(birth.metrics.map((m) => m.name)).toEqual(['bdSeq', 'Node Control/Rebirth']);
    const deviceBirth = memoryBirth()!;
    expect(deviceBirth.topic).toBe('spBv1.0/plant/DBIRTH/line-1/memory');
    expect(deviceBirth.metrics.map((m) => m.name).sort()).toEqual(['fixed', 'speed']);
    expect(deviceBirth.seq).toBe(1);
    expect((await node.api('POST', '/api/tags/speed/write', { value: 12.5 })).status).toBe(200);
    const data = await waitFor(
      () =>
        host
          .ofType('DDATA', 'memory')
          .find((m) => m.metrics.some((x) => x.name === 'speed' && x.value === 12.5)),
      10_000,
      'DDATA of the memory device with the written value',
    );
    expect(data.seq).toBe(2);
    // DCMD: a write to a tag of that device, through the same path as the API.
    await host.command('spBv1.0/plant/DCMD/line-1/memory', [{ name: 'speed', type: 'Double', value: 30 }]);
    await waitFor(
      async () =>
        (await node.api<{ value: number }>('GET', '/api/tags/speed')).body.value === 30 ? true : undefined,
      10_000,
      'the DCMD write to reach the tag',
    );
    await host.command('spBv1.0/plant/DCMD/line-1/plc', [{ name: 'speed', type: 'Double', value: 31 }]);
    await waitFor(
      () => (/DCMD to device \\?"plc\\?" refused for \\?"speed/.test(node.output) ? true : undefined),
      10_000,
      'a DCMD naming a tag of another device refused',
    );
    // NCMD: a write through the same path as the API; unknown and read-only metrics are refused and logged.
    await host.command('spBv1.0/plant/NCMD/line-1', [{ name: 'speed', type: 'Double', value: 40 }]);
    await waitFor(
      async () =>
        (await node.api<{ value: number }>('GET', '/api/tags/speed')).body.value === 40 ? true : undefined,
      10_000,
      'the NCMD write to reach the tag',
    );
    await host.command('spBv1.0/plant/NCMD/line-1', [{ name: 'fixed', type: 'Int64', value: 3 }]);
    await waitFor(
      () => (/fixed.*read-only/.test(node.output) ? true : undefined),
      10_000,
      'a read-only refusal logged',
    );
    await host.command('spBv1.0/plant/NCMD/line-1', [{ name: 'nope', type: 'Double', value: 1 }]);
    await waitFor(
      () => (/nope\\?" refused/.test(node.output) ? true : undefined),
      10_000,
      'an unknown tag refused',
    );
    await host.client.publishAsync('spBv1.0/plant/NCMD/line-1', Buffer.from('not protobuf at all'));
    await waitFor(
      () => (/not Sparkplug B/.test(node.output) ? true : undefined),
      10_000,
      'a malformed payload logged',
    );
    const status = await node.waitStatus(
      (s) => s.sparkplug?.problem?.includes('not Sparkplug B') === true,
      'problem shown',
    );
    expect(status.sparkplug).toMatchObject({ state: 'online', bdSeq: 0, group: 'plant', edgeNode: 'line-1' });
    expect(host.undecodable).toEqual([]);
    expect(sequenceProblems(host.messages)).toEqual([]);
  });
});

describe('Plant interfaces: MQTT Sparkplug B, tags are grouped in devices that are born and die', () => {
  it('a device gets a DBIRTH when its tags come, DDEATH when its driver loses it, DBIRTH when it is back, DDEATH when removed', async () => {
    const { broker, host } = await brokerAndHost();
    let plc = await countingPlc();
    cleanup.push(() => plc.close());
    const node = await independentNode(broker.url);
    await node.waitStatus((s) => s.sparkplug?.state === 'online', 'Sparkplug online');
    const put = (kind: string, name: string, body: unknown) =>
      node.api('PUT', `/api/config/${kind}/${name}`, body);
    const device = { protocol: 'modbus-tcp', host: '127.0.0.1', port: plc.port, pollRateMs: 50 };
    expect((await put('devices', 'plc', device)).status).toBe(200);
    const ramp = {
      dataType: 'int',
      source: { kind: 'modbus', device: 'plc', register: 0, table: 'holding' },
    };
    expect((await put('tags', 'ramp', ramp)).status).toBe(200);
    expect((await put('tags', 'wave', { dataType: 'float', source: simulator })).status).toBe(200);
    await waitFor(() => host.ofType('DBIRTH', 'plc')[0], 10_000, 'the DBIRTH of plc');
    await waitFor(() => host.ofType('DBIRTH', 'simulator')[0], 10_000, 'the DBIRTH of simulator');
    await waitFor(() => host.ofType('DDATA', 'plc')[0], 10_000, 'DDATA of plc');
    expect(host.ofType('NDATA')).toEqual([]);
    // The PLC goes away: every tag of the device turns bad, and the device dies.
    await plc.close();
    await waitFor(() => host.ofType('DDEATH', 'plc')[0], 10_000, 'the DDEATH of plc');
    // Back on the same port: the device is born again with its value.
    plc = await countingPlc(device.port);
    const again = await waitFor(() => host.ofType('DBIRTH', 'plc')[1], 20_000, 'a new DBIRTH of plc');
    expect(again.metrics.find((m) => m.name === 'ramp')?.value).toEqual(expect.any(Number));
    // A device whose last tag is removed dies; the others live on.
    expect((await node.api('DELETE', '/api/config/tags/wave')).status).toBe(200);
    await waitFor(() => host.ofType('DDEATH', 'simulator')[0], 10_000, 'the DDEATH of simulator');
    expect(host.ofType('DDEATH', 'plc')).toHaveLength(1);
    expect(host.ofType('NDEATH')).toEqual([]);
    expect(sequenceProblems(host.messages)).toEqual([]);
  });
});

describe('Plant interfaces: MQTT Sparkplug B, primary host STATE and an unreachable broker', () => {
  it('births wait for the primary host online; its newer offline STATE ends the session with an NDEATH', async () => {
    const { broker, host } = await brokerAndHost();
    const node = await independentNode(broker.url, ['--sparkplug-primary-host', 'scada']);
    await node.waitStatus((s) => s.sparkplug?.state === 'waiting-host', 'waiting for the primary host');
    expect(host.ofType('NBIRTH')).toEqual([]);
    const state = (online: boolean, timestamp: number) =>
      host.client.publishAsync('spBv1.0/STATE/scada', JSON.stringify({ online, timestamp }), {
        qos: 1,
        retain: true,
      });
    const t = Date.now();
    await state(true, t);
    await waitFor(() => host.ofType('NBIRTH')[0], 10_000, 'the NBIRTH after STATE online');
    await state(false, t + 1);
    const death = await waitFor(() => host.ofType('NDEATH')[0], 10_000, 'the NDEATH after STATE offline');
    expect(death.bdSeq).toBe(host.ofType('NBIRTH')[0]!.bdSeq);
    await node.waitStatus((s) => s.sparkplug?.state === 'waiting-host', 'waiting for the host again');
    await state(true, t + 2);
    const rebirth = await waitFor(() => host.ofType('NBIRTH')[1], 10_000, 'a new session');
    expect(rebirth.bdSeq).toBe((death.bdSeq! + 1) % 256);
  });

  it('an unreachable broker is a status problem and the node runs on', async () => {
    const port = await freePort();
    const node = await independentNode(`mqtt://127.0.0.1:${port}`);
    const status = await node.waitStatus((s) => s.sparkplug?.state === 'retrying', 'retrying the broker');
    expect(status.sparkplug?.problem).toMatch(/refuses connections/);
    expect(status.node.status).toBe('active');
    expect(
      (await node.api('PUT', '/api/config/tags/t1', { dataType: 'float', source: { kind: 'memory' } }))
        .status,
    ).toBe(200);
    const started = Date.now();
    expect(await node.kill('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('wrong credentials are a status problem naming them; the right ones from a password file are online', async () => {
    const broker = await Broker.start({ user: 'edge', password: 'right-password' });
    cleanup.push(() => broker.down());
    const wrong = path.join(tempDir('mqtt-password'), 'password');
    fs.writeFileSync(wrong, 'wrong-password\n');
    const node = await independentNode(broker.url, [
      '--mqtt-username',
      'edge',
      '--mqtt-password-file',
      wrong,
    ]);
    const status = await node.waitStatus(
      (s) => s.sparkplug?.state === 'retrying' && /credentials/.test(s.sparkplug.problem ?? ''),
      'credentials refused',
    );
    expect(status.node.status).toBe('active');
    await node.kill('SIGTERM');
    fs.writeFileSync(wrong, 'right-password\n');
    await node.start();
    await node.waitStatus((s) => s.sparkplug?.state === 'online', 'online with the right password');
  });
});

describe('Plant interfaces: MQTT Sparkplug B, memory-tag writes during a broker outage', () => {
  it('memory-tag writes made while the broker is away count as buffered, survive a restart of the node and reach the host after reconnect as historical DDATA, in order', async () => {
    const { broker, host } = await brokerAndHost();
    const node = await independentNode(broker.url);
    const memory = { dataType: 'float', source: { kind: 'memory' } };
    expect((await node.api('PUT', '/api/config/tags/setpoint', memory)).status).toBe(200);
    await node.waitStatus((s) => s.sparkplug?.state === 'online', 'Sparkplug online');
    const write = async (value: number) =>
      expect((await node.api('POST', '/api/tags/setpoint/write', { value })).status).toBe(200);
    const sent = (value: number) =>
      host.messages.flatMap((m) =>
        m.type === 'DDATA' ? m.metrics.filter((x) => x.name === 'setpoint' && x.value === value) : [],
      )[0];
    await write(1);
    await waitFor(() => sent(1), 10_000, 'the live DDATA of 1');
    await broker.down();
    await node.waitStatus((s) => s.sparkplug?.state === 'retrying', 'the broker missed');
    for (const value of [2, 3, 4]) {
      await write(value);
      await new Promise((r) => setTimeout(r, 20));
    }
    // On disk with the rest of the buffer: counted as buffered, and kept across a restart of the node.
    expect((await node.status())?.sparkplug?.buffered).toBe(3);
    await node.kill('SIGTERM');
    await node.start();
    const births = host.ofType('DBIRTH', 'memory').length;
    await broker.up();
    const birth = await waitFor(
      () => host.ofType('DBIRTH', 'memory')[births],
      30_000,
      'the DBIRTH after the broker is back',
    );
    // The birth states the current value; the writes before it come as historical, oldest first.
    expect(birth.metrics.find((m) => m.name === 'setpoint')?.value).toBe(4);
    await waitFor(() => sent(3), 10_000, 'the historical DDATA of the outage');
    const historical = host.messages
      .filter((m) => m.type === 'DDATA' && m.device === 'memory')
      .flatMap((m) => m.metrics.filter((x) => x.name === 'setpoint' && x.historical))
      .map((x) => x.value);
    expect(historical).toEqual([2, 3]);
    expect(sequenceProblems(host.messages)).toEqual([]);
  });
});

describe('Plant interfaces: MQTT Sparkplug B over TLS (mqtts://)', () => {
  it('with the CA, a client certificate, user and password the node connects and publishes; a wrong CA is a status problem and the node runs on', async () => {
    const dir = tempDir('mqtt-tls');
    const tls = await makeTlsFiles(dir);
    const login = { user: 'edge', password: 'tls-password' };
    const broker = await Broker.start(login, tls);
    cleanup.push(() => broker.down());
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:/);
    const host = await SparkplugHost.connect(broker.url, GROUP, {
      ca: fs.readFileSync(tls.ca),
      cert: fs.readFileSync(tls.clientCert),
      key: fs.readFileSync(tls.clientKey),
      username: login.user,
      password: login.password,
    });
    cleanup.push(() => host.close());
    const passwordFile = path.join(dir, 'password');
    fs.writeFileSync(passwordFile, `${login.password}\n`);
    const credentials = ['--mqtt-username', login.user, '--mqtt-password-file', passwordFile];
    const clientCert = ['--mqtt-cert', tls.clientCert, '--mqtt-key', tls.clientKey];
    const node = await independentNode(broker.url, ['--mqtt-ca', tls.ca, ...clientCert, ...credentials]);
    expect(
      (await node.api('PUT', '/api/config/tags/speed', { dataType: 'float', source: { kind: 'memory' } }))
        .status,
    ).toBe(200);
    await node.waitStatus((s) => s.sparkplug?.state === 'online', 'online over TLS');
    await waitFor(() => host.ofType('DBIRTH', 'memory')[0], 10_000, 'the DBIRTH over TLS');
    expect((await node.api('POST', '/api/tags/speed/write', { value: 7.5 })).status).toBe(200);
    await waitFor(
      () => host.ofType('DDATA', 'memory').find((m) => m.metrics.some((x) => x.value === 7.5)),
      10_000,
      'DDATA over TLS',
    );
    expect(host.undecodable).toEqual([]);

    // A CA that did not sign the broker's certificate: refused before any MQTT, said so, and the node runs on.
    const wrong = await independentNode(broker.url, [
      '--mqtt-ca',
      tls.otherCa,
      ...clientCert,
      ...credentials,
    ]);
    const status = await wrong.waitStatus(
      (s) => s.sparkplug?.state === 'retrying' && (s.sparkplug.problem ?? '') !== '',
      'the wrong CA refused',
    );
    expect(status.sparkplug?.problem).toMatch(
      /^the broker's TLS certificate is not trusted \(.+\); check --mqtt-ca$/,
    );
    expect(status.node.status).toBe('active');
    expect(wrong.output).toMatch(/Sparkplug: the broker's TLS certificate is not trusted/);
    expect(
      (await wrong.api('PUT', '/api/config/tags/t1', { dataType: 'float', source: { kind: 'memory' } }))
        .status,
    ).toBe(200);
  });
});
