/**
 * Starts, samples and stops the measured worker process (scripts/bench/worker-entry.ts).
 * It runs as `node --import tsx …` — one process, where the `tsx` command would add a
 * wrapper process whose CPU is not the worker's — in its own process group, so stopping it
 * also ends any script it left running, and it is killed on exit whatever happens.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcCpu, readProcRss } from './proc-cpu.js';
import type { WorkerMessage } from './worker-entry.js';
import { watchGroup } from '../process-group.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ENTRY = resolve(import.meta.dirname, 'worker-entry.ts');

/** The worker's CPU at one moment, in milliseconds, two ways. */
export interface WorkerCpu {
  /** process.cpuUsage() of the worker (user + system, all threads), µs resolution. */
  ownMs: number;
  /** utime + stime from /proc/<pid>/stat: the same counters in clock ticks; a cross-check. */
  procOwnMs: number;
  /** cutime + cstime: the script processes it ran and reaped. */
  childrenMs: number;
}

/** A running measured worker. */
export interface MeasuredWorker {
  pid: number;
  cpu(): Promise<WorkerCpu>;
  /** Resident memory now and at its peak so far, MiB (the worker process only, not its scripts). */
  rss(): { rssMiB: number; peakMiB: number };
  /** Rejects when the worker exits: race runs against it, or a dead worker leaves them waiting forever. */
  died: Promise<never>;
  /** SIGTERM (the worker drains), SIGKILL after 10 s; idempotent. */
  stop(): Promise<void>;
}

/** Starts the worker and resolves once it polls; rejects with its last output if it dies first. */
export async function startMeasuredWorker(target: {
  address: string;
  namespace: string;
  taskQueue: string;
  /** The prebuilt workflow bundle (scripts/bundle-workflows.ts), as production workers load it. */
  bundle: string;
}): Promise<MeasuredWorker> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: target.address,
    TEMPORAL_NAMESPACE: target.namespace,
    SWITCHYARD_TASK_QUEUE: target.taskQueue,
    SWITCHYARD_WORKFLOW_BUNDLE: target.bundle,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const group = watchGroup(child);
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line.trim());
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const { exited } = group;
  const workerError = (what: string): Error =>
    new Error(`the bench worker ${what}${tail.length ? `; its last output:\n    ${tail.join('\n    ')}` : ''}`);

  const stop = async (): Promise<void> => {
    if (group.alive()) await group.end('SIGTERM');
  };

  // Bundling the workflows takes seconds (more on a loaded machine); a minute is plenty.
  const ready = new Promise<void>((done) => child.on('message', (m: WorkerMessage) => m.type === 'ready' && done()));
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    sleep(60_000).then(() => 'timeout' as const),
  ]);
  if (outcome !== 'ready') {
    await stop();
    throw workerError(outcome === 'exited' ? 'exited before it was ready' : 'was not ready after 60 s');
  }
  const pid = child.pid as number;

  const cpu = async (): Promise<WorkerCpu> => {
    const answer = new Promise<WorkerMessage>((done) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type !== 'cpu') return;
        child.off('message', onMessage);
        done(m);
      };
      child.on('message', onMessage);
    });
    child.send('cpu');
    const message = await Promise.race([answer, exited.then(() => undefined), sleep(10_000).then(() => null)]);
    if (message === undefined) throw workerError('exited during the benchmark');
    if (message === null || message.type !== 'cpu') throw workerError('did not report its CPU time within 10 s');
    const proc = readProcCpu(pid);
    return { ownMs: (message.userUs + message.systemUs) / 1000, procOwnMs: proc.ownMs, childrenMs: proc.childrenMs };
  };

  const died = exited.then((): never => {
    throw workerError('exited during the benchmark');
  });
  died.catch(() => undefined); // Only an error for whoever is waiting on it.
  return { pid, cpu, rss: () => readProcRss(pid), died, stop };
}
