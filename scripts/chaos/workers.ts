/**
 * Worker processes for the chaos runs: the real worker (`node --import tsx src/worker.ts`,
 * what `npm run worker` runs) on a prebuilt workflow bundle, each in its own process group
 * so that SIGKILL takes the worker and its scripts together, as a crashed container would.
 * Whatever is still running is killed when this process exits.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup, watchGroup } from '../process-group.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Where the workers connect, and the bundle they load. */
export interface WorkerTarget {
  address: string;
  namespace: string;
  taskQueue: string;
  bundle: string;
}

/** A running worker process. */
export interface ChaosWorker {
  pid: number;
  /** SIGKILL to its whole process group; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (it drains), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Starts a worker and resolves once it polls; fails with its output if it exits or takes a minute. */
export async function startWorker(target: WorkerTarget): Promise<ChaosWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: target.address,
      TEMPORAL_NAMESPACE: target.namespace,
      SWITCHYARD_TASK_QUEUE: target.taskQueue,
      SWITCHYARD_WORKFLOW_BUNDLE: target.bundle,
    },
  });
  const group = watchGroup(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  for (let waited = 0; !output.includes('switchyard worker: connected'); waited += 100) {
    if (!group.alive() || waited > 60_000) {
      killGroup(child, 'SIGKILL');
      throw new Error(`a chaos worker did not start:\n${output}`);
    }
    await sleep(100);
  }
  return { pid: child.pid as number, kill: () => group.end('SIGKILL'), stop: () => group.end('SIGTERM') };
}
