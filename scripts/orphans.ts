/**
 * `npm run orphans`: the worker-death scenario of issue 9 at scale, too slow for the
 * integration tier (every worker process bundles the workflows at start). On its own
 * in-memory dev server it starts worker processes (src/worker.ts, as an operator runs them),
 * starts --runs runs of a chain of three script tasks, SIGKILLs --kills workers while their
 * scripts run (starting a replacement each time), and waits for every run to complete.
 * The scripts keep a ledger (test/integration/ledger.ts) naming the worker that ran them;
 * from it the scenario counts duplicates (executions beyond one per task) by why the
 * earlier execution did not count:
 *
 * - killed: its worker was SIGKILLed while it ran, and it was stopped with it;
 * - finished unreported: it ended, but its worker was killed before the result reached
 *   the server (at-least-once: nothing can prevent this one);
 * - orphaned: its worker was killed, and it went on running to its end (the bug);
 * - live timeout: its worker was not killed, yet the server gave up on the attempt (a
 *   heartbeat timeout on a worker stalled longer than `heartbeat:`, e.g. a starved CPU).
 *
 * and overlaps (two executions of one task running at once). The orphan bug shows as an
 * orphaned duplicate or an overlap with an execution of a killed worker: the scenario
 * exits 1 when it sees either (or a run that did not complete, or a script left running),
 * 0 otherwise. Overlaps after a live timeout are counted and reported apart.
 *
 * Flags: --runs N (20), --kills N (3), --workers N (3), --seconds N (per script, 6: longer
 * than the 2 s heartbeat timeout, so that an orphan would still run when the retry
 * starts), --json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { startRun } from '../src/cli/runs.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { LEDGER_SCRIPT, overlaps, readLedger } from '../test/integration/ledger.js';

const ROOT = resolve(import.meta.dirname, '..');
const progress = (line: string): void => void process.stderr.write(`orphans: ${line}\n`);

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    kills: { type: 'string', default: '3' },
    workers: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '6' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const KILLS = Number(values.kills);
const WORKERS = Number(values.workers);
const SECONDS = Number(values.seconds);

/** Every worker process started, so that none outlives the scenario. */
const workers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
});

function startWorker(address: string, namespace: string, taskQueue: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    // The SDK logs every state change on stderr; the scenario's own progress is what to read.
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SWITCHYARD_TASK_QUEUE: taskQueue },
  });
  workers.add(worker);
  return new Promise((ready, fail) => {
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('switchyard worker: connected')) ready(worker);
    });
    worker.once('exit', (code) => fail(new Error(`a worker exited with ${code} before it connected:\n${output}`)));
  });
}

