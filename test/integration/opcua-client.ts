/**
 * A real OPC UA client (node-opcua-client) for the integration tests of docs/opcua.md: one session per node,
 * signed in as an operator over SecurityPolicy None (the nodes run with --opcua-allow-insecure).
 */
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import {
  AttributeIds,
  ClientMonitoredItem,
  ClientMonitoredItemGroup,
  constructEventFilter,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  VariantArrayType,
  type ClientSession,
  type DataValue,
  type NodeId,
  type StatusCode,
  type Variant,
} from 'node-opcua';
import { spawnSync } from 'node:child_process';
import { ANY_PORT, freePort, makePair, NodeProcess, SOURCE_CLI, tempDir, type Pair } from './harness.ts';

export const OPERATOR = { name: 'opcua-operator', password: 'correct horse battery' };

/** Adds the test's operator login to a node's database (before it starts). */
export function addOperator(dataDir: string): void {
  const result = spawnSync(
    process.execPath,
    [SOURCE_CLI, 'user', 'add', '--data-dir', dataDir, '--name', OPERATOR.name],
    { input: `${OPERATOR.password}\n`, encoding: 'utf8', timeout: 30_000 },
  );
  if (result.status !== 0) throw new Error(`user add failed: ${result.stderr}`);
}

/**
 * The OPC UA tests' bound: two nodes and their OPC UA servers start in seconds, or in a minute and more on a
 * loaded machine (each node loads node-opcua's nodeset), which the integration project's 60 s default
 * does not cover.
 */
export const LOADED_MACHINE = { timeout: 240_000 } as const;

/** Where a test registers what its afterEach undoes (last in, first out). */
export type Register = (step: () => Promise<unknown>) => void;

/** A Register whose steps run after each test of the file that calls this (at its top level). */
export function undoAfterEach(): Register {
  const steps: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return (step) => void steps.push(step);
}

export interface OpcUaPair extends Pair {
  masterUrl: string;
  backupUrl: string;
}

/**
 * A formed pair whose nodes serve OPC UA on ports of their own (SecurityPolicy None allowed, so that the
 * tests need no certificate approval), both with the operator login; `extra` flags go to both nodes.
 */
export async function makeOpcuaPair(register: Register, extra: string[] = []): Promise<OpcUaPair> {
  const [masterPort, backupPort] = [await freePort(), await freePort()];
  const opcua = (port: number): string[] => [
    '--opcua-port',
    String(port),
    '--opcua-allow-insecure',
    ...extra,
  ];
  const pair = await makePair(opcua(masterPort), opcua(backupPort), { name: 'opcua-line' });
  register(() => pair.stop());
  addOperator(pair.master.dataDir);
  addOperator(pair.backup.dataDir);
  await Promise.all([pair.master.start(), pair.backup.start()]);
  await pair.backup.waitStatus(
    (s) => s.node.status === 'standby' && s.peer?.status === 'active',
    'pair formed',
  );
  for (const node of [pair.master, pair.backup])
    await node.waitStatus((s) => s.opcua?.state === 'running', 'the OPC UA server to run', 30_000);
  return {
    ...pair,
    masterUrl: `opc.tcp://127.0.0.1:${masterPort}`,
    backupUrl: `opc.tcp://127.0.0.1:${backupPort}`,
  };
}

/** One node serving OPC UA on a port of its own, with the operator login; started by the caller. */
export async function makeOpcuaNode(
  register: Register,
  label: string,
  args: string[],
): Promise<{ node: NodeProcess; url: string }> {
  const port = await freePort();
  const node = new NodeProcess(tempDir(label), ANY_PORT, ['--opcua-port', String(port), ...args]);
  register(() => node.kill('SIGKILL'));
  addOperator(node.dataDir);
  return { node, url: `opc.tcp://127.0.0.1:${port}` };
}

export const opcuaRunning = (node: NodeProcess): Promise<unknown> =>
  node.waitStatus((s) => s.opcua?.state === 'running', 'the OPC UA server to run', 60_000);

/**
 * A signed-in client on Basic256Sha256 SignAndEncrypt, the security a plant's client uses by default
 * (docs/opcua.md "Security"): its certificate approved on the node as an operator would.
 */
