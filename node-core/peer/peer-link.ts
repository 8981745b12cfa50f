/**
 * The one connection between master and backup: WebSocket over TLS, both sides present a certificate and
 * check the other's fingerprint against their own trust store before anything but the handshake passes.
 * The master listens, the backup dials (and re-dials every `redialMs` while down).
 */
import { EventEmitter } from 'node:events';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import WebSocket, { WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../clock/index.ts';
import type { LinkState } from '../dto.ts';
import type { Logger } from '../logging.ts';
import { describeCertificate, type CertificateInfo } from '../trust/index.ts';
import { CloseCode, MAX_FRAME_BYTES, parseFrame, type Hello, type PeerFrame } from './frames.ts';

export type TrustDecision = 'trusted' | 'pending' | 'rejected';

export interface PeerLinkOptions {
  readonly role: 'listen' | 'dial';
  readonly listenHost: string;
  readonly listenPort: number;
  readonly masterHost: string | null;
  readonly masterPort: number;
  readonly keyPem: string;
  readonly certPem: string;
  readonly redialMs: number;
  readonly handshakeTimeoutMs: number;
  /** Looks the certificate up (recording it as pending if new). */
  readonly trust: (info: CertificateInfo, pem: string) => TrustDecision;
  readonly hello: () => Hello;
  /** A reason why this peer cannot pair with us (same mode, other pair name), or null. */
  readonly checkHello: (hello: Hello) => string | null;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface PeerLinkEvents {
  state: [state: LinkState, reason: string | null];
  up: [hello: Hello, certificate: CertificateInfo];
  frame: [frame: PeerFrame];
  down: [];
  /** A connection reached the peer but waits for certificate approval (on either side): the peer is alive. */
  unverified: [];
}

interface Session {
  readonly socket: WebSocket;
  readonly certificate: CertificateInfo;
  hello: Hello | null;
  handshakeTimer: TimerHandle | null;
}

export class PeerLink extends EventEmitter<PeerLinkEvents> {
  readonly #o: PeerLinkOptions;
  #server: https.Server | null = null;
  #wss: WebSocketServer | null = null;
  #session: Session | null = null;
  #dialing: WebSocket | null = null;
  #redialTimer: TimerHandle | null = null;
  #state: LinkState = 'disconnected';
  #reason: string | null = null;
  #closed = false;

  constructor(options: PeerLinkOptions) {
    super();
    this.#o = options;
  }

  get state(): LinkState {
    return this.#state;
  }

  get reason(): string | null {
    return this.#reason;
  }

  get isUp(): boolean {
    return this.#session?.hello != null;
  }

  /** The port the master listens on (useful with port 0). */
  get port(): number | null {
    const address = this.#server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async start(): Promise<void> {
    if (this.#o.role === 'listen') await this.#listen();
    else this.#dial();
  }

  send(frame: PeerFrame): boolean {
    const socket = this.#session?.hello ? this.#session.socket : null;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Closes the current connection (it is built anew by the backup's re-dial). */
  drop(reason: string): void {
    this.#session?.socket.close(CloseCode.goingAway, reason);
    if (this.#session) this.#endSession(this.#session, 'disconnected', reason);
  }

  /** Idempotent. Sends nothing more; lets queued frames drain. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#redialTimer) this.#o.clock.clearTimeout(this.#redialTimer);
    this.#dialing?.terminate();
    const session = this.#session;
    if (session) {
      await new Promise<void>((resolve) => {
        session.socket.once('close', () => resolve());
        session.socket.close(CloseCode.goingAway, 'node stopping');
        setTimeout(resolve, 1000).unref();
      });
      this.#endSession(session, 'disconnected', 'node stopping');
    }
    this.#wss?.close();
    const server = this.#server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async #listen(): Promise<void> {
    const server = https.createServer({
      key: this.#o.keyPem,
      cert: this.#o.certPem,
      requestCert: true,
      // Trust is decided by fingerprint against the operator's approvals, not by a CA.
      rejectUnauthorized: false,
    });
    const wss = new WebSocketServer({ server, maxPayload: MAX_FRAME_BYTES });
    wss.on('connection', (socket, request) => {
      const raw = (request.socket as TLSSocket).getPeerCertificate(true).raw as Buffer | undefined;
      this.#adopt(socket, raw);
    });
    wss.on('error', (error) => this.#o.logger.warn({ err: error }, 'peer link server error'));
    this.#server = server;
    this.#wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.listenPort, this.#o.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#setState('disconnected', 'waiting for the backup to connect');
  }

  #dial(): void {
    if (this.#closed || this.#session || this.#dialing) return;
    const url = `wss://${formatHost(this.#o.masterHost ?? '127.0.0.1')}:${this.#o.masterPort}/peer`;
    if (this.#state === 'disconnected') this.#setState('connecting', `dialing ${url}`);
    const socket = new WebSocket(url, {
      key: this.#o.keyPem,
      cert: this.#o.certPem,
      rejectUnauthorized: false,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: this.#o.handshakeTimeoutMs,
    });
    this.#dialing = socket;
    let raw: Buffer | undefined;
    socket.once('upgrade', (response) => {
      raw = (response.socket as TLSSocket).getPeerCertificate(true).raw;
    });
    socket.once('open', () => {
      this.#dialing = null;
      this.#adopt(socket, raw);
    });
    socket.on('error', (error) => {
      this.#o.logger.debug({ err: error }, 'peer dial failed');
    });
    socket.once('close', (code, reason) => {
      if (this.#dialing === socket) {
        this.#dialing = null;
        this.#noteRemoteClose(code, reason.toString());
        this.#scheduleRedial();
      }
    });
  }

  #scheduleRedial(): void {
    if (this.#closed || this.#o.role !== 'dial' || this.#redialTimer) return;
    this.#redialTimer = this.#o.clock.setTimeout(() => {
      this.#redialTimer = null;
      this.#dial();
    }, this.#o.redialMs);
  }

  /** A TLS WebSocket is open: decide trust before reading anything from it. */
  #adopt(socket: WebSocket, raw: Buffer | undefined): void {
    if (this.#closed) {
      socket.terminate();
      return;
    }
    if (!raw || raw.length === 0) {
      this.#refuse(socket, CloseCode.rejected, 'faulted', 'peer presented no certificate');
      return;
    }
    const certificate = describeCertificate(raw);
    const decision = this.#o.trust(certificate, derToPem(raw));
    if (decision === 'rejected') {
      this.#refuse(
        socket,
        CloseCode.rejected,
        'rejected',
        `peer certificate ${certificate.fingerprint} was rejected`,
      );
      return;
    }
    if (decision === 'pending') {
      this.#refuse(
        socket,
        CloseCode.pendingApproval,
        'pending-approval',
        `approve peer certificate ${certificate.fingerprint} on this node`,
      );
      return;
    }
    const session: Session = { socket, certificate, hello: null, handshakeTimer: null };
    session.handshakeTimer = this.#o.clock.setTimeout(() => {
      session.handshakeTimer = null;
      if (!session.hello) this.#closeBad(session, 'no hello within the handshake timeout');
    }, this.#o.handshakeTimeoutMs);
    socket.on('message', (data, isBinary) => this.#onMessage(session, data as Buffer, isBinary));
    socket.on('error', (error) => this.#o.logger.warn({ err: error }, 'peer link error'));
    socket.once('close', (code, reason) => {
      if (this.#session === session) {
        this.#endSession(
          session,
          'disconnected',
          `closed (${code}${reason.length ? `: ${reason.toString()}` : ''})`,
        );
        this.#noteRemoteClose(code, reason.toString());
      }
      this.#scheduleRedial();
    });
    if (this.#session) {
      // A new connection from the backup replaces a stale one (e.g. after it restarted).
      const old = this.#session;
      old.socket.close(CloseCode.replaced, 'replaced by a newer connection');
      this.#endSession(old, 'connecting', 'replaced');
    }
    this.#session = session;
    socket.send(JSON.stringify(this.#o.hello()));
  }

  #onMessage(session: Session, data: Buffer, isBinary: boolean): void {
    if (this.#session !== session) return;
    if (isBinary) return this.#closeBad(session, 'binary frame');
    const parsed = parseFrame(data.toString('utf8'));
    if (!parsed.ok) return this.#closeBad(session, parsed.reason);
    const frame = parsed.frame;
    if (!session.hello) {
      if (frame.t !== 'hello') return this.#closeBad(session, `expected hello, got ${frame.t}`);
      const problem = this.#o.checkHello(frame);
      if (problem) {
        session.socket.close(CloseCode.faulted, problem.slice(0, 120));
        this.#endSession(session, 'faulted', problem);
        return;
      }
      session.hello = frame;
      if (session.handshakeTimer) this.#o.clock.clearTimeout(session.handshakeTimer);
      session.handshakeTimer = null;
      this.#setState('connected', null);
      this.emit('up', frame, session.certificate);
      return;
    }
    if (frame.t === 'hello') return this.#closeBad(session, 'second hello');
    this.emit('frame', frame);
  }

  #closeBad(session: Session, reason: string): void {
    this.#o.logger.warn({ reason }, 'peer link closed: bad frame');
    session.socket.close(CloseCode.badFrame, reason.slice(0, 120));
    this.#endSession(session, 'disconnected', reason);
  }

  #refuse(socket: WebSocket, code: number, state: LinkState, reason: string): void {
    socket.close(code, reason.slice(0, 120));
    this.#setState(state, reason);
    if (state === 'pending-approval') this.emit('unverified');
    this.#scheduleRedial();
  }

  #endSession(session: Session, state: LinkState, reason: string): void {
    if (session.handshakeTimer) this.#o.clock.clearTimeout(session.handshakeTimer);
    session.handshakeTimer = null;
    if (this.#session !== session) return;
    this.#session = null;
    const wasUp = session.hello !== null;
    this.#setState(state, reason);
    if (wasUp) this.emit('down');
    this.#scheduleRedial();
  }

  /** The far side's reason for closing tells this side what the operator must do. */
  #noteRemoteClose(code: number, reason: string): void {
    if (code === CloseCode.pendingApproval) {
      this.#setState('pending-approval', 'waiting for approval on the peer');
      this.emit('unverified');
    }
    else if (code === CloseCode.rejected) this.#setState('rejected', 'the peer rejected this node');
    else if (code === CloseCode.faulted) this.#setState('faulted', reason || 'the peer refused the pairing');
    else if (this.#state === 'connected' || this.#state === 'connecting')
      this.#setState(this.#o.role === 'dial' ? 'connecting' : 'disconnected', reason || null);
  }

  #setState(state: LinkState, reason: string | null): void {
    if (this.#state === state && this.#reason === reason) return;
    this.#state = state;
    this.#reason = reason;
    this.emit('state', state, reason);
  }
}

function derToPem(der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
