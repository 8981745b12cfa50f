/**
 * The pair as one Sparkplug B edge node (docs/rules.md "Plant interfaces 2"; docs/sparkplug.md). Only the
 * active node holds the MQTT session; every session starts from what the pair has published (the retained
 * mark), takes the next bdSeq, births (NBIRTH, then a DBIRTH per device with current values), sends what the
 * broker lacks as historical, then publishes each change as DDATA of its device. Leaving the active role
 * ends the session at once, with its NDEATH.
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import type { TimerHandle } from '../../clock/index.ts';
import type { BufferedValue } from '../../history/index.ts';
import type { TagDefinition } from '../../protocol/config-items.ts';
import type { Status } from '../../redundancy/index.ts';
import {
  baseOptions,
  connectEdge,
  describeFailure,
  endWithin,
  readAndReplaceRetained,
} from './broker-connection.ts';
import { decodeMark, encodeMark, laterOf, type TagMark } from './published-mark.ts';
import { handleCommand, hostStateAction } from './sparkplug-commands.ts';
import { makePlan, pendingSamples, StandbyPolls, waitingCount, type Polled } from './catch-up.ts';
import type { SparkplugEdgePorts } from './edge-ports.ts';
import { EdgeSession, type SessionTags } from './edge-session.ts';
import { SessionRetry } from './session-retry.ts';
import { deviceIdOf } from './sparkplug-devices.ts';
import {
  deathPayload,
  decodeEcho,
  deviceTopic,
  markTopic,
  nodeTopic,
  stateTopic,
  type EdgeIdentity,
  type MetricSample,
} from './sparkplug-payloads.ts';
import type { SparkplugView } from './sparkplug-view.ts';

/** MQTT 5 reason code: another connection took the edge node's client id (the other node of a split). */
const SESSION_TAKEN_OVER = 142;

export class SparkplugEdge {
  readonly #p: SparkplugEdgePorts;
  readonly #id: EdgeIdentity;
  readonly #url: string;
  readonly #clientId: string;
  #state: SparkplugView['state'] = 'off';
  #session: EdgeSession | null = null;
  /** Grows with every session attempt and every end; a callback of an older attempt does nothing. */
  #attempt = 0;
  readonly #retry: SessionRetry;
  /** The second look at the catch-up plan (a detection window after the birth, and whenever history arrives). */
  #late: TimerHandle | null = null;
  #lateLook: (() => void) | null = null;
  #stopped = false;
  #bdSeq: number | null = null;
  /** What the broker confirmed holding (its PUBACK of the mark, or the DDATA back); a session's sent is its own. */
  #confirmed = new Map<string, TagMark>();
  #lastBirthAt: number | null = null;
  /** What this node polled as a warm standby lately, for the first birth after it takes over. */
  readonly #standbyPolled: StandbyPolls;
  #problem: string | null = null;
  readonly #unwatchConfig: () => void;
  #syncQueued = false;

  constructor(ports: SparkplugEdgePorts) {
    this.#p = ports;
    const s = ports.settings;
    this.#url = s.mqttUrl ?? '';
    this.#standbyPolled = new StandbyPolls(2 * ports.detectionWindowMs);
    this.#retry = new SessionRetry(ports.clock, s.timing, ports.random ?? Math.random);
    this.#id = { group: s.sparkplugGroup ?? '', edgeNode: s.sparkplugEdgeNode ?? s.name };
    // Both nodes use the same client id: a broker holds one session per id, so it never serves both.
    this.#clientId = `tandem-${this.#id.group}-${this.#id.edgeNode}`.slice(0, 120);
    // Told as the change takes its place: the devices follow once it has (one look for a burst of changes).
    this.#unwatchConfig = ports.data.watchConfig(() => {
      if (this.#syncQueued) return;
      this.#syncQueued = true;
      queueMicrotask(() => {
        this.#syncQueued = false;
        if (!this.#stopped) this.#followConfig();
      });
    });
  }

  get identity(): EdgeIdentity {
    return this.#id;
  }

