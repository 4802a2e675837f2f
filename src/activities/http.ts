/**
 * The `http` activity: one HTTP request a definition describes, under the webhook's trust
 * rules (SPEC §3 rule 15). It connects only where egress.ts allows (public addresses, unless
 * the worker allows a class in SWITCHYARD_WEBHOOK_ALLOW_NETWORKS), follows redirects only
 * within the URL's own origin, reads its credential only from the worker env var the
 * definition names literally (`secret_env`) and sends it only to an origin the worker maps
 * that variable to (SWITCHYARD_HTTP_SECRETS, key-hosts.ts), and refuses an answer over
 * `max_response_bytes` before it becomes the task's result (SPEC rule 16). 429, 408 and 5xx
 * retry after the server's Retry-After; other unexpected statuses are final.
 */
import type { z } from 'zod';
import { defineActivity, type ActivityIO } from './common/activity.js';
import { guardedDispatcher } from './common/egress.js';
import { HTTP_SECRETS_ENV, httpSecretHosts } from './common/key-hosts.js';
import { nonRetryable } from './common/failures.js';
import { failureForStatus, fetchOrFail, readText, type Call } from './common/http.js';
import { redact } from './common/secrets.js';
import { overLimitText, oversize } from '../payloads.js';
import { httpInputSchema } from './inputs.js';
import type { HttpResult } from './types.js';

export { httpInputSchema };

/** Parsed `with` of an http task. */
export type HttpInput = z.output<typeof httpInputSchema>;

