/**
 * The alarm rules as OPC UA alarm conditions (docs/opcua.md "Alarms"): one AlarmConditionType instance per
 * rule under Objects/Tandem/Alarms, its states those of the node's alarm service (evaluated on the active
 * node, replicated to the standby). Activation, acknowledgement and return raise an event that reaches the
 * Server object. A client's Acknowledge goes to `acknowledge`, the dashboard's path; Disable and Enable are
 * refused, since the rules are Tandem's config.
 */
import {
  DataType,
  LocalizedText,
  resolveNodeId,
  StatusCodes,
  WellKnownRoles,
  type AddressSpace,
  type ISessionContext,
  type Namespace,
  type StatusCode,
  type UAAlarmConditionEx,
  type UAFolder,
  type UAObject,
  type Variant,
} from 'node-opcua';
import type { AlarmRule } from '../../data/alarm-rule.ts';
import { tagNodeId } from './tag-space.ts';
import { STANDBY_REFUSAL } from './write-status.ts';

/** An alarm rule with its state as the node holds it (times in ms since the epoch). */
export interface AlarmShown {
  readonly id: string;
  readonly rule: AlarmRule;
  readonly active: boolean;
  readonly acked: boolean;
  readonly ackedBy: string | null;
  readonly activatedAt: number | null;
  readonly clearedAt: number | null;
  readonly ackedAt: number | null;
}

export interface AlarmSpacePorts {
  alarms(): readonly AlarmShown[];
  isActive(): boolean;
  /** The dashboard's acknowledgement path; answers the StatusCode the client gets. */
  acknowledge(id: string, by: string): Promise<StatusCode>;
}

/** OPC UA Severity (1–1000; OPC 10000-9 §5.5.2 names 801–1000 High … 1–200 Low) for a rule's priority. */
const SEVERITY: Readonly<Record<AlarmRule['priority'], number>> = {
  low: 200,
  medium: 500,
  high: 700,
  critical: 900,
};

/** What the condition's Message says: the rule's message, else what it watches. */
function alarmMessage(rule: AlarmRule, active: boolean): string {
  const what =
    rule.message ??
    (rule.condition === 'high'
      ? `${rule.tag} above ${String(rule.threshold)}`
      : rule.condition === 'low'
        ? `${rule.tag} below ${String(rule.threshold)}`
        : `${rule.tag} equals ${JSON.stringify(rule.threshold)}`);
  return active ? what : `Back to normal: ${what}`;
}

interface Placed {
  readonly condition: UAAlarmConditionEx;
  readonly shape: string;
  active: boolean;
  acked: boolean;
}

export class AlarmSpace {
  readonly #namespace: Namespace;
  readonly #ports: AlarmSpacePorts;
  readonly #folder: UAObject;
  readonly #placed = new Map<string, Placed>();
  /** A client's comment with its Acknowledge, shown in the acknowledgement's event. */
  readonly #comments = new Map<string, string>();

