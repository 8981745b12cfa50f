/**
 * docs/rules.md "Plant interfaces 1", OPC UA (docs/opcua.md): two real `tandem-node` processes, each with its
 * own OPC UA server, and node-opcua-client as the plant's client.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DataType, StatusCodes, type DataValue } from 'node-opcua';
import { ANY_PORT, freePort, NodeProcess, tempDir, waitFor } from './harness.ts';
import {
  undoAfterEach,
  addOperator,
  LOADED_MACHINE,
  makeOpcuaPair,
  openConnection,
  UaConnection,
  type OpcUaPair,
  type OpenArgs,
} from './opcua-client.ts';

const SERVICE_LEVEL = 'ns=0;i=2267';
const REDUNDANCY_SUPPORT = 'ns=0;i=3709';
const SERVER_URI_ARRAY = 'ns=0;i=11314';
const REDUNDANT_SERVER_ARRAY = 'ns=0;i=11313';

const register = undoAfterEach();
const opcuaPair = (): Promise<OpcUaPair> => makeOpcuaPair(register);
const connect = (...args: OpenArgs): Promise<UaConnection> => openConnection(register, ...args);

describe('Plant interfaces: OPC UA, non-transparent redundancy on two real nodes', LOADED_MACHINE, () => {
  it('ServiceLevel says which node to use (active >= 200, standby < 200); ServerUriArray, RedundancySupport and FindServers name both nodes', async () => {
    const pair = await opcuaPair();
    const master = await connect(pair.masterUrl);
    const backup = await connect(pair.backupUrl);
    expect(await master.serviceLevel()).toBeGreaterThanOrEqual(200);
    expect(await backup.serviceLevel()).toBeLessThan(200);
    expect(await backup.serviceLevel()).toBeGreaterThanOrEqual(150);
    const uris = ['urn:tandem:opcua-line:master', 'urn:tandem:opcua-line:backup'];
    for (const connection of [master, backup]) {
      expect((await connection.read(SERVER_URI_ARRAY)).value.value).toEqual(uris);
      // Warm standby: both servers poll, so Hot (3) (docs/opcua.md "RedundancySupport").
      expect((await connection.read(REDUNDANCY_SUPPORT)).value.value).toBe(3);
      expect([...(await connection.findServers())].sort()).toEqual([...uris].sort());
      const servers = (await connection.read(REDUNDANT_SERVER_ARRAY)).value.value as { serverId: string }[];
      expect(servers.map((s) => s.serverId)).toEqual(uris);
    }
    // Each names the other where it really listens: the port its peer stated, not its own (two nodes, one host).
    expect((await master.discoveryUrls())[uris[1]!]).toEqual([pair.backupUrl]);
    expect((await backup.discoveryUrls())[uris[0]!]).toEqual([pair.masterUrl]);
    // The status line the dashboard shows.
    const status = await pair.master.status();
    expect(status?.opcua).toMatchObject({ state: 'running', endpointUrl: pair.masterUrl, problem: null });
    expect(status?.opcua?.serviceLevel).toBeGreaterThanOrEqual(200);
    expect(status?.opcua?.sessions).toBeGreaterThanOrEqual(1);
  });

  it('writes go through the same path as the API: on both nodes at once; a standby refuses with Bad_NoCommunication; wrong type, unknown node and read-only get their Bad codes; anonymous clients may not write', async () => {
    const pair = await opcuaPair();
    await pair.master.api('PUT', '/api/config/tags/valve.setpoint', {
      dataType: 'float',
      source: { kind: 'memory' },
      unit: 'bar',
    });
    await pair.master.api('PUT', '/api/config/tags/wave', {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'sine', periodMs: 1000 },
    });
    const master = await connect(pair.masterUrl);
    const backup = await connect(pair.backupUrl);
    // Config changes reach the address space without a restart.
    await waitFor(
      async () =>
        (await backup.read(backup.tagId('valve.setpoint'))).statusCode.equals(StatusCodes.BadNodeIdUnknown)
          ? undefined
          : true,
      10_000,
      'the new tag on the standby',
    );
    expect(await master.write(master.tagId('valve.setpoint'), DataType.Double, 4.5)).toBe(StatusCodes.Good);
    // Replicated before the answer, like an API write: the standby has it at once.
    const onStandby = await pair.backup.api<{ value: unknown }>('GET', '/api/tags/valve.setpoint');
    expect(onStandby.body.value).toBe(4.5);
    expect((await backup.read(backup.tagId('valve.setpoint'))).value.value).toBe(4.5);

    expect(await backup.write(backup.tagId('valve.setpoint'), DataType.Double, 5)).toBe(
      StatusCodes.BadNoCommunication,
    );
    expect(await master.write(master.tagId('valve.setpoint'), DataType.String, 'open')).toBe(
      StatusCodes.BadTypeMismatch,
    );
    expect(await master.write(master.tagId('no.such.tag'), DataType.Double, 1)).toBe(
      StatusCodes.BadNodeIdUnknown,
    );
    expect(await master.write(master.tagId('wave'), DataType.Double, 1)).toBe(StatusCodes.BadNotWritable);
    const anonymous = await connect(pair.masterUrl, 'anonymous');
    expect(await anonymous.write(anonymous.tagId('valve.setpoint'), DataType.Double, 9)).toBe(
      StatusCodes.BadUserAccessDenied,
    );
    // Nothing of that reached the tag; the node runs on.
    expect((await master.read(master.tagId('valve.setpoint'))).value.value).toBe(4.5);
    expect((await pair.master.status())?.node.status).toBe('active');
  });

  it('kill -9 of the active node: a client following the highest ServiceLevel receives the values from the new active node, and what it wrote before is there; a write retried with its uid does not run twice', async () => {
    const pair = await opcuaPair();
    await pair.master.api('PUT', '/api/config/tags/flow', {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'ramp', periodMs: 60_000 },
    });
    await pair.master.api('PUT', '/api/config/tags/mode', { dataType: 'int', source: { kind: 'memory' } });
    const connections = [await connect(pair.masterUrl), await connect(pair.backupUrl)];
    // The client of OPC 10000-4 §6.6.2.4.5.4 (Hot, b): subscribed on both, using the server with the highest ServiceLevel.
    const levels = new Map<string, number>();
    const used: { url: string; at: number; level: number; value: number }[] = [];
    for (const connection of connections) {
      connection.onLost(() => levels.set(connection.url, 0));
      await connection.subscribe([SERVICE_LEVEL], 100, (_id, value: DataValue) =>
        levels.set(connection.url, value.value.value as number),
      );
      await connection.subscribe([connection.tagId('flow')], 100, (_id, value: DataValue) => {
        const best = [...levels.entries()].sort((a, b) => b[1] - a[1])[0];
        if (best?.[0] === connection.url && value.statusCode.isGood())
          used.push({
            url: connection.url,
            at: Date.now(),
            level: best[1],
            value: value.value.value as number,
          });
      });
    }
    const [master] = connections;
    await waitFor(
      () => (used.some((u) => u.url === pair.masterUrl) ? true : undefined),
      15_000,
      'values from the master',
    );
    expect(await master!.write(master!.tagId('mode'), DataType.Int64, [0, 3])).toBe(StatusCodes.Good);
    // A write with a uid (the WriteTag method): run once, a repeat runs nothing.
    const command = { dataType: DataType.Double, value: 42.5 };
    await pair.master.api('PUT', '/api/config/tags/target', {
      dataType: 'float',
      source: { kind: 'memory' },
    });
    await waitFor(
      async () =>
        (await master!.read(master!.tagId('target'))).statusCode.equals(StatusCodes.BadNodeIdUnknown)
          ? undefined
          : true,
      10_000,
      'the new tag in the address space',
    );
    expect(await master!.writeWithUid('target', command, 'cmd-7')).toEqual({
      statusCode: StatusCodes.Good,
      executed: true,
    });
    expect(await master!.writeWithUid('target', command, 'cmd-7')).toEqual({
      statusCode: StatusCodes.Good,
      executed: false,
    });

    const killedAt = Date.now();
    await pair.master.kill('SIGKILL');
    await pair.backup.waitStatus((s) => s.node.status === 'active', 'the backup to take over');
    await waitFor(
      () =>
        used.some((u) => u.url === pair.backupUrl && u.at > killedAt && u.level >= 200) ? true : undefined,
      15_000,
      'values from the new active node',
    );
    expect(levels.get(pair.backupUrl)).toBeGreaterThanOrEqual(200);
    const backup = connections[1]!;
    expect((await backup.read(backup.tagId('mode'))).value.value).toEqual([0, 3]);
    expect((await pair.backup.api<{ value: unknown }>('GET', '/api/tags/mode')).body.value).toBe(3);
    // The client retries its command on the new active node: the pair ran it once already.
    expect(await backup.writeWithUid('target', command, 'cmd-7')).toEqual({
      statusCode: StatusCodes.Good,
      executed: false,
    });
    expect(
      await backup.writeWithUid('target', { dataType: DataType.String, value: 'x' }, 'cmd-8'),
    ).toMatchObject({
      statusCode: StatusCodes.BadTypeMismatch,
    });
    expect((await pair.backup.api<{ value: unknown }>('GET', '/api/tags/target')).body.value).toBe(42.5);
  });

  it('a taken OPC UA port is a status line and a log entry; the node runs on without OPC UA', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    register(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as net.AddressInfo).port;
    const node = new NodeProcess(tempDir('opcua-taken'), ANY_PORT, ['--opcua-port', String(port)]);
    register(() => node.kill('SIGKILL'));
    await node.start();
    const status = await node.waitStatus(
      (s) => s.opcua?.state === 'failed',
      'the OPC UA start to fail',
      30_000,
    );
    expect(status.opcua?.problem).toBe(
      `OPC UA port ${port} is already in use: this node runs without an OPC UA server`,
    );
    expect(status.node.status).toBe('active');
    // The log line is written asynchronously (pino): it follows the status within moments.
    await waitFor(
      () => (node.output.includes(`OPC UA port ${port} is already in use`) ? true : undefined),
      5000,
      'the log entry',
    );
    expect(
      (await node.api('PUT', '/api/config/tags/t', { dataType: 'int', source: { kind: 'memory' } })).status,
    ).toBe(200);
  });

  it('security: by default only signed and encrypted channels; a client certificate not yet approved is refused and waits for approval on the Certificates list, then connects', async () => {
    const opcuaPort = await freePort();
    const node = new NodeProcess(tempDir('opcua-secure'), ANY_PORT, ['--opcua-port', String(opcuaPort)]);
    register(() => node.kill('SIGKILL'));
    addOperator(node.dataDir);
    await node.start();
    await node.waitStatus((s) => s.opcua?.state === 'running', 'the OPC UA server to run', 30_000);
    const url = `opc.tcp://127.0.0.1:${opcuaPort}`;
    await expect(UaConnection.open(url, 'anonymous', 'none')).rejects.toThrow();
    await expect(UaConnection.open(url, 'operator', 'sign-and-encrypt')).rejects.toThrow();
    const listed = await node.api<{ fingerprint: string; subject: string; state: string }[]>(
      'GET',
      '/api/certificates',
    );
    const pending = listed.body.filter((c) => c.state === 'pending');
    expect(pending).toHaveLength(1);
    expect((await node.api('POST', `/api/certificates/${pending[0]!.fingerprint}/approve`)).status).toBe(200);
    const approved = await connect(url, 'operator', 'sign-and-encrypt');
    expect(await approved.serviceLevel()).toBe(255);
  });

  it('security: a client certificate approved on the active node is trusted by both, so the client is let in after a failover', async () => {
    const pair = await opcuaPair();
    await expect(UaConnection.open(pair.masterUrl, 'operator', 'sign-and-encrypt')).rejects.toThrow();
    const listed = await pair.master.api<{ fingerprint: string; state: string }[]>(
      'GET',
      '/api/certificates',
    );
    const pending = listed.body.filter((c) => c.state === 'pending');
    expect(pending).toHaveLength(1);
    const fingerprint = pending[0]!.fingerprint;
    const answer = await pair.master.api<{ state: string; sharedWithPeer: boolean }>(
      'POST',
      `/api/certificates/${fingerprint}/approve`,
    );
    expect(answer.body).toMatchObject({ state: 'trusted', sharedWithPeer: true });

    // The backup never met this client, and nobody approved anything there.
    const onBackup = await pair.backup.api<{ fingerprint: string; state: string }[]>(
      'GET',
      '/api/certificates',
    );
    expect(onBackup.body.find((c) => c.fingerprint === fingerprint)?.state).toBe('trusted');
    await pair.master.kill('SIGKILL');
    await pair.backup.waitStatus((s) => s.node.status === 'active', 'the backup takes over');
    const afterFailover = await connect(pair.backupUrl, 'operator', 'sign-and-encrypt');
    expect(await afterFailover.serviceLevel()).toBeGreaterThanOrEqual(200);
  });
});
