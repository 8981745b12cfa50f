/**
 * How the API answers a request that failed: 400 naming the field for a wrong request, the status of a
 * DataError's code, 507/503 for storage that cannot take the change, fastify's own 4xx; 500 for the rest.
 */
import { z } from 'zod';
import { TandemError } from '../errors.ts';
import { storageFailure, type StorageFailureKind } from '../store/database.ts';
import { DataError, dataErrorStatus } from './data-routes.ts';

export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterS?: number;
}

/** How each kind of storage failure is answered: what the caller can do about it, never a bare 500. */
const STORAGE_ANSWERS: Readonly<Record<StorageFailureKind, (code: string) => ErrorAnswer>> = {
  full: () => ({
    status: 507,
    code: 'STORAGE_FULL',
    message: "the node's disk is full: nothing was changed; free space on the node's disk, then try again",
  }),
  busy: (code) => ({
    status: 503,
    code: 'STORAGE_BUSY',
    message: `the node's database is busy (${code}): nothing was changed; try again`,
    retryAfterS: 1,
  }),
  'read-only': (code) => ({
    status: 503,
    code: 'STORAGE_READ_ONLY',
    message: `the node's database cannot be written (${code}): nothing was changed; see the node's log`,
  }),
  io: (code) => ({
    status: 503,
    code: 'STORAGE_FAILED',
    message: `the node's disk failed (${code}): the request may not have been stored; see the node's log`,
  }),
  damaged: (code) => ({
    status: 500,
    code: 'STORAGE_DAMAGED',
    message: `the node's database is damaged (${code}); see the node's log`,
  }),
  'too-big': (code) => ({
    status: 413,
    code: 'TOO_LARGE',
    message: `too large for the node's database (${code}): nothing was changed`,
  }),
};

/**
 * The answer to a request that failed with `error`: 400 naming the field for a wrong request, the status of a
 * DataError's code, 507/503 for storage that cannot take the change, fastify's own 4xx; 500 for the rest.
 */
export function errorAnswer(error: Error & { statusCode?: number; code?: unknown }): ErrorAnswer {
  if (error instanceof z.ZodError) return { status: 400, code: 'BAD_REQUEST', message: describe(error) };
  const storage = storageFailure(error);
  if (storage) return STORAGE_ANSWERS[storage.kind](storage.code);
  if (error instanceof DataError)
    return { status: dataErrorStatus[error.code] ?? 400, code: error.code, message: error.message };
  if (error instanceof TandemError) return { status: 400, code: error.code, message: error.message };
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const code = typeof error.code === 'string' ? error.code : 'ERROR';
  return { status, code, message: status === 500 ? `internal error: ${error.message}` : error.message };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}
