/**
 * One request to the node's API with the bearer token, for the small clients beside ApiClient (operator
 * accounts, configuration): no answer is an `ApiError` 0, a standby's 307 one naming the active node, any
 * other failure the API's own `{ error: { code, message } }`.
 */
import { ApiError, errorFrom, isRedirect, notActive } from './api-error.ts';

export interface ApiTarget {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch: typeof fetch;
}

export function apiTarget(baseUrl: string, token: string, fetchImpl?: typeof fetch): ApiTarget {
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    token,
    fetch: fetchImpl ?? ((input, init) => globalThis.fetch(input, init)),
  };
}

/** The answer when it is a success; `refused` may read a failed answer's body first (null: the usual error). */
export async function apiRequest(
  target: ApiTarget,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  refused?: (response: Response) => Promise<Error | null>,
): Promise<Response> {
  let response: Response;
  try {
    response = await target.fetch(`${target.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
      // A standby's 307 points at another origin: followed, the token would not go with it (api-client.ts).
      redirect: 'manual',
    });
  } catch (cause) {
    throw new ApiError(0, 'UNREACHABLE', 'the node is not answering', { cause });
  }
  if (isRedirect(response)) throw await notActive(response);
  if (!response.ok) throw (await refused?.(response.clone())) ?? (await errorFrom(response));
  return response;
}
