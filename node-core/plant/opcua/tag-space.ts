/**
 * The tags in the OPC UA address space (docs/opcua.md "Address space"): Objects/Tandem/<folder>/<tag>, one
 * folder per device and one each for memory and simulator tags. Each variable carries the tag's data type,
 * its unit as EngineeringUnits, the node's value with its quality as a StatusCode and its source timestamp.
 * Values are pushed on change (the node's `data` event); config changes rebuild only the variables whose
 * definition changed, without a restart. Writes go to `write`, the node's one write path.
 */
import {
  DataType,
  DataValue,
  makeEUInformation,
  PermissionType,
  standardUnits,
  StatusCodes,
  Variant,
  VariantArrayType,
  WellKnownRoles,
  type AddressSpace,
  type Namespace,
  type StatusCode,
  type UAFolder,
  type UAVariable,
} from 'node-opcua';
import type { TagDefinition, TagValueType } from '../../data/tag-definition.ts';
import { folderOf } from '../device-folder.ts';
import { serveOnChange } from './on-change-items.ts';
import { fromVariant, toVariant, variantType } from './values.ts';

/** What a tag's variable shows: its current value, or nothing yet. */
export interface TagReading {
  readonly value: TagValueType | null;
  readonly quality: 'good' | 'bad' | 'uncertain';
  /** ms since the epoch, or null when there is no value yet. */
  readonly ts: number | null;
}

export interface TagSpacePorts {
  tags(): readonly { name: string; definition: TagDefinition }[];
  read(name: string): TagReading | undefined;
  /** A value the address space could not take (logged; the tag keeps its last value there). */
  unshown(name: string, error: unknown): void;
  /** Writes through the node (answers the StatusCode the client gets). */
  write(name: string, value: TagValueType): Promise<StatusCode>;
}

/** The namespace of the tags: the same URI on both nodes, so a NodeId means the same tag on either. */
const TAGS_NAMESPACE_URI = 'urn:tandem:tags';

/** A node id a client can keep across a failover: `ns=<tags>;s=<tag name>`. */
export function tagNodeId(namespace: Namespace, name: string): string {
  return `ns=${namespace.index};s=${name}`;
}

/**
 * ReceiveEvents too: a tag is the SourceNode of its alarm conditions' events, and a client hears an event
 * only with that permission on its source (OPC 10000-3 PermissionType).
 */
const READ =
  PermissionType.Browse |
  PermissionType.Read |
  PermissionType.ReadRolePermissions |
  PermissionType.ReceiveEvents;
/** Anonymous sessions read, never write (docs/opcua.md "Security"); signed-in operators write. */
const ROLE_PERMISSIONS = [
  { roleId: WellKnownRoles.Anonymous, permissions: READ },
  { roleId: WellKnownRoles.AuthenticatedUser, permissions: READ | PermissionType.Write },
];

/**
 * The DataValue the variable holds after setValueFromSource (node-opcua keeps it as `$dataValue`, public on its
 * implementation class, which the package does not export). The variable's getter answers this very object, so
 * a monitored item's sample finds nothing to replace; a getter answering a copy made node-opcua replace and
 * clone the value at every sample of every item (issue 17's bench: 10,000 items at 1 Hz).
 */
function heldValue(variable: UAVariable): DataValue {
  return (variable as UAVariable & { readonly $dataValue: DataValue }).$dataValue;
}

/** OPC UA quality for ours (docs/opcua.md "Quality"). */
function statusOf(reading: TagReading): StatusCode {
  if (reading.quality === 'good') return StatusCodes.Good;
  if (reading.quality === 'bad') return StatusCodes.BadCommunicationError;
  return reading.value === null ? StatusCodes.UncertainInitialValue : StatusCodes.UncertainLastUsableValue;
}

interface Placed {
  readonly variable: UAVariable;
  readonly shape: string;
  dataValue: DataValue;
}

export class TagSpace {
  readonly namespace: Namespace;
  readonly #ports: TagSpacePorts;
  readonly #root: UAFolder;
  readonly #folders = new Map<string, UAFolder>();
  readonly #placed = new Map<string, Placed>();

