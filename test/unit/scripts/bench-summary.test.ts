/**
 * The bench's figures (scripts/bench/summary.ts): ratios pair an interpreter batch with the
 * baseline batch of the same round, so a round run on a busier machine weighs on both.
 */
import { describe, expect, it } from 'vitest';
import type { Batch, Throughput } from '../../../scripts/bench/batch.js';
import { summarise } from '../../../scripts/bench/summary.js';
import type { Kind, Workload } from '../../../scripts/bench/workloads.js';

const workload: Workload = {
  name: 'chain-3',
  steps: 3,
  definition: {},
  baseline: { workflow: 'baselineChain', args: [3, ['true']] },
};

function batch(kind: Kind, round: number, cpuPerRun: number, latency: number): Batch {
  return {
    workload: 'chain-3',
    kind,
    round,
    runs: 2,
    workerCpuMs: cpuPerRun * 2,
    workerProcCpuMs: cpuPerRun * 2,
    scriptChildrenCpuMs: 0,
    wallMs: latency * 2,
    latenciesMs: [latency, latency],
    historyEvents: 25,
  };
}

function concurrent(kind: Kind, round: number, runsPerS: number, rss: number): Throughput {
  return { workload: 'chain-3', kind, round, runs: 200, wallMs: 200_000 / runsPerS, runsPerS, workerCpuMs: 0, workerRssMiB: rss };
}

describe('summarise', () => {
  const batches = [
    batch('interpreter', 1, 11, 100),
    batch('baseline', 1, 10, 100),
    batch('interpreter', 2, 22, 200),
    batch('baseline', 2, 20, 200),
  ];

  it('pairs throughput by round: a slower round lowers both kinds, not the ratio', () => {
    const throughput = [
      concurrent('interpreter', 1, 19, 300),
      concurrent('baseline', 1, 20, 310),
      concurrent('interpreter', 2, 9.5, 320),
      concurrent('baseline', 2, 10, 290),
    ];
    const [result] = summarise([workload], batches, throughput);
    expect(result?.ratios.runsPerS).toBeCloseTo(0.95);
    expect(result?.ratios.cpuPerRun).toBeCloseTo(1.1);
    expect(result?.interpreter.workerRssMiB).toBe(320);
    expect(result?.baseline.runsPerS).toBe(15);
  });

  it('leaves throughput out when no batch measured it (the loop)', () => {
    const [result] = summarise([workload], batches, []);
    expect(result?.ratios.runsPerS).toBeUndefined();
    expect(result?.interpreter.runsPerS).toBeUndefined();
  });
});
