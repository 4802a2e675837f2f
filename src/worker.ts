/**
 * The Switchyard worker: polls the task queue for the interpreter workflow and each activity
 * kind's queue (`<queue>-script`, `<queue>-agent`, `<queue>-deliver`, `<queue>-http`) with that kind's caps
 * (src/worker-caps.ts). Connects with Temporal's standard environment configuration; on
 * SIGINT/SIGTERM it stops polling and lets in-flight tasks finish.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { activities } from './activities/index.js';
import { agentSettingsProblem } from './activities/agent/local.js';
import { allowedNetworks } from './activities/common/egress.js';
import { httpSecretHosts } from './activities/common/key-hosts.js';
import { smtpSettings } from './activities/deliver/email.js';
import { webhookKey } from './activities/deliver/webhook.js';
import { spawnerSetting } from './activities/script/spawner.js';
import { ACTIVITY_KINDS, kindTaskQueue, TASK_QUEUE } from './constants.js';
import { describeTarget, resolveConnectTarget } from './temporal/connection.js';
import { workerIdentity } from './temporal/worker-identity.js';
import { IGNORED_TRACE_SINK } from './workflows/trace.js';
import { describeCap, workerCaps, type WorkerCaps } from './worker-caps.js';
import { installTelemetry, metricsUrl, telemetrySettings, type TelemetrySettings } from './telemetry.js';

/** The workflow entry module, bundled by the SDK for its sandbox. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** Options for {@link createWorker}; anything not named takes the SDK's default. */
export interface SwitchyardWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  /** A prebuilt bundle (tests build one per suite); otherwise WORKFLOWS_PATH is bundled. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  activities?: object;
  /** Replaces {@link workerIdentity} as Temporal sees it; receipts still record workerIdentity(). */
  identity?: string;
  /** How long in-flight activities may run after shutdown starts (default 30 s). */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Which queues to poll and each kind's caps (default: all, with the default caps). */
  caps?: WorkerCaps;
  /** Runs kept in the workflow cache (default DEFAULT_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
}

/**
 * Runs whose workflow state a worker keeps in memory between their tasks. The SDK's default
 * grows with the heap limit (hundreds on a 2 GB heap), so the worker's memory grew with the
 * runs in flight; this bound keeps it flat under 1,000 runs at once (issue 13). A run pushed
 * out of the cache is replayed from its history at its next task: CPU, not correctness.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

/** SWITCHYARD_MAX_CACHED_WORKFLOWS as a number (the default when unset), or what is wrong with it. */
export function maxCachedWorkflows(env: NodeJS.ProcessEnv): number | string {
  const text = env.SWITCHYARD_MAX_CACHED_WORKFLOWS;
  if (text === undefined || text === '') return DEFAULT_MAX_CACHED_WORKFLOWS;
  const n = Number(text);
  return Number.isInteger(n) && n >= 2
    ? n
    : `SWITCHYARD_MAX_CACHED_WORKFLOWS=${JSON.stringify(text)}: must be a whole number ≥ 2`;
}

/** One SDK worker per polled queue, run and stopped together. */
export interface SwitchyardWorker {
  /** The queues polled, each with its SDK worker. */
  readonly workers: ReadonlyMap<string, Worker>;
  /** Runs until SIGINT/SIGTERM or shutdown(); a fatal error in one stops the others. */
  run(): Promise<void>;
  /** Runs while `work` runs, then shuts down; resolves with what `work` resolves to. */
  runUntil<T>(work: Promise<T> | (() => Promise<T>)): Promise<T>;
  /** Starts a graceful shutdown of every queue's worker that still runs. */
  shutdown(): void;
}

/** Builds the workers for Switchyard's workflows and activities. */
export async function createWorker(options: SwitchyardWorkerOptions): Promise<SwitchyardWorker> {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const caps = options.caps ?? (workerCaps({}) as WorkerCaps);
  const all = (options.activities ?? activities) as Record<string, unknown>;
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    identity: options.identity ?? workerIdentity(),
    shutdownGraceTime: options.shutdownGraceTime ?? '30s',
    // A cancellation reaches an activity only in the answer to a heartbeat the worker sends;
    // the SDK's default throttle (30 s) would leave a cancelled script running that long.
    defaultHeartbeatThrottleInterval: '1s',
    maxHeartbeatThrottleInterval: '5s',
  } satisfies Partial<WorkerOptions>;
  const workers = new Map<string, Worker>();
  if (caps.kinds.includes('workflow')) {
    // The run's own queue also takes activities: runs started before per-kind queues
    // (KIND_QUEUES_PATCH) schedule theirs there.
    const bundle = options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
    const cache = { maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS };
    workers.set(
      taskQueue,
      await Worker.create({ ...common, taskQueue, ...bundle, ...cache, activities: all, sinks: IGNORED_TRACE_SINK }),
    );
  }
  for (const kind of ACTIVITY_KINDS) {
    if (!caps.kinds.includes(kind) || all[kind] === undefined) continue;
    const cap = caps.caps[kind];
    const queue = kindTaskQueue(taskQueue, kind);
    const worker = await Worker.create({
      ...common,
      taskQueue: queue,
      activities: { [kind]: all[kind] },
      maxConcurrentActivityTaskExecutions: cap.maxConcurrent,
      ...(cap.ratePerSecond !== undefined ? { maxTaskQueueActivitiesPerSecond: cap.ratePerSecond } : {}),
    });
    workers.set(queue, worker);
  }
  if (workers.size === 0) throw new Error('SWITCHYARD_KINDS: nothing to poll (no kinds, or no activities for them)');
  return workerGroup(workers);
}

