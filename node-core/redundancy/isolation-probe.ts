import net from 'node:net';
import type { IsolationCheck } from './types.ts';

/** Can this node open a TCP connection to the isolation host within `timeoutMs`? */
export function probeTcp(target: IsolationCheck, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (reachable: boolean): void => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
