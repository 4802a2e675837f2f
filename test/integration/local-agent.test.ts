/**
 * The local `agent` provider with the real model (SmolLM2-135M-Instruct, provisioned into
 * .tools/ by the tier's global setup): structure, not wording — a non-empty answer, counted
 * usage, streamed chunks, a bound that holds, cancellation that stops generation, one load
 * per worker process, one conversation at a time; then the demo graph (script → agent →
 * deliver) through the real interpreter on the tier's dev server, with no endpoint at all.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInputSchema, runAgent } from '../../src/activities/agent.js';
import { localModelLoads } from '../../src/activities/agent/local.js';
import { activities } from '../../src/activities/index.js';
import type { ActivityInput } from '../../src/activities/types.js';
import { loadDefinitionText } from '../../src/definition/index.js';
import { interpretGraph } from '../../src/workflows/index.js';
import { connectClient, uniqueTaskQueue, withWorker } from './harness.js';
import { runOneActivity } from './activities/workflows.js';

const ONE_ACTIVITY = fileURLToPath(new URL('./activities/workflows.ts', import.meta.url));
const MACHINE_REPORT = fileURLToPath(new URL('../../examples/machine-report.yaml', import.meta.url));
/** A prompt a small model answers at length, so a bound or a cancellation is what ends it. */
const LONG = 'Count from 1 to 300, separated by commas.';

/** No endpoint anywhere: the worker's environment as a new user's. */
const NO_ENDPOINT: NodeJS.ProcessEnv = { PATH: process.env.PATH };
const ENDPOINT_VARS = ['SWITCHYARD_AGENT_BASE_URL', 'SWITCHYARD_AGENT_MODEL', 'SWITCHYARD_AGENT_PROVIDER'] as const;

interface Beat {
  phase?: string;
  chunks?: number;
}

function recorder(onBeat: (beat: Beat, all: Beat[]) => void = () => undefined) {
  const controller = new AbortController();
  const beats: Beat[] = [];
  const io = {
    signal: controller.signal,
    heartbeat: (details?: unknown) => {
      beats.push(details as Beat);
      onBeat(details as Beat, beats);
    },
  };
  return { io, beats, abort: () => controller.abort() };
}

const ask = (w: Record<string, unknown>, io: ReturnType<typeof recorder>['io']) =>
  runAgent(agentInputSchema.parse(w), io, { env: NO_ENDPOINT });
const streamed = (beats: Beat[]) => beats.filter((b) => b.phase === 'streaming');

let client: Client;
let close: () => Promise<void>;
const saved: Partial<Record<string, string>> = {};

