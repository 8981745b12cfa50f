/**
 * The one connection between master and backup: WebSocket over TLS, both sides present a certificate and
 * check the other's fingerprint against their own trust store before anything but the handshake passes.
 * The master listens, the backup dials (and re-dials every `redialMs` while down).
 *
 * Anything on the network may open the master's port (it listens on every address by default), and a backup
 * may dial something that only claims to be its master. So every socket, stream and server here has its
 * `error` handled: a broken handshake or a malformed frame ends that one connection, never the node. Each
 * step of a connection is bounded by `handshakeTimeoutMs`: the TLS handshake; then, from TLS on the master
 * (from the upgrade on the backup), the upgrade and the peer's hello; and the closing handshake of a
 * connection this side ends. Past its bound a connection is cut.
 */
import { EventEmitter } from 'node:events';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import WebSocket, { WebSocketServer } from 'ws';
import { backoffDelay, type Backoff } from '../protocol/backoff.ts';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.ts';
import type { LinkState } from '../dto.ts';
import type { Logger } from '../logging.ts';
import type { CertificateInfo } from '../trust/index.ts';
import { CloseCode, MAX_FRAME_BYTES, parseFrame, type Hello, type PeerFrame } from './frames.ts';
import { LinkResources, type PeerLinkResources } from './link-resources.ts';
import { admitPeer, type TrustDecision } from './peer-admission.ts';
import { brief, closeReason, formatHost } from './link-text.ts';

export { closeReason } from './link-text.ts';

export interface PeerLinkOptions {
  readonly role: 'listen' | 'dial';
  readonly listenHost: string;
  readonly listenPort: number;
  readonly masterHost: string | null;
  readonly masterPort: number;
  readonly keyPem: string;
  readonly certPem: string;
  /** The backup's pause between dials while it has no link, spread by ±25 % with `random` (Math.random). */
  readonly redialMs: number;
  readonly random?: () => number;
  /** The bound of each step of a connection: TLS, upgrade and hello, closing (see above). */
  readonly handshakeTimeoutMs: number;
  /** Looks the certificate up (recording it as pending if new). */
  readonly trust: (info: CertificateInfo, pem: string) => TrustDecision;
  readonly hello: () => Hello;
  /** A reason why this peer cannot pair with us (same mode, other pair name), or null. */
  readonly checkHello: (hello: Hello) => string | null;
  /** The link's timers: the handshake and close bounds, the re-dial. */
  readonly clock: Clock;
  /** The clock of the drain bound at `close` (system clock): a stopping node waits on no manual clock. */
  readonly realTime?: Clock;
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
  /** The TLS socket under it, for the handshake bound. */
  readonly transport: Duplex;
  readonly certificate: CertificateInfo;
  hello: Hello | null;
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
  #started: Promise<void> | null = null;
  readonly #resources: LinkResources;
  /** Spread, not grown: a master's recovery waits for its backup to find it (about one ping rate). */
  readonly #redial: Backoff;
  /** Transports whose peer said hello: their handshake bound no longer applies. */
  readonly #admitted = new WeakSet<Duplex>();

