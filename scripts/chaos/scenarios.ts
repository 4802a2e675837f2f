/**
 * The chaos scenarios (issue 13): each starts its runs, does its damage, waits for every
 * run to close, and counts from Temporal's side (completed, cancelled, lost) and from the
 * ledger's (executions, duplicates, duplicates no kill explains). A run is lost when it does
 * not end as the scenario expects (completed; cancelled in the cancel storm) by the deadline.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { loadDefinitionText } from '../../src/definition/index.js';
import { interpretGraph } from '../../src/workflows/index.js';
import { countLedger, LEDGER_SCRIPT, nowNs, type LedgerCount } from './ledger.js';
import { startWorker, type ChaosWorker, type WorkerTarget } from './workers.js';
import { existsSync } from 'node:fs';
import { readLedger, type Execution } from '../../test/integration/ledger.js';

const executions = (ledger: string): Execution[] => (existsSync(ledger) ? readLedger(ledger) : []);

/** One scenario's figures: one row of the table. */
export interface ScenarioResult {
  scenario: string;
  runs: number;
  kills: number;
  completed: number;
  cancelled: number;
  lost: number;
  ledger: LedgerCount;
  /** Why the scenario failed, beyond lost runs and unexplained duplicates. */
  problems: string[];
}

/** What every scenario gets: a client on the server, and its own task queue and ledger. */
export interface Stage {
  client: Client;
  target: WorkerTarget;
  ledger: string;
  log: (line: string) => void;
}

const CLOSE_DEADLINE_MS = 300_000;

/**
 * A chain of `tasks` ledger scripts of `seconds` each, labelled `<workflow id>:stepN`; retried
 * after a kill, which a heartbeat timeout of `heartbeat` notices (2 s: the kill scenarios
 * recover fast; on an overloaded machine so short a timeout also expires under live scripts
 * whose heartbeats came late, and the retry is a duplicate no kill explains).
 */
export function chainDefinition(tasks: number, seconds: number, ledger: string, heartbeat = '2s'): unknown {
  const lines = ['version: 1', `name: chaos-chain-${tasks}`, 'tasks:'];
  for (let i = 1; i <= tasks; i++) {
    const argv = ['sh', '-c', LEDGER_SCRIPT, 'sy-chaos', ledger, `{{ workflow.id }}:step${i}`, String(seconds)];
    lines.push(`  step${i}:`, '    action: script', `    with: { command: ${JSON.stringify(argv)} }`);
    lines.push(
      `    heartbeat: ${heartbeat}`,
      '    retry: { maximum_attempts: 20, initial_interval: 100ms, maximum_interval: 1s }',
    );
    if (i < tasks) lines.push(`    next: [{ do: [step${i + 1}] }]`);
  }
  const report = loadDefinitionText(`${lines.join('\n')}\n`);
  if (!report.ok) throw new Error(`chaos definition is invalid: ${JSON.stringify(report.problems)}`);
  return report.definition;
}

export function startRuns(stage: Stage, definition: unknown, count: number): Promise<WorkflowHandle[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      stage.client.workflow.start(interpretGraph, {
        taskQueue: stage.target.taskQueue,
        workflowId: `chaos-${randomUUID()}`,
        args: [{ definition }],
      }),
    ),
  );
}

type Ending = 'completed' | 'cancelled' | 'failed' | 'open';

/** How a run ended; a lost connection (the server restarting) is waited out until the deadline. */
async function ending(handle: WorkflowHandle, deadline: number): Promise<Ending> {
  while (Date.now() < deadline) {
    try {
      await handle.result();
      return 'completed';
    } catch (err) {
      if (err instanceof WorkflowFailedError) return err.cause instanceof CancelledFailure ? 'cancelled' : 'failed';
      await sleep(500);
    }
  }
  return 'open';
}

async function tally(
  stage: Stage,
  scenario: string,
  handles: WorkflowHandle[],
  expected: 'completed' | 'cancelled',
  killsNs: bigint[],
): Promise<ScenarioResult> {
  const deadline = Date.now() + CLOSE_DEADLINE_MS;
  const endings = await Promise.all(handles.map((handle) => ending(handle, deadline)));
  const count = (what: Ending) => endings.filter((e) => e === what).length;
  return {
    scenario,
    runs: handles.length,
    kills: killsNs.length,
    completed: count('completed'),
    cancelled: count('cancelled'),
    lost: endings.filter((e) => e !== expected).length,
    ledger: countLedger(stage.ledger, killsNs),
    problems: [],
  };
}

