/**
 * The cron store translator (issue 10 item 3): every field of HERMES-CRON.md honoured or
 * warned about, finished and past-due jobs reported, a malformed store refused whole with
 * the job's index, id and field, and nothing from the job file written into an expression.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { translateStore, type TranslateOptions } from '../../../src/schedules/hermes/index.js';
import { translateDelivery } from '../../../src/schedules/hermes/delivery.js';
import { parseStoreText } from '../../../src/schedules/hermes/read.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/hermes/cron/jobs.json', import.meta.url));
const NOW = new Date('2026-07-17T12:00:00Z');
const OPTIONS: TranslateOptions = { scriptsDir: '/srv/hermes/scripts', timezone: 'UTC', now: NOW };

function job(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `job ${id}`,
    prompt: 'Say something.',
    schedule: { kind: 'cron', expr: '0 9 * * *' },
    repeat: { times: null, completed: 0 },
    enabled: true,
    state: 'scheduled',
    deliver: 'local',
    ...extra,
  };
}

function translate(jobs: unknown, options: Partial<TranslateOptions> = {}) {
  const t = translateStore(jobs, { ...OPTIONS, ...options });
  if (!t.ok) throw new Error(JSON.stringify(t.problems));
  return t;
}

describe('the example store', () => {
  const t = translate(JSON.parse(readFileSync(EXAMPLE, 'utf8')) as unknown, {
    scriptsDir: fileURLToPath(new URL('../../../examples/hermes/scripts', import.meta.url)),
  });
  const byId = Object.fromEntries(t.requests.map((r) => [r.id, r]));

  it('one schedule per pending job, named hermes-<id>; the finished one-shot is reported, not scheduled', () => {
    expect(Object.keys(byId).sort()).toEqual(
      [
        'hermes-0a1b2c3d4e5f',
        'hermes-a1b2c3d4e5f6',
        'hermes-b2c3d4e5f6a1',
        'hermes-c3d4e5f6a1b2',
        'hermes-d4e5f6a1b2c3',
        'hermes-e5f6a1b2c3d4',
      ].sort(),
    );
    expect(t.skipped).toEqual([{ jobId: 'f6a1b2c3d4e5', reason: 'finished in the old store (state completed)' }]);
  });

  it('cron, interval and one-shot schedules with the tick’s overlap and catch-up', () => {
    expect(byId['hermes-a1b2c3d4e5f6']?.options).toMatchObject({
      cron: ['0 7 * * 1-5'],
      timezone: 'UTC',
      overlap: 'skip',
      catchup: '365d',
    });
    expect(byId['hermes-b2c3d4e5f6a1']?.options).toMatchObject({ every: '15m', overlap: 'skip' });
    expect(byId['hermes-d4e5f6a1b2c3']?.options).toMatchObject({ at: '2027-01-15T09:00:00.000Z', catchup: '120s' });
    expect(byId['hermes-a1b2c3d4e5f6']?.options.runs).toBeUndefined();
  });

  it('repeat.times - completed is the remaining runs; a paused job is a paused schedule with its reason', () => {
    expect(byId['hermes-0a1b2c3d4e5f']?.options.runs).toBe(6);
    expect(byId['hermes-e5f6a1b2c3d4']?.options).toMatchObject({
      paused: true,
      runs: 18,
      note: 'paused in the old store at 2026-07-14T09:12:00+00:00: vendor API rate-limits us until August',
    });
  });

  it('skills, toolsets and the drift guard go to the memo, and each is warned about, naming the job', () => {
    expect(byId['hermes-e5f6a1b2c3d4']?.memo).toMatchObject({
      hermes: { id: 'e5f6a1b2c3d4', skills: ['arxiv'], model_snapshot: 'gpt-4o-mini' },
    });
    expect(t.warnings).toContain(
      'job e5f6a1b2c3d4 (arXiv scan): skills (arxiv) have no Switchyard counterpart: kept in the memo, not loaded',
    );
    expect(t.warnings).toContain(
      "job e5f6a1b2c3d4 (arXiv scan): deliver 'signal:group:c2lnbmFs' dropped: Switchyard has no signal target",
    );
    expect(t.warnings.some((w) => w.startsWith('job c3d4e5f6a1b2 (Friday digest): enabled_toolsets (web)'))).toBe(true);
  });

  it('the graph is script → agent → deliver; context_from names the upstream schedule', () => {
    const briefing = byId['hermes-a1b2c3d4e5f6']?.definition;
    expect(Object.keys(briefing?.tasks ?? {})).toEqual(['collect', 'ask', 'send', 'alert']);
    expect(briefing?.tasks.send?.with).toMatchObject({ to: 'telegram:-1001234567890:17585,email:infra-team@example.com' });
    expect(briefing?.tasks.ask?.with).toMatchObject({
      model: 'gpt-4o-mini',
      base_url: 'https://api.openai.com/v1',
      api_key_env: 'OPENAI_API_KEY',
    });
    expect(byId['hermes-c3d4e5f6a1b2']?.definition.tasks.ask?.with).toMatchObject({ context_from: ['hermes-a1b2c3d4e5f6'] });
    const watchdog = byId['hermes-b2c3d4e5f6a1']?.definition;
    expect(Object.keys(watchdog?.tasks ?? {})).toEqual(['collect', 'send', 'alert']);
    expect(watchdog?.tasks.collect?.with).toMatchObject({ command: ['bash', '{{ input.script }}'], cwd: '/tmp' });
  });

  it('the prompt travels as run input: a {{ }} in it never becomes part of the definition', () => {
    const digest = byId['hermes-c3d4e5f6a1b2'];
    expect(digest?.input.prompt).toContain('{{ curly braces }}');
    expect(JSON.stringify(digest?.definition.tasks)).not.toContain('curly braces');
  });

  it('translating twice gives the same requests (re-import changes nothing)', () => {
    const again = translate(JSON.parse(readFileSync(EXAMPLE, 'utf8')) as unknown, {
      scriptsDir: fileURLToPath(new URL('../../../examples/hermes/scripts', import.meta.url)),
    });
    expect(again.requests).toEqual(t.requests);
  });
});

describe('a malformed store', () => {
  it('is refused whole, each problem with the job index, id and field', () => {
    const t = translateStore(
      {
        jobs: [
          job('aaaaaaaaaaaa'),
          job('bbbbbbbbbbbb', { schedule: { kind: 'cron', expr: 'every monday' } }),
          job('cccccccccccc', { script: '../etc/passwd' }),
          job('dddddddddddd', { no_agent: true }),
          job('aaaaaaaaaaaa'),
          { name: 'no id', schedule: { kind: 'interval', minutes: 5 } },
        ],
      },
      OPTIONS,
    );
    expect(t.ok).toBe(false);
    if (t.ok) return;
    expect(t.problems.map((p) => [p.index, p.id, p.field])).toEqual([
      [1, 'bbbbbbbbbbbb', 'schedule.expr'],
      [2, 'cccccccccccc', 'script'],
      [3, 'dddddddddddd', 'no_agent'],
      [4, 'aaaaaaaaaaaa', 'id'],
      [5, undefined, 'id'],
    ]);
  });

  it('a store that is not a job list is refused', () => {
    expect(translateStore({ tasks: [] }, OPTIONS)).toMatchObject({ ok: false, problems: [{ field: 'jobs' }] });
  });
});

describe('one-shots, repeats and states', () => {
  const once = (runAt: string, extra: Record<string, unknown> = {}) =>
    job('eeeeeeeeeeee', { schedule: { kind: 'once', run_at: runAt }, repeat: { times: 1, completed: 0 }, ...extra });

  it('a past-due one-shot is reported, or with --run-overdue runs shortly after the import', () => {
    expect(translate({ jobs: [once('2026-07-17T10:00:00+00:00')] }).skipped[0]?.reason).toMatch(/past due since/);
    const overdue = translate({ jobs: [once('2026-07-17T10:00:00+00:00')] }, { runOverdue: true });
    expect(overdue.requests[0]?.options.at).toBe('2026-07-17T12:00:30.000Z');
    expect(overdue.warnings[0]).toMatch(/--run-overdue/);
  });

  it('a one-shot within the tick’s 120 s grace still runs; one that already ran does not', () => {
    expect(translate({ jobs: [once('2026-07-17T11:59:00+00:00')] }).requests).toHaveLength(1);
    expect(
      translate({ jobs: [once('2026-07-18T09:00:00+00:00', { last_run_at: '2026-07-17T11:00:00+00:00' })] }).skipped[0]?.reason,
    ).toMatch(/already ran/);
  });

  it('a job at its repeat limit is reported; times of 0 or less means no limit', () => {
    expect(translate({ jobs: [job('ffffffffffff', { repeat: { times: 3, completed: 3 } })] }).skipped[0]?.reason).toMatch(
      /repeat limit/,
    );
    expect(
      translate({ jobs: [job('ffffffffffff', { repeat: { times: 0, completed: 9 } })] }).requests[0]?.options.runs,
    ).toBeUndefined();
  });

  it('a skill-only job with nothing to ask is reported, not scheduled with an empty prompt', () => {
    expect(translate({ jobs: [job('ffffffffffff', { prompt: '', skills: ['digest'] })] }).skipped[0]?.reason).toMatch(
      /prompt is empty/,
    );
  });

  it('every unknown field is one warning; a timezone that disagrees with the stored offsets is warned about', () => {
    const t = translate({ jobs: [job('ffffffffffff', { monitor_url: 'https://x', next_run_at: '2026-07-18T09:00:00+02:00' })] });
    expect(t.warnings).toContain(
      'job ffffffffffff (job ffffffffffff): field monitor_url is not part of the baseline store; ignored',
    );
    expect(t.warnings.some((w) => w.includes('offset +02:00'))).toBe(true);
    expect(
      translate({ jobs: [job('ffffffffffff', { next_run_at: '2026-07-18T09:00:00+02:00' })] }, { timezone: 'Europe/Berlin' })
        .warnings,
    ).toEqual([]);
  });
});

describe('model pins and keys', () => {
  const ask = (extra: Record<string, unknown>) => {
    const t = translate({ jobs: [job('abcabcabcabc', extra)] });
    return { with: t.requests[0]?.definition.tasks.ask?.with, warnings: t.warnings };
  };

  it('a known provider names its endpoint and its own key', () => {
    expect(ask({ provider: 'openrouter', model: 'x/y' }).with).toMatchObject({
      model: 'x/y',
      base_url: 'https://openrouter.ai/api/v1',
      api_key_env: 'OPENROUTER_API_KEY',
    });
  });

  it('a base_url on another host gets no key, and says so', () => {
    const r = ask({ provider: 'openai', base_url: 'https://proxy.example.net/v1' });
    expect(r.with).toMatchObject({ base_url: 'https://proxy.example.net/v1' });
    expect(r.with).not.toHaveProperty('api_key_env');
    expect(r.warnings[0]).toMatch(/without any key/);
  });
});

describe('the delivery grammar', () => {
  it('local, origin, platforms, explicit targets with threads, all, and duplicates dropped', () => {
    const origin = { platform: 'slack', chat_id: 'C0ORIGIN', thread_id: '1712345678.000100' };
    expect(translateDelivery('local', null)).toEqual({ targets: [], warnings: [] });
    expect(translateDelivery('origin', null).targets).toEqual(['home:origin']);
    expect(translateDelivery('origin', origin).targets).toEqual(['slack:C0ORIGIN:1712345678.000100']);
    expect(translateDelivery('telegram, discord:123456789012, email:a@b.example,telegram', null).targets).toEqual([
      'home:telegram',
      'discord:123456789012',
      'email:a@b.example',
    ]);
    expect(translateDelivery(['telegram:-100123:17', 'telegram:-100123:17'], null).targets).toEqual(['telegram:-100123:17']);
    expect(translateDelivery('origin,all', null).targets).toEqual(['home:origin', 'home:all']);
  });

  it('what has no Switchyard target is dropped with a warning each', () => {
    const plan = translateDelivery('sms:+15550001,discord:#general,matrix:!room:server,whatsapp', null);
    expect(plan.targets).toEqual([]);
    expect(plan.warnings).toHaveLength(4);
  });
});

describe('reading the store file', () => {
  it('accepts raw control characters inside strings, as the tick’s lenient retry did', () => {
    const text =
      '{"jobs": [{"id": "aaaaaaaaaaaa", "prompt": "line one\nline\ttwo", "schedule": {"kind": "interval", "minutes": 5}}]}';
    expect(parseStoreText(text, 'jobs.json')).toMatchObject({ jobs: [{ prompt: 'line one\nline\ttwo' }] });
  });

  it('says where the text is not JSON', () => {
    expect(() => parseStoreText('{"jobs": [', 'jobs.json')).toThrow(/jobs\.json is not JSON/);
  });
});