beforeAll(async () => {
  ({ client, close } = await connectClient());
  // The in-process workers below read process.env: no endpoint there either.
  for (const name of ENDPOINT_VARS) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterAll(async () => {
  for (const name of ENDPOINT_VARS) if (saved[name] !== undefined) process.env[name] = saved[name];
  await close();
});

describe('the local agent model', () => {
  it('answers with no endpoint configured: non-empty text, usage counted, streamed chunk by chunk', async () => {
    const rec = recorder();
    const r = await ask({ prompt: 'Say hello to an operator in one short sentence.', max_tokens: 24 }, rec.io);
    expect(r.model).toBe('local:SmolLM2-135M-Instruct.Q4_1');
    expect(r.text.trim().length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(r.finishReason);
    expect(r.usage?.promptTokens).toBeGreaterThan(0);
    expect(r.usage?.completionTokens).toBeGreaterThan(0);
    expect(r.usage?.completionTokens).toBeLessThanOrEqual(25); // the bound, plus the end-of-turn token
    expect(r.usage?.totalTokens).toBe((r.usage?.promptTokens ?? 0) + (r.usage?.completionTokens ?? 0));
    // Every streamed chunk beat, counting up: the answer arrived in several pieces.
    const chunks = streamed(rec.beats).map((b) => b.chunks);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks).toEqual(chunks.map((_, i) => i + 1));
    expect(rec.beats.map((b) => b.phase)).toEqual(expect.arrayContaining(['queued', 'loading', 'generating']));
    expect(localModelLoads()).toBe(1);
  });

  it('stops at max_tokens with finish reason length, and reuses the model loaded by the first run', async () => {
    const r = await ask({ prompt: LONG, max_tokens: 6 }, recorder().io);
    expect(r.finishReason).toBe('length');
    expect(r.usage?.completionTokens).toBe(6);
    expect(localModelLoads()).toBe(1);
  });

  it('cancellation stops generation: finish reason cancelled, a few tokens of a 300-token budget', async () => {
    const rec = recorder((beat, all) => {
      if (beat.phase === 'streaming' && streamed(all).length === 3) rec.abort();
    });
    const r = await ask({ prompt: LONG, max_tokens: 300 }, rec.io);
    expect(r.finishReason).toBe('cancelled');
    expect(streamed(rec.beats).length).toBeLessThanOrEqual(4);
    expect(r.usage?.completionTokens).toBeLessThanOrEqual(5);
  });

  it('runs one conversation at a time per worker: the second waits, queued, until the first has ended', async () => {
    const order: string[] = [];
    const first = recorder((b) => b.phase === 'generating' && order.push('first generating'));
    const second = recorder((b) => b.phase === 'generating' && order.push('second generating'));
    const a = ask({ prompt: 'Name a colour.', max_tokens: 8 }, first.io).then(() => order.push('first done'));
    const b = ask({ prompt: 'Name a fruit.', max_tokens: 8 }, second.io).then(() => order.push('second done'));
    await Promise.all([a, b]);
    expect(order).toEqual(['first generating', 'first done', 'second generating', 'second done']);
    expect(second.beats[0]?.phase).toBe('queued');
  });

  it('a call cancelled while it waits for its turn ends at once, before the running one', async () => {
    const order: string[] = [];
    const waiting = recorder();
    // Cancelled once the other call streams: by then this one is queued behind it.
    const other = recorder((b) => b.phase === 'streaming' && b.chunks === 1 && waiting.abort());
    const running = ask({ prompt: LONG, max_tokens: 40 }, other.io).then(() => order.push('running done'));
    const queued = ask({ prompt: 'Name a colour.', max_tokens: 8 }, waiting.io).then((r) => {
      order.push('queued done');
      return r;
    });
    const r = await queued;
    await running;
    expect(order).toEqual(['queued done', 'running done']);
    expect(r).toMatchObject({ finishReason: 'cancelled', usage: null, text: '' });
    expect(waiting.beats.map((b) => b.phase)).toEqual(['queued']);
  });

  it('as a Temporal activity: the receipt and result of a local answer, and a cancel that ends it as cancelled early', async () => {
    const call = (w: unknown, cancelAfterMs?: number) => {
      const taskQueue = uniqueTaskQueue('local-agent');
      const input: ActivityInput = {
        meta: { workflowId: `wf-${randomUUID()}`, runId: randomUUID(), task: 'ask', iteration: 1 },
        with: w,
      };
      return withWorker({ taskQueue, workflowsPath: ONE_ACTIVITY, activities }, () =>
        client.workflow.execute(runOneActivity, {
          taskQueue,
          workflowId: `local-${randomUUID()}`,
          args: [
            { kind: 'agent', input, maximumAttempts: 1, heartbeatTimeout: '5s', ...(cancelAfterMs ? { cancelAfterMs } : {}) },
          ],
        }),
      );
    };
    const ok = await call({ prompt: 'Say hi.', max_tokens: 12 });
    expect(ok.outcome?.receipt).toMatchObject({ kind: 'agent', outcome: 'succeeded', attempt: 1 });
    expect(ok.outcome?.result).toMatchObject({ model: 'local:SmolLM2-135M-Instruct.Q4_1' });

    const cancelled = await call({ provider: 'local', prompt: LONG, max_tokens: 2000 }, 3000);
    expect(cancelled.failure).toMatchObject({ kind: 'cancelled' });
    expect(cancelled.failure?.receipt).toMatchObject({ kind: 'agent', outcome: 'cancelled' });
    const tokens = /cancelled after (\d+) generated tokens/.exec(cancelled.failure?.receipt?.error ?? '');
    expect(tokens, cancelled.failure?.receipt?.error).not.toBeNull();
    expect(Number(tokens?.[1])).toBeLessThan(2000);
    expect(localModelLoads()).toBe(1);
  });

  it('npm start’s graph: script → local agent → file outbox through the interpreter, offline', async () => {
    const report = loadDefinitionText(await readFile(MACHINE_REPORT, 'utf8'), MACHINE_REPORT);
    if (!report.ok) throw new Error(JSON.stringify(report.problems));
    const outboxRoot = await mkdtemp(join(tmpdir(), 'sy-local-agent-'));
    process.env.SWITCHYARD_OUTBOX_ROOT = outboxRoot;
    const taskQueue = uniqueTaskQueue('machine-report');
    try {
      const result = await withWorker({ taskQueue }, () =>
        client.workflow.execute(interpretGraph, {
          taskQueue,
          workflowId: `machine-report-${randomUUID()}`,
          args: [{ definition: report.definition, input: {} }],
        }),
      );
      expect(result.status).toBe('completed');
      const output = result.output as { state: string; summary: string; tokens: { completionTokens: number } };
      expect(output.state).toMatch(/uptime: .*load .*disk \/: \d+%/s);
      expect(output.summary.length).toBeGreaterThan(0);
      expect(output.tokens.completionTokens).toBeGreaterThan(0);
      expect(output.tokens.completionTokens).toBeLessThanOrEqual(61);
      const files = await readdir(join(outboxRoot, 'outbox'));
      expect(files).toHaveLength(1);
      const delivered = JSON.parse(await readFile(join(outboxRoot, 'outbox', files[0] ?? ''), 'utf8')) as { content: string };
      expect(delivered.content.trim()).toBe(output.summary);
    } finally {
      delete process.env.SWITCHYARD_OUTBOX_ROOT;
    }
  });
});
