/**
 * A pair whose backup reaches the master through a TCP proxy that a test cuts and heals: a real broken link
 * between two live nodes (behaviour.md "Partitions"), for the integration and the browser tests.
 */
import { fingerprintOf, freePort, FAST, NodeProcess, tempDir } from './harness.ts';
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
  const masterDir = tempDir(`${name}-master`);
  const backupDir = tempDir(`${name}-backup`);
  const peerPort = await freePort();
  const proxy = await TcpProxy.start(peerPort);
  const common = ['--name', name, ...FAST];
  const master = new NodeProcess(masterDir, await freePort(), [
    ...common,
    '--mode',
    'master',
    '--peer-host',
    '127.0.0.1',
    '--peer-port',
    String(peerPort),
    '--trust-peer',
    fingerprintOf(backupDir),
    ...masterArgs,
  ]);
  const backup = new NodeProcess(backupDir, await freePort(), [
    ...common,
    '--mode',
    'backup',
    '--master-host',
    '127.0.0.1',
    '--master-port',
    String(proxy.port),
    '--trust-peer',
    fingerprintOf(masterDir),
    ...backupArgs,
  ]);
  const stop = async (): Promise<void> => {
    await Promise.all([master.kill('SIGKILL'), backup.kill('SIGKILL')]);
    await proxy.close();
  };
  try {
    await master.start();
    await backup.start();
    await backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
      'pair formed',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { master, backup, proxy, stop };
}
