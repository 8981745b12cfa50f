import { TandemError } from '../errors.ts';

/** A data request that cannot be done; the code maps to the HTTP status (NOT_FOUND 404, READ_ONLY 409, BAD_REQUEST 400, DEVICE_FAULT 502). */
export class DataError extends TandemError {}
