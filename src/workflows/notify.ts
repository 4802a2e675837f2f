/**
 * The dead-letter notification (SPEC §5): when a run fails for good and its definition has
 * `on_failure: { notify: { to, content } }`, one `deliver` activity tells someone before the
 * run fails. Best effort: a notification that cannot be delivered (after its retries) is
 * recorded in the failure's details and never hides the run's own error.
 */
import { ActivityFailure, CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Receipt } from '../activities/types.js';
import { heartbeatOf, retryOf, timeoutOf } from '../conductor/guards.js';
import type { ConductorState, RunFailure } from '../conductor/index.js';
import { renderTemplate, type Scope } from '../definition/index.js';
import { activityOptions, type Activities } from './activity-options.js';

/** What became of the notification; travels in the failure's details. */
export interface NotificationReport {
  to: string;
  outcome: 'delivered' | 'failed';
  receipt?: Receipt;
  error?: string;
}

/**
 * The notification's task name in receipts and activity ids. The dot keeps it apart from
 * every task of the definition: task names are identifiers.
 */
export const NOTIFY_TASK = 'on_failure.notify';

/** Sends the failure notification, if the definition asks for one. */
export async function notifyFailure(state: ConductorState, failure: RunFailure): Promise<NotificationReport | undefined> {
  const setting = state.definition.on_failure;
  if (typeof setting !== 'object' || setting.notify === undefined) return undefined;
  const { notify } = setting;
  const scope: Scope = {
    input: state.input,
    ctx: state.ctx,
    results: state.results,
    workflow: state.workflow,
    task: {
      name: failure.task ?? '',
      status: 'failed',
      error: { message: failure.message, type: failure.type, ...(failure.attempts === undefined ? {} : { attempts: failure.attempts }) },
    },
  };
  let to = notify.to;
  try {
    to = String(await renderTemplate(notify.to, scope, 'on_failure.notify.to'));
    const content =
      notify.content === undefined
        ? `Switchyard run ${state.workflow.id} of '${state.definition.name}' failed: ${failure.message}`
        : await renderTemplate(notify.content, scope, 'on_failure.notify.content');
    const spec = { action: 'deliver' as const };
    const deliver = proxyActivities<Activities>(
      activityOptions({ task: NOTIFY_TASK, iteration: 1, retry: retryOf(spec), timeoutMs: timeoutOf(spec), heartbeatMs: heartbeatOf(spec) }),
    ).deliver;
    const info = workflowInfo();
    // Not cancellable: the notification must go out even while the run is being torn down.
    const outcome = await CancellationScope.nonCancellable(() =>
      deliver({ meta: { workflowId: info.workflowId, runId: info.runId, task: NOTIFY_TASK, iteration: 1 }, with: { to, content } }),
    );
    return { to, outcome: 'delivered', receipt: outcome.receipt };
  } catch (error) {
    // An ActivityFailure says only "Activity task failed"; its cause says why.
    const reason = error instanceof ActivityFailure && error.cause ? error.cause : error;
    return { to, outcome: 'failed', error: reason instanceof Error ? reason.message : String(reason) };
  }
}