export async function openApproved(node: NodeProcess, url: string): Promise<UaConnection> {
  try {
    return await UaConnection.open(url, 'operator', 'sign-and-encrypt');
  } catch {
    const listed = await node.api<{ fingerprint: string; state: string }[]>('GET', '/api/certificates');
    for (const waiting of listed.body.filter((c) => c.state === 'pending'))
      await node.api('POST', `/api/certificates/${waiting.fingerprint}/approve`);
    return UaConnection.open(url, 'operator', 'sign-and-encrypt');
  }
}

export type OpenArgs = Parameters<typeof UaConnection.open>;

/** A connection closed after the test. */
export async function openConnection(register: Register, ...args: OpenArgs): Promise<UaConnection> {
  const connection = await UaConnection.open(...args);
  register(() => connection.close());
  return connection;
}

/** The event fields an alarm client selects (OPC 10000-9 ConditionType and AlarmConditionType). */
export const EVENT_FIELDS = [
  'EventId',
  'SourceName',
  'Message',
  'Severity',
  'Retain',
  'ActiveState.Id',
  'AckedState.Id',
  'ClientUserId',
  'Comment',
  'ConditionId',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

// One client certificate for every test run: making one takes a while.
const clientPki = path.join(os.tmpdir(), 'tandem-opcua-test-client-pki');

export class UaConnection {
  readonly url: string;
  readonly #client: OPCUAClient;
  session!: ClientSession;
  tagsNamespace = -1;

  private constructor(url: string, client: OPCUAClient) {
    this.url = url;
    this.#client = client;
  }

  static async open(
    url: string,
    user: 'operator' | 'anonymous' = 'operator',
    security: 'none' | 'sign-and-encrypt' = 'none',
  ): Promise<UaConnection> {
    const clientCertificateManager = new OPCUACertificateManager({
      rootFolder: clientPki,
      automaticallyAcceptUnknownCertificate: true,
    });
    const client = OPCUAClient.create({
      applicationName: 'tandem-test-client',
      endpointMustExist: false,
      securityMode: security === 'none' ? MessageSecurityMode.None : MessageSecurityMode.SignAndEncrypt,
      securityPolicy: security === 'none' ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
      clientCertificateManager,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      requestedSessionTimeout: 10_000,
    });
    const connection = new UaConnection(url, client);
    await client.connect(url);
    connection.session = await client.createSession(
      user === 'operator'
        ? { type: UserTokenType.UserName, userName: OPERATOR.name, password: OPERATOR.password }
        : { type: UserTokenType.Anonymous },
    );
    const namespaces = await connection.session.readNamespaceArray();
    connection.tagsNamespace = namespaces.indexOf('urn:tandem:tags');
    return connection;
  }

  /** Calls `listener` once the connection to the server is lost (a client then counts its ServiceLevel as 0). */
  onLost(listener: () => void): void {
    this.#client.once('connection_lost', listener);
  }

  tagId(name: string): string {
    return `ns=${this.tagsNamespace};s=${name}`;
  }

  async read(nodeId: string): Promise<DataValue> {
    return this.session.read({ nodeId, attributeId: AttributeIds.Value });
  }

  async serviceLevel(): Promise<number> {
    return (await this.read('ns=0;i=2267')).value.value as number;
  }

  async write(nodeId: string, dataType: DataType, value: unknown): Promise<StatusCode> {
    return this.session.write({
      nodeId,
      attributeId: AttributeIds.Value,
      value: { value: { dataType, arrayType: VariantArrayType.Scalar, value } },
    });
  }

  /** `Tandem/WriteTag(TagName, Value, Uid)`: a write that carries a command uid (docs/opcua.md "Writes"). */
  async writeWithUid(
    name: string,
    value: { dataType: DataType; value: unknown },
    uid: string,
  ): Promise<{ statusCode: StatusCode; executed: boolean | undefined }> {
    const result = await this.session.call({
      objectId: `ns=${this.tagsNamespace};s=Tandem`,
      methodId: `ns=${this.tagsNamespace};s=Tandem.WriteTag`,
      inputArguments: [
        { dataType: DataType.String, value: name },
        { dataType: DataType.Variant, value: { ...value, arrayType: VariantArrayType.Scalar } },
        { dataType: DataType.String, value: uid },
      ],
    });
    return {
      statusCode: result.statusCode,
      executed: result.outputArguments?.[0]?.value as boolean | undefined,
    };
  }

  async findServers(): Promise<string[]> {
    return (await this.#client.findServers()).map((s) => s.applicationUri ?? '');
  }

  /** FindServers as a client uses it to reach the other server: each ApplicationUri with its discovery URLs. */
  async discoveryUrls(): Promise<Record<string, string[]>> {
    const servers = await this.#client.findServers();
    return Object.fromEntries(
      servers.map((s) => [s.applicationUri ?? '', (s.discoveryUrls ?? []).map((url) => url ?? '')]),
    );
  }

  /** Calls `onValue` with every change of these nodes' values (sampled every `intervalMs`). */
  /** Publishing every `intervalMs`; the items ask for `samplingMs` (the same, unless given). */
  async subscribe(
    nodeIds: readonly string[],
    intervalMs: number,
    onValue: (nodeId: string, value: DataValue) => void,
    samplingMs = intervalMs,
  ): Promise<void> {
    const subscription = ClientSubscription.create(this.session, {
      requestedPublishingInterval: intervalMs,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      publishingEnabled: true,
    });
    // In groups, as a SCADA client does: one CreateMonitoredItems call per thousand items.
    for (let start = 0; start < nodeIds.length; start += 1000) {
      const batch = nodeIds.slice(start, start + 1000);
      const group = ClientMonitoredItemGroup.create(
        subscription,
        batch.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: samplingMs, discardOldest: true, queueSize: 10 },
        TimestampsToReturn.Both,
      );
      group.on('changed', (_item, value: DataValue, index: number) => onValue(batch[index]!, value));
    }
    // Created on the server in the background; the items report from then on.
    await new Promise<void>((resolve) => {
      if (subscription.isActive) resolve();
      else subscription.once('started', () => resolve());
    });
  }

  /**
   * Subscribes to the events of the Server object, as an alarm client does: `onEvent` gets each event's
   * fields by name (EVENT_FIELDS; `ConditionId` is the condition's NodeId).
   */
  async subscribeEvents(onEvent: (event: Record<EventField, unknown>) => void): Promise<void> {
    const subscription = ClientSubscription.create(this.session, {
      requestedPublishingInterval: 100,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      publishingEnabled: true,
    });
    const item = ClientMonitoredItem.create(
      subscription,
      { nodeId: 'ns=0;i=2253', attributeId: AttributeIds.EventNotifier },
      {
        samplingInterval: 0,
        discardOldest: true,
        queueSize: 100,
        filter: constructEventFilter([...EVENT_FIELDS]),
      },
      TimestampsToReturn.Neither,
    );
    item.on('changed', (fields: Variant[]) =>
      onEvent(
        Object.fromEntries(EVENT_FIELDS.map((name, i) => [name, fields[i]?.value])) as Record<
          EventField,
          unknown
        >,
      ),
    );
    // Events raised before the item exists on the server are not queued for it: wait until it does.
    await new Promise<void>((resolve, reject) => {
      item.once('initialized', () => resolve());
      item.once('err', (message: string) => reject(new Error(message)));
    });
  }

  /** Acknowledge(EventId, Comment) called as SCADA clients do: the type's method (i=9111) on the condition. */
  async acknowledge(conditionId: NodeId, eventId: Buffer, comment: string): Promise<StatusCode> {
    const result = await this.session.call({
      objectId: conditionId,
      methodId: 'ns=0;i=9111',
      inputArguments: [
        { dataType: DataType.ByteString, value: eventId },
        { dataType: DataType.LocalizedText, value: { text: comment } },
      ],
    });
    return result.statusCode;
  }

  /** Closes what can be closed; a node that was killed answers nothing, so nothing is awaited for long. */
  async close(): Promise<void> {
    const bounded = <T>(p: Promise<T>): Promise<unknown> =>
      Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    await bounded(this.session.close());
    await bounded(this.#client.disconnect());
  }
}
