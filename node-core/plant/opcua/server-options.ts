/**
 * node-opcua's options for a node's server (docs/opcua.md "Security" and "Limits"): the endpoints and their
 * security, the operator accounts as its users, and the limits a client meets as Bad status codes.
 */
import path from 'node:path';
import {
  makeRoles,
  MessageSecurityMode,
  SecurityPolicy,
  WellKnownRoles,
  type NodeId,
  type OPCUACertificateManager,
  type OPCUAServer,
  type OPCUAServerOptions,
} from 'node-opcua';
import type { OpcUaOptions } from './opcua-options.ts';

/** The limits that are not settings (node-opcua's defaults are too few for a plant's clients). */
const OPCUA_FIXED_LIMITS = {
  /**
   * Connections per endpoint: above the session limit, so that the client one session too many still gets
   * its secure channel and hears Bad_TooManySessions, not a closed socket.
   */
  spareConnections: 10,
  /** A string tag holds at most 65,536 characters (tag-definition.ts). */
  stringLength: 65_536,
  /** Tags are scalars; arrays are only the server's own (namespace tables and the like). */
  arrayLength: 10_000,
} as const;

/** Every operator account's roles: signed-in users read and write (tag-space.ts ROLE_PERMISSIONS). */
const OPERATOR_ROLES: NodeId[] = makeRoles([WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator]);

/**
 * The roles of a signed-in user, resolved before node-opcua's default path, which asks the machine's host name
 * (os.hostname, a system call) for every monitored item at every sample to describe the session to role
 * resolvers Tandem has none of: a third of the node's CPU at 10,000 items (issue 17's bench). The same roles
 * as the user manager's; `null` leaves anonymous sessions to the default (the Anonymous role).
 */
export function resolveRolesDirectly(server: OPCUAServer): void {
  server.setRolePolicyOverride({
    getUserRoles: (username: string) => (username === 'anonymous' ? null : OPERATOR_ROLES),
  });
}

export interface ServerFiles {
  readonly certificateManager: OPCUACertificateManager;
  /** DATA_DIR/opcua-pki */
  readonly pki: string;
  /** The certificate's file name part, from the ApplicationUri. */
  readonly certName: string;
  readonly applicationUri: string;
}

export function serverOptions(o: OpcUaOptions, files: ServerFiles): OPCUAServerOptions {
  const secure = [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes256_Sha256_RsaPss];
  const { sessions, subscriptionsPerSession } = o.limits;
  return {
    port: o.port,
    host: o.host,
    // Endpoint URLs name the host listened on, unless that is every interface (then the machine's name).
    ...(o.host === '0.0.0.0' || o.host === '::' ? {} : { hostname: o.host }),
    serverCertificateManager: files.certificateManager,
    certificateFile: path.join(files.pki, 'own', 'certs', `tandem-${files.certName}.pem`),
    privateKeyFile: path.join(files.pki, 'own', 'private', 'private_key.pem'),
    securityPolicies: o.allowInsecure ? [SecurityPolicy.None, ...secure] : secure,
    securityModes: o.allowInsecure
      ? [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt]
      : [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: o.allowInsecure,
    serverInfo: {
      applicationUri: files.applicationUri,
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
      getUserRoles: () => [...OPERATOR_ROLES],
    },
    isAuditing: false,
    // Limits (docs/opcua.md "Limits"): a client beyond them gets Bad_TooManySessions and the like.
    maxConnectionsPerEndpoint: sessions + OPCUA_FIXED_LIMITS.spareConnections,
    serverCapabilities: {
      maxSessions: sessions,
      maxSubscriptionsPerSession: subscriptionsPerSession,
      maxSubscriptions: sessions * subscriptionsPerSession,
      maxStringLength: OPCUA_FIXED_LIMITS.stringLength,
      maxArrayLength: OPCUA_FIXED_LIMITS.arrayLength,
    },
  };
}
