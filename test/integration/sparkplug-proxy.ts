/**
 * A TCP relay in front of the broker that holds back every MQTT DISCONNECT a client sends (packet type 14,
 * first byte 0xE0), as a slow or congested network would: what the client sent before it reaches the broker,
 * the DISCONNECT does not, so the broker meets the other node's CONNECT with the same client id first.
 */
import net from 'node:net';

const DISCONNECT = 0xe0;

export class DisconnectHoldingProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  /** How many DISCONNECT packets are held back. */
  held = 0;

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async start(brokerPort: number): Promise<DisconnectHoldingProxy> {
    const server = net.createServer();
    const proxy = new DisconnectHoldingProxy(server);
    server.on('connection', (client) => proxy.#relay(client, brokerPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: net.Socket, brokerPort: number): void {
    const upstream = net.connect(brokerPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    // A DISCONNECT is the client's last packet and is written alone, so it starts a chunk of its own.
    client.on('data', (chunk: Buffer) => {
      if (chunk[0] === DISCONNECT) this.held++;
      else upstream.write(chunk);
    });
    upstream.pipe(client);
  }
}
