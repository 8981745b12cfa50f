import net from 'node:net';

/**
 * A TCP relay to a port on 127.0.0.1 whose link a test can cut and heal (a real partition between backup
 * and master), and which can hold back what a client sends (`passes`: false keeps that chunk from the target).
 */
export class TcpProxy {
  readonly #server: net.Server;
  readonly #target: number;
  readonly #passes: ((chunk: Buffer) => boolean) | null;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;
  #connections = 0;

  private constructor(server: net.Server, target: number, passes: ((chunk: Buffer) => boolean) | null) {
    this.#server = server;
    this.#target = target;
    this.#passes = passes;
  }

  static async start(targetPort: number, passes?: (chunk: Buffer) => boolean): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, targetPort, passes ?? null);
    server.on('connection', (client) => proxy.#relay(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return proxy;
  }

  /** Connections the client opened so far, refused ones (while cut) included. */
  get connections(): number {
    return this.#connections;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Drops every connection and refuses new ones, as a pulled cable would. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  heal(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: net.Socket): void {
    this.#connections++;
    if (this.#cut) return void client.destroy();
    const upstream = net.connect(this.#target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    const passes = this.#passes;
    if (passes) client.on('data', (chunk: Buffer) => void (passes(chunk) && upstream.write(chunk)));
    else client.pipe(upstream);
    upstream.pipe(client);
  }
}
