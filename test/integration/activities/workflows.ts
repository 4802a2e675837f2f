/**
 * A test-only workflow that runs ONE Switchyard activity with a given retry policy and
 * reports how it ended, so integration tests can watch the real activities under real
 * Temporal retries, heartbeats and cancellation.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { ActionKind, ActivityInput, ActivityOutcome, Receipt } from '../../../src/activities/types.js';

/** One activity call. */
export interface ActivityCall {
  kind: ActionKind;
  input: ActivityInput;
  maximumAttempts?: number;
  initialInterval?: string;
  heartbeatTimeout?: string;
  /** Cancel the activity this long after it was scheduled. */
  cancelAfterMs?: number;
}

/** How the call ended, as the workflow saw it. */
export interface CallReport {
  outcome?: ActivityOutcome;
  failure?: {
    kind: 'application' | 'cancelled' | 'other';
    type?: string;
    nonRetryable?: boolean;
    message: string;
    receipt?: Receipt;
  };
}

export async function runOneActivity(call: ActivityCall): Promise<CallReport> {
  const acts = proxyActivities<Record<ActionKind, (input: ActivityInput) => Promise<ActivityOutcome>>>({
    startToCloseTimeout: '1m',
    heartbeatTimeout: call.heartbeatTimeout ?? '10s',
    retry: {
      maximumAttempts: call.maximumAttempts ?? 3,
      initialInterval: call.initialInterval ?? '100ms',
      backoffCoefficient: 1,
    },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  try {
    if (call.cancelAfterMs === undefined) return { outcome: await acts[call.kind](call.input) };
    const scope = new CancellationScope();
    const pending = scope.run(() => acts[call.kind](call.input));
    await sleep(call.cancelAfterMs);
    scope.cancel();
    return { outcome: await pending };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure) {
      return {
        failure: {
          kind: 'application',
          type: cause.type ?? undefined,
          nonRetryable: cause.nonRetryable ?? undefined,
          message: cause.message,
          receipt: cause.details?.[0] as Receipt,
        },
      };
    }
    if (cause instanceof CancelledFailure) {
      return { failure: { kind: 'cancelled', message: cause.message, receipt: cause.details[0] as Receipt } };
    }
    return { failure: { kind: 'other', message: cause instanceof Error ? cause.message : String(cause) } };
  }
}
