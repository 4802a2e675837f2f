/**
 * Join arrivals (SPEC §3 rule 4): which barrier a source's arrival goes to, and which
 * barriers are left partly filled when nothing else can run. The barrier rule itself is
 * pure, in barriers.ts. The only writer of `state.joins`.
 */
import { arrive, missingSources, partlyFilled } from './barriers.js';
import { joinPath } from '../definition/core.js';
import { planOf, type RunContext } from './context.js';
import type { RunFailure, RunState } from './state.js';
import { note, type Turn } from './turn.js';

/** Records `source` arriving at join `task`; true if the arrival fires the join. */
export function arriveAtJoin(
  turn: Turn,
  task: string,
  source: string,
  join: { sources: readonly string[]; requirement: number },
): boolean {
  const { joins } = turn.state;
  const lastRound = joins.rounds[task] ?? 0;
  const arrival = arrive(joins.barriers[task] ?? [], task, source, join.sources, join.requirement, lastRound);
  turn.state.joins = {
    barriers: { ...joins.barriers, [task]: arrival.barriers },
    rounds: { ...joins.rounds, [task]: Math.max(lastRound, arrival.round) },
  };
  const fired = arrival.effect === 'fired';
  note(turn, { kind: 'join.arrived', task, source, round: arrival.round, fired });
  return fired;
}

/**
 * The failure of a run that has nothing left to do while a barrier is partly filled (it can
 * now never fire), naming what arrived and what never did; undefined when none is.
 */
export function unsatisfiedJoins(context: RunContext, state: RunState): RunFailure | undefined {
  const stuck = Object.values(state.joins.barriers).flatMap((barriers) => partlyFilled(barriers));
  const [first] = stuck;
  if (first === undefined) return undefined;
  const described = stuck.map((barrier) => {
    const { task, join } = planOf(context, barrier.task);
    const sources = join?.sources ?? [];
    return (
      `join '${barrier.task}' (join: ${String(task.join)}, round ${barrier.round}) needed ${join?.requirement ?? sources.length} of [${sources.join(', ')}]: ` +
      `arrived [${barrier.arrived.join(', ')}], never arrived [${missingSources(barrier, sources).join(', ')}]`
    );
  });
  return {
    type: 'JoinUnsatisfied',
    message: `nothing else can run and a join can never fire: ${described.join('; ')}`,
    task: first.task,
    path: joinPath(planOf(context, first.task).path, 'join'),
  };
}
