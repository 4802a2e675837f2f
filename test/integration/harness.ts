/**
 * What integration tests share: the tier's real dev server (from global-setup.ts), a
 * client, a worker running Switchyard's real workflows and activities on a task queue of
 * the test's own, one workflow bundle per test file, and the real `temporal` CLI.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createWorker, WORKFLOWS_PATH, type SwitchyardWorker } from '../../src/worker.js';

const run = promisify(execFile);

// Worker state changes at INFO drown the test report; warnings and errors still show.
// Each test file runs in its own module graph, so this runs before the Runtime is used.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** The tier's server. */
export function testServer(): { address: string; namespace: string; uiUrl: string; cliPath: string } {
  return {
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
    uiUrl: inject('temporalUiUrl'),
    cliPath: inject('temporalCliPath'),
  };
}

/** A task queue no other test polls, so workers of different tests never steal each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

/** A client on the tier's server; close its connection in afterAll. */
export async function connectClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const { address, namespace } = testServer();
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

/**
 * Connects a client for the enclosing describe block — before its tests, closed after them —
 * and hands it to `use` (usually `(c) => (client = c)`).
 */
export function useClient(use: (client: Client) => void): void {
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const connected = await connectClient();
    close = connected.close;
    use(connected.client);
  });
  afterAll(async () => close?.());
}

/** Lines of `ps -eo pid,args` that contain `needle`: the OS's own account of what runs. */
export function processesMatching(needle: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'));
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles a workflows module once per test file (bundling takes seconds). */
export function workflowBundle(workflowsPath: string = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/** Options for {@link withWorker}. */
export interface TestWorkerOptions {
  taskQueue: string;
  workflowsPath?: string;
  activities?: object;
  identity?: string;
}

/** Runs `fn` while a real worker polls `taskQueue`, then shuts the worker down. */
export async function withWorker<T>(options: TestWorkerOptions, fn: (worker: SwitchyardWorker) => Promise<T>): Promise<T> {
  const { address, namespace } = testServer();
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await createWorker({
      connection,
      namespace,
      taskQueue: options.taskQueue,
      workflowBundle: await workflowBundle(options.workflowsPath),
      activities: options.activities,
      identity: options.identity,
      shutdownGraceTime: '5s',
    });
    return await worker.runUntil(fn(worker));
  } finally {
    await connection.close();
  }
}

/** Runs the real `temporal` CLI against the tier's server and parses its JSON output. */
export async function temporalCliJson(args: string[]): Promise<unknown> {
  const { address, namespace, cliPath } = testServer();
  const { stdout } = await run(cliPath, [...args, '--address', address, '--namespace', namespace, '--output', 'json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const text = stdout.trim();
  if (!text) return [];
  // `workflow list` prints one JSON document per line; others print one document.
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.split('\n').map((line) => JSON.parse(line) as unknown);
  }
}

/** What a `switchyard` command printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const SWITCHYARD_BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));

/**
 * Runs the real `switchyard` command-line client as a child process against the tier's
 * server (TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE), with `env` on top (e.g. another namespace).
 */
export function switchyard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const { address, namespace } = testServer();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SWITCHYARD_BIN, ...args],
      { env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
