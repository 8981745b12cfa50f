/**
 * The OPC UA server of a node (docs/opcua.md): started after the node is up, without making the API wait
 * (node-opcua loads its nodeset and may make a certificate first); a port that is taken or a start that fails
 * is a status line and a log entry, and the node runs on without OPC UA.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import {
  ApplicationDescription,
  ApplicationType,
  OPCUAServer,
  StatusCodes,
  type OPCUAServerOptions,
  type StatusCode,
} from 'node-opcua';
import type { StatusView } from '../../dto.ts';
import type { Status } from '../../redundancy/index.ts';
import type { TagDefinition, TagValueType } from '../../data/tag-definition.ts';
import { AlarmSpace, type AlarmShown } from './alarm-space.ts';
import type { OpcUaOptions } from './opcua-options.ts';
import { resolveRolesDirectly, serverOptions } from './server-options.ts';
import { addWriteMethod } from './write-method.ts';
import { NodeTrustedCertificates } from './client-trust.ts';
import { guardOpcUaInput } from './input-guards.ts';
import type { OpcUaView } from './opcua-view.ts';
import { applicationUri, peerEndpointUrl, peerMode } from './pair-identity.ts';
import { RedundancySpace, redundancySupport, type RedundancyFacts } from './redundancy-space.ts';
import { estimatedReturnTime, serviceLevel, type NodeHealth } from './service-level.ts';
import { TagSpace, type TagSpacePorts } from './tag-space.ts';
import { STANDBY_REFUSAL, writeStatus } from './write-status.ts';

/** What the server reads of the node: a narrow port, so that it needs nothing else of TandemNode. */
export interface OpcUaNode {
  readonly nodeId: string;
  readonly status: Status;
  statusView(): StatusView;
  /** The OPC UA port the peer said it serves on (0: none), or null when it has not said. */
  peerOpcuaPort(): number | null;
  /** Health facts the status view does not carry (isolation suspected, a hand-over in progress). */
  redundancyHealth(): { isolationSuspected: boolean; handingOver: boolean };
  deviceCount(): number;
  deviceFaultCount(): number;
  tags: TagSpacePorts['tags'];
  read: TagSpacePorts['read'];
  /** The node's write path (`DataCommands.writeTag`); answers whether it ran (false: the uid ran before). */
  write(name: string, value: TagValueType, uid?: string): Promise<boolean>;
  definition(name: string): TagDefinition | undefined;
  /** Every alarm rule with its state. */
  alarms(): readonly AlarmShown[];
  /** The dashboard's acknowledgement path (`DataCommands.ackAlarm`): records `by`, replicates before it answers. */
  acknowledge(id: string, by: string): Promise<void>;
  /** Each returns the call that stops listening. `alarms`: the ids of alarms whose state changed. */
  onData(listener: (values: readonly DataChange[], alarms: readonly string[]) => void): () => void;
  onStatus(listener: () => void): () => void;
  watchConfig(listener: () => void): () => void;
}

export type { OpcUaOptions } from './opcua-options.ts';

interface DataChange {
  readonly name: string;
  readonly value: TagValueType | null;
  readonly quality: 'good' | 'bad' | 'uncertain';
  readonly ts: number;
}

export class OpcUaService {
  readonly #node: OpcUaNode;
  readonly #o: OpcUaOptions;
  readonly #uri: string;
  #state: OpcUaView['state'];
  #problem: string | null = null;
  #server: OPCUAServer | null = null;
  #tags: TagSpace | null = null;
  #alarms: AlarmSpace | null = null;
  #redundancy: RedundancySpace | null = null;
  #timer: NodeJS.Timeout | null = null;
  #unwatch: (() => void)[] = [];
  #starting: Promise<void> | null = null;
  #stopped = false;
  /** The ServiceLevel as last worked out (the status view shows it; working it out reads the status view). */
  #lastLevel = 1;
  /** When a hand-over in progress expects this server back (ms since the epoch). */
  #handOverReturn: number | null = null;

  constructor(node: OpcUaNode, options: OpcUaOptions) {
    this.#node = node;
    this.#o = options;
    this.#uri = applicationUri(options.pairName, options.mode);
    this.#state = options.port === 0 ? 'disabled' : 'starting';
  }

  /** Starts in the background; the outcome is in `view()` and the log. */
  start(): void {
    if (this.#state !== 'starting' || this.#starting) return;
    this.#starting = this.#start().catch((error: unknown) => this.#failed(error));
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#starting;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    const server = this.#server;
    this.#server = null;
    if (this.#state !== 'disabled') this.#state = 'stopped';
    // A client still connected is told the server shuts down; no wait beyond that (the node is stopping).
    await server
      ?.shutdown(0)
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'OPC UA shutdown'));
  }

