import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Dispatcher } from 'undici';
import { cancelled, nonRetryable, retryable } from './failures.js';
import { clip } from './text.js';

/**
 * Milliseconds to wait from Retry-After (delta-seconds or HTTP-date), or from OpenAI's
 * `retry-after-ms`; undefined when absent or unreadable so the retry policy's backoff applies.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Math.ceil(Number(ms)));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The human part of an error body: OpenAI `error.message`, Slack `error`, Telegram `description`, Discord `message`, or the text. */
export function errorMessageFromBody(body: string): string {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const err = json.error;
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
      return clip((err as { message: string }).message);
    }
    for (const key of ['error', 'description', 'message'] as const) {
      if (typeof json[key] === 'string') return clip(json[key]);
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return clip(body.trim() || '(empty body)');
}

/**
 * Maps a non-2xx response to the failure the retry policy should see: 429 and 5xx (and 408)
 * retry, honouring Retry-After; every other 4xx is final and carries the server's message;
 * a 3xx is final too, since no request follows redirects (fetchOrFail).
 */
export function failureForStatus(
  service: string,
  status: number,
  body: string,
  headers: Headers,
  retryAfterOverrideMs?: number,
): ApplicationFailure {
  if (status >= 300 && status < 400) {
    // Only the origin: a redirect's full address may carry a token, as Telegram's do.
    const location = headers.get('location');
    const origin = location === null ? '' : ` to ${URL.canParse(location) ? new URL(location).origin : 'a relative address'}`;
    return nonRetryable(
      'ClientError',
      `${service} answered HTTP ${status}, a redirect${origin}: redirects are not followed, so a signed body and its credentials go nowhere else; give the final address`,
    );
  }
  const message = `${service} answered HTTP ${status}: ${errorMessageFromBody(body)}`;
  const delay = retryAfterOverrideMs ?? retryAfterMs(headers);
  const opts = delay !== undefined ? { nextRetryDelayMs: delay } : {};
  if (status === 429) return retryable('RateLimited', message, opts);
  if (status >= 500 || status === 408) return retryable('ServerError', message, opts);
  return nonRetryable('ClientError', message);
}

/** Options for {@link fetchOrFail}. */
export interface FetchOptions {
  /** Cancels the request (activity cancellation). */
  signal: AbortSignal;
  /** Whole-exchange deadline, body included; running out is a retryable Timeout, unlike cancellation. */
  timeoutMs?: number;
  /** Names the peer in messages ("Slack", "agent endpoint"). */
  service: string;
  /** Connection pool to use instead of the default one (webhooks: {@link guardedDispatcher}). */
  dispatcher?: Dispatcher;
}

/** A response plus the classifier for errors that happen later while its body streams. */
export interface Call {
  res: Response;
  /** Maps an error thrown while reading the body to cancellation, Timeout or NetworkError. */
  fail: (err: unknown) => Error;
}

/**
 * fetch() that turns transport problems into the right failures: cancellation into
 * CancelledFailure, a deadline into a retryable Timeout, anything else into a retryable
 * NetworkError. Messages never include the URL, because some URLs carry tokens (Telegram).
 */
export async function fetchOrFail(url: string, init: RequestInit, opts: FetchOptions): Promise<Call> {
  if (opts.signal.aborted) throw cancelled(`request to ${opts.service}`);
  const deadline = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
  const signal = deadline ? AbortSignal.any([opts.signal, deadline]) : opts.signal;
  const fail = (err: unknown) => transportFailure(err, opts, deadline);
  try {
    // Never follow a redirect: a 307 would re-send a signed body (and its Authorization
    // header) to wherever the server points, a 302 would turn the POST into a body-less GET.
    const options: RequestInit & { dispatcher?: Dispatcher } = { ...init, redirect: 'manual', signal };
    if (opts.dispatcher) options.dispatcher = opts.dispatcher;
    return { res: await fetch(url, options), fail };
  } catch (err) {
    throw fail(err);
  }
}

function transportFailure(err: unknown, opts: FetchOptions, deadline?: AbortSignal): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  // A refusal raised inside the connection (guardedDispatcher's lookup) arrives as the cause.
  const inner = (err as { cause?: unknown }).cause;
  if (inner instanceof ApplicationFailure) return inner;
  if (opts.signal.aborted) return cancelled(`request to ${opts.service}`);
  if (deadline?.aborted) return retryable('Timeout', `${opts.service} did not answer within ${opts.timeoutMs} ms`);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return retryable('NetworkError', `could not reach ${opts.service}: ${why}`);
}

/** Reads a response body as text, failing the same way the request would. */
export async function readText(call: Call): Promise<string> {
  try {
    return await call.res.text();
  } catch (err) {
    throw call.fail(err);
  }
}

/** Turns a non-2xx response into its failure (see {@link failureForStatus}). */
export async function failureForResponse(service: string, call: Call): Promise<Error> {
  const body = await readText(call).catch((e: unknown) => (e instanceof CancelledFailure ? Promise.reject(e) : ''));
  return failureForStatus(service, call.res.status, body, call.res.headers);
}
