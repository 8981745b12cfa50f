/**
 * A relay in front of the broker that holds back every MQTT DISCONNECT a client sends (packet type 14, first
 * byte 0xE0), as a slow or congested network would: what the client sent before it reaches the broker, the
 * DISCONNECT does not, so the broker meets the other node's CONNECT with the same client id first.
 */
import { TcpProxy } from './tcp-proxy.ts';

const DISCONNECT = 0xe0;

export interface DisconnectHoldingProxy {
  readonly url: string;
  /** How many DISCONNECT packets are held back. */
  readonly held: number;
  close(): Promise<void>;
}

export async function holdDisconnects(brokerPort: number): Promise<DisconnectHoldingProxy> {
  let held = 0;
  // A DISCONNECT is the client's last packet and is written alone, so it starts a chunk of its own.
  const proxy = await TcpProxy.start(brokerPort, (chunk) => {
    if (chunk[0] !== DISCONNECT) return true;
    held++;
    return false;
  });
  return {
    url: `mqtt://127.0.0.1:${proxy.port}`,
    get held() {
      return held;
    },
    close: () => proxy.close(),
  };
}
