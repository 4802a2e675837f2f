/**
 * How a conductor `startExecution` becomes Temporal activity options (SPEC §3 rule 10).
 * Shared with the baseline workflows so that benchmarks compare like with like.
 */
import { ActivityCancellationType, patched, workflowInfo, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { kindTaskQueue } from '../constants.js';
import type { ActionKind, ActivityInput, ActivityOutcome } from '../activities/types.js';
import type { RetrySettings } from '../conductor/index.js';

/** The activities as the workflow sees them: one per action kind. */
export type Activities = Record<ActionKind, (input: ActivityInput) => Promise<ActivityOutcome>>;

/** What the options depend on. */
export interface ExecutionSettings {
  task: string;
  iteration: number;
  index?: number;
  retry: RetrySettings;
  timeoutMs: number;
  heartbeatMs?: number;
}

/** The one-line activity summary the Web UI shows: names the task, its iteration and item. */
export function activitySummary(task: string, iteration: number, index?: number): string {
  const item = index === undefined ? '' : `[${index}]`;
  return iteration > 1 ? `${task}${item} #${iteration}` : `${task}${item}`;
}

/** The Temporal RetryPolicy of a task. */
export function retryPolicy(retry: RetrySettings): RetryPolicy {
  const policy: RetryPolicy = {
    initialInterval: retry.initialIntervalMs,
    backoffCoefficient: retry.backoffCoefficient,
    maximumAttempts: retry.maximumAttempts,
    nonRetryableErrorTypes: retry.nonRetryableErrorTypes,
  };
  if (retry.maximumIntervalMs !== undefined) policy.maximumInterval = retry.maximumIntervalMs;
  return policy;
}

/**
 * The activity id: task, iteration and item, e.g. `fetch#2[3]`. Unique within a run, stable
 * across retries, readable in the Web UI — and checked on replay, so a change that would
 * start tasks in another order fails the replay tier even when the activity types agree.
 */
export function activityIdOf(task: string, iteration: number, index?: number): string {
  return `${task}#${iteration}${index === undefined ? '' : `[${index}]`}`;
}

/**
 * The `patched()` id of per-kind task queues: runs that started before it keep scheduling
 * their activities on the run's own queue (which every full worker still polls), so their
 * histories replay and no in-flight activity waits on a queue nobody polls.
 */
export const KIND_QUEUES_PATCH = 'per-kind-task-queues';

/**
 * Activity options for one execution of `kind`, on the kind's own task queue
 * (`<queue>-agent`…) where the worker's slot limit and the server's rate limit for that
 * kind apply (SPEC §6).
 */
export function activityOptions(settings: ExecutionSettings, kind: ActionKind): ActivityOptions {
  const options: ActivityOptions = {
    activityId: activityIdOf(settings.task, settings.iteration, settings.index),
    startToCloseTimeout: settings.timeoutMs,
    retry: retryPolicy(settings.retry),
    summary: activitySummary(settings.task, settings.iteration, settings.index),
    // A cancelled activity reports back only once it stopped (a script: its process group is
    // gone), so a cancelled run closes after its work, not beside it. It sends the server
    // the same commands as the default (TRY_CANCEL); only when the workflow learns differs.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  if (settings.heartbeatMs !== undefined) options.heartbeatTimeout = settings.heartbeatMs;
  if (patched(KIND_QUEUES_PATCH)) options.taskQueue = kindTaskQueue(workflowInfo().taskQueue, kind);
  return options;
}

/** The input of one activity: who it runs for (run, task, iteration, item) and its rendered `with`. */
export function activityInput(task: string, iteration: number, index: number | undefined, rendered: unknown): ActivityInput {
  const info = workflowInfo();
  const meta = { workflowId: info.workflowId, runId: info.runId, task, iteration };
  return { meta: index === undefined ? meta : { ...meta, index }, with: rendered };
}
