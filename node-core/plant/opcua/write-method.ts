/**
 * `Objects/Tandem/WriteTag(TagName, Value, Uid) → Executed`: a write that carries a command uid (docs/opcua.md
 * "Writes"). OPC UA's Write service has no field for one, so a client that retries a write after a failover
 * calls this method with the same uid on the new active node, and the node's ledger runs it at most once
 * across the pair (docs/rules.md "Commands 1"), exactly like `POST /api/tags/{name}/write` with a uid.
 */
import {
  DataType,
  StatusCodes,
  WellKnownRoles,
  type ISessionContext,
  type Namespace,
  type UAFolder,
  type Variant,
} from 'node-opcua';
import type { TagDefinition, TagValueType } from '../../data/tag-definition.ts';
import { fromVariant } from './values.ts';
import { STANDBY_REFUSAL, writeStatus } from './write-status.ts';

export interface WriteMethodPorts {
  isActive(): boolean;
  definition(name: string): TagDefinition | undefined;
  /** The node's write path; answers whether this call ran the command (false: the uid was seen before). */
  write(name: string, value: TagValueType, uid: string): Promise<boolean>;
}

const UID_MAX = 200;

export function addWriteMethod(namespace: Namespace, parent: UAFolder, ports: WriteMethodPorts): void {
  const method = namespace.addMethod(parent, {
    browseName: 'WriteTag',
    nodeId: `ns=${namespace.index};s=Tandem.WriteTag`,
    inputArguments: [
      { name: 'TagName', dataType: DataType.String, description: { text: 'the tag to write' } },
      { name: 'Value', dataType: DataType.Variant, description: { text: "a value of the tag's data type" } },
      {
        name: 'Uid',
        dataType: DataType.String,
        description: { text: `the command's uid (1–${UID_MAX} characters); the same uid again runs nothing` },
      },
    ],
    outputArguments: [
      { name: 'Executed', dataType: DataType.Boolean, description: { text: 'false: the uid ran before' } },
    ],
  });
  method.bindMethod(async (inputs: Variant[], context: ISessionContext) => {
    if (!context.currentUserHasRole(WellKnownRoles.AuthenticatedUser))
      return { statusCode: StatusCodes.BadUserAccessDenied };
    if (!ports.isActive()) return { statusCode: STANDBY_REFUSAL };
    const [nameArg, valueArg, uidArg] = inputs;
    const name: unknown = nameArg?.value;
    const uid: unknown = uidArg?.value;
    if (typeof uid !== 'string' || uid.length === 0 || uid.length > UID_MAX)
      return { statusCode: StatusCodes.BadInvalidArgument };
    const definition = typeof name === 'string' ? ports.definition(name) : undefined;
    if (typeof name !== 'string' || !definition) return { statusCode: StatusCodes.BadNodeIdUnknown };
    const value = valueArg ? fromVariant(innerVariant(valueArg), definition.dataType) : undefined;
    if (value === undefined) return { statusCode: StatusCodes.BadTypeMismatch };
    try {
      const executed = await ports.write(name, value, uid);
      return {
        statusCode: StatusCodes.Good,
        outputArguments: [{ dataType: DataType.Boolean, value: executed }],
      };
    } catch (error) {
      return { statusCode: writeStatus(error) };
    }
  });
}

/** A Variant argument may arrive wrapped in another Variant. */
function innerVariant(argument: Variant): Variant {
  const inner: unknown = argument.value;
  return argument.dataType === DataType.Variant && inner && typeof inner === 'object'
    ? (inner as Variant)
    : argument;
}
