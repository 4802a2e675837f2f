/**
 * What happens when a task run ends (SPEC §3 rules 2, 3, 4, 5, 11): the first transition
 * whose `when` holds is taken; its `publish` assigns ctx in order (writes land in completion
 * order because events arrive in history order); then every task in its `do` is scheduled —
 * once more for a task without a join, as an arrival at its barrier for a join — and `fail`
 * fails the run on purpose. A failure no transition takes fails the run.
 * The only writer of `state.data` (ctx and results).
 */
import {
  doList,
  evaluateWhen,
  FAIL_TARGET,
  joinPath,
  NOOP_TARGET,
  renderTemplate,
  type Scope,
  type Transition,
} from '../definition/core.js';
import { baseScope, planOf } from './context.js';
import { settled, type Work } from './evaluation.js';
import type { ReportedError } from './events.js';
import type { RunOutcome } from './fanout.js';
import { arriveAtJoin } from './joins.js';
import { attemptsText, cancelling, failAfter, failRun, followsTransitions } from './lifecycle.js';
import { cancelBranches, createRun } from './runs.js';
import type { RunData, TaskRun } from './state.js';
import { markEnded, markTask } from './summary.js';
import { note, type Turn } from './turn.js';

/** Records how `run` ended and follows the task's transitions. */
export function* endRun(turn: Turn, run: TaskRun, outcome: RunOutcome): Work<void> {
  const { state, context } = turn;
  if (outcome.status === 'succeeded') {
    markEnded(turn, run.task, 'succeeded');
    state.data = { ...state.data, results: { ...state.data.results, [run.task]: outcome.result } };
  } else if (cancelling(turn)) {
    // What a cancel stopped did not fail; the run is closing and follows nothing more.
    markTask(turn, run.task, 'cancelled');
  } else {
    markEnded(turn, run.task, 'failed', outcome.error.message);
  }
  if (!followsTransitions(turn)) return;

  const plan = planOf(context, run.task);
  const next = plan.task.next ?? [];
  for (const [index, transition] of next.entries()) {
    const path = joinPath(joinPath(plan.path, 'next'), index);
    const scope = outcomeScope(turn, run, outcome);
    if (yield* settled(evaluateWhen(transition.when, outcome.status, scope, joinPath(path, 'when')))) {
      note(turn, {
        kind: 'transition',
        task: run.task,
        iteration: run.iteration,
        transition: index,
        when: transition.when ?? 'succeeded',
        publish: Object.keys(transition.publish ?? {}),
        do: doList(transition),
      });
      yield* take(turn, run, outcome, transition, path);
      return;
    }
  }
  if (outcome.status === 'failed') {
    const failure = {
      type: 'TaskFailed' as const,
      message: describeFailure(run.task, outcome),
      task: run.task,
      attempts: outcome.attempts,
    };
    failRun(turn, failure, context.failureHandling);
  }
}

function* take(turn: Turn, run: TaskRun, outcome: RunOutcome, transition: Transition, path: string): Work<void> {
  const { state } = turn;
  for (const [name, value] of Object.entries(transition.publish ?? {})) {
    // A fresh scope per value: a later publish sees the earlier ones.
    const rendered = yield* settled(
      renderTemplate(value, outcomeScope(turn, run, outcome), joinPath(joinPath(path, 'publish'), name)),
    );
    state.data = { ...state.data, ctx: { ...state.data.ctx, [name]: rendered } };
  }
  const targets = doList(transition).filter((target) => target !== NOOP_TARGET);
  const how = outcome.status === 'failed' ? describeFailure(run.task, outcome) : `task '${run.task}' succeeded`;
  const doPath = joinPath(path, 'do');
  const failure = {
    type: 'FailRequested' as const,
    message: `run failed on purpose by ${doPath} (${how})`,
    task: run.task,
    path: doPath,
  };
  if (targets.includes(FAIL_TARGET) && turn.context.failAfterTargets === true) {
    // `do: [notify, fail]`, in any order: the other targets run first, then the run fails.
    const before = new Set(turn.state.work.runs.map((scheduled) => scheduled.id));
    for (const target of targets) if (target !== FAIL_TARGET) schedule(turn, target, run.task);
    const scheduled = turn.state.work.runs.filter((created) => !before.has(created.id)).map((created) => created.id);
    failAfter(turn, failure, scheduled, turn.context.failureHandling);
    return;
  }
  for (const target of targets) {
    if (target === FAIL_TARGET) {
      // Runs recorded before FAIL_AFTER_TARGETS_PATCH: `fail` took effect where it was listed.
      failRun(turn, failure, turn.context.failureHandling);
      return;
    }
    schedule(turn, target, run.task);
  }
}

