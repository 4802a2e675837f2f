/**
 * Real worker processes for the integration tier: `node --import tsx src/worker.ts` (what
 * `npm run worker` and the container image run) as children of the test, each in its own
 * process group so that a SIGKILL takes the worker and its scripts together, as a crash would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { testServer } from './harness.js';

/** The repository root: where `npm run worker` runs. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child process with everything it printed so far. */
export type WatchedProcess = ChildProcess & { output: () => string };

/** Starts `argv` in ROOT in a process group of its own, collecting stdout and stderr. */
export function spawnWatched(argv: readonly string[], env: NodeJS.ProcessEnv): WatchedProcess {
  const [command, ...args] = argv;
  if (!command) throw new Error('spawnWatched: empty command line');
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return Object.assign(child, { output: () => output });
}

/** The environment a worker gets to poll `taskQueue` on the tier's server. */
export function workerEnv(taskQueue: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { address, namespace } = testServer();
  return { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SWITCHYARD_TASK_QUEUE: taskQueue, ...extra };
}

/** Resolves with the exit code (128 + nothing for a signal: 128). */
export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(128);
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1))));
}

/** Waits until the process printed a line matching `pattern`; fails with its output if it exits or takes too long. */
export async function waitForOutput(child: WatchedProcess, pattern: RegExp, limitMs = 120_000): Promise<void> {
  for (let waited = 0; !pattern.test(child.output()); waited += 100) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${child.output()}`);
    }
    if (waited > limitMs) throw new Error(`timed out waiting for ${pattern} in:\n${child.output()}`);
    await sleep(100);
  }
}

/** Kills a process group if it is still running (cleanup after a failed test). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
