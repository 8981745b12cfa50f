/**
 * What a peer link holds open: accepted TCP connections, WebSockets and timers, each counted until it ends,
 * every error of a connection handled, and all of it ended when the link closes (PeerLink.close).
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Clock, TimerHandle } from '../clock/index.ts';
import type { Logger } from '../logging.ts';

/** What a link holds open right now; each count returns to its resting value when connections end. */
export interface PeerLinkResources {
  /** Accepted TCP connections (master), from before TLS until closed. */
  readonly transports: number;
  /** WebSockets open or closing (both roles). */
  readonly webSockets: number;
  /** Timers the link owns: handshake and close bounds, the re-dial. */
  readonly timers: number;
}

export class LinkResources {
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** The link is closed: nothing new is kept, and no timer of its fires. */
  readonly #closed: () => boolean;
  readonly #transports = new Set<Socket>();
  readonly #sockets = new Set<WebSocket>();
  readonly #timers = new Set<TimerHandle>();

  constructor(clock: Clock, logger: Logger, closed: () => boolean) {
    this.#clock = clock;
    this.#logger = logger;
    this.#closed = closed;
  }

  get counts(): PeerLinkResources {
    return { transports: this.#transports.size, webSockets: this.#sockets.size, timers: this.#timers.size };
  }

  /** An accepted TCP connection: its errors are handled and it is counted until it closes. */
  track(transport: Socket): void {
    if (this.#closed()) return void transport.destroy();
    this.#transports.add(transport);
    transport.on('error', (error) => this.#logger.debug({ err: error }, 'peer port: socket error'));
    transport.once('close', () => this.#transports.delete(transport));
  }

  /** Every WebSocket: its errors handled (a bad frame closes it, ws says why) and counted until closed. */
  own(socket: WebSocket): void {
    this.#sockets.add(socket);
    socket.on('error', (error) => this.#logger.debug({ err: error }, 'peer connection error'));
    socket.once('close', () => this.#sockets.delete(socket));
  }

  /** A timer the link owns: counted until it fires or is cancelled, and cleared by `endAll()`. */
  after(delayMs: number, callback: () => void): TimerHandle {
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed()) callback();
    }, delayMs);
    this.#timers.add(timer);
    return timer;
  }

  cancel(timer: TimerHandle | null): void {
    if (!timer) return;
    this.#clock.clearTimeout(timer);
    this.#timers.delete(timer);
  }

  /** The link closed: every WebSocket and connection is cut, every timer cleared. */
  endAll(): void {
    for (const socket of this.#sockets) socket.terminate();
    for (const transport of this.#transports) transport.destroy();
    for (const timer of this.#timers) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
