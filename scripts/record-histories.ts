/**
 * Records the histories the replay tier replays (test/histories/*.json): every example,
 * plus runs that exercise fail-fast cancellation, pause/resume signals and
 * continue-as-new. Run it (`npm run record-histories`) after a deliberate, compatible change
 * to the interpreter, and commit the result; CI only replays, it never records.
 *
 * It starts its own in-memory dev server, the OpenAI-compatible peer for agent tasks, a
 * temporary outbox for deliveries, and a worker in this process.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startOpenAIPeer } from '../test/peers/openai.js';
import { loadDefinitionText } from '../src/definition/index.js';
import { startRun } from '../src/cli/runs.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorker } from '../src/worker.js';
import { INTERPRETER_WORKFLOW } from '../src/constants.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'test', 'histories');
const TASK_QUEUE = 'record-histories';

/** Runs that are not plain examples: each builds a definition inline. */
const FAIL_FAST = `version: 1
name: fail-fast-cancels
tasks:
  slow: { action: script, with: { command: [sleep, "30"] } }
  broken: { action: script, with: { command: ["false"] }, retry: { maximum_attempts: 2, initial_interval: 100ms } }
`;
const PAUSABLE = `version: 1
name: pause-resume
tasks:
  first: { action: script, with: { command: [sleep, "1"] }, next: [{ do: [second] }] }
  second: { action: script, with: { command: [echo, resumed] } }
`;

let showHistory: (workflowId: string, runId: string) => string;

/** Waits for the run to close, then saves its history as `temporal workflow show` prints it. */
async function record(handle: WorkflowHandle, runId: string, name: string): Promise<void> {
  try {
    await handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
  }
  const json = showHistory(handle.workflowId, runId);
  writeFileSync(join(OUT, `${name}.json`), json);
  const events = (JSON.parse(json) as { events: unknown[] }).events.length;
  console.log(`recorded ${name}: ${events} events`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startDevServer({ ui: false, useExisting: false, log: console.log });
  // The ecosystem's own JSON history format (what the Web UI downloads), via the real CLI.
  showHistory = (workflowId, runId) =>
    execFileSync(
      server.cli?.path ?? 'temporal',
      ['workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json', '--address', server.address],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  const peer = await startOpenAIPeer();
  peer.answer({ text: 'Three things happened; none of them need you today.' });
  process.env.SWITCHYARD_AGENT_BASE_URL = peer.baseUrl;
  process.env.SWITCHYARD_AGENT_MODEL = 'peer-model';
  process.env.SWITCHYARD_OUTBOX_ROOT = mkdtempSync(join(tmpdir(), 'sy-outbox-'));

  const workerConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createWorker({ connection: workerConnection, namespace: server.namespace, taskQueue: TASK_QUEUE });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  try {
    await worker.runUntil(async () => {
      const nextMinute = String((new Date().getUTCMinutes() + 1) % 60).padStart(2, '0');
      const examples: [string, Record<string, unknown>][] = [
        ['hello', {}],
        ['fan-out-join', {}],
        ['daily-briefing', {}],
        ['join-2-of-3', {}],
        ['retry-with-cycle', {}],
        ['conditional-loop', {}],
        ['monitoring-loop', { wanted_minute: nextMinute }],
      ];
      for (const [name, input] of examples) {
        const handle = await startRun(client, { file: join(ROOT, 'examples', `${name}.yaml`), input, taskQueue: TASK_QUEUE, workflowId: `${name}-recorded` });
        await record(handle, handle.firstExecutionRunId, `example-${name}`);
      }

      const definition = (text: string) => {
        const report = loadDefinitionText(text);
        if (!report.ok) throw new Error(JSON.stringify(report.problems));
        return report.definition;
      };
      const failFast = await client.workflow.start(INTERPRETER_WORKFLOW, {
        taskQueue: TASK_QUEUE,
        workflowId: 'fail-fast-recorded',
        args: [{ definition: definition(FAIL_FAST) }],
      });
      await record(failFast, failFast.firstExecutionRunId, 'fail-fast-cancels');

      const paused = await client.workflow.start(INTERPRETER_WORKFLOW, {
        taskQueue: TASK_QUEUE,
        workflowId: 'pause-resume-recorded',
        args: [{ definition: definition(PAUSABLE) }],
      });
      await paused.signal('pause');
      await sleep(1_500);
      await paused.signal('resume');
      await record(paused, paused.firstExecutionRunId, 'pause-resume');

      // Continue-as-new: the loop example with a tiny history budget; record the first run of the chain.
      const loop = await client.workflow.start(INTERPRETER_WORKFLOW, {
        taskQueue: TASK_QUEUE,
        workflowId: 'continue-as-new-recorded',
        args: [{ definition: definition(readFileSync(join(ROOT, 'examples', 'conditional-loop.yaml'), 'utf8')), input: { target: 12 }, continueAsNewAfterEvents: 40 }],
      });
      await record(loop, loop.firstExecutionRunId, 'continue-as-new-first-run');
    });
  } finally {
    await connection.close();
    await workerConnection.close();
    await peer.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
