/**
 * The pair of one chaos schedule: a master and a backup from the service bundle on 127.0.0.1 with fast
 * timings, the backup dialing the master through the fault proxy, fresh data dirs (one of them a tmpfs when
 * the schedule fills a disk). Also what watches it: the 50 ms status poll that sees dual-active time, the
 * wait until the pair has settled, and the final read of both nodes.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { ConflictView, FailoverEvent, StatusView } from '../../node-core/dto.ts';
import { FASTEST, freePort, tempDir } from '../integration/harness.ts';
import { ChaosNode, type Crash } from './chaos-node.ts';
import { mountTmpfs, unmount } from './disk.ts';
import { FaultProxy } from './fault-proxy.ts';
import type { Target } from './schedule.ts';

/** The fast timings of the brief: failover in well under a second. */
export const CHAOS_TIMING = FASTEST;

export interface Bundle {
  readonly entry: string;
  readonly nodeBin: string;
}

export class ChaosPair {
  readonly master: ChaosNode;
  readonly backup: ChaosNode;
  readonly proxy: FaultProxy;
  readonly token: string;
  readonly crashes: Crash[];
  readonly #tmpfsDirs: string[];

  private constructor(
    master: ChaosNode,
    backup: ChaosNode,
    proxy: FaultProxy,
    token: string,
    crashes: Crash[],
    tmpfsDirs: string[],
  ) {
    this.master = master;
    this.backup = backup;
    this.proxy = proxy;
    this.token = token;
    this.crashes = crashes;
    this.#tmpfsDirs = tmpfsDirs;
  }

  static async make(bundle: Bundle, seed: number, tmpfsNode: Target | null): Promise<ChaosPair> {
    const name = `chaos-${seed}`;
    const masterDir = tempDir(`${name}-master`);
    const backupDir = tempDir(`${name}-backup`);
    const tmpfsDirs: string[] = [];
    if (tmpfsNode) {
      const dir = tmpfsNode === 'master' ? masterDir : backupDir;
      mountTmpfs(dir);
      tmpfsDirs.push(dir);
    }
    const token = crypto.randomBytes(24).toString('hex');
    const peerPort = await freePort();
    const proxy = await FaultProxy.start(peerPort);
    const crashes: Crash[] = [];
    const common = [
      '--name',
      name,
      '--peer-port',
      String(peerPort),
      '--peer-host',
      '127.0.0.1',
      '--opcua-port',
      '0',
      ...CHAOS_TIMING,
    ];
    const make = async (label: Target, dataDir: string, args: string[]): Promise<ChaosNode> =>
      new ChaosNode({
        label,
        entry: bundle.entry,
        nodeBin: bundle.nodeBin,
        dataDir,
        apiPort: await freePort(),
        args: [...common, ...args],
        token,
        crashed: (crash) => crashes.push(crash),
      });
    const master = await make('master', masterDir, [
      '--mode',
      'master',
      '--trust-peer',
      fingerprint(bundle, backupDir),
    ]);
    const backup = await make('backup', backupDir, [
      '--mode',
      'backup',
      '--master-host',
      '127.0.0.1',
      '--master-port',
      String(proxy.port),
      '--trust-peer',
      fingerprint(bundle, masterDir),
    ]);
    return new ChaosPair(master, backup, proxy, token, crashes, tmpfsDirs);
  }

  node(target: Target): ChaosNode {
    return target === 'master' ? this.master : this.backup;
  }

  get nodes(): readonly [ChaosNode, ChaosNode] {
    return [this.master, this.backup];
  }

  /** Starts both and resolves once the backup is standby next to the active master. */
  async form(): Promise<void> {
    await this.master.start();
    await this.backup.start();
    await waitUntil(
      async () => {
        const s = await this.backup.status();
        return s?.node.status === 'standby' && s.peer?.status === 'active';
      },
      30_000,
      'the pair to form',
    );
  }

