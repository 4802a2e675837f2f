/**
 * `npm run chaos`: the faults SPEC §7 names, with bounded counts, on a dev server of its own
 * (issue 13). Scenarios: worker SIGKILL mid-run (20 runs, 3 kills), dev server SIGKILL and
 * restart on its SQLite file (20 runs), 1,000 concurrent runs, a cancel storm (100 runs).
 * Every script appends to a ledger (scripts/chaos/ledger.ts); the table counts runs
 * completed, cancelled and lost, script executions and duplicates. Exit 1 when a run is
 * lost, a duplicate has no kill to explain it, or a scenario found another problem.
 *
 * Flags: --runs N (20), --kills N (3), --concurrent N (1000), --cancel N (100),
 * --only a,b (worker-kill, server-kill, concurrent, cancel-storm), --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { startDevServer, freePort, type DevServer } from '../src/temporal/dev-server.js';
import { WORKFLOWS_PATH } from '../src/worker.js';
import { cancelStorm, manyRuns, serverKill, workerKill, type ScenarioResult, type Stage } from './chaos/scenarios.js';

const SCENARIOS = ['worker-kill', 'server-kill', 'concurrent', 'cancel-storm'] as const;
type Scenario = (typeof SCENARIOS)[number];
const progress = (line: string): void => void process.stderr.write(`chaos: ${line}\n`);

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

function scenarios(value: string): Scenario[] {
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length) throw new InvalidArgumentError(`unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);
  return names as Scenario[];
}

const options = new Command('chaos')
  .description('Fault runs with bounded counts: nothing lost, no duplicate without a kill to explain it (SPEC §7).')
  .option('--runs <n>', 'runs of the worker-kill and server-kill scenarios', count, 20)
  .option('--kills <n>', 'worker SIGKILLs in the worker-kill scenario', count, 3)
  .option('--concurrent <n>', 'runs started at once', count, 1000)
  .option('--cancel <n>', 'runs cancelled at once (at most 100: one worker runs 100 scripts at a time)', count, 100)
  .option('--only <names>', `scenarios to run (${SCENARIOS.join(', ')})`, scenarios, [...SCENARIOS])
  .option('--json', 'the results as JSON on stdout (the table on stderr)', false)
  .parse()
  .opts<{ runs: number; kills: number; concurrent: number; cancel: number; only: Scenario[]; json: boolean }>();

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

function table(results: ScenarioResult[]): string {
  const rows = [
    ['scenario', 'runs', 'kills', 'completed', 'cancelled', 'lost', 'executions', 'duplicates', 'unexplained', 'verdict'],
    ...results.map((r) => [
      r.scenario,
      ...[r.runs, r.kills, r.completed, r.cancelled, r.lost, r.ledger.executions, r.ledger.duplicates].map(String),
      String(r.ledger.unexplained.length),
      failures(r).length ? `FAIL: ${failures(r).join('; ')}` : 'ok',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function failures(r: ScenarioResult): string[] {
  return [
    ...(r.lost ? [`${r.lost} lost`] : []),
    ...(r.ledger.unexplained.length ? [`duplicates with no kill between: ${r.ledger.unexplained.slice(0, 3).join(', ')}`] : []),
    ...r.problems,
  ];
}

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-chaos-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  progress(`bundling the workflows once for every worker (${dir})`);
  const bundle = join(dir, 'workflow-bundle.js');
  writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })).code);

  // The server lives on a SQLite file at a fixed port, so that it can be killed and restarted.
  const port = await freePort();
  const dbFile = join(dir, 'chaos.sqlite');
  const start = () => startDevServer({ ui: false, useExisting: false, dbFile, port, log: progress });
  let server: DevServer = await start();
  cleanups.push(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, namespace: server.namespace });
  const stage = (name: string): Stage => ({
    client,
    target: {
      address: server.address,
      namespace: server.namespace,
      taskQueue: `chaos-${name}-${randomUUID().slice(0, 8)}`,
      bundle,
    },
    ledger: join(dir, `${name}.ledger`),
    log: progress,
  });
  const serverControl = {
    kill: async () => {
      process.kill(-(server.pid as number), 'SIGKILL');
      await server.stop();
    },
    restart: async () => {
      server = await start();
    },
  };

  const loadStart = loadavg();
  const results: ScenarioResult[] = [];
  for (const scenario of options.only) {
    progress(`${scenario}: starting`);
    const result =
      scenario === 'worker-kill'
        ? await workerKill(stage(scenario), options.runs, options.kills)
        : scenario === 'server-kill'
          ? await serverKill(stage(scenario), options.runs, serverControl)
          : scenario === 'concurrent'
            ? await manyRuns(stage(scenario), options.concurrent)
            : await cancelStorm(stage(scenario), options.cancel);
    results.push(result);
    progress(`${scenario}: ${failures(result).length ? `FAIL (${failures(result).join('; ')})` : 'ok'}`);
  }
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const text =
    `Switchyard chaos (${new Date().toISOString()}; load average ${load(loadStart)} at start, ${load(loadavg())} at end)\n` +
    table(results) +
    '· duplicates: a task whose script the ledger saw start more than once; explained only when a kill fell between the two starts\n';
  if (options.json) {
    process.stderr.write(text);
    process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  } else process.stdout.write(text);
  return results.some((r) => failures(r).length > 0) ? 1 : 0;
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    progress(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanUp();
    process.exit(1);
  });