  constructor(options: PeerLinkOptions) {
    super();
    this.#o = options;
    this.#resources = new LinkResources(options.clock, options.logger, () => this.#closed);
    const { redialMs, random = Math.random } = options;
    this.#redial = { baseMs: redialMs, maxMs: redialMs, random };
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

  /** For tests and diagnostics: connections and timers held now (none of them grows with link cycles). */
  get resources(): PeerLinkResources {
    return this.#resources.counts;
  }

  /** Listens (master) or dials (backup). Idempotent: a second call answers the first's; after `close`, nothing. */
  start(): Promise<void> {
    this.#started ??= this.#closed
      ? Promise.resolve()
      : this.#o.role === 'listen'
        ? this.#listen()
        : Promise.resolve(this.#dial());
    return this.#started;
  }

  send(frame: PeerFrame): boolean {
    const socket = this.#session?.hello ? this.#session.socket : null;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Closes the current connection (it is built anew by the backup's re-dial). */
  drop(reason: string): void {
    const session = this.#session;
    if (!session) return;
    this.#closeSocket(session.socket, CloseCode.goingAway, reason);
    this.#endSession(session, 'disconnected', reason);
  }

  /** Idempotent. Sends nothing more; lets queued frames drain (for at most the handshake timeout). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#resources.cancel(this.#redialTimer);
    this.#redialTimer = null;
    this.#dialing?.terminate();
    const session = this.#session;
    if (session) {
      const realTime = this.#o.realTime ?? systemClock;
      let bound: TimerHandle | null = null;
      await new Promise<void>((resolve) => {
        if (session.socket.readyState === WebSocket.CLOSED) return resolve();
        session.socket.once('close', () => resolve());
        session.socket.close(CloseCode.goingAway, 'node stopping');
        bound = realTime.setTimeout(resolve, this.#o.handshakeTimeoutMs);
      });
      if (bound) realTime.clearTimeout(bound);
      this.#endSession(session, 'disconnected', 'node stopping');
    }
    this.#resources.endAll();
    this.#wss?.close();
    const server = this.#server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #listen(): Promise<void> {
    const server = https.createServer({
      key: this.#o.keyPem,
      cert: this.#o.certPem,
      requestCert: true,
      // Trust is decided by fingerprint against the operator's approvals, not by a CA.
      rejectUnauthorized: false,
      handshakeTimeout: this.#o.handshakeTimeoutMs,
    });
    server.on('connection', (transport: Socket) => this.#resources.track(transport));
    server.on('secureConnection', (transport: TLSSocket) => this.#bound(transport));
    server.on('tlsClientError', (error) => this.#o.logger.debug({ err: error }, 'peer port: TLS failed'));
    // The port serves the upgrade to /peer and nothing else.
    server.on('request', (_request, response) => response.writeHead(426, { connection: 'close' }).end());
    const wss = new WebSocketServer({ server, maxPayload: MAX_FRAME_BYTES });
    wss.on('connection', (socket, request) => {
      this.#resources.own(socket);
      const transport = request.socket as TLSSocket;
      this.#adopt(socket, transport, transport.getPeerCertificate(true)?.raw);
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
    // After listening (an accept that fails, too many open files): logged, the server keeps listening.
    server.on('error', (error) => this.#o.logger.warn({ err: error }, 'peer port error'));
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
      // TCP, TLS and the upgrade; the hello then has a bound of its own.
      handshakeTimeout: this.#o.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    this.#dialing = socket;
    this.#resources.own(socket);
    let transport: Duplex | null = null;
    let raw: Buffer | undefined;
    socket.once('upgrade', (response) => {
      transport = response.socket;
      raw = (response.socket as TLSSocket).getPeerCertificate(true)?.raw;
      this.#bound(transport);
    });
    socket.once('open', () => {
      this.#dialing = null;
      if (transport) this.#adopt(socket, transport, raw);
      else socket.terminate();
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
    this.#redialTimer = this.#resources.after(backoffDelay(this.#redial, 0), () => {
      this.#redialTimer = null;
      this.#dial();
    });
  }

  /** A TLS connection gets `handshakeTimeoutMs` to say hello; a connection that does not is cut. */
  #bound(transport: Duplex): void {
    transport.on('error', (error) => this.#o.logger.debug({ err: error }, 'peer link: socket error'));
    const timer = this.#resources.after(this.#o.handshakeTimeoutMs, () => {
      if (this.#admitted.has(transport)) return;
      const session = this.#session;
      // A session says why it ends (and its close is bounded too); anything else is simply cut.
      if (session?.transport === transport) this.#closeSlow(session);
      else transport.destroy();
    });
    transport.once('close', () => this.#resources.cancel(timer));
  }

  /** A TLS WebSocket is open: decide trust before reading anything from it. */
  #adopt(socket: WebSocket, transport: Duplex, raw: Buffer | undefined): void {
    if (this.#closed) {
      socket.terminate();
      return;
    }
    const admission = admitPeer(raw, this.#o.trust, this.#o.logger);
    if (!admission.ok) {
      this.#refuse(socket, admission.code, admission.state, admission.reason);
      return;
    }
    const certificate = admission.certificate;
    const session: Session = { socket, transport, certificate, hello: null };
    socket.on('error', (error) => this.#o.logger.warn({ err: error }, 'peer link error'));
    socket.on('message', (data, isBinary) => this.#onMessage(session, data as Buffer, isBinary));
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
      this.#closeSocket(old.socket, CloseCode.replaced, 'replaced by a newer connection');
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
        this.#closeSocket(session.socket, CloseCode.faulted, problem);
        this.#endSession(session, 'faulted', problem);
        return;
      }
      session.hello = frame;
      this.#admitted.add(session.transport);
      this.#setState('connected', null);
      this.#deliver(session, 'hello', () => this.emit('up', frame, session.certificate));
      return;
    }
    if (frame.t === 'hello') return this.#closeBad(session, 'second hello');
    this.#deliver(session, frame.t, () => this.emit('frame', frame));
  }

  /** What the node does with a frame runs here; if it throws, this link ends and the process goes on. */
  #deliver(session: Session, what: string, emit: () => void): void {
    try {
      emit();
    } catch (error) {
      this.#o.logger.error({ err: error, frame: what }, 'peer frame could not be handled');
      this.#closeBad(session, `a ${what} frame could not be handled`);
    }
  }

  /** Not a bad frame: nothing came in time (a slow or stalled peer, or a stranger that opened and waits). */
  #closeSlow(session: Session): void {
    const reason = 'no hello within the handshake timeout';
    this.#o.logger.warn({ reason }, 'peer link closed: no hello in time');
    this.#closeSocket(session.socket, CloseCode.badFrame, reason);
    this.#endSession(session, 'disconnected', reason);
  }

  #closeBad(session: Session, reason: string): void {
    this.#o.logger.warn({ reason: brief(reason) }, 'peer link closed: bad frame');
    this.#closeSocket(session.socket, CloseCode.badFrame, reason);
    this.#endSession(session, 'disconnected', reason);
  }

