/**
 * The checks of a schedule's options (src/schedules/options.ts): the same for the flags of
 * `schedule create` and a definition's `schedule:` block, each problem naming its field.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkReceived, ScheduleBlockSchema, validateDefinition } from '../../../src/definition/index.js';
import {
  SCHEDULE_OPTION_KEYS,
  cronProblem,
  underPath,
  validateScheduleOptions,
  type ScheduleOptions,
} from '../../../src/schedules/index.js';
import { scheduleSpec, temporalSchedule } from '../../../src/schedules/spec.js';

const paths = (options: ScheduleOptions, now?: number) =>
  validateScheduleOptions(options, { ...(now === undefined ? {} : { now }) }).map((problem) => problem.path);

describe('validateScheduleOptions', () => {
  it('accepts what Temporal reads', () => {
    for (const cron of [
      '0 7 * * *',
      '*/5 9-17 * * mon-fri',
      '0 0 1 jan,jul *',
      '30 0 7 * * * 2030',
      '@daily',
      '@every 15m',
      '0 7 * * 1-5 # weekdays',
    ]) {
      expect(cronProblem(cron), cron).toBeUndefined();
    }
    expect(
      paths({ every: '2s', timezone: 'Europe/Berlin', overlap: 'buffer-one', catchup: '10m', jitter: '5s', runs: 3 }),
    ).toEqual([]);
    expect(paths({ at: '2030-01-01T07:00:00Z' }, Date.now())).toEqual([]);
    expect(paths({ at: '2030-01-01T07:00', timezone: 'America/New_York' }, Date.now())).toEqual([]);
  });

  it('names cron for a bad cron expression, saying which field is wrong', () => {
    const problems = validateScheduleOptions({ cron: ['61 * * * *'] });
    expect(problems).toEqual([{ path: 'cron', message: expect.stringMatching(/minute '61' is out of range: use 0-59/) }]);
    expect(cronProblem('* * *')).toMatch(/has 3 fields/);
    expect(cronProblem('0 7 * * funday')).toMatch(/day of week 'funday'/);
    expect(cronProblem('@fortnightly')).toMatch(/not one of @yearly/);
    expect(cronProblem('@every 1.5h')).toMatch(/whole numbers/);
    expect(cronProblem('CRON_TZ=UTC 0 7 * * *')).toMatch(/--tz/);
  });

  it('names timezone for an unknown zone, with the likely one', () => {
    const [problem] = validateScheduleOptions({ cron: ['@daily'], timezone: 'Europe/Berln' });
    expect(problem).toEqual({
      path: 'timezone',
      message: expect.stringMatching(/unknown time zone 'Europe\/Berln' \(did you mean 'Europe\/Berlin'\?\)/),
    });
    expect(paths({ cron: ['@daily'], timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(validateScheduleOptions({ cron: ['@daily'], timezone: 'europe/berlin' })[0]?.message).toMatch(/'Europe\/Berlin'/);
  });

  it('names every for a zero, negative, unitless or sub-second interval', () => {
    for (const every of ['0s', '-5s', '5', '500ms']) expect(paths({ every }), every).toEqual(['every']);
  });

  it('names runs for 0, a negative or a fraction', () => {
    for (const runs of [0, -1, 1.5, Number.NaN]) expect(paths({ every: '1m', runs }), String(runs)).toEqual(['runs']);
  });

  it('asks for exactly one of cron, every, at', () => {
    expect(validateScheduleOptions({})).toEqual([{ path: 'cron', message: expect.stringMatching(/missing/) }]);
    expect(paths({ cron: ['@daily'], every: '1h' })).toEqual(['every']);
  });

  it('checks at: a date-time with a zone, not past (when given the present), once', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(paths({ at: 'tomorrow' }, now)).toEqual(['at']);
    expect(paths({ at: '2026-12-01T07:00' }, now)).toEqual(['at']);
    expect(paths({ at: '2026-11-01T07:00:00Z' }, now)).toEqual(['at']);
    expect(paths({ at: '2026-11-01T07:00:00Z' })).toEqual([]);
    expect(paths({ at: '2026-12-01T07:00:00Z', runs: 2 }, now)).toEqual(['runs']);
    expect(paths({ at: '2026-02-30T07:00:00Z' }, now)).toEqual(['at']);
  });

  it('names catchup, jitter and overlap', () => {
    expect(paths({ every: '1m', catchup: '5s' })).toEqual(['catchup']);
    expect(paths({ every: '1m', jitter: 'soon' })).toEqual(['jitter']);
    expect(validateScheduleOptions({ every: '1m', overlap: 'skp' as never })[0]?.message).toMatch(/did you mean 'skip'/);
  });

  it('partial options (a change to a schedule that exists) need not say when', () => {
    expect(validateScheduleOptions({ note: 'x' }, { partial: true })).toEqual([]);
    expect(paths({ runs: 0 })).toEqual(['cron', 'runs']);
  });

  it('labels fields as the caller names them', () => {
    expect(validateScheduleOptions({ every: '0s' }, { label: underPath('schedule') })[0]?.path).toBe('schedule.every');
  });
});

