/**
 * `switchyard workers [--task-queue Q] [--json]`: who polls the run queue and each activity
 * kind's queue (src/worker-caps.ts), when each poller was last seen, the backlog (count and
 * age of the oldest task) and the rate cap in force — all from the server's task-queue
 * description (DescribeTaskQueue with stats), so it shows every worker of the fleet.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ACTIVITY_KINDS, kindTaskQueue, TASK_QUEUE } from '../constants.js';
import { emit, withClient, type CommandGroup } from './context.js';

const { TaskQueueType } = proto.temporal.api.enums.v1;

/** A worker's poller as the server saw it. */
export interface PollerView {
  identity: string;
  lastAccessTime: string | null;
  /** The activity rate cap the poller set (maxTaskQueueActivitiesPerSecond), when it set one. */
  ratePerSecond: number | null;
}

/** One task queue of one type: its pollers and backlog. */
export interface QueueView {
  taskQueue: string;
  type: 'workflow' | 'activity';
  /** What runs there: `workflow`, or the activity kinds (the run queue also takes older runs' activities). */
  serves: string;
  pollers: PollerView[];
  backlog: { count: number; ageSeconds: number } | null;
  /** The server's effective rate cap on dispatch, tasks per second, when it reports one. */
  rateLimit: number | null;
}

/** The SDK's default rate: a poller that set no cap reports it. */
const NO_RATE_LIMIT = 100_000;

function seconds(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!duration) return 0;
  return Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9;
}

function timestamp(value: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!value || value.seconds == null) return null;
  return new Date(seconds(value) * 1000).toISOString();
}

/** Describes the run queue (workflow and activity tasks) and each kind's queue. */
export async function describeWorkers(client: Client, taskQueue: string): Promise<QueueView[]> {
  const queues: { name: string; type: QueueView['type']; serves: string }[] = [
    { name: taskQueue, type: 'workflow', serves: 'workflow' },
    { name: taskQueue, type: 'activity', serves: 'activities of runs started before per-kind queues' },
    ...ACTIVITY_KINDS.map((kind) => ({ name: kindTaskQueue(taskQueue, kind), type: 'activity' as const, serves: kind })),
  ];
  return Promise.all(
    queues.map(async ({ name, type, serves }) => {
      const response = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name },
        taskQueueType: type === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportStats: true,
        reportConfig: true,
      });
      const stats = response.stats;
      const effective = response.effectiveRateLimit?.requestsPerSecond;
      return {
        taskQueue: name,
        type,
        serves,
        pollers: (response.pollers ?? []).map((poller) => ({
          identity: poller.identity ?? '',
          lastAccessTime: timestamp(poller.lastAccessTime),
          ratePerSecond: poller.ratePerSecond && poller.ratePerSecond < NO_RATE_LIMIT ? poller.ratePerSecond : null,
        })),
        backlog: stats
          ? { count: Number(stats.approximateBacklogCount ?? 0), ageSeconds: seconds(stats.approximateBacklogAge) }
          : null,
        rateLimit: typeof effective === 'number' && effective > 0 && effective < NO_RATE_LIMIT ? effective : null,
      };
    }),
  );
}

/** The human table: one block per queue, one line per poller. */
export function formatWorkers(views: readonly QueueView[]): string {
  const lines: string[] = [];
  for (const view of views) {
    const backlog = view.backlog ? `backlog ${view.backlog.count} (oldest ${view.backlog.ageSeconds.toFixed(1)}s)` : 'backlog ?';
    const rates = [...new Set(view.pollers.map((p) => p.ratePerSecond).filter((r): r is number => r !== null))];
    const rate = view.rateLimit ?? rates[0];
    const cap = rate === undefined ? 'no rate cap' : `rate cap ${rate}/s`;
    lines.push(`${view.taskQueue} [${view.type}: ${view.serves}]  ${backlog}, ${cap}, ${view.pollers.length} poller(s)`);
    for (const poller of view.pollers) lines.push(`  ${poller.identity}  last seen ${poller.lastAccessTime ?? '?'}`);
  }
  return lines.join('\n');
}

/** Adds `workers` to the program. */
export const addWorkerCommands: CommandGroup = (program, globals) => {
  program
    .command('workers')
    .description('pollers of the run queue and each kind queue, with last seen, backlog and rate cap')
    .option('--task-queue <name>', 'the run queue (default switchyard)', TASK_QUEUE)
    .action(async (options: { taskQueue: string }) =>
      withClient(globals(), async (client) => {
        const views = await describeWorkers(client, options.taskQueue);
        emit(globals(), views, () => formatWorkers(views));
      }),
    );
};