function workerGroup(workers: Map<string, Worker>): SwitchyardWorker {
  const shutdown = (): void => {
    for (const worker of workers.values()) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const settle = async <T>(runs: Promise<T>[]): Promise<T[]> => {
    const results = await Promise.allSettled(runs);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return results.map((result) => (result as PromiseFulfilledResult<T>).value);
  };
  return {
    workers,
    shutdown,
    async run() {
      await settle(
        [...workers.values()].map((worker) =>
          worker.run().catch((err: unknown) => {
            shutdown();
            throw err;
          }),
        ),
      );
    },
    async runUntil<T>(work: Promise<T> | (() => Promise<T>)) {
      const promise = typeof work === 'function' ? work() : work;
      const [first] = await settle([...workers.values()].map((worker) => worker.runUntil(promise)));
      return first as T;
    },
  };
}

/**
 * The prebuilt workflow bundle SWITCHYARD_WORKFLOW_BUNDLE names (scripts/bundle-workflows.ts
 * writes it; the container image sets it), or undefined to bundle WORKFLOWS_PATH at start.
 * A path that names no file is an error: a worker silently bundling from source would hide
 * an image built without its bundle.
 */
export function prebuiltBundle(env: NodeJS.ProcessEnv): WorkerOptions['workflowBundle'] {
  const codePath = env.SWITCHYARD_WORKFLOW_BUNDLE;
  if (!codePath) return undefined;
  const absolute = resolve(codePath);
  if (!existsSync(absolute)) {
    throw new Error(`SWITCHYARD_WORKFLOW_BUNDLE=${codePath}: no such file (build it with \`npm run bundle-workflows\`)`);
  }
  return { codePath: absolute };
}

/** Settings a worker can tell are wrong before it takes any task; an error names the first. */
export function checkWorkerSettings(env: NodeJS.ProcessEnv): void {
  const secret = env.SWITCHYARD_WEBHOOK_SECRET;
  const key = secret === undefined ? undefined : webhookKey(secret);
  if (typeof key === 'string') throw new Error(`SWITCHYARD_WEBHOOK_SECRET: ${key}; every webhook delivery would fail`);
  const networks = allowedNetworks(env);
  if (typeof networks === 'string') throw new Error(networks);
  // Includes keyHosts (SWITCHYARD_AGENT_KEYS), so both settings are checked.
  const hosts = httpSecretHosts(env);
  if (typeof hosts === 'string') throw new Error(hosts);
  const caps = workerCaps(env);
  if (typeof caps === 'string') throw new Error(caps);
  const cache = maxCachedWorkflows(env);
  if (typeof cache === 'string') throw new Error(cache);
  const spawner = spawnerSetting(env);
  if (spawner !== 'helper' && spawner !== 'direct') throw new Error(spawner);
  const telemetry = telemetrySettings(env);
  if (typeof telemetry === 'string') throw new Error(telemetry);
  const agent = agentSettingsProblem(env);
  if (agent) throw new Error(agent);
  if (Object.keys(env).some((name) => name.startsWith('SWITCHYARD_SMTP_'))) {
    try {
      smtpSettings(env, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; every email delivery would fail`);
    }
  }
}

async function main(): Promise<void> {
  checkWorkerSettings(process.env);
  const telemetry = telemetrySettings(process.env) as TelemetrySettings;
  installTelemetry(telemetry);
  const target = resolveConnectTarget();
  const taskQueue = process.env.SWITCHYARD_TASK_QUEUE ?? TASK_QUEUE;
  const workflowBundle = prebuiltBundle(process.env);
  const connection = await NativeConnection.connect(target.config.connectionOptions);
  try {
    const caps = workerCaps(process.env) as WorkerCaps;
    const worker = await createWorker({
      connection,
      namespace: target.namespace,
      taskQueue,
      workflowBundle,
      caps,
      maxCachedWorkflows: maxCachedWorkflows(process.env) as number,
    });
    const workflows = !caps.kinds.includes('workflow')
      ? 'not polled (SWITCHYARD_KINDS)'
      : workflowBundle && 'codePath' in workflowBundle
        ? `prebuilt bundle ${workflowBundle.codePath}`
        : 'bundled at start';
    console.log(`switchyard worker: connected to ${describeTarget(target)}, task queue ${taskQueue}, workflows ${workflows}`);
    for (const kind of ACTIVITY_KINDS) {
      const queue = kindTaskQueue(taskQueue, kind);
      if (worker.workers.has(queue)) console.log(`switchyard worker: ${queue}: ${describeCap(kind, caps.caps[kind])}`);
    }
    console.log(
      telemetry.metricsBind
        ? `switchyard worker: metrics at ${metricsUrl(telemetry.metricsBind)} (bound to ${telemetry.metricsBind})`
        : 'switchyard worker: no metrics endpoint (set SWITCHYARD_METRICS_PORT to serve one)',
    );
    // Worker.run() resolves after SIGINT/SIGTERM: the SDK stops polling, waits for
    // in-flight tasks (up to shutdownGraceTime) and then returns.
    await worker.run();
    console.log('switchyard worker: stopped');
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`switchyard worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
