/**
 * Everything the screens show, as `$state`, fed by one `DashboardApi` (the HTTP client and its live
 * subscription). Components read these fields and call these methods; they never fetch or poll.
 */
import type {
  CertificateRecord,
  EventKind,
  FailoverEvent,
  LinkState,
  StatusView,
} from '../../../node-core/dto.ts';
import {
  toProblem,
  type CsvDownload,
  type DashboardApi,
  type LiveConnection,
  type LiveSubscription,
} from './api-client.ts';
import type { ActionNotice } from './action-notice.ts';
import { changesPlace, type ChangesPlace } from './active-node.ts';
import { AlarmsState } from './alarms-state.svelte.ts';
import { bannersFor, type Banner } from './banners.ts';
import { ConflictsState } from './conflicts-state.svelte.ts';
import type { ConfigApi } from './config-client.ts';
import { ConfigState } from './config-state.svelte.ts';
import { csvBlob, csvFilename, eventsCsv } from './csv.ts';
import { SettingsState } from './settings-state.svelte.ts';
import { failed, valueOf, type Loadable } from './loadable.ts';
import { TagsState } from './tags-state.svelte.ts';
import { switchoverNotice } from './switchover-text.ts';
import { pairFallback, type PairFallback } from './pair-view.ts';
import { PairWatch, type PartnerApi } from './pair-watch.svelte.ts';

// The screens take valueOf from here, beside the state it reads.
export { valueOf };

export type EventFilter = EventKind | 'all';

export interface DashboardOptions {
  /** How many events the history shows. */
  readonly eventLimit?: number;
  /** The uptime and "ago" texts advance this often. */
  readonly tickMs?: number;
  readonly now?: () => number;
  /** The partner node of the pair, read beside this one with the partner's session (pair-watch.svelte.ts). */
  readonly partner?: { readonly apiUrl: string; readonly api: PartnerApi };
  /** The pair's devices, tags and alarm rules to edit (the Configuration screen); none: no such screen. */
  readonly config?: ConfigApi;
  /**
   * Called at the first status that shows the peer link connected, and again each time it connects after
   * being down: a page opened with the admin token asks then for a session on the partner (main.ts).
   */
  readonly peerLinked?: () => void;
}

const DASHBOARD_DEFAULTS = { eventLimit: 200, tickMs: 1000 } as const;

export class DashboardState {
  status = $state.raw<Loadable<StatusView>>({ kind: 'loading' });
  events = $state.raw<Loadable<FailoverEvent[]>>({ kind: 'loading' });
  certificates = $state.raw<Loadable<CertificateRecord[]>>({ kind: 'loading' });
  live = $state.raw<LiveConnection>({ state: 'connecting', attempt: 0 });
  eventFilter = $state<EventFilter>('all');
  now = $state(0);
  /** Fingerprint of the certificate being decided, or `switchover`, while a request is out. */
  busy = $state<string | null>(null);
  notice = $state.raw<ActionNotice | null>(null);

  readonly eventLimit: number;
  /** Tags with live values, and the history of one of them (the Tags screen). */
  readonly tags: TagsState;
  /** Alarm states and acknowledgement (the Alarms screen and the navigation's count). */
  readonly alarms: AlarmsState;
  /** This node's settings (the Settings screen loads them when it opens). */
  readonly settings: SettingsState;
  /** The config changes a split left out (the Conflicts screen loads them when it opens). */
  readonly conflicts: ConflictsState;
  /** Devices, tag definitions and alarm rules to edit (the Configuration screen loads them when it opens). */
  readonly config: ConfigState | null;

  /**
   * The partner node, read beside this one; null without a session on it (a lone node, a partner that gave
   * none). A page opened with the admin token gets it once its node got a session from the partner.
   */
  pair = $state.raw<PairWatch | null>(null);

  /**
   * This node does not answer (not a refused token): the pair as the partner last saw it, or null. A partner's
   * reading older than three of its polls is marked stale.
   */
  get fallback(): PairFallback | null {
    return pairFallback(
      !(this.status.kind === 'error' && this.status.problem.status !== 401),
      this.pair?.reading ?? null,
      this.now,
      3 * (this.pair?.pollMs ?? 0),
    );
  }

  /** Whether this node takes changes, and where the running node is when it does not. */
  readonly changes: ChangesPlace = $derived(changesPlace(valueOf(this.status)));

  /** The notice, unless the status no longer shows what it claims: a result never contradicts the status. */
  readonly shownNotice: ActionNotice | null = $derived(
    this.notice?.tone === 'success' &&
      this.notice.whileStatus !== undefined &&
      valueOf(this.status)?.node.status !== this.notice.whileStatus
      ? null
      : this.notice,
  );

  /** Config changes of a split waiting for review (the navigation's count and a banner). */
  readonly conflictCount = $derived(valueOf(this.status)?.sync.conflicts ?? 0);

