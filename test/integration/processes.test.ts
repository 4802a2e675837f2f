/**
 * The entry scripts as a user runs them, as real child processes: `npm start`'s demo runs
 * an example graph on a SQLite dev server and leaves no process behind (after --once and
 * after Ctrl-C); the worker drains an in-flight task on SIGTERM before it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { startRun } from '../../src/cli/runs.js';
import { processesMatching, testServer, uniqueTaskQueue, useClient, withWorker } from './harness.js';

const { PendingActivityState, EventType } = proto.temporal.api.enums.v1;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child running a TypeScript entry script with tsx's loader, as `npm start` does. */
function spawnScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = ROOT,
): ChildProcess & { output: () => string } {
  // tsx by its resolved URL and the script by its full path: the child may run elsewhere.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, script), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return Object.assign(child, { output: () => output });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 128 : null))));
}

/** A hang guard, not a speed check: the demo's local agent step is slow on 2 busy cores. */
const DEMO_LIMIT_MS = 240_000;

async function waitForOutput(child: { output: () => string }, pattern: RegExp, limitMs = DEMO_LIMIT_MS): Promise<void> {
  for (let waited = 0; !pattern.test(child.output()); waited += 100) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${pattern} in:\n${child.output()}`);
    await sleep(100);
  }
}

/** Env for a child that must start its own server with the tier's CLI (no reinstall). */
function demoEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_CLI_PATH: testServer().cliPath };
  delete env.TEMPORAL_ADDRESS;
  return env;
}

describe('npm start (the demo)', { timeout: DEMO_LIMIT_MS + 60_000 }, () => {
  it('--once: runs the example on a SQLite dev server, prints the UI and the result, leaves nothing behind', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sy-demo-')), 'dev.sqlite');
    const demo = spawnScript('src/demo.ts', ['--once', '--db', db], demoEnv());
    const code = await exited(demo);
    expect(demo.output()).toMatch(/Temporal Web UI: http:\/\/127\.0\.0\.1:\d+/);
    expect(demo.output()).toMatch(/"status": "completed"/);
    expect(code).toBe(0);
    expect(processesMatching(db)).toEqual([]);
  });

  it('Ctrl-C while serving stops the worker and the dev server', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sy-demo-')), 'dev.sqlite');
    const demo = spawnScript('src/demo.ts', ['--db', db], demoEnv());
    await waitForOutput(demo, /Press Ctrl-C to stop/);
    expect(processesMatching(db).length).toBeGreaterThan(0);
    demo.kill('SIGINT');
    const code = await exited(demo);
    expect(code).toBe(130);
    expect(processesMatching(db)).toEqual([]);
  });
});

describe('npm start: where the client finds it', { timeout: DEMO_LIMIT_MS + 120_000 }, () => {
  /** Whether nothing listens on 127.0.0.1:`port` right now. */
  const free = (port: number) =>
    new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });

  it('records its address for the client (7233 when free); a second npm start refuses; a dead record is skipped, with a hint', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sy-home-'));
    const db = join(home, '.switchyard', 'dev.sqlite');
    const record = join(home, '.switchyard', 'dev.env');
    const standard = await free(7233);
    const demo = spawnScript('src/demo.ts', ['--db', db], demoEnv());
    try {
      await waitForOutput(demo, /Press Ctrl-C to stop/);
      const text = readFileSync(record, 'utf8');
      const address = /^TEMPORAL_ADDRESS=(.+)$/m.exec(text)?.[1];
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      if (standard) expect(address).toBe('127.0.0.1:7233');
      expect(text).toContain(`SWITCHYARD_DEV_PID=${demo.pid}`);
      expect(demo.output()).toContain(`export TEMPORAL_ADDRESS=${address}`);

      // The client, run where the user ran npm start, with nothing naming a server.
      const list = spawnScript('src/client.ts', ['list', '--json'], demoEnv(), home);
      expect(await exited(list)).toBe(0);
      expect(list.output()).toMatch(/"graph": "machine-report"/);

      const second = spawnScript('src/demo.ts', ['--db', db], demoEnv());
      expect(await exited(second)).toBe(1);
      expect(second.output()).toContain(`another npm start (pid ${demo.pid}) already serves ${db} at ${address}`);
    } finally {
      demo.kill('SIGINT');
      await exited(demo);
    }
    expect(existsSync(record)).toBe(false);

    // A record left by a killed npm start names a process that is gone: skipped, and said.
    writeFileSync(record, 'TEMPORAL_ADDRESS=127.0.0.1:1\nSWITCHYARD_DEV_PID=2147483646\n');
    const status = spawnScript('src/client.ts', ['list', '--address', '127.0.0.1:1'], demoEnv(), home);
    expect(await exited(status)).toBe(3);
    expect(status.output()).toMatch(
      /cannot reach Temporal at 127\.0\.0\.1:1: .* \(address from --address\)\. Start the embedded server with `npm start`, or point at a server with --address/,
    );
    const stale = spawnScript('src/client.ts', ['list'], { ...demoEnv(), TEMPORAL_ADDRESS: undefined }, home);
    const code = await exited(stale);
    // Whether or not something serves localhost:7233 here, the dead record was not used.
    if (code === 3) expect(stale.output()).toMatch(/names npm start pid 2147483646, which is not running/);
    else expect(stale.output()).not.toContain('127.0.0.1:1');
  });
});

describe('src/worker.ts', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('logs where it connected and, on SIGTERM, finishes the in-flight task before exiting 0', async () => {
    const taskQueue = uniqueTaskQueue('drain');
    const dir = mkdtempSync(join(tmpdir(), 'sy-drain-'));
    const file = join(dir, 'slow.yaml');
    writeFileSync(
      file,
      ['version: 1', 'name: slow', 'tasks:', '  nap:', '    action: script', '    with: { command: [sleep, "3"] }', ''].join(
        '\n',
      ),
    );
    const { address, namespace } = testServer();
    const worker = spawnScript('src/worker.ts', [], {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      SWITCHYARD_TASK_QUEUE: taskQueue,
    });
    await waitForOutput(worker, /switchyard worker: connected to 127\.0\.0\.1:\d+ namespace=default/);
    const handle = await startRun(client, { file, taskQueue });
    // Wait until the activity is running on that worker, then ask it to stop.
    for (let i = 0; i < 200; i++) {
      const { raw } = await handle.describe();
      if ((raw.pendingActivities ?? []).some((a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)) break;
      await sleep(100);
    }
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    expect(worker.output()).toMatch(/switchyard worker: stopped/);
    // The in-flight attempt completed during the drain: no retry, no lost work.
    const history = await handle.fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toHaveLength(1);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)).toHaveLength(1);
    // Another worker finishes the run.
    const result = await withWorker({ taskQueue }, () => handle.result());
    expect(result).toMatchObject({ status: 'completed' });
  });
});
