/**
 * Due→start lateness: how long after a run was due its first workflow task started, by the
 * server's own clock (history event times), for a run started with a start delay (a queued
 * run) and for runs a schedule fired. An idle worker polls all the while, so this is the
 * server's dispatch latency plus the worker's pick-up, not time spent queued behind work.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { interpretGraph } from '../../src/workflows/index.js';
import type { BenchTarget } from './batch.js';
import { startRun, type Workload } from './workloads.js';

const { EventType } = proto.temporal.api.enums.v1;
type Time = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;

const toMs = (time: Time): number => Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;

async function firstTaskStartedMs(handle: WorkflowHandle): Promise<number> {
  await handle.result();
  const events = (await handle.fetchHistory()).events ?? [];
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  if (!started) throw new Error(`${handle.workflowId}: no workflow task started in its history`);
  return toMs(started.eventTime);
}

/** Lateness (ms) of `count` runs started with a 1 s start delay, one after another. */
export async function queuedLateness(target: BenchTarget, workload: Workload, count: number): Promise<number[]> {
  const lateness: number[] = [];
  for (let i = 0; i < count; i++) {
    const handle = await startRun(target.client, target.taskQueue, workload, 'interpreter', 1_000);
    const startedEvent = (await handle.fetchHistory()).events?.[0];
    const backoff = startedEvent?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff;
    const dueMs = toMs(startedEvent?.eventTime) + toMs(backoff);
    lateness.push((await firstTaskStartedMs(handle)) - dueMs);
  }
  return lateness;
}

/** Lateness (ms) of the first `count` fires of a schedule that starts the workload every second. */
export async function scheduleLateness(target: BenchTarget, workload: Workload, count: number): Promise<number[]> {
  const schedule = await target.client.schedule.create({
    scheduleId: `bench-schedule-${randomUUID()}`,
    spec: { intervals: [{ every: '1s' }] },
    action: {
      type: 'startWorkflow',
      workflowType: interpretGraph,
      taskQueue: target.taskQueue,
      args: [{ definition: workload.definition }],
    },
  });
  try {
    let actions: { scheduledAt: Date; workflowId: string }[] = [];
    for (let waited = 0; actions.length < count; waited += 250) {
      if (waited > 60_000) throw new Error(`the bench schedule fired ${actions.length} of ${count} times in 60 s`);
      await sleep(250);
      actions = (await schedule.describe()).info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt,
        workflowId: a.action.workflow.workflowId,
      }));
    }
    await schedule.pause('enough fires for the bench');
    return await Promise.all(
      actions
        .slice(0, count)
        .map(async (a) => (await firstTaskStartedMs(target.client.workflow.getHandle(a.workflowId))) - a.scheduledAt.getTime()),
    );
  } finally {
    await schedule.delete();
  }
}
