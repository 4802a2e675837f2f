/**
 * `npm run bench`: what the interpreter costs against hand-written Temporal workflows doing
 * the same work (SPEC §7, issue 13). In one run it starts its own in-memory dev server and a
 * worker process, warms up, then alternates batches of interpreter and baseline runs of each
 * workload (chains of 3 and 8 script tasks, a fan-out of 10 then 1, a 1,000-iteration loop)
 * for several rounds: one run at a time (latency, worker CPU, history length), then many at
 * once (runs/s, worker memory). Last, due→start lateness of a delayed run and of schedule
 * fires. Ratios interpreter/baseline are reported apart from the absolute figures, with the
 * machine's load. Progress goes to stderr, the table (or, with --json, the JSON document)
 * to stdout. Everything it started is stopped on exit, error or Ctrl-C.
 *
 * Flags: --runs N (per batch, 20), --rounds N (3), --warmup N (5), --concurrent N (200),
 * --loop N (1000), --json [file].
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { startDevServer } from '../src/temporal/dev-server.js';
import { WORKFLOWS_PATH } from '../src/worker.js';
import { runBatch, runConcurrent, warmUp, type Batch, type BenchTarget, type Throughput } from './bench/batch.js';
import { queuedLateness, scheduleLateness } from './bench/lateness.js';
import { parseOptions } from './bench/options.js';
import { formatTable, type BenchReport } from './bench/report.js';
import { summarise } from './bench/summary.js';
import { startMeasuredWorker } from './bench/worker-process.js';
import { KINDS, workloads } from './bench/workloads.js';

const IDLE_SAMPLE_MS = 3_000;
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** What has been started and must be stopped, newest first. */
const stoppers: (() => Promise<void>)[] = [];
let stopping: Promise<void> | undefined;
/** Set by Ctrl-C/SIGTERM: what fails after it is the stopping, not a finding to report. */
let interrupted = false;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const stop of stoppers.reverse()) {
      await stop().catch((err: unknown) => progress(`while stopping: ${err instanceof Error ? err.message : String(err)}`));
    }
  })();
  return stopping;
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: stopping the worker and the dev server`);
    // A second signal ends us at once; the exit hooks then SIGKILL whatever is left.
    process.once(signal, () => process.exit(code));
    void stopAll().finally(() => process.exit(code));
  });
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const loadavgStart = loadavg();
  const work = workloads(options.loop);
  const short = work.filter((workload) => !workload.long);

  const server = await startDevServer({ ui: false, useExisting: false, log: progress });
  stoppers.push(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  stoppers.push(() => connection.close());
  const client = new Client({ connection, namespace: server.namespace });
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const bundle = join(mkdtempSync(join(tmpdir(), 'switchyard-bench-')), 'workflow-bundle.js');
  stoppers.push(async () => rmSync(dirname(bundle), { recursive: true, force: true }));
  progress(`bundling the workflows into ${bundle}, as the container image does at build time`);
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  writeFileSync(bundle, code);
  progress(`starting the measured worker on task queue ${taskQueue}`);
  const worker = await startMeasuredWorker({ address: server.address, namespace: server.namespace, taskQueue, bundle });
  stoppers.push(() => worker.stop());
  const freshRss = worker.rss();
  const target: BenchTarget = {
    client,
    taskQueue,
    worker,
    ...(server.kind === 'cli' && server.pid ? { serverPid: server.pid } : {}),
  };

  progress(`warming up: ${options.warmup} runs of each workload and kind`);
  for (const workload of short) for (const kind of KINDS) await warmUp(target, workload, kind, options.warmup);
  const warmRss = worker.rss();

  const idleBefore = await worker.cpu();
  await sleep(IDLE_SAMPLE_MS);
  const workerIdleCpuMsPerS = ((await worker.cpu()).ownMs - idleBefore.ownMs) / (IDLE_SAMPLE_MS / 1000);

  const batches: Batch[] = [];
  const throughput: Throughput[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // Which kind goes first alternates, so a trend in the machine's load favours neither.
    const order = round % 2 === 1 ? KINDS : [...KINDS].reverse();
    for (const workload of work) {
      for (const kind of order) {
        const batch = await runBatch(target, workload, kind, workload.long ? 1 : options.runs, round);
        batches.push(batch);
        progress(
          `round ${round}/${options.rounds} ${workload.name} ${kind}: ${(batch.workerCpuMs / batch.runs).toFixed(2)} ms worker CPU/run, ` +
            `${(batch.wallMs / batch.runs).toFixed(1)} ms/run wall`,
        );
      }
    }
    for (const workload of options.concurrent > 0 ? short : []) {
      for (const kind of order) {
        const batch = await runConcurrent(target, workload, kind, options.concurrent, round);
        throughput.push(batch);
        progress(
          `round ${round}/${options.rounds} ${workload.name} ${kind} × ${options.concurrent} at once: ` +
            `${batch.runsPerS.toFixed(1)} runs/s, worker RSS ${batch.workerRssMiB.toFixed(0)} MiB`,
        );
      }
    }
  }

  progress('lateness: 5 runs started with a 1 s start delay, then 5 fires of a schedule every second');
  const chain3 = short[0] as (typeof short)[number];
  const lateness = {
    queuedRunMs: await queuedLateness(target, chain3, 5),
    scheduleFireMs: await scheduleLateness(target, chain3, 5),
  };

  const report: BenchReport = {
    meta: {
      startedAt: startedAt.toISOString(),
      durationS: (Date.now() - startedAt.getTime()) / 1000,
      commit: commit(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      server: `${server.cli ? `${server.cli.version} ` : ''}dev server (${server.kind}), in memory, headless`,
      runs: options.runs,
      rounds: options.rounds,
      warmup: options.warmup,
      loadavgStart,
      loadavgEnd: loadavg(),
      workerIdleCpuMsPerS,
      concurrent: options.concurrent,
      loop: options.loop,
      notes: [
        'worker CPU: user+system time of the worker process (all its threads) from process.cpuUsage() inside it (µs), read before and after each batch, ÷ runs',
        '/proc CPU/run: utime+stime of /proc/<pid>/stat for the same process (10 ms ticks), a cross-check of the above',
        "the `true` processes scripts run are started by the worker's spawn helper, a process of its own: neither they nor the helper are in the worker's CPU or RSS (the same for both kinds)",
        'runs in a batch go one at a time; latency: from the start call to the result, as the client sees it; p50/p95 over all runs of a kind',
        'CPU/run, server CPU/run: median over rounds; the CPU ratio: median of per-round ratios (range: lowest and highest round)',
        'history events: length of the last run of each batch (fan-out: parallel completions may share a workflow task); a loop counts every run it continued as',
        `the loop workload runs once per batch and is not in the throughput batches; throughput: ${options.concurrent} runs started at once, runs/s until the last ended (median over rounds)`,
        'worker RSS: VmRSS of the worker process (not its scripts) fresh after start, after warm-up, at the end of each throughput batch; peak: VmHWM',
        'lateness: first workflow task started − due time, by the server clock (history event times), with an idle worker polling',
      ],
    },
    results: summarise(work, batches, throughput),
    memory: { freshMiB: freshRss.rssMiB, warmMiB: warmRss.rssMiB, peakMiB: worker.rss().peakMiB },
    lateness,
    batches,
    throughput,
  };
  const table = formatTable(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (options.json === true) {
    process.stderr.write(table);
    process.stdout.write(json);
  } else {
    process.stdout.write(table);
    if (typeof options.json === 'string') {
      writeFileSync(options.json, json);
      progress(`JSON written to ${options.json}`);
    }
  }
}

main()
  .then(() => stopAll())
  .then(
    () => process.exit(0),
    (err: unknown) => {
      if (interrupted) return;
      progress(`failed: ${err instanceof Error ? err.message : String(err)}`);
      void stopAll().finally(() => process.exit(1));
    },
  );
