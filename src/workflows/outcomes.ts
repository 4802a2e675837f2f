/**
 * Turning what an activity did into a conductor event. A failed activity arrives as an
 * ActivityFailure whose cause is the ApplicationFailure the activity threw (or, cancelled,
 * its CancelledFailure), with the attempt's Receipt as `details[0]` (activities/types.ts);
 * timeouts carry no receipt.
 */
import { ActivityFailure, ApplicationFailure, CancelledFailure, TemporalFailure, type RetryPolicy } from '@temporalio/workflow';
import type { ActivityOutcome, Receipt } from '../activities/types.js';
import type { ConductorEvent, ReportedError } from '../conductor/index.js';

/** The event for an activity that returned. */
export function completedEvent(executionId: string, outcome: ActivityOutcome, now: number): ConductorEvent {
  return { kind: 'execution.completed', executionId, result: outcome.result, receipt: outcome.receipt, now };
}

/** The event for an activity that failed for good (or was cancelled). */
export function failedEvent(executionId: string, error: unknown, retry: RetryPolicy, now: number): ConductorEvent {
  const cause = error instanceof ActivityFailure && error.cause !== undefined ? error.cause : error;
  // A cancelled attempt's receipt (outcome `cancelled`) comes back in the CancelledFailure.
  const receipt = cause instanceof ApplicationFailure || cause instanceof CancelledFailure ? receiptIn(cause.details) : undefined;
  const reported: ReportedError = { message: messageOf(cause) };
  const type = typeOf(cause);
  if (type !== undefined) reported.type = type;
  const exhausted = error instanceof ActivityFailure && error.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
  // Cancelled with no receipt: no worker had started it, so no attempt was spent.
  const unstarted = cause instanceof CancelledFailure && receipt === undefined;
  const attempts =
    receipt?.attempt ?? (unstarted ? 0 : exhausted && retry.maximumAttempts !== undefined ? retry.maximumAttempts : 1);
  const event: ConductorEvent = { kind: 'execution.failed', executionId, error: reported, attempts, now };
  if (receipt !== undefined) event.receipt = receipt;
  return event;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}

function typeOf(error: unknown): string | undefined {
  if (error instanceof ApplicationFailure) return error.type ?? undefined;
  if (error instanceof TemporalFailure) return error.name;
  return undefined;
}

/** The receipt in a failure's details, if it looks like one. */
export function receiptIn(details: readonly unknown[] | null | undefined): Receipt | undefined {
  const [first] = details ?? [];
  return isReceipt(first) ? first : undefined;
}

function isReceipt(value: unknown): value is Receipt {
  if (typeof value !== 'object' || value === null) return false;
  const fields: Record<string, unknown> = { ...value };
  return (
    typeof fields.task === 'string' &&
    typeof fields.iteration === 'number' &&
    typeof fields.attempt === 'number' &&
    typeof fields.kind === 'string' &&
    typeof fields.outcome === 'string'
  );
}
