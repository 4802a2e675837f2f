import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { z } from 'zod';

/** Failure `type` names the activities use, so workflows and tests can match on them. */
export type FailureType =
  | 'InvalidInput'
  | 'ConfigError'
  | 'ScriptExitError'
  | 'ScriptTimeout'
  | 'ScriptNotRunnable'
  | 'ScriptOutputNotJson'
  | 'ScriptArgsTooLarge'
  | 'RateLimited'
  | 'ServerError'
  | 'ClientError'
  | 'NetworkError'
  | 'Timeout'
  | 'ProtocolError'
  | 'AddressRefused'
  | 'DeliveryFailed'
  | 'DeliveryRefused'
  | 'ResponseTooLarge';

/** A failure the server may retry; `nextRetryDelayMs` overrides the retry policy's backoff once. */
export function retryable(
  type: FailureType,
  message: string,
  opts: { nextRetryDelayMs?: number; details?: unknown[] } = {},
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    ...(opts.nextRetryDelayMs !== undefined ? { nextRetryDelay: opts.nextRetryDelayMs } : {}),
    ...(opts.details ? { details: opts.details } : {}),
  });
}

/** A failure no retry can fix (bad input, bad credentials, missing executable). */
export function nonRetryable(type: FailureType, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, ...(details ? { details } : {}) });
}

/** What the plain functions throw when their AbortSignal fires (Temporal's own cancellation type). */
export function cancelled(what: string): CancelledFailure {
  return new CancelledFailure(`${what} was cancelled`);
}

/** Renders a zod issue path as `with.command[1].x`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), 'with');
}

/** One non-retryable InvalidInput failure naming the task and every bad field path. */
export function invalidInput(kind: string, task: string, error: z.ZodError): ApplicationFailure {
  const problems = error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
  return nonRetryable('InvalidInput', `invalid input for ${kind} task "${task}": ${problems.join('; ')}`, [problems]);
}
