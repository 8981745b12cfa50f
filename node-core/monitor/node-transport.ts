/**
 * How the monitor reaches one node: plain GETs and the live WebSocket, over TLS with the certificate pinned
 * by fingerprint when the config gives one. The pin is checked before any byte of the request (the token)
 * is sent, so a node that is not the pinned one never sees the credentials.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import type { WatchedNode as ConfiguredNode } from './config.ts';

/** What a request needs of a node: its address, token and pin. */
type WatchedNode = Pick<ConfiguredNode, 'url' | 'token' | 'fingerprint'>;

/** A failure with the words the tile and the log show. */
export class NodeReadError extends Error {
  readonly kind: 'unreachable' | 'unauthorized' | 'fingerprint-mismatch';
  constructor(kind: NodeReadError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeReadError';
    this.kind = kind;
  }
}

type CreateConnection = (
  options: tls.ConnectionOptions,
  done: (error: Error | null, socket?: net.Socket) => void,
) => undefined;

/** For https with a pin: connect accepting any certificate, then hand the socket over only if it is the pinned one. */
function pinnedConnection(pin: string): CreateConnection {
  return (options, done) => {
    const socket = tls.connect({ ...options, rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      const der = socket.getPeerCertificate().raw as Buffer | undefined;
      const seen = der ? createHash('sha256').update(der).digest('hex') : '(none)';
      if (seen === pin) return done(null, socket);
      socket.destroy();
      done(
        new NodeReadError(
          'fingerprint-mismatch',
          `certificate fingerprint ${seen.slice(0, 16)}… is not the pinned ${pin.slice(0, 16)}…`,
        ),
      );
    });
    socket.once('error', (error: Error) => done(error));
    return undefined;
  };
}

function connectionOptions(node: WatchedNode): Pick<http.RequestOptions, 'createConnection'> {
  if (!node.url.startsWith('https:') || !node.fingerprint) return {};
  // Node hands `createConnection` the request's TLS options and takes the socket through the callback.
  return {
    createConnection: pinnedConnection(
      node.fingerprint,
    ) as unknown as http.RequestOptions['createConnection'],
  };
}

/** GET `route` as JSON; rejects with a NodeReadError for a node that cannot be read, an Error for a bad answer. */
export function getJson(node: WatchedNode, route: string, timeoutMs: number): Promise<unknown> {
  const url = new URL(route, node.url + '/');
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { headers: { authorization: `Bearer ${node.token}` }, timeout: timeoutMs, ...connectionOptions(node) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(describeFailure(error, node, timeoutMs)));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status === 401)
            return reject(
              new NodeReadError('unauthorized', 'wrong credentials: the node refused the token (401)'),
            );
          if (status !== 200) return reject(new Error(`GET ${route} answered ${status}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(new Error(`GET ${route} answered no JSON`, { cause: error }));
          }
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(new NodeReadError('unreachable', `no answer within ${timeoutMs / 1000} s`)),
    );
    request.on('error', (error) => reject(describeFailure(error, node, timeoutMs)));
  });
}

/** Opens `/api/live`; the caller sends the token as the first message once it opens. */
export function openLive(node: WatchedNode, timeoutMs: number): WebSocket {
  const url = node.url.replace(/^http/, 'ws') + '/api/live';
  return new WebSocket(url, {
    handshakeTimeout: timeoutMs,
    maxPayload: 16 * 1024 * 1024,
    ...connectionOptions(node),
  });
}

/** A socket or request error in the words of docs/monitor.md "How failures appear". */
export function describeFailure(error: unknown, node: WatchedNode, timeoutMs: number): NodeReadError {
  if (error instanceof NodeReadError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const words =
    code === 'ECONNREFUSED'
      ? 'connection refused (nothing listens at that address)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `address not found (${new URL(node.url).hostname})`
        : code === 'ECONNRESET'
          ? 'connection reset'
          : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
            ? 'host unreachable'
            : code === 'ETIMEDOUT' || /timed? ?out/i.test(message)
              ? `no answer within ${timeoutMs / 1000} s`
              : code?.startsWith('ERR_TLS') || code?.includes('CERT')
                ? `TLS failed: ${message}`
                : message;
  return new NodeReadError('unreachable', words, { cause: error });
}
