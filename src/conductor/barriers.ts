/**
 * Join barriers (SPEC §3 rule 4). Each arrival goes to the oldest open barrier that lacks
 * its source. A barrier fires when `requirement` distinct sources are in; after that it
 * stays open to absorb its missing sources as late arrivals (they run nothing), so an N-of-M
 * join fires once per round, also inside cycles. A barrier closes when every source is in.
 */
import type { Barrier } from './state.js';

/** What an arrival did: fired the barrier (run the join task), filled it, or came late. */
export type ArrivalEffect = 'fired' | 'waiting' | 'late';

/** The outcome of one arrival. */
export interface Arrival {
  barriers: readonly Barrier[];
  effect: ArrivalEffect;
  round: number;
}

/**
 * Records `source` arriving at join `task`. `sources` are the distinct inbound tasks,
 * `requirement` how many must arrive, `lastRound` the last round number used.
 * Returns the new barrier list (the input list is not changed).
 */
export function arrive(
  open: readonly Barrier[],
  task: string,
  source: string,
  sources: readonly string[],
  requirement: number,
  lastRound: number,
): Arrival {
  const existing = open.find((candidate) => !candidate.arrived.includes(source));
  const barrier: Barrier = existing ?? { task, round: lastRound + 1, arrived: [], late: [], fired: false };
  const arrived = [...barrier.arrived, source];
  const effect: ArrivalEffect = barrier.fired ? 'late' : arrived.length >= requirement ? 'fired' : 'waiting';
  const updated: Barrier = {
    ...barrier,
    arrived,
    late: effect === 'late' ? [...barrier.late, source] : barrier.late,
    fired: barrier.fired || effect === 'fired',
  };
  const barriers =
    existing === undefined ? [...open, updated] : open.map((candidate) => (candidate === existing ? updated : candidate));
  // A barrier every source has reached can take no more arrivals: drop it.
  const stillOpen = barriers.filter((candidate) => !sources.every((name) => candidate.arrived.includes(name)));
  return { barriers: stillOpen, effect, round: barrier.round };
}

/** Barriers that hold arrivals but have not fired: the run cannot end while one can still fill. */
export function partlyFilled(barriers: readonly Barrier[]): readonly Barrier[] {
  return barriers.filter((barrier) => !barrier.fired && barrier.arrived.length > 0);
}

/** Sources a barrier never received, in definition order. */
export function missingSources(barrier: Barrier, sources: readonly string[]): string[] {
  return sources.filter((name) => !barrier.arrived.includes(name));
}