/** Waits until a script started after `sinceNs` (by the worker started then) runs. */
async function scriptStartedSince(ledger: string, sinceNs: bigint): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 100) {
    if (executions(ledger).some((e) => e.start > sinceNs)) return;
    await sleep(100);
  }
  throw new Error('no script started in 120 s');
}

/** `runs` chains of 3 one-second tasks; the worker is SIGKILLed `kills` times mid-task and replaced. */
export async function workerKill(stage: Stage, runs: number, kills: number): Promise<ScenarioResult> {
  let since = nowNs();
  let worker: ChaosWorker = await startWorker(stage.target);
  const handles = await startRuns(stage, chainDefinition(3, 1, stage.ledger), runs);
  const killsNs: bigint[] = [];
  for (let k = 1; k <= kills; k++) {
    await scriptStartedSince(stage.ledger, since);
    await sleep(300);
    killsNs.push(nowNs());
    await worker.kill();
    stage.log(`worker-kill: SIGKILL ${k}/${kills} (pid ${worker.pid}); starting another worker`);
    since = nowNs();
    worker = await startWorker(stage.target);
  }
  try {
    return await tally(stage, `worker SIGKILL mid-run ×${kills}`, handles, 'completed', killsNs);
  } finally {
    await worker.stop();
  }
}

/** `runs` chains of 3 short tasks; the server is SIGKILLed mid-run and restarted on its SQLite file. */
export async function serverKill(
  stage: Stage,
  runs: number,
  server: { kill(): Promise<void>; restart(): Promise<void> },
): Promise<ScenarioResult> {
  const since = nowNs();
  const worker = await startWorker(stage.target);
  try {
    const handles = await startRuns(stage, chainDefinition(3, 0.5, stage.ledger), runs);
    await scriptStartedSince(stage.ledger, since);
    await sleep(700);
    const killsNs = [nowNs()];
    await server.kill();
    stage.log('server-kill: SIGKILL the dev server; restarting it on its SQLite file');
    await server.restart();
    return await tally(stage, 'dev server SIGKILL + restart', handles, 'completed', killsNs);
  } finally {
    await worker.stop();
  }
}

/** `runs` one-task runs started at once. */
export async function manyRuns(stage: Stage, runs: number): Promise<ScenarioResult> {
  const worker = await startWorker(stage.target);
  try {
    const handles = await startRuns(stage, chainDefinition(1, 0, stage.ledger), runs);
    const result = await tally(stage, `${runs} concurrent runs`, handles, 'completed', []);
    if (result.ledger.ended !== runs) result.problems.push(`${result.ledger.ended} scripts ended, not ${runs}`);
    return result;
  } finally {
    await worker.stop();
  }
}

/** `runs` runs of one long task, all cancelled at once once every script runs: all must end cancelled, no script left. */
export async function cancelStorm(stage: Stage, runs: number): Promise<ScenarioResult> {
  const worker = await startWorker(stage.target);
  try {
    // No kills here: the default heartbeat throttle (5 s at most) still brings the cancel soon.
    const handles = await startRuns(stage, chainDefinition(1, 60, stage.ledger, '30s'), runs);
    for (let waited = 0; waited < 120_000; waited += 100) {
      if (executions(stage.ledger).length >= runs) break;
      await sleep(100);
    }
    await Promise.all(handles.map((handle) => handle.cancel()));
    const result = await tally(stage, `cancel storm of ${runs}`, handles, 'cancelled', []);
    // A cancelled run closes only after its script stopped (WAIT_CANCELLATION_COMPLETED).
    if (result.ledger.unclosed > 0) result.problems.push(`${result.ledger.unclosed} scripts never stopped`);
    if (result.ledger.ended > 0) result.problems.push(`${result.ledger.ended} scripts ran to their end`);
    return result;
  } finally {
    await worker.stop();
  }
}
