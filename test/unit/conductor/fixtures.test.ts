/**
 * Fixture-driven conductor tests: every YAML file in test/fixtures/conductor holds cases,
 * each citing the SPEC §3 rules it shows. Each case runs twice — straight, and with the
 * state round-tripped through JSON after every step — and both runs must agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { drive, FixtureSchema, type Case, type RunRecord } from './driver.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/conductor');
const files = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

function check(fixture: Case, run: RunRecord): void {
  const { expect: want } = fixture;
  expect(run.status, run.failure?.message).toBe(want.status);
  if (want.starts !== undefined) expect(run.starts).toEqual(want.starts);
  if (want.ctx !== undefined) expect(run.ctx).toEqual(want.ctx);
  if (want.output !== undefined) expect(run.output).toEqual(want.output);
  if (want.error !== undefined) expect(run.failure?.message).toContain(want.error);
  if (want.error_type !== undefined) expect(run.failure?.type).toBe(want.error_type);
  if (want.timers !== undefined) expect(run.timers).toEqual(want.timers);
  if (want.iterations !== undefined) expect(run.iterations).toEqual(want.iterations);
  if (want.tasks !== undefined) {
    const summaries = Object.fromEntries(
      Object.keys(want.tasks).map((task) => [
        task,
        { status: run.state.tasks[task]?.status, iterations: run.state.tasks[task]?.iterations },
      ]),
    );
    expect(summaries).toEqual(want.tasks);
  }
  if (want.max_running !== undefined) expect(run.maxRunning).toBe(want.max_running);
  if (want.continued !== undefined) expect(run.continued).toBe(want.continued);
}

describe.each(files)('%s', (file) => {
  const fixture = FixtureSchema.parse(parse(readFileSync(join(FIXTURES, file), 'utf8')));
  it.each(fixture.cases.map((c) => [`${c.name} (rule ${c.rules.join(', ')})`, c] as const))('%s', async (_title, testCase) => {
    const straight = await drive(testCase);
    check(testCase, straight);
    const roundTripped = await drive(testCase, { roundTrip: true });
    expect({ ...roundTripped, state: undefined }).toEqual({ ...straight, state: undefined });
  });
});