  /**
   * Kills both, closes the proxy, unmounts the tmpfs. `keep`: the data dirs stay (a tmpfs's content is
   * copied next to it first) and are returned for a failing schedule's report.
   */
  async tearDown(keep: boolean): Promise<string[]> {
    await Promise.all(this.nodes.map((n) => n.kill9()));
    await this.proxy.close();
    const dirs = this.nodes.map((n) => n.o.dataDir);
    for (const dir of this.#tmpfsDirs) {
      if (keep) fs.cpSync(dir, `${dir}-copy`, { recursive: true });
      unmount(dir);
    }
    const kept = dirs.map((dir) => (keep && this.#tmpfsDirs.includes(dir) ? `${dir}-copy` : dir));
    for (const dir of dirs)
      if (!keep || this.#tmpfsDirs.includes(dir)) fs.rmSync(dir, { recursive: true, force: true });
    return keep ? kept : [];
  }
}

function fingerprint(bundle: Bundle, dataDir: string): string {
  const result = spawnSync(bundle.nodeBin, [bundle.entry, 'fingerprint', '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`fingerprint failed: ${result.stderr}`);
  return result.stdout.trim();
}

export async function waitUntil(probe: () => Promise<boolean>, boundMs: number, what: string): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${boundMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polls both nodes' status every 50 ms: adds up the time both answered `active`, and keeps when each node
 * said its peer link was connected (the checker asks whether a command was answered on a linked pair).
 */
export class DualActiveWatch {
  seenMs = 0;
  polls = 0;
  /** Per poll: when, and per node (by API url) whether it answered with its link connected (null: no answer). */
  readonly #samples: { at: number; linked: Map<string, boolean | null> }[] = [];
  readonly #pair: ChaosPair;
  #stopped = false;
  #done: Promise<void> | null = null;

  constructor(pair: ChaosPair) {
    this.#pair = pair;
  }

  start(): void {
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  /** What the polls around `at` saw of the node's link, for a report: `connected -12ms / disconnected +38ms`. */
  linkAround(url: string, at: number): string {
    const before = this.#samples.findLast((x) => x.at <= at);
    const after = this.#samples.find((x) => x.at >= at);
    const text = (x: { at: number; linked: Map<string, boolean | null> } | undefined): string => {
      if (!x) return 'no poll';
      const linked = x.linked.get(url);
      const ms = x.at - at;
      return `${linked === null ? 'no answer' : linked ? 'connected' : 'not connected'} ${ms >= 0 ? '+' : ''}${ms}ms`;
    };
    return `${text(before)} / ${text(after)}`;
  }

  /** Whether the node said its link was connected at the last poll before `at` and the first after it. */
  linkedAt(url: string, at: number): boolean {
    const before = this.#samples.findLast((x) => x.at <= at);
    const after = this.#samples.find((x) => x.at >= at);
    return before?.linked.get(url) === true && after?.linked.get(url) === true;
  }

  async #loop(): Promise<void> {
    let lastBoth: number | null = null;
    while (!this.#stopped) {
      const started = Date.now();
      const [a, b] = await Promise.all(this.#pair.nodes.map((n) => n.status(250)));
      const at = Date.now();
      this.polls++;
      this.#samples.push({
        at,
        linked: new Map(
          this.#pair.nodes.map((n, i) => {
            const s = i === 0 ? a : b;
            return [n.url, s ? s.peer?.link === 'connected' : null];
          }),
        ),
      });
      const both = a?.node.status === 'active' && b?.node.status === 'active';
      // An interval counts when both ends of it saw two active nodes.
      if (both && lastBoth !== null) this.seenMs += at - lastBoth;
      lastBoth = both ? at : null;
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - started))));
    }
  }
}

export interface SettleResult {
  readonly settled: boolean;
  readonly ms: number;
  readonly last: readonly (StatusView | null)[];
  /** The standby still reported `peerConfigSeq: null` (it had not heard the active node's seq). */
  readonly standbyPeerSeqUnknown: boolean;
}