  /**
   * A connection this side does not take. While a trusted peer is linked, another connection (a stranger, a
   * scanner) says nothing about the link: its state stays, and it is no sign of life of the peer.
   */
  #refuse(socket: WebSocket, code: number, state: LinkState, reason: string): void {
    this.#closeSocket(socket, code, reason);
    if (this.isUp) {
      this.#o.logger.info({ reason }, 'peer port: connection refused while linked');
      return;
    }
    this.#setState(state, reason);
    if (state === 'pending-approval') this.emit('unverified');
    this.#scheduleRedial();
  }

  /** Starts the closing handshake; a peer that does not answer it within the bound is cut. */
  #closeSocket(socket: WebSocket, code: number, reason: string): void {
    if (socket.readyState === WebSocket.CLOSED) return;
    socket.close(code, closeReason(reason));
    const timer = this.#resources.after(this.#o.handshakeTimeoutMs, () => socket.terminate());
    socket.once('close', () => this.#resources.cancel(timer));
  }

  #endSession(session: Session, state: LinkState, reason: string): void {
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
    } else if (code === CloseCode.rejected) this.#setState('rejected', 'the peer rejected this node');
    else if (code === CloseCode.faulted) this.#setState('faulted', reason || 'the peer refused the pairing');
    else if (this.#state === 'connected' || this.#state === 'connecting')
      this.#setState(this.#o.role === 'dial' ? 'connecting' : 'disconnected', reason || null);
  }

  #setState(state: LinkState, reason: string | null): void {
    const kept = reason === null ? null : brief(reason);
    if (this.#state === state && this.#reason === kept) return;
    this.#state = state;
    this.#reason = kept;
    this.emit('state', state, kept);
  }
}