describe('the Temporal schedule of a request', () => {
  const definition = { version: 1 as const, name: 'g', tasks: { a: { action: 'noop' as const } } };

  it('turns at into one calendar instant in UTC, fired once', () => {
    const spec = scheduleSpec({ at: '2030-01-02T08:09:10+01:00' });
    expect(spec.calendars).toEqual([
      expect.objectContaining({ year: 2030, month: 'JANUARY', dayOfMonth: 2, hour: 7, minute: 9, second: 10 }),
    ]);
    expect(spec.timezone).toBe('UTC');
    const schedule = temporalSchedule({ id: 'once', definition, input: {}, options: { at: '2030-01-02T08:09:10Z' } });
    expect(schedule.state).toMatchObject({ remainingActions: 1 });
  });

  it('defaults overlap to skip and catch-up to 1h; tags runs with the schedule id', () => {
    const schedule = temporalSchedule({ id: 'nightly', definition, input: { x: 1 }, options: { cron: ['@daily'] } });
    expect(schedule.policies).toEqual({ overlap: 'SKIP', catchupWindow: 3_600_000 });
    expect(schedule.action.workflowId).toBe('nightly');
    expect(schedule.action.args).toEqual([{ definition, input: { x: 1 } }]);
    expect(schedule.action.typedSearchAttributes).toEqual([
      expect.objectContaining({ value: 'g' }),
      expect.objectContaining({ value: 'nightly' }),
    ]);
  });
});

describe('a schedule: block in a definition', () => {
  it('holds the schedule options, plus id and input: the flags and the block say the same things', () => {
    expect(Object.keys(ScheduleBlockSchema.shape).sort()).toEqual([...SCHEDULE_OPTION_KEYS, 'id', 'input'].sort());
  });

  const base = 'version: 1\nname: briefing\ninput: { topic: AI }\ntasks:\n  a: { action: noop }\n';

  it('is checked like the flags, with paths under schedule', () => {
    const value = parse(
      `${base}schedule:\n  cron: "99 * * * *"\n  timezone: Nowhere/City\n  every: 0s\n  runs: 0\n  input: { topci: x }\n  bogus: 1\n`,
    );
    const result = validateDefinition(value);
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : result.problems.map((problem) => problem.path);
    expect(found).toEqual(
      expect.arrayContaining([
        'schedule.cron',
        'schedule.timezone',
        'schedule.every',
        'schedule.runs',
        'schedule.input.topci',
        'schedule.bogus',
      ]),
    );
  });

  it('is carried, unread, by the interpreter: a definition with one still runs, one without is unchanged', () => {
    const scheduled = parse(`${base}schedule: { cron: "0 7 * * *", timezone: Europe/Berlin, input: { topic: chips } }\n`);
    const full = validateDefinition(scheduled);
    expect(full.ok).toBe(true);
    expect(checkReceived(scheduled)).toEqual(full);
    const plain = parse(base);
    expect(checkReceived(plain)).toEqual(validateDefinition(plain));
    expect(checkReceived(plain)).toMatchObject({ ok: true, definition: { name: 'briefing' } });
  });
});