  view(): OpcUaView {
    return {
      state: this.#state,
      endpointUrl: this.#server && this.#state === 'running' ? this.#endpointUrl() : null,
      applicationUri: this.#uri,
      serviceLevel: this.#lastLevel,
      sessions: this.#server?.currentSessionCount ?? 0,
      problem: this.#problem,
    };
  }

  async #start(): Promise<void> {
    const o = this.#o;
    const pki = path.join(o.dataDir, 'opcua-pki');
    const certificateManager = new NodeTrustedCertificates({ rootFolder: pki }, o.clientDecision);
    // The certificate names the ApplicationUri, which follows the pair name: a renamed pair gets a new one.
    const certName = crypto.createHash('sha256').update(this.#uri).digest('hex').slice(0, 16);
    guardOpcUaInput();
    const server = new PairServer(
      () => this.#peerDescription(),
      serverOptions(o, { certificateManager, pki, certName, applicationUri: this.#uri }),
    );
    this.#server = server;
    resolveRolesDirectly(server);
    await server.initialize();
    if (this.#stopped) return;
    const addressSpace = server.engine.addressSpace!;
    const node = this.#node;
    this.#tags = new TagSpace(addressSpace, {
      tags: () => node.tags(),
      read: (name) => node.read(name),
      write: (name, value) => this.#write(name, value),
      unshown: (name, error) =>
        this.#o.logger.warn({ err: error, tag: name }, 'OPC UA cannot show this value'),
    });
    addWriteMethod(this.#tags.namespace, this.#tags.root, {
      isActive: () => node.status === 'active',
      definition: (name) => node.definition(name),
      write: (name, value, uid) => node.write(name, value, uid),
    });
    this.#alarms = new AlarmSpace(addressSpace, this.#tags.namespace, this.#tags.root, {
      alarms: () => node.alarms(),
      isActive: () => node.status === 'active',
      acknowledge: (id, by) => this.#acknowledge(id, by),
    });
    this.#redundancy = new RedundancySpace(addressSpace, this.#facts());
    this.#unwatch.push(
      node.onData((values, alarms) => {
        this.#tags?.update(values);
        this.#guarded('the alarm conditions', () => this.#alarms?.update(alarms));
      }),
      node.onStatus(() => this.#guarded('ServiceLevel', () => this.#refresh())),
      node.watchConfig(() =>
        this.#guarded('the address space', () => {
          this.#tags?.sync();
          this.#alarms?.sync();
        }),
      ),
    );
    this.#timer = setInterval(() => this.#guarded('ServiceLevel', () => this.#refresh()), o.refreshMs);
    this.#timer.unref();
    await server.start();
    if (this.#stopped) return;
    this.#state = 'running';
    o.logger.info(
      { endpointUrl: this.#endpointUrl(), tags: this.#tags.size, alarms: this.#alarms.size },
      'OPC UA server listens',
    );
  }

  #write(name: string, value: TagValueType): Promise<StatusCode> {
    return this.#onActive(() => this.#node.write(name, value));
  }

  #acknowledge(id: string, by: string): Promise<StatusCode> {
    return this.#onActive(() => this.#node.acknowledge(id, by));
  }

  /** A command from a client: run on the active node only, its refusal as a StatusCode (write-status.ts). */
  async #onActive(command: () => Promise<unknown>): Promise<StatusCode> {
    if (this.#node.status !== 'active') return STANDBY_REFUSAL;
    try {
      await command();
      return StatusCodes.Good;
    } catch (error) {
      return writeStatus(error);
    }
  }

  /** Runs inside the node's own events (status, config): a failure here is logged, never thrown into them. */
  #guarded(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#o.logger.error({ err: error }, `OPC UA could not update ${what}`);
    }
  }

  #refresh(): void {
    if (this.#redundancy && !this.#stopped) this.#redundancy.update(this.#facts());
  }

  #health(): NodeHealth {
    const view = this.#node.statusView();
    return {
      status: this.#node.status,
      ...this.#node.redundancyHealth(),
      linked: view.peer?.link === 'connected',
      devices: this.#node.deviceCount(),
      devicesFaulted: this.#node.deviceFaultCount(),
      replicationLagMs: view.sync.runtimeLagMs,
      lagBoundMs: this.#o.failoverMs,
    };
  }

  #level(): number {
    this.#lastLevel = serviceLevel(this.#health());
    return this.#lastLevel;
  }

  #facts(): RedundancyFacts {
    const o = this.#o;
    const level = this.#level();
    this.#handOverReturn = estimatedReturnTime(
      this.#node.redundancyHealth().handingOver,
      peerMode(o.mode) !== null,
      this.#handOverReturn,
      Date.now(),
      o.failoverMs,
    );
    const returnAt = this.#handOverReturn;
    const view = this.#node.statusView();
    const own = { serverId: this.#uri, serviceLevel: level, state: 'running' as const };
    const other = peerMode(o.mode);
    if (other === null)
      return { support: redundancySupport(o.mode, o.standby), serviceLevel: level, returnAt, servers: [own] };
    const linked = view.peer?.link === 'connected';
    const peerStatus = linked ? (view.peer?.status ?? null) : null;
    // The peer's own ServiceLevel is authoritative; this is what this node can tell of it (docs/opcua.md).
    const peerLevel =
      peerStatus === null
        ? 0
        : serviceLevel({
            status: peerStatus,
            handingOver: false,
            isolationSuspected: false,
            linked: true,
            devices: 0,
            devicesFaulted: 0,
            replicationLagMs: 0,
            lagBoundMs: o.failoverMs,
          });
    const peer = {
      serverId: applicationUri(o.pairName, other),
      serviceLevel: peerLevel,
      state: peerStatus === null ? ('unknown' as const) : ('running' as const),
    };
    const servers = o.mode === 'master' ? [own, peer] : [peer, own];
    return { support: redundancySupport(o.mode, o.standby), serviceLevel: level, returnAt, servers };
  }

  #peerDescription(): ApplicationDescription[] {
    const other = peerMode(this.#o.mode);
    if (other === null) return [];
    const url = peerEndpointUrl(
      this.#node.statusView().peer?.apiUrl ?? null,
      this.#node.peerOpcuaPort() ?? this.#o.port,
    );
    return [
      new ApplicationDescription({
        applicationUri: applicationUri(this.#o.pairName, other),
        productUri: 'urn:tandem',
        applicationName: { text: `Tandem ${this.#o.pairName} (${other})` },
        applicationType: ApplicationType.Server,
        discoveryUrls: url ? [url] : [],
      }),
    ];
  }

  #endpointUrl(): string {
    return this.#server?.getEndpointUrl() ?? '';
  }

  #failed(error: unknown): void {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    this.#problem =
      code === 'EADDRINUSE' || /EADDRINUSE/.test(message)
        ? `OPC UA port ${this.#o.port} is already in use: this node runs without an OPC UA server`
        : code === 'EACCES' || /EACCES/.test(message)
          ? `OPC UA port ${this.#o.port} may not be used by this user: this node runs without an OPC UA server`
          : `the OPC UA server could not start (${message}): this node runs without it`;
    this.#state = 'failed';
    this.#o.logger.error({ err: error }, this.#problem);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // The address space was built before the port was tried: it follows the node no more.
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    this.#tags = null;
    this.#alarms = null;
    this.#redundancy = null;
    const server = this.#server;
    this.#server = null;
    void server?.shutdown(0).catch(() => undefined);
  }
}

