/**
 * A pair whose backup reaches the master through a TCP proxy that a test cuts and heals: a real broken link
 * between two live nodes (docs/rules.md "Partitions"), for the integration and the browser tests.
 */
import { formPair, freePort, makePair, type NodeProcess } from './harness.ts';
import { TcpProxy } from './tcp-proxy.ts';

export interface SplitPair {
  readonly master: NodeProcess;
  readonly backup: NodeProcess;
  readonly proxy: TcpProxy;
  /** Kills both nodes and closes the proxy. */
  readonly stop: () => Promise<void>;
}

/** Starts the pair and resolves once the backup is standby with the link up. */
export async function splitPair(
  name: string,
  masterArgs: string[] = [],
  backupArgs: string[] = [],
): Promise<SplitPair> {
  const peerPort = await freePort();
  const proxy = await TcpProxy.start(peerPort);
  const pair = await makePair(masterArgs, backupArgs, { name, peerPort, dialPort: proxy.port });
  const { master, backup } = pair;
  const stop = async (): Promise<void> => {
    await pair.stop();
    await proxy.close();
  };
  try {
    await formPair(pair);
  } catch (error) {
    await stop();
    throw error;
  }
  return { master, backup, proxy, stop };
}
