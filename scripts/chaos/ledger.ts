/**
 * The chaos runs' account of what ran: every script appends to one ledger file
 * (test/integration/ledger.ts: `start`, then `end` or `stop`, with its label `<run>:<task>`)
 * — the OS's account, not Temporal's. A task that ran more than once is a duplicate; one
 * is explained only when a kill (of a worker or of the server) fell between the earlier
 * execution's start and the next one's: at-least-once delivery after a crash, not a bug.
 */
import { existsSync } from 'node:fs';
import { readLedger, type Execution } from '../../test/integration/ledger.js';

export { LEDGER_SCRIPT } from '../../test/integration/ledger.js';

/** What the ledger says about one scenario. */
export interface LedgerCount {
  executions: number;
  /** Executions beyond the first of their task. */
  duplicates: number;
  /** Duplicates with no kill between the earlier execution's start and theirs. */
  unexplained: string[];
  /** Executions that never wrote `end` or `stop`: killed with their worker, or still running. */
  unclosed: number;
  /** Executions that ran to their end. */
  ended: number;
}

/** Counts executions and duplicates; `killsNs` are the kill instants (date +%s%N clock). */
export function countLedger(file: string, killsNs: readonly bigint[]): LedgerCount {
  const executions = existsSync(file) ? readLedger(file) : [];
  const byLabel = new Map<string, Execution[]>();
  for (const execution of executions) byLabel.set(execution.label, [...(byLabel.get(execution.label) ?? []), execution]);
  let duplicates = 0;
  const unexplained: string[] = [];
  for (const [label, runs] of byLabel) {
    for (const [i, later] of runs.entries()) {
      const earlier = runs[i - 1];
      if (earlier === undefined) continue;
      duplicates++;
      if (!killsNs.some((kill) => earlier.start < kill && kill < later.start)) unexplained.push(label);
    }
  }
  return {
    executions: executions.length,
    duplicates,
    unexplained,
    unclosed: executions.filter((e) => e.how === undefined).length,
    ended: executions.filter((e) => e.how === 'end').length,
  };
}

/** Now, on the clock the ledger uses (`date +%s%N`: wall-clock nanoseconds). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
