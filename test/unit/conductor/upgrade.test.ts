/**
 * Upgrade safety at the conductor (README, "Upgrades"): states the previous release's
 * conductor (run-state format 1) carried through continue-as-new, continued on today's
 * conductor with the same events, ask for exactly the commands that release asked for —
 * the same activities with the same input, timers, cancellations and ending.
 * test/fixtures/upgrade/README.md says how the fixture was made.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildContext,
  readState,
  step,
  type ConductorCommand,
  type ConductorEvent,
  type RunState,
} from '../../../src/conductor/index.js';
import { checkReceived } from '../../../src/definition/index.js';

interface Carried {
  fixture: string;
  case: string;
  seed: number;
  definition: unknown;
  input: Record<string, unknown>;
  carried: unknown;
  steps: { event: ConductorEvent; commands: ConductorCommand[] }[];
}

const entries = JSON.parse(
  readFileSync(new URL('../../fixtures/upgrade/v1-carried-states.json', import.meta.url), 'utf8'),
) as Carried[];

/** The carried state inside continueAsNew is compared by what it continues as, not by its format. */
function comparable(commands: readonly ConductorCommand[]): unknown[] {
  return commands.map((command) => {
    if (command.kind === 'continueAsNew') return { kind: 'continueAsNew' };
    // A timer's summary is the Web UI's label (user metadata), which replay does not compare;
    // the recorded commands predate it.
    if (command.kind === 'startTimer') return { kind: command.kind, timerId: command.timerId, ms: command.ms };
    return command;
  });
}

describe('format-1 states carried by the previous release', () => {
  it('cover delays, the whole-run timeout, pause, fan-outs in progress and open barriers', () => {
    const carried = entries.map(
      (entry) => entry.carried as { timers: { purpose: string }[]; paused: boolean; runs: { fanout?: unknown }[] },
    );
    expect(entries.length).toBeGreaterThanOrEqual(40);
    expect(carried.some((state) => state.timers.some((timer) => timer.purpose === 'delay'))).toBe(true);
    expect(carried.some((state) => state.timers.some((timer) => timer.purpose === 'run-timeout'))).toBe(true);
    expect(carried.some((state) => state.paused)).toBe(true);
    expect(carried.some((state) => state.runs.some((run) => run.fanout !== undefined))).toBe(true);
  });

  it.each(entries.map((entry) => [`${entry.fixture}: ${entry.case} (seed ${entry.seed})`, entry] as const))(
    '%s continues with the same commands',
    async (_, entry) => {
      const valid = checkReceived(entry.definition);
      if (!valid.ok) throw new Error(JSON.stringify(valid.problems));
      const context = buildContext({ ...valid, input: entry.input, workflow: { id: 'wf', runId: 'r2' } });
      let state: RunState = readState(entry.carried);
      expect(state.format).toBe(2);
      for (const { event, commands } of entry.steps) {
        const result = await step(context, state, event);
        expect(comparable(result.commands)).toEqual(commands);
        state = result.state;
      }
    },
  );
});
