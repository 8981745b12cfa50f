/**
 * How the dashboard's API client reports failures: every failure is an `ApiError` with the HTTP status (0 when
 * the node did not answer at all), the API's stable code and its message; screens keep it as an `ApiProblem`.
 * Also how an answer that is not a success becomes one.
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

/** Builds the `{status, code, message}` error from an API answer of `{ error: { code, message } }`. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `the node answered ${response.status}`;
  try {
    const body: unknown = await response.json();
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
    if (error && typeof error['code'] === 'string') code = error['code'];
    if (error && typeof error['message'] === 'string') message = error['message'];
  } catch {
    // Not JSON (a proxy's page, an empty body): keep the HTTP status as the message.
  }
  return new ApiError(response.status, code, message);
}

/** A browser shows a manual redirect as an opaque answer (status 0); other fetches give the 307 itself. */
export function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || response.status === 307 || response.status === 308;
}

/** The standby's 307: its own message (naming the active node) where readable, a plain one otherwise. */
export async function notActive(response: Response): Promise<ApiError> {
  const fallback = 'this node is not the active node: changes are made on the active node';
  if (response.type === 'opaqueredirect') return new ApiError(307, 'NOT_ACTIVE', fallback);
  const error = await errorFrom(response);
  return new ApiError(307, 'NOT_ACTIVE', error.code === 'NOT_ACTIVE' ? error.message : fallback);
}
