/** Tag values as OPC UA Variants and back (docs/opcua.md "Address space": the data types). */
import { coerceInt64, DataType, Variant, VariantArrayType } from 'node-opcua';
import type { TagDefinition, TagValueType } from '../../data/tag-definition.ts';

type TagDataType = TagDefinition['dataType'];

/** float: Double; int: Int64 (a tag holds any safe integer); bool: Boolean; string: String. */
export function variantType(dataType: TagDataType): DataType {
  switch (dataType) {
    case 'float':
      return DataType.Double;
    case 'int':
      return DataType.Int64;
    case 'bool':
      return DataType.Boolean;
    case 'string':
      return DataType.String;
  }
}

export function toVariant(type: DataType, value: TagValueType): Variant {
  if (type === DataType.Int64)
    return new Variant({
      dataType: type,
      arrayType: VariantArrayType.Scalar,
      value: coerceInt64(Number(value)),
    });
  if (type === DataType.Double) return new Variant({ dataType: type, value: Number(value) });
  if (type === DataType.Boolean) return new Variant({ dataType: type, value: Boolean(value) });
  return new Variant({ dataType: type, value: String(value) });
}

/** The value a client wrote, as the tag's type; undefined when it does not fit (Bad_TypeMismatch). */
export function fromVariant(variant: Variant, dataType: TagDataType): TagValueType | undefined {
  const value: unknown = variant.value;
  switch (dataType) {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'int': {
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (Array.isArray(value) && value.length === 2) {
        // Int64 on the wire: [high (signed), low (unsigned)] 32-bit words.
        const [high, low] = value as [number, number];
        const whole = (high | 0) * 2 ** 32 + (low >>> 0);
        return Number.isSafeInteger(whole) ? whole : undefined;
      }
      return undefined;
    }
    case 'bool':
      return typeof value === 'boolean' ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
  }
}
