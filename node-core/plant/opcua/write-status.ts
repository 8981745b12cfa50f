/** The StatusCode an OPC UA client gets for a write the node refused (docs/opcua.md "Writes"). */
import { StatusCodes, type StatusCode } from 'node-opcua';
import { TandemError } from '../../errors.ts';

const BY_CODE: Readonly<Record<string, StatusCode>> = {
  NOT_FOUND: StatusCodes.BadNodeIdUnknown,
  READ_ONLY: StatusCodes.BadNotWritable,
  BAD_REQUEST: StatusCodes.BadTypeMismatch,
  DEVICE_FAULT: StatusCodes.BadCommunicationError,
  NOT_ACTIVE: StatusCodes.BadNoCommunication,
  UID_REUSED: StatusCodes.BadInvalidArgument,
};

export function writeStatus(error: unknown): StatusCode {
  if (error instanceof TandemError) return BY_CODE[error.code] ?? StatusCodes.BadInternalError;
  return StatusCodes.BadInternalError;
}
