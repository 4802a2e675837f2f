/**
 * The work the benchmark compares: each workload exists twice, as a definition the
 * interpreter runs and as a hand-written baseline workflow (src/workflows/baselines.ts)
 * doing the same activities with the same options. The definitions have the shape of the
 * zero-overhead test's (test/integration/zero-overhead.test.ts), which proves that both
 * write the same history events; this file only adds what to time.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { GRAPH_KEY } from '../../src/constants.js';
import { baselineChain, baselineFanOut, baselineLoop, interpretGraph } from '../../src/workflows/index.js';
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
  baseline: { workflow: 'baselineChain' | 'baselineFanOut' | 'baselineLoop'; args: [number, string[]] };
  /** Long runs: measured one run per batch, and left out of the concurrent (throughput) batches. */
  long?: boolean;
}

const BASELINES = { baselineChain, baselineFanOut, baselineLoop };

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

/** One task looping back to itself n times; the baseline awaits n activities, continuing-as-new as the interpreter does. */
function loop(n: number): Workload {
  const text = [
    'version: 1',
    `name: bench-loop-${n}`,
    'start: [step]',
    'tasks:',
    '  step:',
    '    action: script',
    `    with: { command: ${YAML_COMMAND} }`,
    `    max_iterations: ${n}`,
    `    next: [{ when: "{{ task.iteration < ${n} }}", do: [step] }]`,
    '',
  ].join('\n');
  return {
    name: `loop-${n}`,
    steps: n,
    definition: validated(text),
    baseline: { workflow: 'baselineLoop', args: [n, COMMAND] },
    long: true,
  };
}

/** The workloads issue 13 asks about: short and longer chains, a fan-out with a join, a long loop. */
export function workloads(loopIterations: number): Workload[] {
  return [chain(3), chain(8), fanOut(10), ...(loopIterations > 0 ? [loop(loopIterations)] : [])];
}

/** Starts one run of `workload` as `kind`, the way `switchyard run` starts runs (graph tagged at start). */
export function startRun(
  client: Client,
  taskQueue: string,
  workload: Workload,
  kind: Kind,
  startDelayMs?: number,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const common = {
    taskQueue,
    workflowId: `bench-${workload.name}-${kind}-${randomUUID()}`,
    ...(startDelayMs === undefined ? {} : { startDelay: startDelayMs }),
  };
  if (kind === 'interpreter') {
    return client.workflow.start(interpretGraph, {
      ...common,
      args: [{ definition: workload.definition }],
      typedSearchAttributes: [{ key: GRAPH_KEY, value: `bench-${workload.name}` }],
    });
  }
  const [n, command] = workload.baseline.args;
  return client.workflow.start(BASELINES[workload.baseline.workflow], {
    ...common,
    args: [n, command],
    typedSearchAttributes: [{ key: GRAPH_KEY, value: workload.baseline.workflow }],
  });
}
