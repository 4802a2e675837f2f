/**
 * Scheduling (SPEC §3 rules 1, 3, 4, 10): a task reached by a transition either runs once
 * more (no join) or registers an arrival at its join barrier. A task run with `delay` waits
 * on a durable timer first.
 */
import { parseDuration } from '../definition/index.js';
import { arrive } from './barriers.js';
import { claimIteration } from './guards.js';
import type { TaskRun } from './state.js';
import { emit, markTask, nextId, summaryOf, type Turn } from './turn.js';

/** Schedules `task` because `source` took a transition into it (no source: entry point). */
export function scheduleTask(turn: Turn, task: string, source?: string): void {
  const { state } = turn;
  const requirement = state.graph.joinRequirement[task];
  if (requirement === undefined || source === undefined) {
    createRun(turn, task);
    return;
  }
  const sources = state.graph.inboundSources[task] ?? [];
  const arrival = arrive(state.barriers[task] ?? [], task, source, sources, requirement, state.rounds[task] ?? 0);
  state.barriers[task] = arrival.barriers;
  state.rounds[task] = Math.max(state.rounds[task] ?? 0, arrival.round);
  if (arrival.effect === 'fired') createRun(turn, task);
}

/** Creates one run of `task` (guarded by max_iterations), delayed or ready to start. */
export function createRun(turn: Turn, task: string): void {
  const { state } = turn;
  const iteration = claimIteration(turn, task);
  if (iteration === undefined) return;
  summaryOf(turn, task).iterations = iteration;
  markTask(turn, task, 'scheduled');
  const run: TaskRun = { id: `${task}#${iteration}`, task, iteration, stage: 'ready' };
  const delay = state.definition.tasks[task]?.delay;
  if (delay !== undefined) {
    const ms = parseDuration(delay);
    const timerId = nextId(turn, 't');
    run.stage = 'delayed';
    state.timers.push({ id: timerId, dueAt: turn.now + ms, purpose: 'delay', runId: run.id });
    emit(turn, { kind: 'startTimer', timerId, ms });
  }
  state.runs.push(run);
}

/** A delay timer fired: its run may start now (or once the run is resumed). */
export function releaseDelayed(turn: Turn, runId: string): void {
  const run = turn.state.runs.find((candidate) => candidate.id === runId);
  if (run !== undefined && run.stage === 'delayed') run.stage = 'ready';
}
