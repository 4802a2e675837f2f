/**
 * The activity wrapper in the SDK's MockActivityEnvironment: receipts, input validation,
 * failure details, cancellation and resumption from heartbeat details; and the `with`
 * durations every activity reads.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { activities } from '../../../src/activities/index.js';
import { canonicalJson } from '../../../src/activities/common/canonical.js';
import { durationSchema } from '../../../src/activities/common/duration.js';
import type { ActivityInput, ActivityOutcome, Receipt } from '../../../src/activities/types.js';
import { errorReply, startOpenAIPeer } from '../../peers/openai.js';
import { failureOf, rejectionOf } from './helpers.js';

const meta = { workflowId: 'wf', runId: 'run-a', task: 'fetch', iteration: 2, index: 1 };
/** Runs an activity in the SDK's mock activity context. */
const runIn = (
  env: MockActivityEnvironment,
  fn: (i: ActivityInput) => Promise<ActivityOutcome>,
  input: ActivityInput,
): Promise<ActivityOutcome> => env.run(fn, input);
const sha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');

describe('activity wrapper (SDK MockActivityEnvironment)', () => {
  it('returns the result with a receipt: identity, attempt, timing and canonical digests', async () => {
    const input: ActivityInput = { meta, with: { command: ['printf', 'ok'], max_output_bytes: 100 } };
    const { result, receipt } = await runIn(new MockActivityEnvironment({ attempt: 3 }), activities.script, input);
    expect((result as { stdout: string }).stdout).toBe('ok');
    expect(receipt).toMatchObject({ task: 'fetch', iteration: 2, index: 1, attempt: 3, kind: 'script', outcome: 'succeeded' });
    expect(receipt.workerIdentity).toContain(String(process.pid));
    expect(receipt.inputDigest).toBe(sha({ max_output_bytes: 100, command: ['printf', 'ok'] }));
    expect(receipt.inputBytes).toBe(Buffer.byteLength(canonicalJson(input.with)));
    expect(receipt.outputDigest).toBe(sha(result));
    expect(Date.parse(receipt.endedAt) - Date.parse(receipt.startedAt)).toBe(receipt.durationMs);
  });

  it('bad input is a non-retryable InvalidInput naming the task and every bad field path, with a receipt', async () => {
    const f = await failureOf(
      new MockActivityEnvironment().run(activities.script, { meta, with: { command: ['ls', null], timeout: 'soon', bogus: 1 } }),
    );
    expect(f.type).toBe('InvalidInput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('"fetch"');
    for (const path of ['with.command[1]', 'with.timeout', 'with']) expect(f.message).toContain(path);
    expect(f.message).toContain('bogus');
    expect((f.details?.[0] as Receipt).outcome).toBe('failed');
  });

  it('every failure carries the attempt receipt as details[0]; retryability and type survive', async () => {
    const f = await failureOf(
      new MockActivityEnvironment({ attempt: 2 }).run(activities.script, {
        meta,
        with: { command: ['sh', '-c', 'echo nope >&2; exit 4'] },
      }),
    );
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.type).toBe('ScriptExitError');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toMatch(/^script task "fetch": .*code 4/);
    const receipt = f.details?.[0] as Receipt;
    expect(receipt).toMatchObject({ outcome: 'failed', attempt: 2, kind: 'script' });
    expect(receipt.error).toContain('nope');
    expect((f.details?.[1] as { exitCode: number }).exitCode).toBe(4);
  });

  it('cancellation kills the script and surfaces as a CancelledFailure with a cancelled receipt', async () => {
    const env = new MockActivityEnvironment();
    const running = env.run(activities.script, { meta, with: { command: ['sleep', '1000'] } });
    setTimeout(() => env.cancel(), 200);
    const err = await rejectionOf(running);
    expect(err).toBeInstanceOf(CancelledFailure);
    expect(((err as CancelledFailure).details[0] as Receipt).outcome).toBe('cancelled');
  });

  it('deliver reads the previous attempt heartbeat from Context info and skips a finished target', async () => {
    // The outbox root comes from the worker's environment; targets are folders inside it.
    const root = await mkdtemp(join(tmpdir(), 'sy-resume-'));
    process.env.SWITCHYARD_OUTBOX_ROOT = root;
    const [dir, other] = ['first', 'other'];
    const input: ActivityInput = { meta, with: { to: `file:${dir}, file:${other}`, content: 'x' } };
    const env1 = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env1.on('heartbeat', (d: unknown) => beats.push(d));
    const first = await runIn(env1, activities.deliver, input);
    expect(first.receipt.deliveryId).toBe((first.result as { deliveryId: string }).deliveryId);
    // Pretend the first attempt died after the first target: hand its progress to attempt 2.
    const progress = structuredClone(
      beats.find(
        (b) =>
          Object.keys((b as { targets: object }).targets).length === 1 &&
          (b as { targets: Record<string, { outcome?: unknown }> }).targets[`file:${dir}`]?.outcome,
      ),
    );
    const env2 = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: progress });
    const second = await runIn(env2, activities.deliver, input);
    // Attempt 1's report is reused for the first target (no second look at the folder).
    expect((second.result as { targets: { status: string }[] }).targets.map((t) => t.status)).toEqual([
      'delivered',
      'duplicate-skipped',
    ]);
    expect(await readdir(join(root, dir))).toHaveLength(1);
  });
});

describe('secrets in failures (SPEC rule 15)', () => {
  it('an API that echoes the key in its error never puts it into the failure or the receipt', async () => {
    const peer = await startOpenAIPeer();
    const saved = { ...process.env };
    try {
      const key = 'sk-very-secret-0123456789';
      Object.assign(process.env, {
        MY_LLM: key,
        SWITCHYARD_AGENT_BASE_URL: peer.baseUrl,
        SWITCHYARD_AGENT_MODEL: 'peer-model',
        SWITCHYARD_AGENT_KEYS: `MY_LLM=${peer.baseUrl}`,
      });
      peer.script(errorReply(401, `Incorrect API key provided: ${key}. Find your key at ...`));
      const input: ActivityInput = { meta, with: { prompt: 'hi', api_key_env: 'MY_LLM' } };
      const failure = await failureOf(new MockActivityEnvironment().run(activities.agent, input));
      expect(failure.message).toContain('Incorrect API key provided: [redacted]');
      expect(JSON.stringify(failure.details)).not.toContain(key);
      expect(JSON.stringify(failure.details)).toContain('[redacted]');
    } finally {
      process.env = saved;
      await peer.close();
    }
  });
});

describe('durations in `with`', () => {
  it("reads text with the definition's parser, a number as milliseconds, and rejects the rest", () => {
    const ms = (value: unknown): number | undefined => {
      const parsed = durationSchema.safeParse(value);
      return parsed.success ? parsed.data : undefined;
    };
    expect(ms('30s')).toBe(30_000);
    expect(ms('2m')).toBe(120_000);
    expect(ms('1h30m')).toBe(5_400_000);
    expect(ms('250ms')).toBe(250);
    expect(ms(1500)).toBe(1500);
    // A bare number in text is ambiguous, as in the definition; zero and wrong unit order are refused too.
    for (const bad of ['', '5x', 's', '-1s', 0, -5, '1h 30m', '1500', '0s', '30m1h']) expect(ms(bad)).toBeUndefined();
    expect(durationSchema.safeParse('1500').error?.issues[0]?.message).toBe(
      "duration '1500' has no unit: write a unit, e.g. 1500s",
    );
  });
});
