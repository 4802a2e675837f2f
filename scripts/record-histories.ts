/**
 * Records histories for the replay tier (test/histories) with today's interpreter: every
 * example, fail-fast, pause/resume, continue-as-new, and the cases in
 * test/fixtures/recordings (`--only NAME` records one of them). Files are named after the release series that recorded them
 * (`v2-example-hello.json`; see RELEASE) and an existing file is never overwritten: histories recorded by an
 * older release are what proves an upgrade safe, so they stay as they were (README,
 * "Upgrades"). For the continue-as-new chain it also saves, in test/fixtures/upgrade, the
 * input the first run passed on and the chain's result, for the next release's upgrade test.
 *
 * It starts its own in-memory dev server, the OpenAI-compatible peer for agent tasks, a
 * temporary outbox for deliveries, and a worker in this process. CI only replays.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { Client, Connection, WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startPeer } from '../test/peers/http-peer.js';
import { startOpenAIPeer } from '../test/peers/openai.js';
import { graphLoadOptions } from '../src/cli/graph-files.js';
import { STATE_FORMAT } from '../src/conductor/index.js';
import { GRAPH_KEY } from '../src/constants.js';
import { loadDefinitionText } from '../src/definition/index.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorker } from '../src/worker.js';
import { interpretGraph, pauseSignal, resumeSignal, stateQuery, type InterpretInput } from '../src/workflows/index.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const ROOT = resolve(import.meta.dirname, '..');
const HISTORIES = join(ROOT, 'test', 'histories');
const UPGRADE = join(ROOT, 'test', 'fixtures', 'upgrade');
const RECORDINGS = join(ROOT, 'test', 'fixtures', 'recordings');
const TASK_QUEUE = 'record-histories';
/**
 * The name the recordings go under: `v<STATE_FORMAT>` by default; `--release v2.1` for a
 * release that changes commands without changing the state format (its files are new too).
 */
const RELEASE = releaseName(process.argv.slice(2));
/** `--only NAME[,NAME…]`: record those cases (e.g. `cancel-waits`) and nothing else. */
const ONLY = onlyName(process.argv.slice(2));

function onlyName(args: string[]): string | undefined {
  const at = args.indexOf('--only');
  return at === -1 ? undefined : args[at + 1];
}

/** Whether the case `name` is to be recorded in this call. */
const wanted = (name: string): boolean => ONLY === undefined || ONLY.split(',').includes(name);

function releaseName(args: string[]): string {
  const at = args.indexOf('--release');
  if (at === -1) return `v${STATE_FORMAT}`;
  const name = args[at + 1] ?? '';
  if (!/^v[0-9][0-9A-Za-z.]*$/.test(name)) throw new Error(`--release wants a name like v2.1, got '${name}'`);
  return name;
}

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

type Handle = WorkflowHandleWithFirstExecutionRunId<typeof interpretGraph>;
type Show = (workflowId: string, runId: string) => string;
interface History {
  events: {
    workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId: string; input: { payloads: { data: string }[] } };
  }[];
}

/** A definition as the CLI loads it: `path` (when given) is its file, whose subgraphs are read and carried. */
function definitionOf(text: string, source: string, path?: string): Record<string, unknown> {
  const report = path === undefined ? loadDefinitionText(text, source) : loadDefinitionText(text, path, graphLoadOptions(path));
  if (!report.ok) throw new Error(`${source}: ${JSON.stringify(report.problems)}`);
  return report.definition;
}

/** Writes `name` unless a file of that name exists: recorded files are never replaced. */
function writeNew(folder: string, name: string, text: string): void {
  const path = join(folder, name);
  if (existsSync(path)) {
    console.log(`kept ${name}: it exists (recorded files are never replaced)`);
    return;
  }
  writeFileSync(path, text);
  console.log(`recorded ${name}`);
}

/** Waits for the chain to close; returns its result, or the failure it ended with. */
async function outcomeOf(handle: Handle): Promise<unknown> {
  try {
    return await handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { failed: err.cause?.message ?? err.message };
  }
}

