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
  makeRoles,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  WellKnownRoles,
  type OPCUAServerOptions,
  type StatusCode,
} from 'node-opcua';
import type { StatusView } from '../../dto.ts';
import type { Logger } from '../../logging.ts';
import type { Mode, Status } from '../../redundancy/index.ts';
import type { TagDefinition, TagValueType } from '../../data/tag-definition.ts';
import { addWriteMethod } from './write-method.ts';
import { NodeTrustedCertificates, type ClientDecision } from './client-trust.ts';
import type { OpcUaView } from './opcua-view.ts';
import { applicationUri, peerEndpointUrl, peerMode } from './pair-identity.ts';
import { RedundancySpace, redundancySupport, type RedundancyFacts } from './redundancy-space.ts';
import { serviceLevel, type NodeHealth } from './service-level.ts';
import { TagSpace, type TagSpacePorts } from './tag-space.ts';
import { writeStatus } from './write-status.ts';

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
  /** The node's write path (`node.data.writeTag`); answers whether it ran (false: the uid ran before). */
  write(name: string, value: TagValueType, uid?: string): Promise<boolean>;
  definition(name: string): TagDefinition | undefined;
  /** Each returns the call that stops listening. */
  onData(listener: (values: readonly DataChange[]) => void): () => void;
  onStatus(listener: () => void): () => void;
  watchConfig(listener: () => void): () => void;
}

export interface DataChange {
  readonly name: string;
  readonly value: TagValueType | null;
  readonly quality: 'good' | 'bad' | 'uncertain';
  readonly ts: number;
}

export interface OpcUaOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly allowInsecure: boolean;
  readonly pairName: string;
  readonly mode: Mode;
  readonly standby: 'cold' | 'warm';
  readonly version: string;
  /** How often health is looked at again (the heartbeat), so ServiceLevel follows within one heartbeat. */
  readonly refreshMs: number;
  /** Replication lag at which a standby's ServiceLevel reaches 150. */
  readonly lagBoundMs: number;
  /** The operator's decision on a client certificate (the node's certificate list; new ones become pending). */
  readonly clientDecision: ClientDecision;
  /** Operator accounts (node-core/auth): true when the name and password are right. */
  checkPassword(name: string, password: string): Promise<boolean>;
  readonly logger: Logger;
}

/** The server's limits; node-opcua's defaults (10 sessions) are too few for a plant's clients. */
export const OPCUA_LIMITS = {
  connections: 100,
  sessions: 100,
  subscriptions: 1000,
  /** A string tag holds at most 65,536 characters (tag-definition.ts). */
  stringLength: 65_536,
  /** Tags are scalars; arrays are only the server's own (namespace tables and the like). */
  arrayLength: 10_000,
} as const;

