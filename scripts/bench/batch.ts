/**
 * One measured batch: `runs` runs of one workload by one kind of workflow, one after
 * another, with the worker's (and the server's) CPU time read before and after. Runs go
 * one at a time so that each latency is the run's own, not time spent queued behind
 * the others.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { readProcCpu } from './proc-cpu.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
import { startRun, type Kind, type Workload } from './workloads.js';
import type { MeasuredWorker } from './worker-process.js';

const RUN_TIMEOUT_MS = 300_000;

/** Where batches run. */
export interface BenchTarget {
  client: Client;
  taskQueue: string;
  worker: MeasuredWorker;
  /** The dev server's pid, for its CPU time; absent when it is not a process of ours. */
  serverPid?: number;
}

/** What one batch measured; CPU figures are totals over the batch, in ms. */
export interface Batch {
  workload: string;
  kind: Kind;
  round: number;
  runs: number;
  workerCpuMs: number;
  /** The same from /proc/<pid>/stat (10 ms ticks): a cross-check of workerCpuMs. */
  workerProcCpuMs: number;
  /** The `true` processes the scripts ran, when the worker spawned them itself (SWITCHYARD_SCRIPT_SPAWNER=direct): the same work for both kinds. */
  scriptChildrenCpuMs: number;
  serverCpuMs?: number;
  wallMs: number;
  latenciesMs: number[];
  /** History length of the batch's last run. */
  historyEvents: number;
}

/** Runs one workload once and waits for its result; a failed run fails the benchmark. */
async function runOnce(
  target: BenchTarget,
  workload: Workload,
  kind: Kind,
): Promise<{ latencyMs: number; handle: WorkflowHandleWithFirstExecutionRunId }> {
  const started = performance.now();
  const handle = await startRun(target.client, target.taskQueue, workload, kind);
  await finished(target, workload, kind, handle);
  return { latencyMs: performance.now() - started, handle };
}

/** Waits for a run's result; a failed run, a dead worker or a run past RUN_TIMEOUT_MS fails the benchmark. */
async function finished(target: BenchTarget, workload: Workload, kind: Kind, handle: WorkflowHandle): Promise<void> {
  // A failing workflow task is retried forever rather than failing the run: bound the wait.
  const timer = new AbortController();
  const timeout = sleep(RUN_TIMEOUT_MS, undefined, { signal: timer.signal }).then((): never => {
    throw new Error(`${kind} run of ${workload.name} (${handle.workflowId}) did not finish in ${RUN_TIMEOUT_MS / 1000} s`);
  });
  timeout.catch(() => undefined);
  try {
    await Promise.race([handle.result(), target.worker.died, timeout]);
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause ? `: ${err.cause.message}` : '';
    throw new Error(`${kind} run of ${workload.name} (${handle.workflowId}) failed${cause}`, { cause: err });
  } finally {
    timer.abort();
  }
}

/** History length of a run and every run it continued as. */
async function eventsOfAllRuns(client: Client, handle: WorkflowHandleWithFirstExecutionRunId): Promise<number> {
  let total = 0;
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const history: { events?: HistoryEvent[] | null } = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    total += events.length;
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return total;
}

/** Unmeasured runs: the first ones compile and cache what later runs reuse. */
export async function warmUp(target: BenchTarget, workload: Workload, kind: Kind, runs: number): Promise<void> {
  for (let i = 0; i < runs; i++) await runOnce(target, workload, kind);
}

/** Measures one batch. */
export async function runBatch(target: BenchTarget, workload: Workload, kind: Kind, runs: number, round: number): Promise<Batch> {
  const serverBefore = target.serverPid === undefined ? undefined : readProcCpu(target.serverPid);
  const before = await target.worker.cpu();
  const started = performance.now();
  const latenciesMs: number[] = [];
  let last: WorkflowHandleWithFirstExecutionRunId | undefined;
  for (let i = 0; i < runs; i++) {
    const { latencyMs, handle } = await runOnce(target, workload, kind);
    latenciesMs.push(latencyMs);
    last = handle;
  }
  const wallMs = performance.now() - started;
  const after = await target.worker.cpu();
  const serverAfter = target.serverPid === undefined ? undefined : readProcCpu(target.serverPid);
  // Outside the measured window: reading history costs the server, not the worker.
  const historyEvents = last ? await eventsOfAllRuns(target.client, last) : 0;
  return {
    workload: workload.name,
    kind,
    round,
    runs,
    workerCpuMs: after.ownMs - before.ownMs,
    workerProcCpuMs: after.procOwnMs - before.procOwnMs,
    scriptChildrenCpuMs: after.childrenMs - before.childrenMs,
    ...(serverBefore && serverAfter ? { serverCpuMs: serverAfter.ownMs - serverBefore.ownMs } : {}),
    wallMs,
    latenciesMs,
    historyEvents,
  };
}

/** What one concurrent batch measured: `runs` runs started at once, timed until the last ends. */
export interface Throughput {
  workload: string;
  kind: Kind;
  round: number;
  runs: number;
  wallMs: number;
  runsPerS: number;
  workerCpuMs: number;
  /** The worker's resident memory when the last run ended, MiB. */
  workerRssMiB: number;
}

/** Starts `runs` runs of one workload at once and waits for all: runs per second under load. */
export async function runConcurrent(
  target: BenchTarget,
  workload: Workload,
  kind: Kind,
  runs: number,
  round: number,
): Promise<Throughput> {
  const before = await target.worker.cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: runs }, async () =>
      finished(target, workload, kind, await startRun(target.client, target.taskQueue, workload, kind)),
    ),
  );
  const wallMs = performance.now() - started;
  const workerRssMiB = target.worker.rss().rssMiB;
  const after = await target.worker.cpu();
  return {
    workload: workload.name,
    kind,
    round,
    runs,
    wallMs,
    runsPerS: runs / (wallMs / 1000),
    workerCpuMs: after.ownMs - before.ownMs,
    workerRssMiB,
  };
}
