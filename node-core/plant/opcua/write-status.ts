/** The StatusCode an OPC UA client gets for a write the node refused (docs/opcua.md "Writes"). */
import { StatusCodes, type StatusCode } from 'node-opcua';
import { TandemError } from '../../errors.ts';

/**
 * What a standby answers a write or an alarm acknowledgement: OPC 10000-4 §6.6.2.4.5.3 names Bad_NoCommunication
 * for the servers that are not active (docs/opcua.md "Writes").
 */
export const STANDBY_REFUSAL: StatusCode = StatusCodes.BadNoCommunication;

const BY_CODE: Readonly<Record<string, StatusCode>> = {
  NOT_FOUND: StatusCodes.BadNodeIdUnknown,
  READ_ONLY: StatusCodes.BadNotWritable,
  BAD_REQUEST: StatusCodes.BadTypeMismatch,
  DEVICE_FAULT: StatusCodes.BadCommunicationError,
  NOT_ACTIVE: STANDBY_REFUSAL,
  UID_REUSED: StatusCodes.BadInvalidArgument,
};

export function writeStatus(error: unknown): StatusCode {
  if (error instanceof TandemError) return BY_CODE[error.code] ?? StatusCodes.BadInternalError;
  return StatusCodes.BadInternalError;
}
