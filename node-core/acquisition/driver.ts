/** What every driver offers the acquisition engine, and the shapes that pass between them. */
import { TandemError } from '../errors.ts';

export type DataType = 'float' | 'int' | 'bool' | 'string';
type Quality = 'good' | 'bad' | 'uncertain';
export type PolledScalar = number | boolean | string;

/** One value a driver read: what runtime data and history are made of. */
export interface PolledValue {
  readonly name: string;
  readonly value: PolledScalar | null;
  readonly quality: Quality;
  /** Milliseconds since the epoch, when the value was in hand. */
  readonly ts: number;
}

/** A tag as a driver sees it: its name, the type its value must have, and its driver-specific source. */
export interface DriverTag<S> {
  readonly name: string;
  readonly dataType: DataType;
  readonly source: S;
}

/**
 * One driver per device (or one for all simulated tags). `read` never rejects: a value it cannot get comes
 * back with quality 'bad'. `write` rejects with an AcquisitionError. `close` is idempotent.
 */
export interface Driver<S> {
  read(tags: readonly DriverTag<S>[]): Promise<PolledValue[]>;
  write?(tag: DriverTag<S>, value: PolledScalar): Promise<void>;
  close(): Promise<void>;
}

/** Stable codes: NOT_FOUND, NOT_WRITABLE, NOT_ACTIVE, NO_DEVICE, OUT_OF_RANGE, DEVICE_FAULT, CLOSED. */
export class AcquisitionError extends TandemError {}

/** A number read from a device, as the tag's data type wants it. */
export function fromNumber(raw: number, dataType: DataType): PolledScalar {
  switch (dataType) {
    case 'float':
      return raw;
    case 'int':
      return Math.round(raw);
    case 'bool':
      return raw !== 0;
    case 'string':
      return String(raw);
  }
}

/** A bit read from a device, as the tag's data type wants it. */
export function fromBit(bit: boolean, dataType: DataType): PolledScalar {
  switch (dataType) {
    case 'float':
    case 'int':
      return bit ? 1 : 0;
    case 'bool':
      return bit;
    case 'string':
      return bit ? 'true' : 'false';
  }
}

/** A written value as a number, or null when it has none (a string that is not a number). */
export function toNumber(value: PolledScalar): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : null;
}
