/**
 * The plant interfaces' ports (OPC UA, Sparkplug B; docs/architecture.md "The ports"), built here in the
 * composition root from the same query and command ports the API gets (ports.ts), plus the few redundancy facts
 * only the node knows. plant/ never sees the node nor its DataService.
 */
import type { Clock } from '../clock/index.ts';
import type { AlarmState, TagDefinition } from '../data/index.ts';
import { detectionWindowMs } from '../history/index.ts';
import type { Logger } from '../logging.ts';
import type { OpcUaNode } from '../plant/opcua/index.ts';
import type { SparkplugEdge, SparkplugEdgePorts } from '../plant/sparkplug/index.ts';
import type { ApiPorts } from './ports.ts';
import type { NodeParts } from './node-parts.ts';
import type { TandemNode } from './tandem-node.ts';

const millis = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

export function opcuaPortsOf(node: TandemNode, api: ApiPorts, parts: NodeParts): OpcUaNode {
  const { data, commands, status, notices } = api;
  return {
    nodeId: node.nodeId,
    get status() {
      return status.status;
    },
    statusView: () => status.statusView(),
    peerOpcuaPort: () => node.peerOpcuaPort(),
    redundancyHealth: () => node.redundancyHealth(),
    deviceCount: () => data.configItems('device').length,
    deviceFaultCount: () => Object.keys(parts.workload.deviceFaults()).length,
    tags: () =>
      data.configItems<TagDefinition>('tag').map(({ key, definition }) => ({ name: key, definition })),
    read: (name) => data.readTag(name),
    write: async (name, value, uid) => (await commands.writeTag(name, value, uid)).executed,
    definition: (name) => data.tagDefinition(name),
    alarms: () =>
      data.alarms().map((alarm) => ({
        ...alarm,
        activatedAt: millis(alarm.activatedAt),
        clearedAt: millis(alarm.clearedAt),
        ackedAt: millis(alarm.ackedAt),
      })),
    acknowledge: async (id, by) => {
      await commands.ackAlarm(id, by, undefined);
    },
    onData: (listener) => {
      const onData = (values: Parameters<typeof listener>[0], alarms: readonly AlarmState[]): void =>
        listener(
          values,
          alarms.map((a) => a.id),
        );
      notices.on('data', onData);
      return () => notices.off('data', onData);
    },
    onStatus: (listener) => {
      const onStatus = (): void => listener();
      notices.on('status', onStatus);
      return () => notices.off('status', onStatus);
    },
    watchConfig: (listener) => data.watchConfig(() => listener()),
  };
}

/** The gateway data as the Sparkplug edge reads and writes it, from the API's query and command ports. */
export function sparkplugDataOf({
  data,
  commands,
}: Pick<ApiPorts, 'data' | 'commands'>): SparkplugEdgePorts['data'] {
  return {
    tags: () => data.configItems<TagDefinition>('tag'),
    tagDefinition: (name) => data.tagDefinition(name),
    currentValues: () => data.currentValues(),
    // readTag's placeholder before a first value (ts null) is no value to publish.
    currentValue: (name) => {
      const value = data.readTag(name);
      return value && value.ts !== null ? value : undefined;
    },
    watchConfig: (listener) => data.watchConfig(() => listener()),
    writeTag: (name, value) => commands.writeTag(name, value, undefined),
  };
}

/**
 * The one place a node meets Sparkplug: made when a broker is set, the edge follows the node's role and
 * values. Start and stop never wait on the broker beyond a short bound (docs/sparkplug.md "Start and stop").
 * `Edge` is the class, imported by the composition root only when a broker is set.
 */
export function attachSparkplug(
  Edge: typeof SparkplugEdge,
  node: TandemNode,
  dataPorts: Pick<ApiPorts, 'data' | 'commands'>,
  parts: NodeParts,
  clock: Clock,
  logger: Logger,
): SparkplugEdge | null {
  if (!node.settings.mqttUrl) return null;
  const { workload } = parts;
  const edge = new Edge({
    settings: node.settings,
    data: sparkplugDataOf(dataPorts),
    history: workload.history,
    nodeId: node.nodeId,
    detectionWindowMs: detectionWindowMs(node.settings.timing),
    clock,
    logger,
    status: () => node.status,
  });
  node.on('status', (status) => edge.statusChanged(status));
  node.on('data', (values) => edge.valuesChanged(values));
  workload.onWarmValues((values) => edge.standbyPolled(values));
  workload.onHistoryReceived(() => edge.historyArrived());
  return edge;
}