/** What runHttp needs besides the input. */
export interface HttpContext extends ActivityIO {
  /** Where `secret_env` and SWITCHYARD_WEBHOOK_ALLOW_NETWORKS are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Result budget under Temporal's 2 MiB payload limit, leaving room for the receipt and envelope (as scripts do). */
export const HTTP_RESULT_BUDGET = 1.5 * 1024 * 1024;

/** Redirects followed within one origin before giving up (browsers allow 20; an API needs few). */
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Response headers left out of the result: a session cookie has no business in history. */
const DROPPED_HEADERS = new Set(['set-cookie', 'set-cookie2']);

/** One request, same-origin redirects followed; the answer parsed, or the failure the retry policy should see. */
export async function runHttp(input: HttpInput, ctx: HttpContext): Promise<HttpResult> {
  const env = ctx.env ?? process.env;
  const origin = new URL(input.url).origin;
  // Messages name the origin only: a path or query may carry a token.
  const service = origin;
  // Before the secret is even read: a refused address gets nothing.
  const dispatcher = guardedDispatcher(input.url, env, 'http');
  const secret = input.secret_env === undefined ? undefined : secretFrom(env, input.secret_env, origin);
  const secrets = secret === undefined ? [] : [secret];
  const headers: Record<string, string> = { ...input.headers };
  if (secret !== undefined)
    headers[input.secret_header] = input.secret_header.toLowerCase() === 'authorization' ? `Bearer ${secret}` : secret;
  let method: string = input.method;
  let body: string | undefined = input.body;
  if (input.json !== undefined) {
    body = JSON.stringify(input.json);
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
  } else if (body !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';

  let url = input.url;
  for (let redirects = 0; ; redirects += 1) {
    const call = await fetchOrFail(
      url,
      { method, headers, ...(body === undefined ? {} : { body }) },
      { signal: ctx.signal, service, timeoutMs: input.timeout, dispatcher },
    );
    const { status } = call.res;
    const location = call.res.headers.get('location');
    const expected = input.expect?.includes(status) ?? (status >= 200 && status < 300);
    if (!expected && REDIRECTS.has(status) && location !== null) {
      await call.res.body?.cancel().catch(() => undefined);
      const next = URL.canParse(location, url) ? new URL(location, url) : undefined;
      if (next === undefined || next.origin !== origin) {
        throw nonRetryable(
          'ClientError',
          `${service} answered HTTP ${status}, a redirect to ${next === undefined ? 'an unreadable address' : next.origin}: only redirects within ${origin} are followed`,
        );
      }
      if (redirects >= MAX_REDIRECTS) throw nonRetryable('ClientError', `${service} redirected more than ${MAX_REDIRECTS} times`);
      // As fetch does: 303 (and 301/302 after a POST) become a GET without a body.
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-type') delete headers[name];
      }
      url = next.href;
      continue;
    }
    const text = redact(await boundedText(call, input.max_response_bytes, service), secrets);
    if (!expected) {
      if (status >= 200 && status < 400)
        throw nonRetryable(
          'ClientError',
          `${service} answered HTTP ${status}, expected ${input.expect?.join(' or ') ?? 'a 2xx status'}`,
        );
      throw failureForStatus(service, status, text, call.res.headers);
    }
    const result: HttpResult = {
      status,
      headers: resultHeaders(call.res.headers, secrets),
      ...parsedBody(call.res.headers, text, service),
      redirects,
    };
    // Escapes can make a body's JSON text larger than the body (a control character takes 6 bytes).
    const bytes = oversize(result, HTTP_RESULT_BUDGET);
    if (bytes !== undefined)
      throw nonRetryable('ResponseTooLarge', `${service}: ${overLimitText('the answer as a result', bytes, result, 'result')}`);
    return result;
  }
}

/**
 * The credential `name` holds, once the worker's configuration says it may go to `origin`
 * (SPEC rule 15: a key is sent only to the host configured for it).
 */
function secretFrom(env: NodeJS.ProcessEnv, name: string, origin: string): string {
  const hosts = httpSecretHosts(env);
  if (typeof hosts === 'string') throw nonRetryable('ConfigError', hosts);
  const allowed = hosts.get(name);
  if (!allowed?.has(origin)) {
    const where = allowed === undefined ? 'to no host' : `only to ${[...allowed].join(', ')}`;
    throw nonRetryable(
      'ConfigError',
      `http: this worker sends ${name} ${where}, not to ${origin}; map it with ${HTTP_SECRETS_ENV}=${name}=${origin}`,
    );
  }
  const value = env[name];
  // A missing credential is configuration, not a transient fault: retrying cannot help.
  if (!value) throw nonRetryable('ConfigError', `http: environment variable ${name} (secret_env) is not set on this worker`);
  return value;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/**
 * The body as text, refused once it passes `limit` bytes: by its Content-Length before
 * reading, else while it streams, so a huge answer never sits whole in memory.
 */
async function boundedText(call: Call, limit: number, service: string): Promise<string> {
  const tooLarge = (size: string) =>
    nonRetryable(
      'ResponseTooLarge',
      `${service} answered with ${size}, over this task's max_response_bytes (${limit} bytes): the body becomes the task's result, which must fit a Temporal payload`,
    );
  const declared = Number(call.res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await call.res.body?.cancel().catch(() => undefined);
    throw tooLarge(`${declared} bytes (Content-Length)`);
  }
  const stream = call.res.body;
  if (stream === null) return readText(call);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > limit) {
        await stream.cancel().catch(() => undefined);
        throw tooLarge(`more than ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    // call.fail passes an ApplicationFailure (the refusal above) through as it is.
    throw call.fail(err);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `application/json`, `application/problem+json`, `text/json`: bodies parsed as JSON. */
function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

function parsedBody(headers: Headers, text: string, service: string): Pick<HttpResult, 'json' | 'body' | 'bytes'> {
  const bytes = Buffer.byteLength(text);
  if (!isJson(headers.get('content-type')) || text.trim() === '') return { body: text, bytes };
  try {
    return { json: JSON.parse(text) as unknown, bytes };
  } catch (err) {
    throw nonRetryable(
      'ProtocolError',
      `${service} said its answer is JSON (${headers.get('content-type')}) but it is not: ${(err as Error).message}`,
    );
  }
}

function resultHeaders(headers: Headers, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name)) out[name] = redact(value, secrets);
  });
  return out;
}

/** The `http` activity. */
export const http = defineActivity('http', httpInputSchema, (input, ctx) => runHttp(input, ctx));