  constructor(addressSpace: AddressSpace, namespace: Namespace, root: UAFolder, ports: AlarmSpacePorts) {
    this.#namespace = namespace;
    this.#ports = ports;
    addressSpace.installAlarmsAndConditionsService();
    const server = addressSpace.rootFolder.objects.server;
    // An event notifier under the Server object: the conditions' events reach a client subscribed there.
    this.#folder = namespace.addObject({
      browseName: 'Alarms',
      nodeId: `ns=${namespace.index};s=Tandem:Alarms`,
      typeDefinition: 'FolderType',
      organizedBy: root,
      eventNotifier: 1,
      eventSourceOf: server,
    });
    // Clients call the type's methods (i=9111 Acknowledge) on a condition as often as the instance's.
    const acknowledgeable = addressSpace.findEventType('AcknowledgeableConditionType') as unknown as UAObject;
    const conditionType = addressSpace.findEventType('ConditionType') as unknown as UAObject;
    acknowledgeable.getMethodByName('Acknowledge')?.bindMethod(this.#onAcknowledge);
    for (const name of ['Disable', 'Enable']) conditionType.getMethodByName(name)?.bindMethod(refused);
    this.sync();
  }

  get size(): number {
    return this.#placed.size;
  }

  /** Brings the conditions in line with the alarm rules: added, rebuilt when changed, removed. */
  sync(): void {
    const wanted = new Map(this.#ports.alarms().map((a) => [a.id, a]));
    for (const id of [...this.#placed.keys()]) if (!wanted.has(id)) this.#remove(id);
    for (const [id, alarm] of wanted) {
      const shape = JSON.stringify(alarm.rule);
      if (this.#placed.get(id)?.shape === shape) continue;
      this.#remove(id);
      this.#add(alarm, shape);
    }
  }

  /** Alarm states changed (here or replicated): each condition whose states moved raises its event. */
  update(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const byId = new Map(this.#ports.alarms().map((a) => [a.id, a]));
    for (const id of new Set(ids)) {
      const placed = this.#placed.get(id);
      const alarm = byId.get(id);
      if (!placed || !alarm) continue;
      const shown = ackedShown(alarm);
      if (alarm.active === placed.active && shown === placed.acked) continue;
      const ackedNow = shown && !placed.acked;
      this.#show(placed, alarm);
      const branch = placed.condition.currentBranch();
      if (ackedNow) {
        branch.setComment(this.#comments.get(id) ?? '');
        this.#comments.delete(id);
      }
      const at = ackedNow ? alarm.ackedAt : alarm.active ? alarm.activatedAt : alarm.clearedAt;
      placed.condition.raiseNewCondition({
        message: alarmMessage(alarm.rule, alarm.active),
        severity: SEVERITY[alarm.rule.priority],
        retain: retained(alarm),
        time: new Date(at ?? Date.now()),
      });
    }
  }

  #add(alarm: AlarmShown, shape: string): void {
    const ns = this.#namespace;
    const condition = ns.instantiateAlarmCondition('AlarmConditionType', {
      componentOf: this.#folder,
      conditionSource: this.#folder,
      browseName: alarm.id,
      nodeId: `ns=${ns.index};s=alarm:${alarm.id}`,
      conditionName: alarm.id,
      // A NodeId, not the variable: the tag may come later or be rebuilt; the node evaluates, not node-opcua.
      inputNode: resolveNodeId(tagNodeId(ns, alarm.rule.tag)),
    });
    condition.sourceNode.setValueFromSource({
      dataType: DataType.NodeId,
      value: resolveNodeId(tagNodeId(ns, alarm.rule.tag)),
    });
    condition.sourceName.setValueFromSource({ dataType: DataType.String, value: alarm.rule.tag });
    condition.getMethodByName('Acknowledge')?.bindMethod(this.#onAcknowledge);
    for (const name of ['Disable', 'Enable']) condition.getMethodByName(name)?.bindMethod(refused);
    const placed: Placed = { condition, shape, active: false, acked: true };
    this.#show(placed, alarm);
    const branch = condition.currentBranch();
    branch.setMessage(alarmMessage(alarm.rule, alarm.active));
    branch.setSeverity(SEVERITY[alarm.rule.priority]);
    branch.setRetain(retained(alarm));
    this.#placed.set(alarm.id, placed);
  }

  #show(placed: Placed, alarm: AlarmShown): void {
    const branch = placed.condition.currentBranch();
    placed.active = alarm.active;
    placed.acked = ackedShown(alarm);
    branch.setActiveState(placed.active);
    branch.setAckedState(placed.acked);
    if (alarm.ackedBy !== null) branch.setClientUserId(alarm.ackedBy);
  }

  #remove(id: string): void {
    const placed = this.#placed.get(id);
    if (!placed) return;
    this.#placed.delete(id);
    this.#namespace.addressSpace.deleteNode(placed.condition);
  }

  #idOf(object: unknown): string | undefined {
    for (const [id, placed] of this.#placed) if (placed.condition === object) return id;
    return undefined;
  }

  /** Acknowledge(EventId, Comment) from a client (OPC 10000-9 §5.7.3), as the dashboard's acknowledgement. */
  readonly #onAcknowledge = async (
    inputs: Variant[],
    context: ISessionContext,
  ): Promise<{ statusCode: StatusCode }> => {
    const id = this.#idOf(context.object);
    const placed = id === undefined ? undefined : this.#placed.get(id);
    if (id === undefined || !placed) return { statusCode: StatusCodes.BadNodeIdInvalid };
    if (!context.currentUserHasRole(WellKnownRoles.AuthenticatedUser))
      return { statusCode: StatusCodes.BadUserAccessDenied };
    // A standby refuses before it looks at the event: its conditions' EventIds are its own.
    if (!this.#ports.isActive()) return { statusCode: STANDBY_REFUSAL };
    const eventId: unknown = inputs[0]?.value;
    if (!Buffer.isBuffer(eventId) || !placed.condition.findBranchForEventId(eventId))
      return { statusCode: StatusCodes.BadEventIdUnknown };
    if (placed.acked) return { statusCode: StatusCodes.BadConditionBranchAlreadyAcked };
    const comment: unknown = inputs[1]?.value;
    if (comment instanceof LocalizedText && comment.text) this.#comments.set(id, comment.text);
    const statusCode = await this.#ports.acknowledge(id, context.getUserName());
    if (statusCode.isNotGood()) this.#comments.delete(id);
    return { statusCode };
  };
}

/** Never raised, or its occurrence acknowledged: nothing waits for an operator. */
function ackedShown(alarm: AlarmShown): boolean {
  return alarm.activatedAt === null || alarm.acked;
}

/** Retain: the condition matters to a client while it is active or waits for its acknowledgement. */
function retained(alarm: AlarmShown): boolean {
  return alarm.active || !ackedShown(alarm);
}

/** Two parameters: node-opcua takes a method of another arity for one with a callback. */
function refused(_inputs: Variant[], _context: ISessionContext): Promise<{ statusCode: StatusCode }> {
  return Promise.resolve({ statusCode: StatusCodes.BadNotSupported });
}
