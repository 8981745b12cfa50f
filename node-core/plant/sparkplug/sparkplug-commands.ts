/**
 * NCMD and DCMD (docs/sparkplug.md "Commands"): a metric write goes through the same path as the API
 * (`DataService.writeTag`: the device write, the command ledger, replication to the peer before it counts);
 * `Node Control/Rebirth` births again. What cannot be done is refused and logged; the node runs on.
 */
import type { DataService } from '../../data/index.ts';
import type { Logger } from '../../logging.ts';
import { decodeCommand, REBIRTH_METRIC, type CommandMetric } from './sparkplug-payloads.ts';

export interface CommandPorts {
  readonly data: DataService;
  readonly logger: Logger;
  rebirth(): void;
  /** A command that was refused, in words for the status view. */
  refused(reason: string): void;
}

export function handleCommand(topic: string, payload: Buffer, ports: CommandPorts): void {
  const kind = topic.split('/')[2];
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
    if (metric.name === REBIRTH_METRIC) {
      if (metric.value === true) ports.rebirth();
      continue;
    }
    void write(metric, kind, ports);
  }
}

async function write(metric: CommandMetric, kind: string, ports: CommandPorts): Promise<void> {
  try {
    await ports.data.writeTag(metric.name, metric.value, undefined);
    ports.logger.info({ tag: metric.name, value: metric.value }, `Sparkplug: ${kind} wrote the tag`);
  } catch (error) {
    const reason = `${kind} write to "${metric.name}" refused: ${error instanceof Error ? error.message : String(error)}`;
    ports.logger.warn({ tag: metric.name, code: (error as { code?: unknown }).code }, `Sparkplug: ${reason}`);
    ports.refused(reason);
  }
}