/**
 * At the end of a step, what it wrote into ctx and results becomes what JSON makes of it (a
 * key holding nothing goes, a hole in a list reads null). The run state is JSON: a continued
 * run sees it that way, and so did every step of the previous release, which copied the
 * state through JSON per event — expressions like `$keys(ctx)` must keep agreeing with both.
 * Within the step, as before, a value is seen as it was rendered. `before` is the data the
 * step started from; entries it already held are JSON already and are not looked at again.
 */
export function settleData(turn: Turn, before: RunData): void {
  const { data } = turn.state;
  if (data === before) return;
  const ctx = asJsonEntries(data.ctx, before.ctx);
  const results = asJsonEntries(data.results, before.results);
  if (ctx !== data.ctx || results !== data.results) turn.state.data = { ctx, results };
}

function asJsonEntries(entries: Readonly<Record<string, unknown>>, before: Readonly<Record<string, unknown>>) {
  const written = Object.entries(entries).filter(
    ([key, value]) => (value !== before[key] || !Object.hasOwn(before, key)) && !isJson(value),
  );
  if (written.length === 0) return entries;
  const rewritten: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    const json = isJson(value) ? value : asJson(value);
    if (json !== undefined) rewritten[key] = json;
  }
  return rewritten;
}

/** True if JSON would keep `value` as it is: nothing undefined (or a function) anywhere inside. */
function isJson(value: unknown): boolean {
  if (value === undefined || typeof value === 'function') return false;
  if (Array.isArray(value)) return value.every((member) => isJson(member));
  if (typeof value === 'object' && value !== null) return Object.values(value).every((member) => isJson(member));
  return true;
}

function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** Schedules `task` because `source` took a transition into it (rules 3 and 4). */
function schedule(turn: Turn, task: string, source: string): void {
  const { join } = planOf(turn.context, task);
  if (join === undefined) {
    createRun(turn, task);
    return;
  }
  if (!arriveAtJoin(turn, task, source, join)) return;
  if (join.race !== undefined) settleRace(turn, task, source, join);
  createRun(turn, task);
}

/**
 * A race (`join: first`, rule 18) fired: the other sources' branches still running are
 * cancelled, and each source whose branch was cancelled counts as arrived late in this round
 * (it never will arrive), so the round closes and the next round starts afresh.
 */
function settleRace(
  turn: Turn,
  task: string,
  winner: string,
  join: { sources: readonly string[]; requirement: number; race?: Readonly<Record<string, readonly string[]>> },
): void {
  const branches = join.race ?? {};
  const losers = join.sources.filter((source) => source !== winner);
  const cancelled = cancelBranches(
    turn,
    losers.flatMap((source) => branches[source] ?? []),
  );
  for (const source of losers)
    if ((branches[source] ?? []).some((member) => cancelled.has(member))) arriveAtJoin(turn, task, source, join);
}

function outcomeScope(turn: Turn, run: TaskRun, outcome: RunOutcome): Scope {
  const task: NonNullable<Scope['task']> = {
    name: run.task,
    status: outcome.status,
    attempt: outcome.attempts,
    iteration: run.iteration,
    ...(outcome.status === 'failed' ? { error: { ...outcome.error, attempts: outcome.attempts } } : {}),
  };
  return {
    ...baseScope(turn.context, turn.state),
    task,
    ...(outcome.status === 'succeeded' ? { result: outcome.result } : {}),
  };
}

/** `task 'fetch' failed after 3 attempts: exit code 1`. */
function describeFailure(task: string, outcome: { error: ReportedError; attempts: number }): string {
  const type = outcome.error.type === undefined ? '' : ` [${outcome.error.type}]`;
  return `task '${task}' failed after ${attemptsText(outcome.attempts)}: ${outcome.error.message}${type}`;
}
