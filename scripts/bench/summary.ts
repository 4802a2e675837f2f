/**
 * Turns the measured batches into the benchmark's result: per workload and kind the median
 * over rounds of CPU per run (and per step), latency percentiles over all runs, history
 * length, and interpreter/baseline ratios. The CPU ratio is the median of per-round
 * ratios: each round's two batches ran back to back, so what the machine was doing at the
 * time weighs on both, and the ratio keeps only the difference between them.
 */
import type { Batch, Throughput } from './batch.js';
import { median, percentile, range } from './stats.js';
import type { Kind, Workload } from './workloads.js';

/** Figures for one workload run by one kind of workflow; ms unless named otherwise. */
export interface KindFigures {
  cpuPerRun: number;
  cpuPerStep: number;
  /** Lowest and highest per-run CPU of a batch: the spread between rounds. */
  cpuPerRunRange: [number, number];
  /** The same from /proc/<pid>/stat ticks: should agree with cpuPerRun to within 10 ms per batch. */
  procCpuPerRun: number;
  scriptChildrenCpuPerRun: number;
  serverCpuPerRun?: number;
  latencyP50: number;
  latencyP95: number;
  /** Distinct history lengths seen (one run per batch); one value unless the server batched differently. */
  historyEvents: number[];
  /** Runs per second with many runs at once (median over rounds); absent when not measured. */
  runsPerS?: number;
  /** The worker's resident memory at the end of the throughput batches (highest), MiB. */
  workerRssMiB?: number;
}

/** Interpreter divided by baseline. */
export interface Ratios {
  cpuPerRun: number;
  cpuPerRunRange: [number, number];
  latencyP50: number;
  latencyP95: number;
  serverCpuPerRun?: number;
  /** Throughput, median of per-round ratios. */
  runsPerS?: number;
}

export interface WorkloadResult {
  workload: string;
  steps: number;
  interpreter: KindFigures;
  baseline: KindFigures;
  ratios: Ratios;
}

function perRun(batches: readonly Batch[], pick: (b: Batch) => number | undefined): number[] {
  return batches.flatMap((b) => {
    const value = pick(b);
    return value === undefined ? [] : [value / b.runs];
  });
}

function figures(batches: readonly Batch[], steps: number, concurrent: readonly Throughput[]): KindFigures {
  const cpu = perRun(batches, (b) => b.workerCpuMs);
  const server = perRun(batches, (b) => b.serverCpuMs);
  const latencies = batches.flatMap((b) => b.latenciesMs);
  return {
    cpuPerRun: median(cpu),
    cpuPerStep: median(cpu) / steps,
    cpuPerRunRange: range(cpu),
    procCpuPerRun: median(perRun(batches, (b) => b.workerProcCpuMs)),
    scriptChildrenCpuPerRun: median(perRun(batches, (b) => b.scriptChildrenCpuMs)),
    ...(server.length ? { serverCpuPerRun: median(server) } : {}),
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    historyEvents: [...new Set(batches.map((b) => b.historyEvents))].sort((a, b) => a - b),
    ...(concurrent.length
      ? {
          runsPerS: median(concurrent.map((t) => t.runsPerS)),
          workerRssMiB: Math.max(...concurrent.map((t) => t.workerRssMiB)),
        }
      : {}),
  };
}

/** Per-round interpreter/baseline ratios of a per-run figure, paired by round. */
function pairedRatios(batches: readonly Batch[], pick: (b: Batch) => number | undefined): number[] {
  const rounds = [...new Set(batches.map((b) => b.round))];
  return rounds.flatMap((round) => {
    const of = (kind: Kind) => batches.find((b) => b.round === round && b.kind === kind);
    const interpreter = of('interpreter');
    const baseline = of('baseline');
    if (!interpreter || !baseline) return [];
    const a = pick(interpreter);
    const b = pick(baseline);
    return a === undefined || b === undefined || b === 0 ? [] : [a / interpreter.runs / (b / baseline.runs)];
  });
}

/** Per-round interpreter/baseline ratios of runs per second. */
function throughputRatios(concurrent: readonly Throughput[]): number[] {
  return [...new Set(concurrent.map((t) => t.round))].flatMap((round) => {
    const of = (kind: Kind) => concurrent.find((t) => t.round === round && t.kind === kind)?.runsPerS;
    const interpreter = of('interpreter');
    const baseline = of('baseline');
    return interpreter === undefined || !baseline ? [] : [interpreter / baseline];
  });
}

/** The result for every workload, in the order given. */
export function summarise(
  workloads: readonly Workload[],
  batches: readonly Batch[],
  throughput: readonly Throughput[],
): WorkloadResult[] {
  return workloads.map((workload) => {
    const mine = batches.filter((b) => b.workload === workload.name);
    const concurrent = throughput.filter((t) => t.workload === workload.name);
    const of = (kind: Kind) =>
      figures(
        mine.filter((b) => b.kind === kind),
        workload.steps,
        concurrent.filter((t) => t.kind === kind),
      );
    const interpreter = of('interpreter');
    const baseline = of('baseline');
    const runsRatios = throughputRatios(concurrent);
    const cpuRatios = pairedRatios(mine, (b) => b.workerCpuMs);
    const serverRatios = pairedRatios(mine, (b) => b.serverCpuMs);
    return {
      workload: workload.name,
      steps: workload.steps,
      interpreter,
      baseline,
      ratios: {
        cpuPerRun: median(cpuRatios),
        cpuPerRunRange: range(cpuRatios),
        latencyP50: interpreter.latencyP50 / baseline.latencyP50,
        latencyP95: interpreter.latencyP95 / baseline.latencyP95,
        ...(serverRatios.length ? { serverCpuPerRun: median(serverRatios) } : {}),
        ...(runsRatios.length ? { runsPerS: median(runsRatios) } : {}),
      },
    };
  });
}