type RequestArgs = Parameters<OPCUAServer['on_request']>;

/**
 * FindServers on either node names both (OPC 10000-4 §6.6.2.4: each server of the set lists the others), and a
 * CreateSession node-opcua fails on is answered instead of ending the node (docs/opcua.md "Bad input").
 */
class PairServer extends OPCUAServer {
  readonly #peers: () => ApplicationDescription[];

  constructor(peers: () => ApplicationDescription[], options: OPCUAServerOptions) {
    super(options);
    this.#peers = peers;
  }

  override getServers(channel: Parameters<OPCUAServer['getServers']>[0]): ApplicationDescription[] {
    return [...super.getServers(channel), ...this.#peers()];
  }

  /**
   * node-opcua's only asynchronous request handler: what it throws (a client certificate that is not DER, for
   * one: found by the fuzzer) was a rejection nobody handled, which ends the node. The client gets the service
   * fault node-opcua gives for an exception in any other handler.
   */
  protected override async _on_CreateSessionRequest(
    message: RequestArgs[0],
    channel: RequestArgs[1],
  ): Promise<void> {
    try {
      await super._on_CreateSessionRequest(message, channel);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const fault = OPCUAServer.makeServiceFault(StatusCodes.BadInternalError, [
        `CreateSession failed: ${why}`,
      ]);
      try {
        channel.send_response('MSG', fault, message);
      } catch {
        // The channel is already gone: there is no one left to answer.
      }
    }
  }
}