/** Pids of processes whose argv holds `marker`. */
function scriptsRunning(marker: string): Promise<number> {
  return new Promise((done) => {
    const ps = spawn('ps', ['-eo', 'args'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    ps.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    ps.once('close', () => done(out.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo')).length));
  });
}

async function main(): Promise<number> {
  const server = await startDevServer({ ui: false, useExisting: false });
  try {
    const taskQueue = `orphans-${randomUUID().slice(0, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'sy-orphans-'));
    const ledger = join(dir, 'ledger');
    const marker = `sy-orphans-${randomUUID()}`;
    const task = (name: string, next?: string) =>
      [
        `  ${name}:`,
        '    action: script',
        `    with: { command: [sh, -c, ${JSON.stringify(LEDGER_SCRIPT)}, ${marker}, ${ledger}, "{{ workflow.id }}:${name}", "${SECONDS}"] }`,
        '    heartbeat: 2s',
        '    retry: { maximum_attempts: 5, initial_interval: 100ms }',
        ...(next === undefined ? [] : [`    next: [{ do: [${next}] }]`]),
      ].join('\n');
    const file = join(dir, 'chain.yaml');
    writeFileSync(
      file,
      ['version: 1', 'name: orphans-chain', 'tasks:', task('a', 'b'), task('b', 'c'), task('c'), ''].join('\n'),
    );

    progress(`starting ${WORKERS} workers on ${server.address}`);
    const pool = await Promise.all(
      Array.from({ length: WORKERS }, () => startWorker(server.address, server.namespace, taskQueue)),
    );
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const handles = await Promise.all(Array.from({ length: RUNS }, () => startRun(client, { file, taskQueue })));
    const results = Promise.allSettled(handles.map((handle) => handle.result()));
    progress(`${RUNS} runs started; killing ${KILLS} workers while their scripts run`);

    const replacements: Promise<ChildProcess>[] = [];
    /** Killed workers by pid, with when they were killed. */
    const killed = new Map<number, bigint>();
    const runFor = SECONDS * 3 * 1000;
    for (let kill = 0; kill < KILLS; kill++) {
      // Spread the kills over the chain, each in the middle of a script.
      await sleep(kill === 0 ? (SECONDS * 1000) / 2 : runFor / (KILLS + 1));
      const victim = pool.shift();
      if (victim === undefined) break;
      // Mid-script, not between tasks: wait (bounded) until scripts are running.
      let inFlight = await scriptsRunning(marker);
      for (let tries = 0; tries < 100 && inFlight < RUNS / 2; tries++) {
        await sleep(50);
        inFlight = await scriptsRunning(marker);
      }
      victim.kill('SIGKILL');
      // Wall-clock nanoseconds, as the ledger's `date +%s%N`.
      killed.set(victim.pid ?? 0, BigInt(Date.now()) * 1_000_000n);
      progress(`SIGKILL worker ${victim.pid} (${inFlight} scripts running on all workers)`);
      const replacement = startWorker(server.address, server.namespace, taskQueue);
      replacements.push(replacement);
      void replacement.then((worker) => pool.push(worker));
    }
    const settled = await results;
    const left = await scriptsRunning(marker);
    const completed = settled.filter((result) => result.status === 'fulfilled').length;

    const executions = readLedger(ledger);
    const byLabel = new Map<string, typeof executions>();
    for (const execution of executions) byLabel.set(execution.label, [...(byLabel.get(execution.label) ?? []), execution]);
    const why = { killed: 0, finishedUnreported: 0, orphaned: 0, liveTimeout: 0 };
    for (const list of byLabel.values()) {
      for (const [i, earlier] of list.slice(0, -1).entries()) {
        const next = list[i + 1];
        const killedAt = killed.get(earlier.worker);
        if (killedAt === undefined) why.liveTimeout += 1;
        else if (earlier.close === undefined || (next !== undefined && earlier.close > next.start)) why.orphaned += 1;
        // Ran to its end after its worker was gone (a few ms of slack for the two clocks' reads).
        else if (earlier.how === 'end' && earlier.close > killedAt + 50_000_000n) why.orphaned += 1;
        else if (earlier.how === 'end') why.finishedUnreported += 1;
        else why.killed += 1;
      }
    }
    const concurrent = overlaps(executions);
    const orphanOverlaps = concurrent.filter(([earlier]) => killed.has(earlier.worker)).length;
    const unclosed = executions.filter((execution) => execution.close === undefined).length;
    const report = {
      runs: RUNS,
      completed,
      kills: KILLS,
      workers: WORKERS,
      scriptSeconds: SECONDS,
      tasks: byLabel.size,
      executions: executions.length,
      duplicates: executions.length - byLabel.size,
      duplicatesKilledWithWorker: why.killed,
      duplicatesFinishedUnreported: why.finishedUnreported,
      duplicatesOrphaned: why.orphaned,
      duplicatesLiveTimeout: why.liveTimeout,
      overlapsWithKilledWorkersScripts: orphanOverlaps,
      overlapsAfterLiveTimeout: concurrent.length - orphanOverlaps,
      executionsWithoutStopOrEnd: unclosed,
      scriptsLeftRunning: left,
    };
    process.stdout.write(
      values.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${Object.entries(report)
            .map(([key, value]) => `${key.padEnd(34)} ${value}`)
            .join('\n')}\n`,
    );
    await Promise.allSettled(replacements);
    for (const worker of workers) worker.kill('SIGTERM');
    await connection.close();
    const ok = completed === RUNS && why.orphaned === 0 && orphanOverlaps === 0 && left === 0 && unclosed === 0;
    return ok ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`orphans: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