export class OpcUaService {
  readonly #node: OpcUaNode;
  readonly #o: OpcUaOptions;
  readonly #uri: string;
  #state: OpcUaView['state'];
  #problem: string | null = null;
  #server: OPCUAServer | null = null;
  #tags: TagSpace | null = null;
  #redundancy: RedundancySpace | null = null;
  #timer: NodeJS.Timeout | null = null;
  #unwatch: (() => void)[] = [];
  #starting: Promise<void> | null = null;
  #stopped = false;
  /** The ServiceLevel as last worked out (the status view shows it; working it out reads the status view). */
  #lastLevel = 1;

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
    const server = new PairServer(
      () => this.#peerDescription(),
      this.#serverOptions(certificateManager, pki, certName),
    );
    this.#server = server;
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
    this.#redundancy = new RedundancySpace(addressSpace, this.#facts());
    this.#unwatch.push(
      node.onData((values) => this.#tags?.update(values)),
      node.onStatus(() => this.#guarded('ServiceLevel', () => this.#refresh())),
      node.watchConfig(() => this.#guarded('the address space', () => this.#tags?.sync())),
    );
    this.#timer = setInterval(() => this.#guarded('ServiceLevel', () => this.#refresh()), o.refreshMs);
    this.#timer.unref();
    await server.start();
    if (this.#stopped) return;
    this.#state = 'running';
    o.logger.info({ endpointUrl: this.#endpointUrl(), tags: this.#tags.size }, 'OPC UA server listens');
  }

  #serverOptions(
    certificateManager: OPCUACertificateManager,
    pki: string,
    certName: string,
  ): OPCUAServerOptions {
    const o = this.#o;
    const secure = [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes256_Sha256_RsaPss];
    return {
      port: o.port,
      host: o.host,
      // Endpoint URLs name the host listened on, unless that is every interface (then the machine's name).
      ...(o.host === '0.0.0.0' || o.host === '::' ? {} : { hostname: o.host }),
      serverCertificateManager: certificateManager,
      certificateFile: path.join(pki, 'own', 'certs', `tandem-${certName}.pem`),
      privateKeyFile: path.join(pki, 'own', 'private', 'private_key.pem'),
      securityPolicies: o.allowInsecure ? [SecurityPolicy.None, ...secure] : secure,
      securityModes: o.allowInsecure
        ? [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt]
        : [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      allowAnonymous: o.allowInsecure,
      serverInfo: {
        applicationUri: this.#uri,
        productUri: 'urn:tandem',
        applicationName: { text: `Tandem ${o.pairName} (${o.mode})` },
      },
      buildInfo: { productName: 'Tandem', manufacturerName: 'Tandem', softwareVersion: o.version },
      userManager: {
        isValidUserAsync: (name, password, callback) => {
          o.checkPassword(name, password).then(
            (valid) => callback(null, valid),
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
          );
        },
        getUserRoles: () => makeRoles([WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator]),
      },
      isAuditing: false,
      // Limits (docs/opcua.md "Limits"): a client beyond them gets Bad_TooManySessions and the like.
      maxConnectionsPerEndpoint: OPCUA_LIMITS.connections,
      serverCapabilities: {
        maxSessions: OPCUA_LIMITS.sessions,
        maxSubscriptions: OPCUA_LIMITS.subscriptions,
        maxStringLength: OPCUA_LIMITS.stringLength,
        maxArrayLength: OPCUA_LIMITS.arrayLength,
      },
    };
  }

  async #write(name: string, value: TagValueType): Promise<StatusCode> {
    if (this.#node.status !== 'active') return StatusCodes.BadNoCommunication;
    try {
      await this.#node.write(name, value);
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
      lagBoundMs: this.#o.lagBoundMs,
    };
  }

  #level(): number {
    this.#lastLevel = serviceLevel(this.#health());
    return this.#lastLevel;
  }

  #facts(): RedundancyFacts {
    const o = this.#o;
    const level = this.#level();
    const view = this.#node.statusView();
    const own = { serverId: this.#uri, serviceLevel: level, state: 'running' as const };
    const other = peerMode(o.mode);
    if (other === null)
      return { support: redundancySupport(o.mode, o.standby), serviceLevel: level, servers: [own] };
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
            lagBoundMs: o.lagBoundMs,
          });
    const peer = {
      serverId: applicationUri(o.pairName, other),
      serviceLevel: peerLevel,
      state: peerStatus === null ? ('unknown' as const) : ('running' as const),
    };
    const servers = o.mode === 'master' ? [own, peer] : [peer, own];
    return { support: redundancySupport(o.mode, o.standby), serviceLevel: level, servers };
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
    this.#redundancy = null;
    const server = this.#server;
    this.#server = null;
    void server?.shutdown(0).catch(() => undefined);
  }
}

/** FindServers on either node names both (OPC 10000-4 §6.6.2.4: each server of the set lists the others). */
class PairServer extends OPCUAServer {
  readonly #peers: () => ApplicationDescription[];

  constructor(peers: () => ApplicationDescription[], options: OPCUAServerOptions) {
    super(options);
    this.#peers = peers;
  }

  override getServers(channel: Parameters<OPCUAServer['getServers']>[0]): ApplicationDescription[] {
    return [...super.getServers(channel), ...this.#peers()];
  }
}
