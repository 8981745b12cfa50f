/**
 * NCMD and DCMD (docs/sparkplug.md "Commands"): a metric is a write to the tag of that name, through the same
 * path as the API (`DataCommands.writeTag`: the device write, the command ledger, replication to the peer
 * before it counts). A DCMD writes only tags of its device; an NCMD may name any tag (hosts that know the
 * pair from before its devices did so). `Node Control/Rebirth` births again. What cannot be done is refused
 * and logged; the node runs on.
 */
import type { Logger } from '../../logging.ts';
import type { EdgeData } from './edge-ports.ts';
import { decodeCommand, parseState, REBIRTH_METRIC, type CommandMetric } from './sparkplug-payloads.ts';

export interface CommandPorts {
  readonly data: Pick<EdgeData, 'writeTag'>;
  readonly logger: Logger;
  rebirth(): void;
  /** The Sparkplug device a tag belongs to; undefined for an unknown tag. */
  deviceOf(tag: string): string | undefined;
  /** A command that was refused, in words for the status view. */
  refused(reason: string): void;
}

export function handleCommand(topic: string, payload: Buffer, ports: CommandPorts): void {
  const [, , kind, , device] = topic.split('/');
  if (kind !== 'NCMD' && kind !== 'DCMD') return;
  let metrics: CommandMetric[];
  try {
    metrics = decodeCommand(payload);
  } catch (error) {
    const reason = `a ${kind} payload that is not Sparkplug B was ignored (${error instanceof Error ? error.message : String(error)})`;
    ports.logger.warn({ topic, bytes: payload.length }, `Sparkplug: ${reason}`);
    ports.refused(reason);
    return;
  }
  for (const metric of metrics) {
    if (kind === 'NCMD' && metric.name === REBIRTH_METRIC) {
      if (metric.value === true) ports.rebirth();
      continue;
    }
    const misplaced = kind === 'DCMD' ? misplacedMetric(metric.name, device ?? '', ports) : null;
    if (misplaced) {
      ports.logger.warn({ topic, metric: metric.name }, `Sparkplug: ${misplaced}`);
      ports.refused(misplaced);
      continue;
    }
    void write(metric, kind, ports);
  }
}

/** Why a DCMD metric is not its device's to write, or null. An unknown tag goes on to the write, which refuses it. */
function misplacedMetric(name: string, device: string, ports: CommandPorts): string | null {
  const owner = ports.deviceOf(name);
  if (owner === undefined || owner === device) return null;
  return `DCMD to device "${device}" refused for "${name}": the tag is on device "${owner}"`;
}

async function write(metric: CommandMetric, kind: string, ports: CommandPorts): Promise<void> {
  try {
    await ports.data.writeTag(metric.name, metric.value);
    ports.logger.info({ tag: metric.name, value: metric.value }, `Sparkplug: ${kind} wrote the tag`);
  } catch (error) {
    const reason = `${kind} write to "${metric.name}" refused: ${error instanceof Error ? error.message : String(error)}`;
    ports.logger.warn({ tag: metric.name, code: (error as { code?: unknown }).code }, `Sparkplug: ${reason}`);
    ports.refused(reason);
  }
}

/**
 * The primary host's STATE (Sparkplug 3.0): online lets the births go (and is remembered); offline at least as
 * new as that online ends the session, which then starts over. Anything else is logged and ignored.
 */
export function hostStateAction(
  payload: Buffer,
  session: { born: boolean; hostOnlineAt: number | null },
  logger: Logger,
): 'birth' | 'start-over' | 'none' {
  const state = parseState(payload);
  if (!state) {
    logger.warn(
      { payload: payload.toString('utf8').slice(0, 200) },
      'Sparkplug: a STATE message that is not { online, timestamp } was ignored',
    );
    return 'none';
  }
  if (state.online) {
    session.hostOnlineAt = state.timestamp;
    return session.born ? 'none' : 'birth';
  }
  if (session.born && session.hostOnlineAt !== null && state.timestamp >= session.hostOnlineAt) {
    logger.warn('Sparkplug: the primary host went offline; NDEATH, then the session starts over');
    return 'start-over';
  }
  return 'none';
}
