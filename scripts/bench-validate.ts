/**
 * `npm run bench:validate`: how validation grows with a definition's size (issue 9: it must be
 * linear; 100,000 tasks well under 10 s on two cores). For each size it generates one
 * definition — a chain of script tasks with templates, a 2-of-3 join every 50 tasks and a
 * fan-out every 100 — as YAML text, and times, best of a few rounds:
 *
 * - `load`: what `switchyard validate` does (YAML parse with positions + full validation);
 * - `validate`: validateDefinition on the parsed value (zod, static checks, `with` schemas);
 * - `received`: checkReceived, the interpreter's own check of what it is handed.
 *
 * Times are CPU time of this process (user + system), so other work on the machine inflates
 * them less than wall time would. Per-task microseconds and the growth against the smallest size are printed (a ratio near
 * 1 means linear). Sizes past MAX_TASKS (which the client refuses to start) are validated in
 * full all the same, reporting that one problem. Absolute times depend on the machine's
 * load, which is printed too; the ratios are measured in the same run and are the figures
 * to trust. Flags: --sizes a,b,c (default 1000,10000,100000), --rounds N (3), --json.
 */
import { loadavg } from 'node:os';
import { stringify } from 'yaml';
import { checkReceived, loadDefinitionText, MAX_TASKS, validateDefinition } from '../src/definition/index.js';
import { parse } from 'yaml';

interface Row {
  tasks: number;
  bytes: number;
  load_ms: number;
  validate_ms: number;
  received_ms: number;
  load_us_per_task: number;
  growth: number;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** A definition of `n` tasks, shaped like real ones: templates, joins, fan-outs. */
function definition(n: number): Record<string, unknown> {
  const tasks: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const task: Record<string, unknown> = {
      action: 'script',
      with: { command: ['echo', `step ${i} about {{ input.topic }}`], timeout: '30s' },
      retry: { maximum_attempts: 3, initial_interval: '1s' },
    };
    if (i % 100 === 99) task.items = '{{ [1, 2, 3] }}';
    const next: Record<string, unknown>[] = [];
    if (i + 1 < n) next.push({ when: 'succeeded', publish: { [`v${i % 10}`]: '{{ result.stdout }}' }, do: [`t${i + 1}`] });
    if (i % 50 === 0 && i + 3 < n) next.push({ when: 'failed', do: [`t${i + 3}`] });
    if (next.length > 0) task.next = next;
    tasks[`t${i}`] = task;
  }
  return { version: 1, name: `bench-${n}`, input: { topic: 'x' }, tasks };
}

/**
 * CPU milliseconds (user + system) of the fastest of `rounds` calls. CPU time rather than wall
 * time: on a shared machine the wall clock also counts the time other processes had the cores.
 */
function best(rounds: number, fn: () => unknown): number {
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const started = process.cpuUsage();
    fn();
    const used = process.cpuUsage(started);
    fastest = Math.min(fastest, (used.user + used.system) / 1000);
  }
  return fastest;
}

const sizes = (option('sizes') ?? '1000,10000,100000').split(',').map(Number);
const rounds = Number(option('rounds') ?? 3);
const rows: Row[] = [];
const loadBefore = loadavg()[0] ?? 0;
for (const n of sizes) {
  const value = definition(n);
  const text = stringify(value);
  // One round for the biggest sizes keeps the run short; it is the growth that matters.
  const times = n >= 50_000 ? 1 : rounds;
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`the generated ${n}-task definition failed ${what}`);
  };
  // Past MAX_TASKS the one expected problem is the task limit; every check still runs.
  const report = loadDefinitionText(text);
  check(report.ok || (n > MAX_TASKS && report.problems.length === 1 && report.problems[0]?.path === 'tasks'), 'load');
  const load = best(times, () => loadDefinitionText(text));
  const parsed = parse(text, { uniqueKeys: false }) as unknown;
  const validate = best(times, () => validateDefinition(parsed));
  const received = best(times, () => checkReceived(parsed));
  const perTask = (load * 1000) / n;
  rows.push({
    tasks: n,
    bytes: Buffer.byteLength(text),
    load_ms: Math.round(load),
    validate_ms: Math.round(validate),
    received_ms: Math.round(received),
    load_us_per_task: Math.round(perTask),
    growth: 0,
  });
  process.stderr.write(`bench:validate: ${n} tasks done\n`);
}
const first = rows[0];
for (const row of rows) row.growth = first ? Number((row.load_us_per_task / first.load_us_per_task).toFixed(2)) : 1;
const machine = { load_before: loadBefore, load_after: loadavg()[0] ?? 0, node: process.version };

if (process.argv.includes('--json')) console.log(JSON.stringify({ machine, rows }, null, 2));
else {
  console.log(
    `machine load ${machine.load_before.toFixed(2)} → ${machine.load_after.toFixed(2)} (1-min average), node ${machine.node}`,
  );
  console.log('CPU milliseconds (user + system) of the fastest round');
  console.log('tasks     bytes        load ms  validate ms  received ms  load µs/task  growth (µs/task vs smallest)');
  for (const r of rows)
    console.log(
      `${String(r.tasks).padEnd(9)} ${String(r.bytes).padEnd(12)} ${String(r.load_ms).padStart(7)}  ${String(r.validate_ms).padStart(11)}  ${String(r.received_ms).padStart(11)}  ${String(r.load_us_per_task).padStart(12)}  ${r.growth}`,
    );
  console.log('absolute times depend on the machine; growth near 1 means validation is linear in size');
}
