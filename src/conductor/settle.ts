/**
 * After every step: has the run reached an end (SPEC §3 rules 4, 5, 6, 8)? A failing run
 * fails once nothing is out; a draining run continues-as-new once nothing is out; a run
 * with nothing running, scheduled or waiting completes — unless a join barrier was left
 * partly filled, which can now never fire and so fails the run naming what arrived.
 */
import { renderTemplate, taskPath } from '../definition/index.js';
import { missingSources, partlyFilled } from './barriers.js';
import { failRun, failureFromError } from './failure.js';
import type { Barrier, ConductorState } from './state.js';
import { baseScope, emit, signal, type Turn } from './turn.js';

/** Emits the run's terminal command if it has reached its end. */
export async function settle(turn: Turn): Promise<void> {
  const { state } = turn;
  if (state.executions.length > 0) return;
  if (state.phase === 'failing') {
    finishFailed(turn);
    return;
  }
  if (state.phase !== 'running' && state.phase !== 'draining') return;
  if (hasPendingWork(state)) {
    if (state.phase === 'draining') {
      signal(turn, 'continue');
      emit(turn, { kind: 'continueAsNew', state: turn.state });
    }
    return;
  }
  const stuck = Object.values(state.barriers).flatMap((barriers) => partlyFilled(barriers));
  if (stuck.length > 0) {
    failRun(turn, unsatisfiedJoins(state, stuck), 'cancel');
    finishFailed(turn);
    return;
  }
  const output = state.definition.output;
  try {
    state.output = output === undefined ? state.ctx : await renderTemplate(output, baseScope(state), 'output');
  } catch (error) {
    failRun(turn, failureFromError(error), 'cancel');
    finishFailed(turn);
    return;
  }
  signal(turn, 'complete');
  emit(turn, { kind: 'completeRun', output: state.output, tasks: state.tasks });
}

/** Work that is scheduled or waiting: task runs not yet ended, or delay timers. */
export function hasPendingWork(state: ConductorState): boolean {
  return state.runs.length > 0 || state.timers.some((timer) => timer.purpose === 'delay');
}

function finishFailed(turn: Turn): void {
  const { failure } = turn.state;
  if (failure === undefined) throw new Error('conductor: failing without a failure');
  signal(turn, 'failed');
  emit(turn, { kind: 'failRun', failure, tasks: turn.state.tasks });
}

function unsatisfiedJoins(state: ConductorState, stuck: Barrier[]) {
  const described = stuck.map((barrier) => {
    const sources = state.graph.inboundSources[barrier.task] ?? [];
    const join = state.definition.tasks[barrier.task]?.join;
    const needs = state.graph.joinRequirement[barrier.task] ?? sources.length;
    return (
      `join '${barrier.task}' (join: ${String(join)}, round ${barrier.round}) needed ${needs} of [${sources.join(', ')}]: ` +
      `arrived [${barrier.arrived.join(', ')}], never arrived [${missingSources(barrier, sources).join(', ')}]`
    );
  });
  const [first] = stuck;
  return {
    type: 'JoinUnsatisfied' as const,
    message: `nothing else can run and a join can never fire: ${described.join('; ')}`,
    ...(first === undefined ? {} : { task: first.task, path: `${taskPath(first.task)}.join` }),
  };
}
