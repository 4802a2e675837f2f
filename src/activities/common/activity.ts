/**
 * The wrapper every activity goes through: it parses `with` once, heartbeats on a timer,
 * builds the attempt's receipt, returned beside the result or attached to the failure, and
 * logs and counts the attempt (one line at its start and one at its end).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { z } from 'zod';
import { workerIdentity } from '../../temporal/worker-identity.js';
import type { ActionKind, ActivityInput, ActivityOutcome, Receipt, TaskMeta } from '../types.js';
import { digestOf } from './canonical.js';
import { invalidInput } from './failures.js';
import { countTaskExecution } from './metrics.js';
import { namedSecretSources, redact, secretValues } from './secrets.js';

/** What every plain activity function gets besides its parsed input: a way to stop and a way to say "alive". */
export interface ActivityIO {
  /** Fires on activity cancellation (or a local timeout); the function must stop promptly. */
  signal: AbortSignal;
  /** Records liveness, optionally with progress that a retry can read back. */
  heartbeat: (details?: unknown) => void;
}

/** ActivityIO plus what the wrapper knows about this attempt. */
export interface AttemptContext extends ActivityIO {
  meta: TaskMeta;
  attempt: number;
  /** The last heartbeat details of the previous attempt (undefined on the first). */
  previousHeartbeat: unknown;
  /** How often to heartbeat so the task's heartbeat timeout never lapses while work goes on. */
  heartbeatEveryMs: number;
}

/**
 * Turns a plain function into a Temporal activity: binds Context.current(), parses `with` once,
 * and builds the attempt's Receipt — returned beside the result, or as details[0] of the failure.
 */
export function defineActivity<S extends z.ZodType, R>(
  kind: ActionKind,
  schema: S,
  run: (input: z.output<S>, ctx: AttemptContext) => Promise<R>,
  /** Extra receipt fields known before the attempt runs (e.g. the delivery id). */
  extras: (meta: TaskMeta) => Partial<Receipt> = () => ({}),
): (input: ActivityInput) => Promise<ActivityOutcome<R>> {
  return async (input) => {
    const context = Context.current();
    const meta: TaskMeta = input?.meta ?? { workflowId: '', runId: '', task: '(unknown)', iteration: 0 };
    const startedAt = new Date();
    const inputSum = digestOf(input?.with ?? null);
    // The SDK's activity logger adds the workflow id, run id, activity id and attempt.
    const who = { task: meta.task, iteration: meta.iteration, ...(meta.index !== undefined ? { index: meta.index } : {}), kind };
    context.log.info('task started', who);
    const receipt = (outcome: Receipt['outcome'], output: unknown, error?: string): Receipt => {
      const endedAt = new Date();
      const out = digestOf(output);
      countTaskExecution(context, kind, outcome);
      const ended = { ...who, outcome, durationMs: endedAt.getTime() - startedAt.getTime() };
      // The SDK's own "Activity failed" line warns about a failure; this one says which task.
      context.log.info(`task ${outcome}`, error === undefined ? ended : { ...ended, error });
      return {
        task: meta.task,
        iteration: meta.iteration,
        ...(meta.index !== undefined ? { index: meta.index } : {}),
        attempt: context.info.attempt,
        kind,
        startedAt: startedAt.toISOString(),
        endedAt: endedAt.toISOString(),
        durationMs: endedAt.getTime() - startedAt.getTime(),
        outcome,
        workerIdentity: workerIdentity(),
        inputDigest: inputSum.digest,
        inputBytes: inputSum.bytes,
        outputDigest: out.digest,
        outputBytes: out.bytes,
        ...(error !== undefined ? { error } : {}),
        ...extras(meta),
      };
    };
    // A third of the heartbeat timeout leaves room for one lost beat; 5 s when none is set.
    const heartbeatEveryMs = Math.min(5000, Math.max(100, (context.info.heartbeatTimeoutMs || 15_000) / 3));
    // The worker beats on a timer whatever the activity is doing (waiting for an LLM's first
    // token, say), resending the activity's last details: a heartbeat is how a cancellation
    // reaches an activity, and its absence is how the server learns the worker died (SPEC §5).
    let lastDetails: unknown = context.info.heartbeatDetails;
    const ticker = setInterval(() => context.heartbeat(lastDetails), heartbeatEveryMs);
    try {
      const parsed = schema.safeParse(input?.with);
      if (!parsed.success) throw invalidInput(kind, meta.task, parsed.error);
      const result = await run(parsed.data, {
        meta,
        attempt: context.info.attempt,
        previousHeartbeat: context.info.heartbeatDetails,
        heartbeatEveryMs,
        signal: context.cancellationSignal,
        heartbeat: (details) => {
          lastDetails = details;
          context.heartbeat(details);
        },
      });
      return { result, receipt: receipt('succeeded', result) };
    } catch (err) {
      const secrets = secretValues(process.env, namedSecretSources(input?.with));
      throw attachReceipt(err, kind, meta.task, context.cancellationSignal.aborted, receipt, secrets);
    } finally {
      clearInterval(ticker);
    }
  };
}

/**
 * Re-creates the failure with the receipt as details[0] (details are read-only once built),
 * its message with the worker's secrets redacted (secrets.ts).
 * Cancellation stays a CancelledFailure: an ApplicationFailure there would make the server
 * record a failed (and retryable) attempt instead of a cancelled one.
 */
function attachReceipt(
  err: unknown,
  kind: ActionKind,
  task: string,
  aborted: boolean,
  receipt: (outcome: Receipt['outcome'], output: unknown, error?: string) => Receipt,
  secrets: readonly string[],
): Error {
  const message = redact(err instanceof Error ? err.message : String(err), secrets);
  const named = message.startsWith('invalid input for') ? message : `${kind} task "${task}": ${message}`;
  if (err instanceof CancelledFailure || (aborted && !(err instanceof ApplicationFailure && err.nonRetryable))) {
    const r = receipt('cancelled', { type: 'Cancelled', message }, message);
    return new CancelledFailure(named, [r]);
  }
  if (err instanceof ApplicationFailure) {
    const r = receipt('failed', { type: err.type, message }, message);
    return ApplicationFailure.create({
      message: named,
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? false,
      details: [r, ...(err.details ?? [])],
      ...(err.nextRetryDelay != null ? { nextRetryDelay: err.nextRetryDelay } : {}),
    });
  }
  // A bug or an unexpected library error: retryable, as Temporal would treat a plain Error.
  const type = err instanceof Error ? err.name : 'Error';
  const r = receipt('failed', { type, message }, message);
  return ApplicationFailure.create({ message: named, type, nonRetryable: false, details: [r] });
}
