/**
 * One measured batch: `runs` runs of one workload by one kind of workflow, one after
 * another, with the worker's (and the server's) CPU time read before and after. Runs go
 * one at a time so that each latency is the run's own, not time spent queued behind
 * the others.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { readProcCpu } from './proc-cpu.js';
import { startRun, type Kind, type Workload } from './workloads.js';
import type { MeasuredWorker } from './worker-process.js';

const RUN_TIMEOUT_MS = 60_000;

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
  /** The `true` processes the scripts ran: the same work for both kinds. */
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
): Promise<{ latencyMs: number; handle: WorkflowHandle }> {
  const started = performance.now();
  const handle = await startRun(target.client, target.taskQueue, workload, kind);
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
  return { latencyMs: performance.now() - started, handle };
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
  let last: WorkflowHandle | undefined;
  for (let i = 0; i < runs; i++) {
    const { latencyMs, handle } = await runOnce(target, workload, kind);
    latenciesMs.push(latencyMs);
    last = handle;
  }
  const wallMs = performance.now() - started;
  const after = await target.worker.cpu();
  const serverAfter = target.serverPid === undefined ? undefined : readProcCpu(target.serverPid);
  // Outside the measured window: reading history costs the server, not the worker.
  const history = last ? await last.fetchHistory() : undefined;
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
    historyEvents: history?.events?.length ?? 0,
  };
}
