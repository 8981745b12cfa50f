/**
 * The I/O half of the dial diagnosis (./pairing.ts describes what it finds): one TCP connection to where the
 * backup dials its master, closed at once, and whether a host is this machine. The peer link itself does not
 * say why a dial failed, so the node asks the network once more (docs/redundancy.md "Misconfiguration").
 */
import net from 'node:net';
import os from 'node:os';
import type { DialOutcome } from './pairing.ts';

/** Opens and closes one TCP connection to `host:port`, bounded by `timeoutMs`. Never rejects. */
export function probeDial(host: string, port: number, timeoutMs: number): Promise<DialOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (outcome: DialOutcome): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => finish({ kind: 'timeout' }));
    socket.once('connect', () => finish({ kind: 'accepted' }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'error';
      if (code === 'ECONNREFUSED') finish({ kind: 'refused' });
      else if (code === 'ETIMEDOUT') finish({ kind: 'timeout' });
      else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') finish({ kind: 'unknown-host', code });
      else finish({ kind: 'unreachable', code });
    });
  });
}

/** Is `host` an address or name of this machine (loopback, any of its interfaces, its host name)? */
export function isThisMachine(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0.0.0.0' || h === '::' || h.startsWith('127.')) return true;
  if (h === os.hostname().toLowerCase()) return true;
  return Object.values(os.networkInterfaces()).some((addresses) =>
    (addresses ?? []).some((a) => a.address.toLowerCase() === h),
  );
}
