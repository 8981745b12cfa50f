/**
 * The composition root (style.md 5): everything a node needs is made here, from its data directory,
 * the settings given and the dependencies passed in. Nothing is stored until the node is up, so a node
 * that cannot start leaves its folder as it found it (but for a first-start identity and empty database).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../api/index.ts';
import { systemClock, type Clock } from '../clock/index.ts';
import { StartupError, UsageError } from '../errors.ts';
import { devPublicKeyUrl, readLicense } from '../license/index.ts';
import { createLogger, type Logger } from '../logging.ts';
import type { DataService } from '../data/index.ts';
import {
  CertificateStore,
  EventStore,
  MetaStore,
  openDatabase,
  SettingsStore,
  startStoreThread,
  type Db,
} from '../store/index.ts';
import { LoginLimiter, OfflineAccounts, OperatorLogin, PairAccounts, SessionStore } from '../auth/index.ts';
import { loadOrCreateIdentity } from '../trust/index.ts';
import { defaultSettings, describeIssues, nodeSettingsSchema, type NodeSettings } from './settings.ts';
import { TandemNode } from './tandem-node.ts';
import { makeNodeParts, type NodeBase, type NodeParts } from './node-parts.ts';
import type { ApiPorts } from './ports.ts';
import { apiCloseGraceMs } from './timing-bounds.ts';
import { startOpcUa } from '../plant/opcua/index.ts';
import { attachSparkplug, opcuaPortsOf } from './plant-ports.ts';
import { followClientApprovals } from '../plant/opcua/client-approvals.ts';
import { VERSION } from '../version.ts';

export interface CreateNodeOptions {
  readonly dataDir: string;
  /** Settings given now (flags); stored once the node is up, so the next start behaves the same. */
  readonly settings?: SettingsOverrides;
  /** Peer certificate fingerprints approved in advance. */
  readonly trustPeers?: readonly string[];
  /** Overrides the token in `DATA_DIR/admin-token` (TANDEM_ADMIN_TOKEN). */
  readonly adminToken?: string | undefined;
  readonly dashboardDir?: string | null;
}

export type SettingsOverrides = Partial<Omit<NodeSettings, 'timing'>> & {
  timing?: Partial<NodeSettings['timing']>;
};

export interface NodeDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly hostName?: string;
}

export interface RunningNode {
  readonly node: TandemNode;
  /**
   * The gateway data the composition root built, for in-process harnesses that drive it directly (the data
   * bench); the API and the plant interfaces reach it only through their ports (docs/architecture.md).
   */
  readonly data: DataService;
  readonly apiUrl: string;
  /** The API's routes, `METHOD /path/:param`. */
  readonly apiRoutes: readonly string[];
  readonly token: string;
  /** Opens the dashboard signed in; the fragment never reaches a server log. */
  readonly dashboardUrl: string;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN_FILE = 'admin-token';
/** Meta key: the origin of the peer's API, last known (node-core/api/partner-origin.ts). */
const PARTNER_ORIGIN_KEY = 'partner_api_origin';
/** Meta key: the URL of the API of this data directory's node when it last started. */
export const RUNNING_API_KEY = 'api_url';

export async function createNode(options: CreateNodeOptions, deps: NodeDeps = {}): Promise<RunningNode> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger();
  const trustPeers = (options.trustPeers ?? []).map(normaliseFingerprint);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const db = openDatabase(options.dataDir);
  const storeThread = startStoreThread(db, logger);
  let api: ApiServer | null = null;
  let node: TandemNode | null = null;
  let login: OperatorLogin | null = null;
  try {
    const settingsStore = new SettingsStore(db);
    const settings = mergeSettings(
      deps.hostName ?? os.hostname(),
      settingsStore.load(),
      options.settings ?? {},
    );
    const meta = new MetaStore(db);
    // Operators of an earlier version's node become the pair's accounts before the config is read.
    new OfflineAccounts(db).moveLegacyUsers(db, clock.now());
    const identity = await loadOrCreateIdentity(
      options.dataDir,
      `Tandem ${settings.name} ${meta.nodeId().slice(0, 8)}`,
    );
    const certificates = new CertificateStore(db);
    const token = options.adminToken || readOrMakeToken(options.dataDir);
    const base: NodeBase = {
      settings,
      db,
      meta,
      events: new EventStore(db),
      certificates,
      identity,
      license: readLicense(settings.licenseFile, licensePublicKey(settings), clock.now()),
      clock,
      realTime: systemClock,
      logger,
      version: VERSION,
    };
    const parts = makeNodeParts(base);
    const dataPorts = dataPortsOf(parts.data);
    // The MQTT client and Sparkplug's encoding load only for a node that has a broker (~20 MB, ~120 ms).
    const Edge = settings.mqttUrl ? (await import('../plant/sparkplug/index.ts')).SparkplugEdge : null;
    node = new TandemNode(
      base,
      parts,
      Edge ? (made) => attachSparkplug(Edge, made, dataPorts, parts, clock, logger) : undefined,
    );
    const made = node;
    storeThread.onDamage((summary) => made.databaseDamaged(summary));
    // The pair's accounts are config (node-core/auth/pair-accounts.ts): replicated with it.
    const accounts = new PairAccounts(parts.data.config);
    login = new OperatorLogin(
      accounts,
      new SessionStore({ now: () => clock.now() }),
      new LoginLimiter({ now: () => clock.now() }),
      { clock },
    );
    const operatorLogin = login;
    // The partner's callers get sessions here as its link asks (docs/auth.md "The admin token and the pair view").
    parts.partnerSessions.grantWith({
      open: (account, partner) => operatorLogin.openForPartner(account, partner),
      endFor: (partner) => operatorLogin.endPartnerSessions(partner),
    });
    const ports = apiPortsOf(made, parts, dataPorts);
    api = await listen('API', settings.apiPort, () =>
      startApiServer(ports, {
        host: settings.apiHost,
        port: settings.apiPort,
        token,
        dashboardDir: options.dashboardDir ?? null,
        login: operatorLogin,
        accounts,
        partnerSessions: parts.partnerSessions,
        partnerOriginMemory: {
          get: () => meta.get(PARTNER_ORIGIN_KEY),
          set: (origin) => meta.set(PARTNER_ORIGIN_KEY, origin),
        },
        now: () => clock.now(),
        settingsStore,
        logger,
        closeGraceMs: apiCloseGraceMs(settings.timing),
        clock: base.realTime,
      }),
    );
    node.apiUrl = api.url;
    // Where `tandem-node user …` finds this node's API while it runs (cli/node-api.ts).
    meta.set(RUNNING_API_KEY, api.url);
    await listen('peer link', settings.peerPort, () => made.start());
    // Up: now the settings and advance approvals are worth keeping.
    settingsStore.save(settings);
    for (const fingerprint of trustPeers) certificates.trustInAdvance(fingerprint, clock.now());
    // The pair's decisions on OPC UA client certificates, applied here whether or not this node serves OPC UA.
    const stopFollowingApprovals = followClientApprovals({
      config: parts.data.config,
      certificates,
      now: () => clock.now(),
      logger,
    });
    // Plant interfaces start once the node is up and never hold its API back (docs/opcua.md).
    const opcua = startOpcUa(opcuaPortsOf(node, ports, parts), settings, {
      dataDir: options.dataDir,
      users: accounts,
      certificates,
      now: () => clock.now(),
      logger,
      version: VERSION,
    });
    node.opcuaView = () => opcua.view();
    const running = node;
    const server = api;
    return {
      node: running,
      data: parts.data,
      apiUrl: server.url,
      apiRoutes: server.routes,
      token,
      dashboardUrl: `${server.url}/#token=${token}`,
      stop: async () => {
        operatorLogin.stop();
        await running.stop();
        stopFollowingApprovals();
        await opcua.stop();
        await server.close();
        await storeThread.stop();
        await running.closeStore();
      },
    };
  } catch (error) {
    login?.stop();
    await node?.abandon().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await storeThread.stop();
    closeQuietly(db);
    throw error;
  }
}

