import type { Dispatcher } from 'undici';
import { nonRetryable } from '../common/failures.js';
import { failureForStatus, fetchOrFail, readText } from '../common/http.js';
import type { DeliveryJob } from './driver.js';

/** A 2xx answer, its body parsed when it was JSON. */
export interface Posted {
  status: number;
  json: Record<string, unknown> | undefined;
}

/**
 * POSTs `body` and returns the 2xx answer; anything else becomes the failure the retry policy
 * should see (429 and 5xx retry after Retry-After or `retryAfterMs(json)`, other 4xx are final).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  job: DeliveryJob,
  service: string,
  retryAfterMs?: (json: Record<string, unknown> | undefined) => number | undefined,
  dispatcher?: Dispatcher,
): Promise<Posted> {
  const call = await fetchOrFail(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body },
    { signal: job.signal, service, timeoutMs: job.timeoutMs, ...(dispatcher ? { dispatcher } : {}) },
  );
  const text = await readText(call);
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (call.res.status < 200 || call.res.status >= 300) {
    throw failureForStatus(service, call.res.status, text, call.res.headers, retryAfterMs?.(json));
  }
  return { status: call.res.status, json };
}

/** Reads a bot token from the worker env, failing for good when it is missing. */
export function tokenFrom(env: NodeJS.ProcessEnv, name: string, service: string): string {
  const token = env[name];
  // A missing credential is configuration, not a transient fault: retrying cannot help.
  if (!token) throw nonRetryable('ConfigError', `${service}: environment variable ${name} is not set on this worker`);
  return token;
}
