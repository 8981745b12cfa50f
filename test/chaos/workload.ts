/**
 * The clients of a chaos schedule: a few writers, each owning its own keys (config tags, a value tag, an
 * alarm), so that a write can only be superseded by the same writer's later write. Each call follows a
 * standby's 307 and fails over between the two nodes like node-core/client/tandem-client.ts, retries with the
 * same uid (or the same body) until it is answered, and every attempt and outcome is recorded for the
 * checker.
 */
import { Prng } from '../simulation/prng.ts';

export type OpKind = 'config' | 'write' | 'ack';

export interface Attempt {
  readonly node: string;
  readonly at: number;
  readonly answeredAt: number;
  /** HTTP status, or 0 when the request did not get an answer (refused, reset, timed out). */
  readonly status: number;
  readonly error: string | null;
  /** The `executed` of a command's answer. */
  readonly executed: boolean | null;
}

export interface Op {
  readonly id: number;
  readonly writer: number;
  readonly kind: OpKind;
  /** The config tag, the value tag or the alarm id. */
  readonly key: string;
  /** What the op sets: the config description marker, the tag value, the ack's `by`. */
  readonly value: string | number;
  readonly uid: string | null;
  /**
   * A command sent again with the uid of an earlier acknowledged op (its id), as a client does whose answer
   * was lost: it must answer `executed: false` and change nothing.
   */
  readonly repeatOf: number | null;
  readonly issuedAt: number;
  readonly attempts: Attempt[];
  /**
   * `ok`: a 200 (acknowledged). `refused`: a 4xx other than 401 after only answered attempts: nothing was
   * done. `gave-up`: no 200 within the bound (or a 4xx after an attempt that got no answer): it may or may
   * not have happened.
   */
  outcome: 'pending' | 'ok' | 'refused' | 'gave-up';
  doneAt: number | null;
}

export interface WorkloadOptions {
  readonly nodes: readonly string[];
  readonly token: string;
  readonly writers: number;
  readonly seed: number;
  /** How long one attempt may take before the client moves to the other node. */
  readonly attemptTimeoutMs: number;
  /** How long one op is retried before the writer gives up on it. */
  readonly opBoundMs: number;
}

/**
 * Each writer's keys: a few config tags it writes again and again (a later write replaces an earlier one),
 * config tags it makes once each (so every acknowledged PUT of those is checked on its own, not only the
 * last one per key), a few value tags it writes in turn, and one alarm.
 */
export function configKey(writer: number, slot: number): string {
  return `chaos-w${writer}-c${slot}`;
}
export function freshKey(writer: number, n: number): string {
  return `chaos-w${writer}-n${n}`;
}
export function valueTag(writer: number, slot: number): string {
  return `chaos-w${writer}-v${slot}`;
}
export function alarmTag(writer: number): string {
  return `chaos-w${writer}-a`;
}
export const CONFIG_SLOTS = 4;
export const VALUE_SLOTS = 6;
/** The alarm rule on each writer's alarm tag: raised above 50. */
export const ALARM_RAISE = 100;
export const ALARM_CLEAR = 0;

export function tagDefinition(description: string): object {
  return { dataType: 'float', source: { kind: 'memory' }, description };
}

export class Workload {
  readonly ops: Op[] = [];
  readonly #o: WorkloadOptions;
  #stopping = false;
  #running: Promise<void>[] = [];
  #nextId = 0;

  constructor(options: WorkloadOptions) {
    this.#o = options;
  }