  /** Follows the node's role: connect when active, end the session at once otherwise. */
  statusChanged(status: Status): void {
    if (this.#stopped) return;
    if (status === 'active') {
      if (this.#state === 'off') this.#connect();
    } else if (this.#state !== 'off') {
      void this.#end(`this node is ${status}`, 'off');
    }
  }

  /**
   * Values that changed on this node: published at once when born, as DDATA of their device (on change); a
   * device whose tags all turn bad gets its DDEATH, and a DBIRTH again with its first value not bad.
   */
  valuesChanged(values: readonly Polled[]): void {
    const session = this.#session;
    if (!session?.born) return;
    if (session.publishChanges(values, this.#tags(), this.#p.clock.now())) this.#publishMark(session);
  }

  /** The config changed: removed devices get a DDEATH, new ones a DBIRTH, changed ones both. */
  #followConfig(): void {
    const session = this.#session;
    if (!session?.born) return;
    const { deaths, births } = session.followConfig(this.#tags(), this.#p.clock.now());
    if (births.length > 0) this.#publishMark(session);
    if (deaths.length + births.length > 0)
      this.#p.logger.info({ deaths, births }, 'Sparkplug: devices follow the config');
  }

  /**
   * What this node polled as a warm standby: kept for one detection window (and a margin), so the birth after
   * a take-over can send what the old active polled but never published (docs/sparkplug.md).
   */
  standbyPolled(values: readonly BufferedValue[]): void {
    this.#standbyPolled.push(values);
  }

  /** The history pulled from the peer added samples: what it polled while standing down may be among them. */
  historyArrived(): void {
    this.#lateLook?.();
  }

  /** Ends the session (NDEATH first) within a short bound; the node's stop never waits on the broker. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unwatchConfig();
    await this.#end('the node is stopping', 'off');
  }

  view(): SparkplugView {
    const s = this.#p.settings;
    const waiting = () =>
      waitingCount(this.#p.history, this.#definitions().keys(), this.#confirmed, s.sparkplugBufferSamples);
    return {
      state: this.#state,
      broker: this.#url,
      group: this.#id.group,
      edgeNode: this.#id.edgeNode,
      primaryHost: s.sparkplugPrimaryHost,
      bdSeq: this.#bdSeq,
      lastBirthAt: this.#lastBirthAt === null ? null : new Date(this.#lastBirthAt).toISOString(),
      buffered: this.#state === 'off' || this.#state === 'online' ? 0 : waiting(),
      problem: this.#problem,
    };
  }

  #connect(): void {
    const attempt = ++this.#attempt;
    this.#state = 'connecting';
    void this.#open(attempt).catch((error: unknown) => this.#failed(attempt, describeFailure(error)));
  }

  /**
   * Claims the next bdSeq before connecting as the edge node: the mark on the broker carries it from here on,
   * so every connection, even one taken over or lost before its NBIRTH (whose will the broker still
   * publishes), has a bdSeq of its own (docs/sparkplug.md "bdSeq across the pair").
   */
  async #open(attempt: number): Promise<void> {
    const { pingTimeoutMs } = this.#p.settings.timing;
    const options = baseOptions(this.#p.settings, pingTimeoutMs);
    const look = `${this.#clientId}-look-${randomBytes(4).toString('hex')}`.slice(0, 120);
    let bdSeq = 0;
    await readAndReplaceRetained(this.#url, options, look, markTopic(this.#id), pingTimeoutMs, (found) => {
      const mark = found ? decodeMark(found) : null;
      // bdSeq goes on from the pair's last connection (the mark), or this node's when the broker forgot.
      const last = mark?.bdSeq ?? this.#bdSeq;
      bdSeq = last === null ? 0 : (last + 1) % 256;
      if (mark) this.#confirmed = laterOf(this.#confirmed, mark.tags);
      return encodeMark({ bdSeq, tags: this.#confirmed });
    });
    this.#bdSeq = bdSeq;
    if (attempt !== this.#attempt) return;
    this.#startSession(attempt, bdSeq, options);
  }

  #startSession(attempt: number, bdSeq: number, options: IClientOptions): void {
    const will = { topic: nodeTopic(this.#id, 'NDEATH'), payload: deathPayload(bdSeq, this.#p.clock.now()) };
    const client = connectEdge(
      this.#url,
      options,
      this.#clientId,
      will,
      this.#p.settings.timing.pingTimeoutMs,
    );
    const session = new EdgeSession(client, bdSeq, this.#id);
    this.#session = session;
    let takenOver = false;
    client.on('error', (error) => this.#noteProblem(describeFailure(error)));
    client.on('disconnect', (packet) => {
      takenOver = packet.reasonCode === SESSION_TAKEN_OVER;
    });
    client.on('close', () => {
      if (attempt !== this.#attempt) return;
      this.#failed(
        attempt,
        takenOver
          ? 'another connection took the edge node (the other node of a split?)'
          : (this.#problem ?? 'the broker closed the connection'),
        takenOver,
      );
    });
    client.on('message', (topic, payload) => {
      if (attempt === this.#attempt) this.#onMessage(session, topic, payload);
    });
    client.on('connect', () => {
      if (attempt !== this.#attempt) return;
      this.#problem = null;
      const host = this.#p.settings.sparkplugPrimaryHost;
      // Its own DDATA too: what the broker sends back it has processed (docs/sparkplug.md "Published up to").
      const devices = (['DCMD', 'DDATA'] as const).map((type) => deviceTopic(this.#id, type, '+'));
      const topics = [nodeTopic(this.#id, 'NCMD'), ...devices];
      if (host) topics.push(stateTopic(host));
      client.subscribe(topics, { qos: 1 }, (error, granted) => {
        if (attempt !== this.#attempt) return;
        const refused = (granted ?? []).filter((g) => g.qos >= 128).map((g) => g.topic);
        if (error || refused.length > 0) {
          this.#noteProblem(`the broker refused the subscription to ${refused.join(', ') || String(error)}`);
        }
        if (!host) this.#birth(session, true);
        else if (!session.born) this.#state = 'waiting-host';
      });
    });
  }

  #onMessage(session: EdgeSession, topic: string, payload: Buffer): void {
    const host = this.#p.settings.sparkplugPrimaryHost;
    if (host && topic === stateTopic(host)) return this.#onHostState(session, payload);
    // Its own DDATA back: the broker processed it, even if it stops before taking the mark that follows.
    if (topic.split('/')[2] === 'DDATA') {
      this.#confirmed = laterOf(this.#confirmed, decodeEcho(payload));
      return;
    }
    handleCommand(topic, payload, {
      data: this.#p.data,
      logger: this.#p.logger,
      rebirth: () => {
        if (session.born) this.#birth(session, false);
      },
      deviceOf: (tag) => {
        const definition = this.#p.data.tagDefinition(tag);
        return definition ? deviceIdOf(definition) : undefined;
      },
      refused: (reason) => this.#noteProblem(reason),
    });
  }

  /** Sparkplug 3.0 §5.3: births wait for the primary host online; its offline newer than that ends the session. */
  #onHostState(session: EdgeSession, payload: Buffer): void {
    const action = hostStateAction(payload, session, this.#p.logger);
    if (action === 'birth') this.#birth(session, true);
    if (action !== 'start-over') return;
    const attempt = this.#attempt;
    void this.#end('the primary host is offline', 'retrying').then(() => {
      if (attempt + 1 === this.#attempt) this.#scheduleRetry();
    });
  }

  /**
   * NBIRTH, then a DBIRTH per device with its tags' current values; then, once per session, what the broker
   * lacks, as historical DDATA of each device. A device that is offline gets its DDEATH after that.
   */
  #birth(session: EdgeSession, catchUp: boolean): void {
    const now = this.#p.clock.now();
    const tags = this.#tags();
    const current = new Map(this.#p.data.currentValues().map((v) => [v.name, v]));
    const from = catchUp ? this.#confirmed : session.sent;
    session.sent = new Map(from);
    session.birth(tags, now);
    this.#state = 'online';
    this.#retry.succeeded();
    this.#lastBirthAt = now;
    const historical = catchUp ? this.#catchUp(session, tags.definitions, current, from) : [];
    session.publishHistorical(historical, tags, now);
    session.buryOffline(tags, now);
    this.#publishMark(session);
    this.#p.logger.info(
      { bdSeq: session.bdSeq, metrics: tags.definitions.size, historical: historical.length },
      'Sparkplug: NBIRTH and DBIRTHs published',
    );
  }

  /** The plan of what the broker lacks; sent now, and asked again once the peer's history has arrived. */
  #catchUp(
    session: EdgeSession,
    definitions: ReadonlyMap<string, TagDefinition>,
    current: ReadonlyMap<string, Polled>,
    from: ReadonlyMap<string, TagMark>,
  ): MetricSample[] {
    const birth = new Map([...current].filter(([name]) => definitions.has(name)));
    const polled = this.#standbyPolled.take();
    const plan = makePlan(new Map(from), birth, polled, this.#p.nodeId);
    const { history, logger, settings } = this.#p;
    const send = (): MetricSample[] =>
      pendingSamples(plan, history, settings.sparkplugBufferSamples, definitions, logger, (name) =>
        session.firstLive.get(name),
      );
    this.#lateLook = () => {
      if (this.#session !== session || !session.born) return;
      const late = send();
      if (late.length === 0) return;
      this.#p.logger.info({ historical: late.length }, 'Sparkplug: samples from the peer sent as historical');
      session.publishHistorical(late, this.#tags(), this.#p.clock.now());
      this.#publishMark(session);
    };
    if (this.#late) this.#p.clock.clearTimeout(this.#late);
    this.#late = this.#p.clock.setTimeout(() => this.#lateLook?.(), this.#p.detectionWindowMs);
    return send();
  }

  /** The mark goes after the data on the same connection: once the broker acknowledges it, it holds both. */
  #publishMark(session: EdgeSession): void {
    const snapshot = new Map(session.sent);
    session.client.publish(
      markTopic(this.#id),
      encodeMark({ bdSeq: session.bdSeq, tags: snapshot }),
      { qos: 1, retain: true },
      (error) => {
        if (!error) this.#confirmed = laterOf(this.#confirmed, snapshot);
      },
    );
  }

  #definitions(): Map<string, TagDefinition> {
    return new Map(this.#p.data.tags().map((t) => [t.key, t.definition]));
  }

  #tags(): SessionTags {
    const { data } = this.#p;
    return { definitions: this.#definitions(), current: (name) => data.currentValue(name) };
  }

  #failed(attempt: number, problem: string, takenOver = false): void {
    if (attempt !== this.#attempt || this.#stopped) return;
    this.#noteProblem(problem);
    this.#session?.client.end(true);
    this.#session = null;
    this.#state = 'retrying';
    this.#scheduleRetry(takenOver);
  }

  #scheduleRetry(takenOver = false): void {
    this.#retry.schedule(() => {
      if (!this.#stopped && this.#p.status() === 'active' && this.#state === 'retrying') this.#connect();
    }, takenOver);
  }

  /**
   * The end of the session, within a short bound. A born session's NDEATH is its will, which the broker
   * publishes once: on this DISCONNECT (reason 4, "with will"), on a takeover of the client id by the other
   * node, or when the connection is lost; never twice (docs/sparkplug.md "One NDEATH per session").
   */
  async #end(reason: string, next: 'off' | 'retrying'): Promise<void> {
    this.#attempt++;
    if (this.#late) this.#p.clock.clearTimeout(this.#late);
    this.#late = null;
    this.#lateLook = null;
    this.#retry.cancel();
    const session = this.#session;
    this.#session = null;
    this.#state = next;
    if (!session) return;
    this.#p.logger.info({ bdSeq: session.bdSeq, reason }, 'Sparkplug: session ended');
    const bound = Math.min(this.#p.settings.timing.pingTimeoutMs, 2000);
    await endWithin(session.client, bound, session.born ? 'publish-will' : 'discard-will');
  }

  #noteProblem(problem: string): void {
    if (problem !== this.#problem) this.#p.logger.warn({ broker: this.#url }, `Sparkplug: ${problem}`);
    this.#problem = problem;
  }
}
