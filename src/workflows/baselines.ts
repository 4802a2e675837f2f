/**
 * Hand-written workflows doing what a definition would do, with the same activity options
 * the interpreter uses. The zero-overhead test and the benchmark compare their history
 * event counts and timings with `interpretGraph` running the equivalent graph.
 */
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivityInput, ActivityOutcome } from '../activities/types.js';
import { activitySettings } from '../conductor/index.js';
import { activityInput, activityOptions, type Activities } from './activity-options.js';
import { DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS } from './interpreter.js';

function script(task: string, index?: number, iteration = 1) {
  const settings = { task, iteration, ...activitySettings({}) };
  const options = activityOptions(index === undefined ? settings : { ...settings, index }, 'script');
  return proxyActivities<Activities>(options).script;
}

function input(task: string, command: string[], index?: number, iteration = 1): ActivityInput {
  return activityInput(task, iteration, index, { command });
}

/** `n` script activities one after another: the same as a chain `step1 → step2 → … → stepN`. */
export async function baselineChain(n: number, command: string[]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (let i = 1; i <= n; i++) {
    const task = `step${i}`;
    const outcome: ActivityOutcome = await script(task)(input(task, command));
    results.push(outcome.result);
  }
  return results;
}

/** `n` script activities at once, then one more: the same as a fan-out task `each` then `after`. */
export async function baselineFanOut(n: number, command: string[]): Promise<unknown> {
  const indexes = Array.from({ length: n }, (_, index) => index);
  const items = await Promise.all(indexes.map((index) => script('each', index)(input('each', command, index))));
  const last = await script('after')(input('after', command));
  return { items: items.map((item) => item.result), after: last.result };
}

/**
 * One script task `n` times over (iterations `done + 1` … `n`): the same as a task `step`
 * whose transition loops back to it. It continues-as-new when the interpreter would: when
 * Temporal suggests it or the history passes DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS.
 */
export async function baselineLoop(n: number, command: string[], done = 0): Promise<number> {
  for (let iteration = done + 1; iteration <= n; iteration++) {
    await script('step', undefined, iteration)(input('step', command, undefined, iteration));
    const info = workflowInfo();
    if (iteration < n && (info.continueAsNewSuggested || info.historyLength >= DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS)) {
      return await continueAsNew<typeof baselineLoop>(n, command, iteration);
    }
  }
  return n;
}