/** The gateway data's ports (node/ports.ts): the API's, and what Sparkplug's are built from. */
function dataPortsOf(data: DataService): Pick<ApiPorts, 'data' | 'commands'> {
  return {
    data: {
      readTag: (name) => data.readTag(name),
      currentValues: () => data.runtime.all(),
      configItems: (kind) => data.config.list(kind),
      configItem: (kind, key) => data.config.get(kind, key),
      tagDefinition: (name) => data.config.getTag(name),
      alarms: () => data.alarms.list(),
      conflicts: () => data.config.conflicts.list(),
      watchConfig: (listener) => data.config.watch(listener),
    },
    commands: data,
  };
}

/** The API's ports (node/ports.ts), each answered by the part that owns it. */
function apiPortsOf(
  node: TandemNode,
  parts: NodeParts,
  dataPorts: Pick<ApiPorts, 'data' | 'commands'>,
): ApiPorts {
  return {
    settings: node.settings,
    status: node,
    notices: node,
    events: node,
    certificates: node,
    redundancy: node,
    metrics: node.metricsExport,
    ...dataPorts,
    history: parts.workload.history,
  };
}

function mergeSettings(
  hostName: string,
  stored: Record<string, unknown>,
  given: SettingsOverrides,
): NodeSettings {
  const defaults = defaultSettings(hostName);
  const storedTiming = (stored['timing'] ?? {}) as Partial<NodeSettings['timing']>;
  const merged = {
    ...defaults,
    ...stored,
    ...given,
    timing: { ...defaults.timing, ...storedTiming, ...given.timing },
  };
  const parsed = nodeSettingsSchema.safeParse(merged);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return parsed.data;
}

function licensePublicKey(settings: NodeSettings): string {
  const file = settings.licensePublicKeyFile;
  try {
    return fs.readFileSync(file ?? devPublicKeyUrl, 'utf8');
  } catch (error) {
    throw new StartupError(
      'LICENSE_KEY',
      `license public key ${file ?? devPublicKeyUrl.pathname} cannot be read`,
      { cause: error },
    );
  }
}

function readOrMakeToken(dataDir: string): string {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token.length < 16)
      throw new StartupError(
        'TOKEN_INVALID',
        `admin token in ${file} is too short (needs 16 characters or more)`,
      );
    return token;
  }
  const token = randomBytes(32).toString('base64url');
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, token + '\n', { mode: 0o600 });
  fs.renameSync(temp, file);
  return token;
}

async function listen<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new StartupError('PORT_TAKEN', `${what} port ${port} is already in use`, { cause: error });
    if (code === 'EACCES')
      throw new StartupError('PORT_DENIED', `${what} port ${port} may not be used by this user`, {
        cause: error,
      });
    throw error;
  }
}

function normaliseFingerprint(value: string): string {
  const fingerprint = value.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) {
    throw new UsageError(`--trust-peer: "${value}" is not a SHA-256 fingerprint (64 hex digits)`);
  }
  return fingerprint;
}

function closeQuietly(db: Db): void {
  try {
    db.close();
  } catch {
    // Already closed.
  }
}
