/**
 * A TCP relay on the peer link (the backup dials it, it dials the master) that the chaos run breaks in the
 * ways a plant network does: a cut (every connection dropped, new ones refused, as a pulled cable), a
 * one-way stall (bytes in one direction held back while the connection stays open, as a half-dead switch
 * port or a full buffer), and a delay (every chunk in both directions delivered late, in order).
 * The idea of test/integration/tcp-proxy.ts, extended; that file stays as it is.
 */
import net from 'node:net';

/** Which way bytes flow: from the backup to the master, or back. */
export type Direction = 'to-master' | 'to-backup';

interface Chunk {
  readonly data: Buffer;
  readonly dueAt: number;
}

/** One direction of one connection: a queue that delivers in order, late or not at all while stalled. */
class Lane {
  readonly #to: net.Socket;
  readonly #proxy: FaultProxy;
  readonly #direction: Direction;
  readonly #queue: Chunk[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(to: net.Socket, proxy: FaultProxy, direction: Direction) {
    this.#to = to;
    this.#proxy = proxy;
    this.#direction = direction;
  }

  push(data: Buffer): void {
    this.#queue.push({ data, dueAt: Date.now() + this.#proxy.delayMs });
    this.pump();
  }

  /** Delivers what is due; sets one timer for the next chunk that is not due yet. */
  pump(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#proxy.stalled(this.#direction) || this.#to.destroyed) return;
    const now = Date.now();
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (next.dueAt > now) {
        this.#timer = setTimeout(() => this.pump(), next.dueAt - now);
        return;
      }
      this.#queue.shift();
      this.#to.write(next.data);
    }
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue.length = 0;
  }
}

export class FaultProxy {
  readonly #server: net.Server;
  readonly #target: number;
  readonly #sockets = new Set<net.Socket>();
  readonly #lanes = new Set<Lane>();
  readonly #stalled = new Set<Direction>();
  #cut = false;
  #closed = false;
  /** Added to every chunk's delivery, both directions. */
  delayMs = 0;

  private constructor(server: net.Server, target: number) {
    this.#server = server;
    this.#target = target;
  }

  static async start(targetPort: number): Promise<FaultProxy> {
    const server = net.createServer();
    const proxy = new FaultProxy(server, targetPort);
    server.on('connection', (client) => proxy.#relay(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  stalled(direction: Direction): boolean {
    return this.#stalled.has(direction);
  }

  /** Drops every connection and refuses new ones until `heal`. */
  cut(): void {
    this.#cut = true;
    this.#dropAll();
  }

  /** Holds back every byte in one direction; the connection stays open. */
  stall(direction: Direction): void {
    this.#stalled.add(direction);
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** No cut, no stall, no delay: what was held back is delivered, in order. */
  heal(): void {
    this.#cut = false;
    this.#stalled.clear();
    this.delayMs = 0;
    for (const lane of this.#lanes) lane.pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #dropAll(): void {
    for (const lane of this.#lanes) lane.close();
    this.#lanes.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  #relay(client: net.Socket): void {
    if (this.#cut || this.#closed) return void client.destroy();
    const upstream = net.connect(this.#target, '127.0.0.1');
    const toMaster = new Lane(upstream, this, 'to-master');
    const toBackup = new Lane(client, this, 'to-backup');
    this.#lanes.add(toMaster);
    this.#lanes.add(toBackup);
    client.on('data', (data: Buffer) => toMaster.push(data));
    upstream.on('data', (data: Buffer) => toBackup.push(data));
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        toMaster.close();
        toBackup.close();
        this.#lanes.delete(toMaster);
        this.#lanes.delete(toBackup);
        client.destroy();
        upstream.destroy();
      });
    }
  }
}