  constructor(addressSpace: AddressSpace, ports: TagSpacePorts) {
    this.#ports = ports;
    this.namespace = addressSpace.registerNamespace(TAGS_NAMESPACE_URI);
    this.#root = this.namespace.addFolder(addressSpace.rootFolder.objects, {
      browseName: 'Tandem',
      nodeId: `ns=${this.namespace.index};s=Tandem`,
    });
    this.sync();
  }

  /** Objects/Tandem, where the folders of tags (and the WriteTag method) are. */
  get root(): UAFolder {
    return this.#root;
  }

  get size(): number {
    return this.#placed.size;
  }

  /** Brings the variables in line with the config: new tags added, changed ones rebuilt, removed ones gone. */
  sync(): void {
    const wanted = new Map(this.#ports.tags().map((t) => [t.name, t.definition]));
    for (const name of [...this.#placed.keys()]) if (!wanted.has(name)) this.#remove(name);
    for (const [name, definition] of wanted) {
      const shape = JSON.stringify(definition);
      if (this.#placed.get(name)?.shape === shape) continue;
      this.#remove(name);
      this.#add(name, definition, shape);
    }
  }

  /** New values from the node: pushed to the variables, so monitored items see them on change. */
  update(
    values: readonly {
      name: string;
      value: TagValueType | null;
      quality: TagReading['quality'];
      ts: number;
    }[],
  ): void {
    for (const v of values) {
      const placed = this.#placed.get(v.name);
      if (!placed) continue;
      // Called inside the node's write path (its `data` event): a value OPC UA cannot take must not fail it.
      try {
        placed.variable.setValueFromSource(this.#variant(placed.variable, v), statusOf(v), new Date(v.ts));
        placed.dataValue = heldValue(placed.variable);
      } catch (error) {
        this.#ports.unshown(v.name, error);
      }
    }
  }

  #add(name: string, definition: TagDefinition, shape: string): void {
    const type = variantType(definition.dataType);
    const ports = this.#ports;
    const variable = this.namespace.addVariable({
      componentOf: this.#folder(folderOf(definition)),
      browseName: name,
      nodeId: tagNodeId(this.namespace, name),
      dataType: DataType[type],
      ...(definition.description ? { description: definition.description } : {}),
      accessLevel: definition.readOnly === true ? 'CurrentRead' : 'CurrentRead | CurrentWrite',
      userAccessLevel: definition.readOnly === true ? 'CurrentRead' : 'CurrentRead | CurrentWrite',
      rolePermissions: ROLE_PERMISSIONS,
      minimumSamplingInterval: 0,
    });
    const placed: Placed = {
      variable,
      shape,
      dataValue: new DataValue({ value: new Variant({ dataType: type, value: null }) }),
    };
    const reading = ports.read(name);
    placed.dataValue = this.#dataValue(variable, reading ?? { value: null, quality: 'uncertain', ts: null });
    variable.bindVariable(
      {
        timestamped_get: () => placed.dataValue,
        timestamped_set: async (dataValue: DataValue): Promise<StatusCode> => {
          const value = fromVariant(dataValue.value, definition.dataType);
          if (value === undefined) return StatusCodes.BadTypeMismatch;
          return ports.write(name, value);
        },
      },
      true,
    );
    if (definition.unit) this.#engineeringUnits(variable, definition.unit);
    serveOnChange(variable);
    this.#placed.set(name, placed);
  }

  #dataValue(variable: UAVariable, reading: TagReading): DataValue {
    return new DataValue({
      value: this.#variant(variable, reading),
      statusCode: statusOf(reading),
      sourceTimestamp: reading.ts === null ? null : new Date(reading.ts),
      serverTimestamp: new Date(),
    });
  }

  #variant(variable: UAVariable, reading: TagReading): Variant {
    return reading.value === null
      ? new Variant({
          dataType: variable.getBasicDataType(),
          arrayType: VariantArrayType.Scalar,
          value: null,
        })
      : toVariant(variable.getBasicDataType(), reading.value);
  }

  #engineeringUnits(variable: UAVariable, unit: string): void {
    // node-opcua's EUInformation type does not resolve for the linter; these are the fields used here.
    type Units = { displayName: { text: string | null }; unitId: number };
    const known = (Object.values(standardUnits) as unknown as Units[]).find(
      (eu) => eu.displayName.text === unit,
    );
    const made: unknown = known ? null : makeEUInformation('', unit, unit);
    const eu = known ?? (made as Units);
    // -1: a unit without a UNECE code (OPC 10000-8 EUInformation).
    if (!known) eu.unitId = -1;
    this.namespace.addVariable({
      propertyOf: variable,
      browseName: { name: 'EngineeringUnits', namespaceIndex: 0 },
      typeDefinition: 'PropertyType',
      dataType: 'EUInformation',
      value: { dataType: DataType.ExtensionObject, value: eu },
    });
  }

  #folder(name: string): UAFolder {
    let folder = this.#folders.get(name);
    if (!folder) {
      folder = this.namespace.addFolder(this.#root, {
        browseName: name,
        nodeId: `ns=${this.namespace.index};s=folder:${name}`,
      });
      this.#folders.set(name, folder);
    }
    return folder;
  }

  #remove(name: string): void {
    const placed = this.#placed.get(name);
    if (!placed) return;
    this.#placed.delete(name);
    this.namespace.addressSpace.deleteNode(placed.variable);
  }
}