async function main(): Promise<void> {
  mkdirSync(HISTORIES, { recursive: true });
  const server = await startDevServer({ ui: false, useExisting: false, log: console.log });
  // The ecosystem's own JSON history format (what the Web UI downloads), via the real CLI.
  const show: Show = (workflowId, runId) =>
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
  // The http-call case's peer: its items by id, and notes it creates.
  const api = await startPeer((req) =>
    req.method === 'POST' ? { status: 201, body: { created: true } } : { status: 200, body: { name: 'widget' } },
  );
  process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS = 'loopback';

  const workerConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createWorker({ connection: workerConnection, namespace: server.namespace, taskQueue: TASK_QUEUE });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });

  /** Starts a run; `tagged` sets SwitchyardGraph at start, as the `switchyard run` client does. */
  const start = (name: string, args: InterpretInput & { definition: Record<string, unknown> }, tagged = false): Promise<Handle> =>
    client.workflow.start(interpretGraph, {
      taskQueue: TASK_QUEUE,
      workflowId: `${RELEASE}-${name}-recorded`,
      args: [args],
      ...(tagged ? { typedSearchAttributes: [{ key: GRAPH_KEY, value: String(args.definition.name) }] } : {}),
    });
  /** Runs to the end and saves the first run's history as `<release>-<name>.json`. */
  const record = async (name: string, handle: Handle): Promise<unknown> => {
    const outcome = await outcomeOf(handle);
    writeNew(HISTORIES, `${RELEASE}-${name}.json`, show(handle.workflowId, handle.firstExecutionRunId));
    return outcome;
  };

  try {
    await worker.runUntil(async () => {
      const nextMinute = String((new Date().getUTCMinutes() + 1) % 60).padStart(2, '0');
      const examples = readdirSync(join(ROOT, 'examples'))
        .filter((file) => file.endsWith('.yaml'))
        .sort();
      for (const file of examples) {
        const name = file.replace(/\.yaml$/, '');
        if (!wanted(`example-${name}`)) continue;
        const input = name === 'monitoring-loop' ? { wanted_minute: nextMinute } : {};
        const definition = definitionOf(readFileSync(join(ROOT, 'examples', file), 'utf8'), file);
        const handle = await start(`example-${name}`, { definition, input, source: file }, true);
        // The approval example waits for a person: the recorder approves once it waits.
        if (name === 'approve-before-send') await sendWhenWaiting(handle, 'approve', { by: 'recorder' });
        await record(`example-${name}`, handle);
      }
      if (wanted('fail-fast-cancels'))
        await record(
          'fail-fast-cancels',
          await start('fail-fast-cancels', { definition: definitionOf(FAIL_FAST, 'fail-fast.yaml') }),
        );

      if (wanted('pause-resume')) {
        const paused = await start('pause-resume', { definition: definitionOf(PAUSABLE, 'pause-resume.yaml') });
        await paused.signal(pauseSignal);
        await sleep(1_500);
        await paused.signal(resumeSignal);
        await record('pause-resume', paused);
      }

      for (const file of readdirSync(RECORDINGS)
        .filter((name) => name.endsWith('.yaml'))
        .sort()) {
        const name = file.replace(/\.yaml$/, '');
        if (!wanted(name)) continue;
        const text = readFileSync(join(RECORDINGS, file), 'utf8').replaceAll('http://127.0.0.1:9/', `${api.url}/`);
        const definition = definitionOf(text, file, join(RECORDINGS, file));
        if (name === 'continue-as-new-carry')
          await recordChain(name, await start(name, { definition, source: file, continueAsNewAfterEvents: 40 }));
        else if (name === 'pause-during-delay') {
          // Paused before the 2 s delay fires; resumed a second after it fired.
          const handle = await start(name, { definition, source: file });
          await handle.signal(pauseSignal);
          await sleep(3_000);
          await handle.signal(resumeSignal);
          await record(name, handle);
        } else if (name === 'cancel-waits') {
          // Cancelled once its script runs (the first heartbeat carries its pid).
          const handle = await start(name, { definition, source: file });
          while (!(await handle.describe()).raw.pendingActivities?.[0]?.heartbeatDetails) await sleep(100);
          await handle.cancel();
          await record(name, handle);
        } else if (name === 'wait-approve') {
          const handle = await start(name, { definition, source: file });
          await sendWhenWaiting(handle, 'approve', { who: 'refused: no by' }).then(
            () => {
              throw new Error('wait-approve: a payload without `by` was accepted');
            },
            () => undefined,
          );
          await sendWhenWaiting(handle, 'approve', { by: 'recorder' });
          await record(name, handle);
        } else if (name === 'wait-loop-continue-as-new') {
          const handle = await start(name, { definition, source: file, continueAsNewAfterEvents: 20 });
          await sendWhenWaiting(handle, 'approve', 'yes', 1);
          await recordChain(name, handle, false);
        } else await record(name, await start(name, { definition, source: file }));
        if (name === 'typed-input' && wanted('typed-input-refused')) {
          const refused = 'typed-input-refused';
          await record(refused, await start(refused, { definition, source: file, input: { limit: 'lots' } }));
        }
      }
    });
  } finally {
    await connection.close();
    await workerConnection.close();
    await peer.close();
    await api.close();
    await server.stop();
  }

  /** Sends `event` once the run (at least `generation` continues-as-new on) waits for it. */
  async function sendWhenWaiting(handle: Handle, event: string, data: unknown, generation = 0): Promise<void> {
    for (;;) {
      const view = await handle.query(stateQuery);
      if (view !== undefined && view.generation >= generation && view.waiting.some((wait) => wait.event === event)) break;
      await sleep(100);
    }
    await handle.executeUpdate(event, { args: [data] });
  }

  /** A continue-as-new chain: its first two runs, and (`upgrade`) the input the first passed on and the chain's result. */
  async function recordChain(name: string, handle: Handle, upgrade = true): Promise<void> {
    const outcome = await outcomeOf(handle);
    const firstText = show(handle.workflowId, handle.firstExecutionRunId);
    const first = JSON.parse(firstText) as History;
    const continued = first.events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    if (continued === undefined) throw new Error(`${name}: the first run did not continue-as-new`);
    writeNew(HISTORIES, `${RELEASE}-${name}-first-run.json`, firstText);
    writeNew(HISTORIES, `${RELEASE}-${name}-second-run.json`, show(handle.workflowId, continued.newExecutionRunId));
    if (!upgrade) return;
    const [payload] = continued.input.payloads;
    if (payload === undefined) throw new Error(`${name}: the ContinuedAsNew event has no input`);
    const carried: unknown = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
    writeNew(UPGRADE, `${RELEASE}-continue-as-new-input.json`, `${JSON.stringify(carried, null, 2)}\n`);
    writeNew(UPGRADE, `${RELEASE}-continue-as-new-result.json`, `${JSON.stringify(outcome, null, 2)}\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
