/**
 * The work the benchmark compares: each workload exists twice, as a definition the
 * interpreter runs and as a hand-written baseline workflow (src/workflows/baselines.ts)
 * doing the same activities with the same options. The definitions have the shape of the
 * zero-overhead test's (test/integration/zero-overhead.test.ts), which proves that both
 * write the same history events; this file only adds what to time.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { GRAPH_KEY } from '../../src/constants.js';
import { baselineChain, baselineFanOut, interpretGraph } from '../../src/workflows/index.js';
import { loadDefinitionText } from '../../src/definition/index.js';

/** Which workflow does the work. */
export type Kind = 'interpreter' | 'baseline';
export const KINDS: readonly Kind[] = ['interpreter', 'baseline'];

/** One piece of work, in both forms. */
export interface Workload {
  name: string;
  /** Tasks (= activities) per run, to turn per-run figures into per-step ones. */
  steps: number;
  definition: unknown;
  baseline: { workflow: 'baselineChain' | 'baselineFanOut'; args: [number, string[]] };
}

// `true` does nothing and exits 0: what is left to measure is the orchestration around it.
const COMMAND = ['true'];
const YAML_COMMAND = `[${COMMAND.map((word) => JSON.stringify(word)).join(', ')}]`;

function validated(text: string): unknown {
  const report = loadDefinitionText(text);
  if (!report.ok) throw new Error(`bench definition is invalid: ${JSON.stringify(report.problems)}`);
  return report.definition;
}

/** `step1 → step2 → … → stepN`; the baseline awaits N activities in sequence. */
function chain(n: number): Workload {
  const lines = ['version: 1', `name: bench-chain-${n}`, 'tasks:'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  step${i}:`, '    action: script', `    with: { command: ${YAML_COMMAND} }`);
    if (i < n) lines.push(`    next: [{ do: [step${i + 1}] }]`);
  }
  return {
    name: `chain-${n}`,
    steps: n,
    definition: validated(`${lines.join('\n')}\n`),
    baseline: { workflow: 'baselineChain', args: [n, COMMAND] },
  };
}

/** A fan-out task over n items, then one task; the baseline is Promise.all of n, then one. */
function fanOut(n: number): Workload {
  const text = [
    'version: 1',
    `name: bench-fan-out-${n}`,
    'tasks:',
    '  each:',
    '    action: script',
    `    items: "{{ [0..${n - 1}] }}"`,
    `    concurrency: ${n}`,
    `    with: { command: ${YAML_COMMAND} }`,
    '    next: [{ do: [after] }]',
    '  after:',
    '    action: script',
    `    with: { command: ${YAML_COMMAND} }`,
    '',
  ].join('\n');
  return {
    name: `fan-out-${n}+1`,
    steps: n + 1,
    definition: validated(text),
    baseline: { workflow: 'baselineFanOut', args: [n, COMMAND] },
  };
}

/** The workloads SPEC §7 asks about: short and longer chains, and a fan-out with a join. */
export function workloads(): Workload[] {
  return [chain(3), chain(8), fanOut(10)];
}

/** Starts one run of `workload` as `kind`, the way `switchyard run` starts runs (graph tagged at start). */
export function startRun(client: Client, taskQueue: string, workload: Workload, kind: Kind): Promise<WorkflowHandle> {
  const workflowId = `bench-${workload.name}-${kind}-${randomUUID()}`;
  if (kind === 'interpreter') {
    return client.workflow.start(interpretGraph, {
      taskQueue,
      workflowId,
      args: [{ definition: workload.definition }],
      typedSearchAttributes: [{ key: GRAPH_KEY, value: `bench-${workload.name}` }],
    });
  }
  const [n, command] = workload.baseline.args;
  const baseline = workload.baseline.workflow === 'baselineChain' ? baselineChain : baselineFanOut;
  return client.workflow.start(baseline, {
    taskQueue,
    workflowId,
    args: [n, command],
    typedSearchAttributes: [{ key: GRAPH_KEY, value: workload.baseline.workflow }],
  });
}
