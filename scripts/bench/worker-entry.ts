/**
 * The worker the benchmark measures, in a process of its own so that its CPU time is only
 * the worker's: Switchyard's real worker (createWorker — the prebuilt workflow bundle in
 * SWITCHYARD_WORKFLOW_BUNDLE, as the container image runs it; the real activities) on the
 * server and task queue the benchmark gives it in TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and
 * SWITCHYARD_TASK_QUEUE. Started by
 * scripts/bench/worker-process.ts with an IPC channel, on which it says when it is ready
 * and answers "cpu" with process.cpuUsage(): the same kernel counters as /proc/<pid>/stat,
 * in microseconds instead of 10 ms ticks.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { resolveConnectTarget } from '../../src/temporal/connection.js';
import { createWorker, prebuiltBundle } from '../../src/worker.js';

/** Messages from this process to the benchmark. */
export type WorkerMessage = { type: 'ready' } | { type: 'cpu'; userUs: number; systemUs: number };

// Nothing is logged per task at INFO either; WARN keeps the pipe quiet in any case.
Runtime.install({ logger: new DefaultLogger('WARN') });

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const taskQueue = process.env.SWITCHYARD_TASK_QUEUE;
  if (!process.send || !taskQueue)
    throw new Error('start me from scripts/bench.ts (needs an IPC channel and SWITCHYARD_TASK_QUEUE)');
  const target = resolveConnectTarget();
  const connection = await NativeConnection.connect(target.config.connectionOptions);
  try {
    const worker = await createWorker({
      connection,
      namespace: target.namespace,
      taskQueue,
      workflowBundle: prebuiltBundle(process.env),
      shutdownGraceTime: '5s',
    });
    process.on('message', (message) => {
      if (message !== 'cpu') return;
      const usage = process.cpuUsage();
      send({ type: 'cpu', userUs: usage.user, systemUs: usage.system });
    });
    // The benchmark gone (even killed) means nobody will stop us: stop by ourselves.
    process.once('disconnect', () => {
      worker.shutdown();
    });
    send({ type: 'ready' });
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
