/**
 * How the dashboard's API client reports failures: every failure is an `ApiError` with the HTTP status (0 when
 * the node did not answer at all), the API's stable code and its message; screens keep it as an `ApiProblem`.
 */

/** What the screens keep of a failure: plain data, so it can sit in `$state`. */
export interface ApiProblem {
  /** HTTP status; 0 when no answer came (node down, network, timeout). */
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export class ApiError extends Error implements ApiProblem {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  toProblem(): ApiProblem {
    return { status: this.status, code: this.code, message: this.message };
  }
}

/** Any thrown value as an `ApiProblem` (what state classes store). */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiError) return error.toProblem();
  const message = error instanceof Error ? error.message : String(error);
  return { status: 0, code: 'CLIENT', message };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
