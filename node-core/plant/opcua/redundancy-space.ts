/**
 * The redundancy objects of the Server object (OPC 10000-5 ServerRedundancy, NonTransparentRedundancyType;
 * docs/opcua.md "Redundancy objects"): ServiceLevel, RedundancySupport, ServerUriArray (both nodes'
 * ApplicationUris) and RedundantServerArray (each server's id, ServiceLevel and state).
 */
import {
  DataType,
  getMinOPCUADate,
  ObjectIds,
  ObjectTypeIds,
  RedundantServerDataType,
  ServerState,
  Variant,
  VariableIds,
  type AddressSpace,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { Mode } from '../../redundancy/index.ts';

/** RedundancySupport (OPC 10000-5 §12.5): None 0, Cold 1, Warm 2, Hot 3. */
const REDUNDANCY_SUPPORT = { none: 0, cold: 1, warm: 2, hot: 3 } as const;

/**
 * Our standby levels as OPC UA failover modes (docs/opcua.md): a cold standby collects nothing, so Cold; a
 * warm standby polls the devices and holds the replicated values, so a client may read from it: Hot.
 */
export function redundancySupport(mode: Mode, standby: 'cold' | 'warm'): number {
  if (mode === 'independent') return REDUNDANCY_SUPPORT.none;
  return standby === 'cold' ? REDUNDANCY_SUPPORT.cold : REDUNDANCY_SUPPORT.hot;
}

interface RedundantServer {
  readonly serverId: string;
  readonly serviceLevel: number;
  readonly state: 'running' | 'unknown' | 'shutdown';
}

export interface RedundancyFacts {
  readonly support: number;
  readonly serviceLevel: number;
  /** Server.EstimatedReturnTime (ms since the epoch), or null: not known (shown as OPC UA's MinDate). */
  readonly returnAt: number | null;
  readonly servers: readonly RedundantServer[];
}

const SERVER_STATE = {
  running: ServerState.Running,
  unknown: ServerState.Unknown,
  shutdown: ServerState.Shutdown,
} as const;

export class RedundancySpace {
  readonly #serviceLevel: UAVariable;
  readonly #support: UAVariable;
  readonly #uris: UAVariable;
  readonly #servers: UAVariable;
  readonly #returnTime: UAVariable;
  #level = 1;
  #returnAt: number | null = null;
  #last = '';

  constructor(addressSpace: AddressSpace, facts: RedundancyFacts) {
    const find = (id: number): UAVariable => {
      const node = addressSpace.findNode(`ns=0;i=${id}`);
      if (!node) throw new Error(`the standard address space has no node i=${id}`);
      return node as UAVariable;
    };
    const redundancy = addressSpace.findNode(`ns=0;i=${ObjectIds.Server_ServerRedundancy}`) as UAObject;
    this.#serviceLevel = find(VariableIds.Server_ServiceLevel);
    this.#support = find(VariableIds.Server_ServerRedundancy_RedundancySupport);
    this.#uris = find(VariableIds.Server_ServerRedundancy_ServerUriArray);
    this.#servers = find(VariableIds.Server_ServerRedundancy_RedundantServerArray);
    this.#returnTime = find(VariableIds.Server_EstimatedReturnTime);
    // The standard nodeset makes ServerRedundancy a plain ServerRedundancyType; a non-transparent set is a
    // NonTransparentRedundancyType with a ServerUriArray, which the nodeset holds but does not attach.
    if (facts.support !== REDUNDANCY_SUPPORT.none) {
      redundancy.removeReference({
        referenceType: 'HasTypeDefinition',
        isForward: true,
        nodeId: `ns=0;i=${ObjectTypeIds.ServerRedundancyType}`,
      });
      redundancy.addReference({
        referenceType: 'HasTypeDefinition',
        isForward: true,
        nodeId: `ns=0;i=${ObjectTypeIds.NonTransparentRedundancyType}`,
      });
      if (!redundancy.getPropertyByName('ServerUriArray'))
        redundancy.addReference({ referenceType: 'HasProperty', isForward: true, nodeId: this.#uris.nodeId });
    }
    this.#serviceLevel.bindVariable(
      { get: () => new Variant({ dataType: DataType.Byte, value: this.#level }) },
      true,
    );
    this.#returnTime.bindVariable({ get: () => this.#returnTimeVariant() }, true);
    this.update(facts);
  }

  update(facts: RedundancyFacts): void {
    const key = JSON.stringify(facts);
    if (key === this.#last) return;
    this.#last = key;
    if (facts.serviceLevel !== this.#level) {
      this.#level = facts.serviceLevel;
      // Subscribers to ServiceLevel hear of the change at once, not at their next sample.
      this.#serviceLevel.setValueFromSource({ dataType: DataType.Byte, value: facts.serviceLevel });
    }
    if (facts.returnAt !== this.#returnAt) {
      this.#returnAt = facts.returnAt;
      this.#returnTime.setValueFromSource(this.#returnTimeVariant());
    }
    this.#support.setValueFromSource({ dataType: DataType.Int32, value: facts.support });
    this.#uris.setValueFromSource({
      dataType: DataType.String,
      arrayType: 1,
      value: facts.servers.map((s) => s.serverId),
    });
    this.#servers.setValueFromSource({
      dataType: DataType.ExtensionObject,
      arrayType: 1,
      value: facts.servers.map(
        (s) =>
          new RedundantServerDataType({
            serverId: s.serverId,
            serviceLevel: s.serviceLevel,
            serverState: SERVER_STATE[s.state],
          }),
      ),
    });
  }

  #returnTimeVariant(): Variant {
    const at = this.#returnAt === null ? getMinOPCUADate() : new Date(this.#returnAt);
    return new Variant({ dataType: DataType.DateTime, value: at });
  }
}
