/**
 * The benchmark's output: one JSON-serialisable report (what `--json` writes) and the
 * readable table printed from it. The table keeps ratios and absolute figures apart,
 * because only the ratios mean much on a shared machine.
 */
import type { Batch, Throughput } from './batch.js';
import { median } from './stats.js';
import type { KindFigures, WorkloadResult } from './summary.js';

/** Where and how the benchmark ran. */
export interface BenchMeta {
  startedAt: string;
  durationS: number;
  commit: string;
  node: string;
  cpus: number;
  cpuModel: string;
  server: string;
  runs: number;
  rounds: number;
  warmup: number;
  /** os.loadavg() (1, 5, 15 min) when the benchmark started and when it ended. */
  loadavgStart: number[];
  loadavgEnd: number[];
  /** Worker CPU while idle (polling, timers): part of every batch's figure, for both kinds. */
  workerIdleCpuMsPerS: number;
  /** Runs at once in a throughput batch (0: none) and iterations of the loop workload (0: none). */
  concurrent: number;
  loop: number;
  notes: string[];
}

/** Everything one run of the benchmark found. */
export interface BenchReport {
  meta: BenchMeta;
  /** ratios: interpreter ÷ baseline, paired by round (trustworthy); the rest: absolute ms on this machine. */
  results: WorkloadResult[];
  /** The worker's resident memory, MiB: fresh after start, after warm-up, and its peak over the benchmark. */
  memory: { freshMiB: number; warmMiB: number; peakMiB: number };
  /** Due→start lateness samples, ms. */
  lateness: { queuedRunMs: number[]; scheduleFireMs: number[] };
  batches: Batch[];
  throughput: Throughput[];
}

const fixed = (digits: number) => (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
const ms = fixed(2);
const ratio = fixed(3);
const load = (values: number[]) => values.map(fixed(2)).join(' ');

/** Lays rows out in columns: the first `left` columns left-aligned, the rest right-aligned. */
function columns(rows: string[][], left: number): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => (i < left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** One length, or the lowest–highest seen when the server batched completions differently. */
function events(figures: KindFigures): string {
  const seen = figures.historyEvents;
  return seen.length > 1 ? `${seen[0]}–${seen[seen.length - 1]}` : String(seen[0] ?? '—');
}

function absoluteRow(workload: string, kind: string, f: KindFigures): string[] {
  const [low, high] = f.cpuPerRunRange;
  return [
    workload,
    kind,
    ms(f.cpuPerRun),
    ms(f.cpuPerStep),
    `${ms(low)}–${ms(high)}`,
    ms(f.procCpuPerRun),
    ms(f.latencyP50),
    ms(f.latencyP95),
    ms(f.serverCpuPerRun),
    events(f),
    fixed(1)(f.runsPerS),
    fixed(0)(f.workerRssMiB),
  ];
}

const samples = (values: number[]) => `p50 ${ms(median(values))}, max ${ms(Math.max(...values))} (${values.length} samples)`;

/** The readable report. */
export function formatTable(report: BenchReport): string {
  const { meta, results } = report;
  const lines = [
    'Switchyard bench: the interpreter against hand-written baseline workflows doing the same work (SPEC §7)',
    `commit ${meta.commit} · node ${meta.node} · ${meta.cpus} CPUs (${meta.cpuModel}) · ${meta.server}`,
    `${meta.rounds} rounds × ${meta.runs} runs of each workload and kind (a loop: 1), interleaved; then ${meta.concurrent} at once; ${meta.warmup} warm-up runs each; ${meta.durationS.toFixed(0)} s in all`,
    `load average (1/5/15 min): at start ${load(meta.loadavgStart)} · at end ${load(meta.loadavgEnd)}`,
    `worker idle CPU: ${ms(meta.workerIdleCpuMsPerS)} ms/s (polling; inside every figure below, for both kinds)`,
    '',
    'RATIOS interpreter ÷ baseline: measured in the same run, interleaved, paired by round — trustworthy on a shared machine',
    ...columns(
      [
        [
          'workload',
          'steps',
          'worker CPU/run',
          "rounds' range",
          'latency p50',
          'latency p95',
          'server CPU/run',
          'runs/s',
          'history events',
        ],
        ...results.map((r) => [
          r.workload,
          String(r.steps),
          ratio(r.ratios.cpuPerRun),
          `${ratio(r.ratios.cpuPerRunRange[0])}–${ratio(r.ratios.cpuPerRunRange[1])}`,
          ratio(r.ratios.latencyP50),
          ratio(r.ratios.latencyP95),
          ratio(r.ratios.serverCpuPerRun),
          ratio(r.ratios.runsPerS),
          `${events(r.interpreter)} vs ${events(r.baseline)}`,
        ]),
      ],
      1,
    ),
    '',
    'ABSOLUTE figures in ms: depend on this machine and its load — compare them only within one run',
    ...columns(
      [
        [
          'workload',
          'kind',
          'CPU/run',
          'CPU/step',
          'CPU/run range',
          '/proc CPU/run',
          'p50',
          'p95',
          'server CPU/run',
          'events/run',
          'runs/s',
          'RSS MiB',
        ],
        ...results.flatMap((r) => [
          absoluteRow(r.workload, 'interpreter', r.interpreter),
          absoluteRow('', 'baseline', r.baseline),
        ]),
      ],
      2,
    ),
    '',
    `worker RSS (MiB): fresh ${fixed(0)(report.memory.freshMiB)} · after warm-up ${fixed(0)(report.memory.warmMiB)} · peak ${fixed(0)(report.memory.peakMiB)}` +
      (meta.concurrent ? ` (${meta.concurrent} runs at once)` : ''),
    `due→start lateness (ms): delayed run ${samples(report.lateness.queuedRunMs)} · schedule fire ${samples(report.lateness.scheduleFireMs)}`,
    '',
    ...meta.notes.map((note) => `· ${note}`),
  ];
  return `${lines.join('\n')}\n`;
}