  /** The keys every writer works on: made once before the faults, through the same client. */
  async setUp(): Promise<void> {
    const client = new PairClient(this.#o, -1);
    for (let w = 0; w < this.#o.writers; w++) {
      for (let slot = 0; slot < CONFIG_SLOTS; slot++)
        await this.#must(client, 'PUT', `/api/config/tags/${configKey(w, slot)}`, tagDefinition('setup'));
      for (let slot = 0; slot < VALUE_SLOTS; slot++)
        await this.#must(client, 'PUT', `/api/config/tags/${valueTag(w, slot)}`, tagDefinition('values'));
      await this.#must(client, 'PUT', `/api/config/tags/${alarmTag(w)}`, tagDefinition('alarm'));
      await this.#must(client, 'PUT', `/api/config/alarm-rules/${alarmTag(w)}`, {
        tag: alarmTag(w),
        condition: 'high',
        threshold: 50,
      });
    }
  }

  async #must(client: PairClient, method: string, path: string, body: unknown): Promise<void> {
    const answer = await client.call(method, path, body, Date.now() + 30_000);
    if (answer.status !== 200) throw new Error(`setup ${method} ${path}: ${answer.status} ${answer.text}`);
  }

  start(): void {
    for (let w = 0; w < this.#o.writers; w++) this.#running.push(this.#writer(w));
  }

  /** No new ops; resolves once every op in flight has its outcome. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#running);
  }

  async #writer(w: number): Promise<void> {
    const random = new Prng(this.#o.seed * 1000 + w);
    const client = new PairClient(this.#o, w);
    let counter = 0;
    let valueSlot = 0;
    // The alarm's cycle: raise it, acknowledge it, clear it.
    let alarmStep: 'raise' | 'ack' | 'clear' = 'raise';
    /** This writer's recent acknowledged commands, for repeats. */
    const done: { op: Op; request: { path: string; body: unknown } }[] = [];
    const command = async (
      what: Pick<Op, 'writer' | 'kind' | 'key' | 'value' | 'uid'>,
      request: { path: string; body: unknown },
    ): Promise<Op> => {
      const op = await this.#run(client, { ...what, repeatOf: null }, 'POST', request);
      if (op.outcome === 'ok') done.push({ op, request });
      if (done.length > 40) done.shift();
      return op;
    };
    while (!this.#stopping) {
      const roll = random.next();
      const n = ++counter;
      const uid = `w${w}-u${n}`;
      if (roll < 0.08 && done.length > 0) {
        const { op: first, request } = done[random.int(0, done.length - 1)]!;
        const { kind, key, value } = first;
        await this.#run(
          client,
          { writer: w, kind, key, value, uid: first.uid, repeatOf: first.id },
          'POST',
          request,
        );
      } else if (roll < 0.45) {
        const marker = `w${w}#${n}`;
        const key = random.chance(0.5) ? freshKey(w, n) : configKey(w, random.int(0, CONFIG_SLOTS - 1));
        await this.#run(
          client,
          { writer: w, kind: 'config', key, value: marker, uid: null, repeatOf: null },
          'PUT',
          {
            path: `/api/config/tags/${key}`,
            body: tagDefinition(marker),
          },
        );
      } else if (roll < 0.8) {
        const key = valueTag(w, valueSlot++ % VALUE_SLOTS);
        await command(
          { writer: w, kind: 'write', key, value: n, uid },
          { path: `/api/tags/${key}/write`, body: { value: n, uid } },
        );
      } else if (alarmStep === 'ack') {
        const by = `w${w}#${n}`;
        const key = alarmTag(w);
        const op = await command(
          { writer: w, kind: 'ack', key, value: by, uid },
          { path: `/api/alarms/${key}/ack`, body: { by, uid } },
        );
        alarmStep = op.outcome === 'refused' ? 'raise' : 'clear';
      } else {
        const value = alarmStep === 'raise' ? ALARM_RAISE : ALARM_CLEAR;
        const key = alarmTag(w);
        await command(
          { writer: w, kind: 'write', key, value, uid },
          { path: `/api/tags/${key}/write`, body: { value, uid } },
        );
        alarmStep = alarmStep === 'raise' ? 'ack' : 'raise';
      }
      await new Promise((r) => setTimeout(r, random.int(5, 40)));
    }
  }

  async #run(
    client: PairClient,
    what: Pick<Op, 'writer' | 'kind' | 'key' | 'value' | 'uid' | 'repeatOf'>,
    method: string,
    request: { path: string; body: unknown },
  ): Promise<Op> {
    const op: Op = {
      id: this.#nextId++,
      ...what,
      issuedAt: Date.now(),
      attempts: [],
      outcome: 'pending',
      doneAt: null,
    };
    this.ops.push(op);
    const answer = await client.call(
      method,
      request.path,
      request.body,
      op.issuedAt + this.#o.opBoundMs,
      op.attempts,
    );
    // Refused only when no attempt before the 4xx could have been done (no answer, or a 5xx).
    const ambiguous = op.attempts.some((a) => a.status === 0 || a.status >= 500);
    op.outcome =
      answer.status === 200
        ? 'ok'
        : answer.status >= 400 && answer.status < 500 && answer.status !== 401 && !ambiguous
          ? 'refused'
          : 'gave-up';
    op.doneAt = Date.now();
    return op;
  }
}

/** One writer's view of the pair: which node it talks to now, and how one call goes around both. */
class PairClient {
  readonly #o: WorkloadOptions;
  #current: number;

  constructor(options: WorkloadOptions, writer: number) {
    this.#o = options;
    this.#current = writer < 0 ? 0 : writer % options.nodes.length;
  }

  /**
   * Repeats the call (same body, so the same uid) until a node answers it with something other than "not
   * now" or the deadline passes. 307s are followed; no answer, a 503 or a 5xx moves to the other node.
   */
  async call(
    method: string,
    path: string,
    body: unknown,
    deadline: number,
    attempts: Attempt[] = [],
  ): Promise<{ status: number; text: string }> {
    let last = { status: 0, text: 'no attempt' };
    let tries = 0;
    while (Date.now() < deadline) {
      let base = this.#o.nodes[this.#current]!;
      for (let redirects = 0; redirects <= 3; redirects++) {
        const at = Date.now();
        let status = 0;
        let text = '';
        let error: string | null = null;
        let location: string | null = null;
        try {
          const response = await fetch(base + path, {
            method,
            redirect: 'manual',
            headers: { authorization: `Bearer ${this.#o.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(this.#o.attemptTimeoutMs),
          });
          status = response.status;
          location = response.headers.get('location');
          text = await response.text();
        } catch (e) {
          error = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
        }
        attempts.push({
          node: base,
          at,
          answeredAt: Date.now(),
          status,
          error: error ?? (status >= 300 ? text.slice(0, 200) : null),
          executed: executedOf(text),
        });
        last = { status, text };
        if ((status === 307 || status === 308) && location) {
          const target = new URL(location).origin;
          const known = this.#o.nodes.indexOf(target);
          if (known >= 0) this.#current = known;
          base = target;
          continue;
        }
        if (status === 200) return last;
        if (status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429) return last;
        break;
      }
      // Not answered here: the other node may be the active one now.
      this.#current = (this.#current + 1) % this.#o.nodes.length;
      tries++;
      if (tries % this.#o.nodes.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    return last.status === 200 ? last : { status: last.status === 0 ? 0 : last.status, text: last.text };
  }
}

function executedOf(text: string): boolean | null {
  if (!text.includes('"executed"')) return null;
  try {
    const parsed = JSON.parse(text) as { executed?: unknown };
    return typeof parsed.executed === 'boolean' ? parsed.executed : null;
  } catch {
    return null;
  }
}
