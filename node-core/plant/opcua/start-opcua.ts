/** The OPC UA server wired to a running node: the one call createNode makes (docs/opcua.md). */
import { verifyPassword } from '../../auth/index.ts';
import type { Logger } from '../../logging.ts';
import type { NodeSettings } from '../../node/settings.ts';
import type { UserLookup } from '../../auth/index.ts';
import { X509Certificate } from 'node:crypto';
import type { CertificateStore } from '../../store/index.ts';
import { describeCertificate } from '../../trust/index.ts';
import type { OpcUaNode, OpcUaOptions, OpcUaService } from './opcua-server.ts';
import type { OpcUaView } from './opcua-view.ts';
import { opcuaLimits } from './opcua-limits.ts';
import { applicationUri } from './pair-identity.ts';

export interface StartOpcUaOptions {
  readonly dataDir: string;
  readonly users: UserLookup;
  /** The node's certificate list (the dashboard's Certificates screen): OPC UA clients are approved there too. */
  readonly certificates: CertificateStore;
  readonly now: () => number;
  readonly logger: Logger;
  readonly version: string;
}

export interface OpcUaHandle {
  view(): OpcUaView;
  stop(): Promise<void>;
}

/**
 * Starts the node's OPC UA server in the background (the node is up already), on the port the composition
 * root builds (node/plant-ports.ts); `stop()` before the node
 * closes its store. node-opcua takes about a second and 100 MB to load, so only a node that serves OPC UA
 * loads it, and only after its API answers.
 */
export function startOpcUa(node: OpcUaNode, s: NodeSettings, options: StartOpcUaOptions): OpcUaHandle {
  let before: OpcUaView = {
    state: s.opcuaPort === 0 ? 'disabled' : 'starting',
    endpointUrl: null,
    applicationUri: applicationUri(s.name, s.mode),
    serviceLevel: 1,
    sessions: 0,
    problem: null,
  };
  let service: OpcUaService | null = null;
  let stopped = false;
  const view = (): OpcUaView => service?.view() ?? before;
  if (s.opcuaPort === 0) return { view, stop: () => Promise.resolve() };
  const loading = import('./opcua-server.ts').then(
    ({ OpcUaService }) => {
      if (stopped) return;
      service = new OpcUaService(node, serviceOptions(s, options));
      service.start();
    },
    (error: unknown) => {
      const problem = `the OPC UA server could not be loaded (${error instanceof Error ? error.message : String(error)}): this node runs without it`;
      before = { ...before, state: 'failed', problem };
      options.logger.error({ err: error }, problem);
    },
  );
  return {
    view,
    stop: async () => {
      stopped = true;
      await loading;
      await service?.stop();
    },
  };
}

function serviceOptions(s: NodeSettings, options: StartOpcUaOptions): OpcUaOptions {
  return {
    dataDir: options.dataDir,
    port: s.opcuaPort,
    host: s.opcuaHost ?? s.apiHost,
    allowInsecure: s.opcuaAllowInsecure,
    limits: opcuaLimits(s),
    pairName: s.name,
    mode: s.mode,
    standby: s.standby,
    version: options.version,
    refreshMs: s.timing.pingRateMs,
    failoverMs: s.timing.failoverTimeMs > 0 ? s.timing.failoverTimeMs : s.timing.pingTimeoutMs,
    checkPassword: async (name, password) => {
      const user = options.users.get(name);
      return user !== undefined && (await verifyPassword(password, user.passwordHash));
    },
    clientDecision: (der) => {
      const pem = new X509Certificate(der).toString();
      return options.certificates.seen(describeCertificate(der), pem, options.now(), 'opcua-client');
    },
    logger: options.logger,
  };
}