/**
 * Waits until both nodes are up and linked, one active and one standby, and the standby has caught up:
 * both report the same config seq and the active node reports the standby's (it heard it from the standby
 * on this link); the standby reports the active node's too, or none yet (a standby that was up to date at
 * link-up hears no seq until the next change: a gap in the status, not in the data, noted in the report).
 * True only when that holds for three polls in a row.
 */
export async function settle(pair: ChaosPair, boundMs: number): Promise<SettleResult> {
  const started = Date.now();
  let streak = 0;
  let last: (StatusView | null)[] = [null, null];
  let unknown = false;
  while (Date.now() - started < boundMs) {
    last = await Promise.all(pair.nodes.map((n) => n.status(1000)));
    const now = settledNow(last[0] ?? null, last[1] ?? null);
    streak = now === 'no' ? 0 : streak + 1;
    unknown = now === 'standby-peer-seq-unknown';
    if (streak >= 3) return { settled: true, ms: Date.now() - started, last, standbyPeerSeqUnknown: unknown };
    await new Promise((r) => setTimeout(r, 150));
  }
  return { settled: false, ms: Date.now() - started, last, standbyPeerSeqUnknown: unknown };
}

function settledNow(a: StatusView | null, b: StatusView | null): 'yes' | 'standby-peer-seq-unknown' | 'no' {
  if (!a || !b) return 'no';
  const active = a.node.status === 'active' ? a : b;
  const standby = active === a ? b : a;
  const formed =
    active.node.status === 'active' &&
    standby.node.status === 'standby' &&
    active.peer?.link === 'connected' &&
    standby.peer?.link === 'connected' &&
    active.peer.status === 'standby' &&
    standby.peer.status === 'active' &&
    active.sync.configSeq === standby.sync.configSeq &&
    active.sync.peerConfigSeq === standby.sync.configSeq;
  if (!formed) return 'no';
  if (standby.sync.peerConfigSeq === active.sync.configSeq) return 'yes';
  return standby.sync.peerConfigSeq === null ? 'standby-peer-seq-unknown' : 'no';
}

export function describeStatus(s: StatusView | null): string {
  if (!s) return 'no answer';
  const p = s.peer;
  return (
    `${s.node.status} epoch ${s.node.epoch}, link ${p?.link ?? '-'}, peer ${p?.status ?? '-'}, ` +
    `configSeq ${s.sync.configSeq} peerConfigSeq ${s.sync.peerConfigSeq ?? '-'}, conflicts ${s.sync.conflicts}`
  );
}

/** What one node holds at the end: the state the checker judges. */
export interface FinalState {
  readonly label: string;
  /** Config tag name → its description (the writers' markers). */
  readonly config: ReadonlyMap<string, string | null>;
  readonly conflicts: readonly ConflictView[];
  readonly values: ReadonlyMap<string, number | boolean | string | null>;
  readonly alarms: ReadonlyMap<string, { active: boolean; acked: boolean; ackedBy: string | null }>;
  readonly events: readonly FailoverEvent[];
}

export async function readFinal(node: ChaosNode): Promise<FinalState> {
  const [tags, conflicts, values, alarms, events] = await Promise.all([
    node.get<{ name: string; description?: string }[]>('/api/config/tags'),
    node.get<ConflictView[]>('/api/config/conflicts'),
    node.get<{ name: string; value: number | boolean | string | null }[]>('/api/tags'),
    node.get<{ id: string; active: boolean; acked: boolean; ackedBy: string | null }[]>('/api/alarms'),
    node.get<FailoverEvent[]>('/api/events?limit=10000'),
  ]);
  return {
    label: node.o.label,
    config: new Map(tags.map((t) => [t.name, t.description ?? null])),
    conflicts,
    values: new Map(values.map((v) => [v.name, v.value])),
    alarms: new Map(alarms.map((a) => [a.id, { active: a.active, acked: a.acked, ackedBy: a.ackedBy }])),
    events,
  };
}