  /** The node refused the token (HTTP 401 or the live socket's 4401). */
  readonly unauthorized = $derived(
    this.live.state === 'unauthorized' ||
      this.#loadables().some((l) => l.kind === 'error' && l.problem.status === 401),
  );

  readonly banners: Banner[] = $derived(
    bannersFor({
      status: valueOf(this.status),
      statusProblem: this.status.kind === 'error' ? this.status.problem : null,
      certificates: valueOf(this.certificates),
    }),
  );

  readonly pendingCertificates = $derived(
    (valueOf(this.certificates) ?? []).filter((c) => c.state === 'pending').length,
  );

  readonly #api: DashboardApi;
  readonly #peerLinked: (() => void) | undefined;
  readonly #now: () => number;
  readonly #tickMs: number;
  #subscription: LiveSubscription | null = null;
  #ticker: number | null = null;
  #lastLink: LinkState | null = null;
  #wasLive = false;
  #statusCount = 0;
  #started = false;
  readonly #eventBuffers = new Set<FailoverEvent[]>();

  constructor(api: DashboardApi, options: DashboardOptions = {}) {
    this.#api = api;
    this.#peerLinked = options.peerLinked;
    this.#now = options.now ?? (() => Date.now());
    this.#tickMs = options.tickMs ?? DASHBOARD_DEFAULTS.tickMs;
    this.eventLimit = options.eventLimit ?? DASHBOARD_DEFAULTS.eventLimit;
    this.now = this.#now();
    this.tags = new TagsState(api, { now: this.#now });
    this.alarms = new AlarmsState(api, { now: this.#now });
    this.settings = new SettingsState(api, this.#now);
    this.conflicts = new ConflictsState(api, this.#now);
    this.config = options.config ? new ConfigState(options.config, this.#now) : null;
    if (options.partner) this.watchPartner(options.partner);
  }

  /** Reads `partner` beside this node from now on (in place of any partner read before). */
  watchPartner(partner: NonNullable<DashboardOptions['partner']>): void {
    this.pair?.stop();
    this.pair = new PairWatch(partner.apiUrl, partner.api, () => this.status.kind !== 'error', {
      now: this.#now,
    });
    if (this.#started) this.pair.start();
  }

  /** Loads everything once, then follows the live subscription. `start()` after `start()` restarts. */
  start(): void {
    this.stop();
    this.#started = true;
    this.#ticker = window.setInterval(() => (this.now = this.#now()), this.#tickMs);
    void this.load();
    this.pair?.start();
    this.#subscription = this.#api.live({
      status: (status) => this.#applyStatus(status),
      event: (event) => this.#applyEvent(event),
      connection: (connection) => this.#applyConnection(connection),
      error: (problem) => (this.status = failed(this.status, problem)),
      values: (values) => this.tags.applyLive(values),
      alarms: (alarms) => this.alarms.applyLive(alarms),
      config: (kinds) => {
        if (kinds.includes('tag') || kinds.includes('device')) this.tags.configChanged();
        this.config?.changed(kinds);
      },
    });
  }

  stop(): void {
    this.#subscription?.close();
    this.#subscription = null;
    this.tags.stop();
    this.pair?.stop();
    this.#started = false;
    if (this.#ticker !== null) window.clearInterval(this.#ticker);
    this.#ticker = null;
  }

  load(): Promise<void> {
    return Promise.all([
      this.refreshStatus(),
      this.refreshEvents(),
      this.refreshCertificates(),
      this.alarms.load(),
    ]).then(() => undefined);
  }

  async refreshStatus(): Promise<void> {
    const seen = this.#statusCount;
    try {
      const status = await this.#api.status();
      // A live push that arrived while this request was out is newer than its answer.
      if (this.#statusCount === seen) this.#applyStatus(status);
    } catch (error) {
      if (this.#statusCount === seen) this.status = failed(this.status, toProblem(error));
    }
  }

  async refreshEvents(): Promise<void> {
    const filter = this.eventFilter;
    // Live events that arrive while the request is out are merged into its answer, not lost under it.
    const arrivedMeanwhile: FailoverEvent[] = [];
    this.#eventBuffers.add(arrivedMeanwhile);
    try {
      const events = await this.#api.events({
        limit: this.eventLimit,
        ...(filter === 'all' ? {} : { kinds: [filter] }),
      });
      // A newer filter's answer wins over an older one's.
      if (filter === this.eventFilter) {
        this.events = {
          kind: 'loaded',
          value: mergeEvents(events, arrivedMeanwhile, filter, this.eventLimit),
          at: this.#now(),
        };
      }
    } catch (error) {
      if (filter === this.eventFilter) this.events = failed(this.events, toProblem(error));
    } finally {
      this.#eventBuffers.delete(arrivedMeanwhile);
    }
  }

  async refreshCertificates(): Promise<void> {
    try {
      this.certificates = { kind: 'loaded', value: await this.#api.certificates(), at: this.#now() };
    } catch (error) {
      this.certificates = failed(this.certificates, toProblem(error));
    }
  }

  setEventFilter(filter: EventFilter): Promise<void> {
    if (filter === this.eventFilter && this.events.kind === 'loaded') return Promise.resolve();
    this.eventFilter = filter;
    this.events = { kind: 'loading' };
    return this.refreshEvents();
  }

  approveCertificate(fingerprint: string): Promise<boolean> {
    return this.#decide(fingerprint, 'approve');
  }

  rejectCertificate(fingerprint: string): Promise<boolean> {
    return this.#decide(fingerprint, 'reject');
  }

  /** Asks the pair to make this node active (the master switching back after manual recovery). */
  async switchover(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = 'switchover';
    this.notice = null;
    try {
      const answer = await this.#api.switchover();
      this.notice = switchoverNotice(answer);
      await Promise.all([this.refreshStatus(), this.refreshEvents()]);
      return this.notice.tone === 'success';
    } catch (error) {
      const problem = toProblem(error);
      this.notice = { tone: 'error', message: `Switch-over failed: ${problem.message}`, problem };
      return false;
    } finally {
      this.busy = null;
    }
  }

  /** The history as CSV in the screen's words ("Running", "Dual active"), made here from the events (csv.ts). */
  async exportCsv(): Promise<CsvDownload> {
    const filter = this.eventFilter;
    const events = await this.#api.events({
      limit: 100_000,
      ...(filter === 'all' ? {} : { kinds: [filter] }),
    });
    const name = valueOf(this.status)?.node.name ?? 'node';
    return { blob: csvBlob(eventsCsv(events)), filename: csvFilename('tandem', name, 'events') };
  }

  dismissNotice(): void {
    this.notice = null;
  }

  /** Everything loaded from the node, for the check of a refused token. */
  #loadables(): Loadable<unknown>[] {
    return [
      this.status,
      this.events,
      this.certificates,
      this.alarms.list,
      this.tags.definitions,
      this.conflicts.list,
    ];
  }

  async #decide(fingerprint: string, verb: 'approve' | 'reject'): Promise<boolean> {
    if (this.busy) return false;
    this.busy = fingerprint;
    this.notice = null;
    try {
      const answer =
        verb === 'approve'
          ? await this.#api.approveCertificate(fingerprint)
          : await this.#api.rejectCertificate(fingerprint);
      // An approval needs no line of its own: the certificate moves to Trusted, and the banner says what the
      // link still waits for (the peer's approval), or goes once the link connects.
      this.notice = answer.state === 'trusted' ? null : { tone: 'success', message: 'Certificate rejected.' };
      await Promise.all([this.refreshCertificates(), this.refreshStatus()]);
      return true;
    } catch (error) {
      const problem = toProblem(error);
      this.notice = {
        tone: 'error',
        message: `Could not ${verb} the certificate: ${problem.message}`,
        problem,
      };
      return false;
    } finally {
      this.busy = null;
    }
  }

  #applyStatus(status: StatusView): void {
    this.#statusCount += 1;
    this.status = { kind: 'loaded', value: status, at: this.#now() };
    this.conflicts.countChanged(status.sync.conflicts);
    const link = status.peer?.link ?? null;
    // A peer that starts waiting for approval has a new pending certificate to show.
    if (link === 'pending-approval' && this.#lastLink !== 'pending-approval' && this.#lastLink !== null) {
      void this.refreshCertificates();
    }
    if (link === 'connected' && this.#lastLink !== 'connected') this.#peerLinked?.();
    this.#lastLink = link;
  }

  #applyEvent(event: FailoverEvent): void {
    if (event.kind.startsWith('certificate-')) void this.refreshCertificates();
    for (const buffer of this.#eventBuffers) buffer.push(event);
    if (this.events.kind !== 'loaded') return;
    const merged = mergeEvents(this.events.value, [event], this.eventFilter, this.eventLimit);
    if (merged !== this.events.value) this.events = { kind: 'loaded', value: merged, at: this.#now() };
  }

  #applyConnection(connection: LiveConnection): void {
    this.live = connection;
    if (connection.state === 'live') {
      // Back after a gap: fetch what may have happened while nothing was pushed.
      if (this.#wasLive) {
        void Promise.all([
          this.refreshEvents(),
          this.refreshCertificates(),
          this.alarms.load(),
          this.tags.refreshValues(),
        ]);
      }
      this.#wasLive = true;
    }
  }
}

/** The list with the new events that match the filter, newest first, no duplicates; the same list if none. */
export function mergeEvents(
  list: readonly FailoverEvent[],
  incoming: readonly FailoverEvent[],
  filter: EventFilter,
  limit: number,
): FailoverEvent[] {
  const known = new Set(list.map((e) => e.id));
  const fresh = incoming.filter((e) => !known.has(e.id) && (filter === 'all' || e.kind === filter));
  if (fresh.length === 0) return list as FailoverEvent[];
  return [...fresh, ...list].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, limit);
}
