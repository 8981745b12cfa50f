/**
 * The data bench's backup node on a thread of its own (worker_threads), as it runs on its own machine in a
 * real pair: the master's thread then pays only for the master's side of the link. Commands come as
 * messages; times are absolute (`performance.timeOrigin + performance.now()`), comparable across threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createNode, type SettingsOverrides } from '../../node-core/index.ts';
import { silentLogger } from '../../node-core/logging.ts';

export interface BackupWorkerData {
  readonly dataDir: string;
  readonly settings: SettingsOverrides;
  readonly trustPeers: readonly string[];
}

/** What the bench asks the backup; each request carries an id that its answer repeats. */
export type BackupAsk =
  | { readonly t: 'wait-standby' }
  | { readonly t: 'head' }
  | { readonly t: 'wait-value'; readonly name: string; readonly value: number | null }
  | { readonly t: 'record'; readonly from: number }
  | { readonly t: 'arrivals' }
  | { readonly t: 'stop' };
export type BackupRequest = BackupAsk & { readonly id: number };

const port = parentPort!;
const given = workerData as BackupWorkerData;
const running = await createNode(
  { dataDir: given.dataDir, settings: given.settings, trustPeers: given.trustPeers },
  { logger: silentLogger },
);
const { node, data } = running;
const absolute = (): number => performance.timeOrigin + performance.now();
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Values at or above `from` as they arrive: value, then absolute arrival time, flat. */
let arrivals: number[] = [];
let recordFrom = Infinity;
node.on('data', (values) => {
  const now = absolute();
  for (const v of values)
    if (typeof v.value === 'number' && v.value >= recordFrom) arrivals.push(v.value, now);
});

port.on('message', (request: BackupRequest) => {
  void answer(request).then((result) => port.postMessage({ id: request.id, result }));
});
port.postMessage({ id: 0, result: 'started' });

async function answer(request: BackupRequest): Promise<unknown> {
  switch (request.t) {
    case 'wait-standby':
      while (!(node.status === 'standby' && node.statusView().peer?.link === 'connected')) await tick(20);
      return true;
    case 'head':
      return data.config.head();
    case 'wait-value':
      while (data.runtime.get(request.name)?.value !== request.value) await tick(1);
      return true;
    case 'record':
      arrivals = [];
      recordFrom = request.from;
      return true;
    case 'arrivals': {
      const out = arrivals;
      arrivals = [];
      recordFrom = Infinity;
      return out;
    }
    case 'stop':
      await running.stop();
      setImmediate(() => port.close());
      return true;
  }
}
