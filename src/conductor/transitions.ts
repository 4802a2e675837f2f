/**
 * What happens when a task run ends (SPEC §3 rules 2, 5, 11): the first transition whose
 * `when` holds is taken; its `publish` assigns ctx in order (writes land in completion
 * order because events arrive in history order); then every task in its `do` is
 * scheduled, `fail` failing the run on purpose. A failure no transition takes fails the run.
 */
import { doList, evaluateWhen, FAIL_TARGET, renderTemplate, taskPath, type Scope, type Transition } from '../definition/index.js';
import type { ReportedError } from './events.js';
import { attemptsText, failRun, unhandledFailureHandling } from './failure.js';
import { followsTransitionsIn } from './phase.js';
import { scheduleTask } from './schedule.js';
import type { TaskRun } from './state.js';
import { baseScope, markTask, summaryOf, type Turn } from './turn.js';

/** How a task run ended. */
export type RunOutcome =
  | { status: 'succeeded'; result: unknown; attempts: number }
  | { status: 'failed'; error: ReportedError; attempts: number };

/** Ends `run` with `outcome` and follows the task's transitions. */
export async function endRun(turn: Turn, run: TaskRun, outcome: RunOutcome): Promise<void> {
  const { state } = turn;
  state.runs = state.runs.filter((candidate) => candidate.id !== run.id);
  markTask(turn, run.task, outcome.status);
  if (outcome.status === 'succeeded') state.results[run.task] = outcome.result;
  else summaryOf(turn, run.task).lastError = outcome.error.message;
  if (!followsTransitionsIn(state.phase)) return;

  const scope = outcomeScope(turn, run, outcome);
  const next = state.definition.tasks[run.task]?.next ?? [];
  for (const [index, transition] of next.entries()) {
    const path = `${taskPath(run.task)}.next[${index}]`;
    if (await evaluateWhen(transition.when, outcome.status, scope, `${path}.when`)) {
      await take(turn, run, outcome, transition, scope, path);
      return;
    }
  }
  if (outcome.status === 'failed') {
    failRun(
      turn,
      { type: 'TaskFailed', message: describeFailure(run.task, outcome), task: run.task, attempts: outcome.attempts },
      unhandledFailureHandling(state),
    );
  }
}

async function take(
  turn: Turn,
  run: TaskRun,
  outcome: RunOutcome,
  transition: Transition,
  scope: Scope,
  path: string,
): Promise<void> {
  const { state } = turn;
  for (const [name, value] of Object.entries(transition.publish ?? {})) {
    // scope.ctx is state.ctx itself, so a later publish sees the earlier ones.
    state.ctx[name] = await renderTemplate(value, scope, `${path}.publish.${name}`);
  }
  for (const target of doList(transition)) {
    if (target === FAIL_TARGET) {
      const how = outcome.status === 'failed' ? describeFailure(run.task, outcome) : `task '${run.task}' succeeded`;
      failRun(
        turn,
        { type: 'FailRequested', message: `run failed on purpose by ${path}.do (${how})`, task: run.task, path: `${path}.do` },
        unhandledFailureHandling(state),
      );
      return;
    }
    scheduleTask(turn, target, run.task);
  }
}

function outcomeScope(turn: Turn, run: TaskRun, outcome: RunOutcome): Scope {
  const task: NonNullable<Scope['task']> = {
    name: run.task,
    status: outcome.status,
    attempt: outcome.attempts,
    iteration: run.iteration,
  };
  if (outcome.status === 'failed') task.error = { ...outcome.error, attempts: outcome.attempts };
  const scope: Scope = { ...baseScope(turn.state), task };
  if (outcome.status === 'succeeded') scope.result = outcome.result;
  return scope;
}

/** `task 'fetch' failed after 3 attempts: exit code 1`. */
export function describeFailure(task: string, outcome: { error: ReportedError; attempts: number }): string {
  const type = outcome.error.type === undefined ? '' : ` [${outcome.error.type}]`;
  return `task '${task}' failed after ${attemptsText(outcome.attempts)}: ${outcome.error.message}${type}`;
}
