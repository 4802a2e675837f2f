/**
 * The real activities in a real Worker on the tier's dev server: retries, heartbeats,
 * Retry-After, resumption from heartbeat details, and cancellation.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../../../src/activities/index.js';
import { livingMembers } from '../../../src/activities/script/process-group.js';
import type { ActivityInput, TaskMeta } from '../../../src/activities/types.js';
import { startTelegramPeer, type ChatPeer } from '../../peers/chat-platforms.js';
import { errorReply, startOpenAIPeer, type OpenAIPeer } from '../../peers/openai.js';
import { connectClient, uniqueTaskQueue, withWorker } from '../harness.js';
import { runOneActivity, type ActivityCall, type CallReport } from './workflows.js';

const WORKFLOWS = fileURLToPath(new URL('./workflows.ts', import.meta.url));

let client: Client;
let close: () => Promise<void>;
let telegram: ChatPeer;
let openai: OpenAIPeer;

beforeAll(async () => {
  ({ client, close } = await connectClient());
  [telegram, openai] = await Promise.all([startTelegramPeer(), startOpenAIPeer()]);
  // The worker runs in this process, so the activities read these.
  process.env.TELEGRAM_BOT_TOKEN = '123:peer';
  process.env.PEER_AGENT_KEY = 'sk-peer';
  process.env.SWITCHYARD_AGENT_KEYS = `PEER_AGENT_KEY=${openai.baseUrl}`; // where this worker may send it
  process.env.SWITCHYARD_TELEGRAM_API_BASE = telegram.url;
});
afterAll(async () => {
  await Promise.all([telegram.close(), openai.close()]);
  await close();
});

const meta = (task: string): TaskMeta => ({ workflowId: `wf-${randomUUID()}`, runId: randomUUID(), task, iteration: 1 });

async function call(c: Omit<ActivityCall, 'input'> & { with: unknown; task?: string }): Promise<CallReport> {
  const taskQueue = uniqueTaskQueue('activities');
  const input: ActivityInput = { meta: meta(c.task ?? c.kind), with: c.with };
  return withWorker({ taskQueue, workflowsPath: WORKFLOWS, activities }, () =>
    client.workflow.execute(runOneActivity, { taskQueue, workflowId: `act-${randomUUID()}`, args: [{ ...c, input }] }),
  );
}

describe('activities on a real worker and dev server', () => {
  it('a failing script is retried by the server and the receipt names the succeeding attempt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-int-'));
    const report = await call({
      kind: 'script',
      with: {
        shell:
          'n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; [ "$n" -ge 1 ] || { echo first-try >&2; exit 1; }; echo ok',
        cwd: dir,
      },
    });
    expect(report.outcome?.receipt).toMatchObject({ attempt: 2, outcome: 'succeeded', kind: 'script' });
    expect(await readFile(join(dir, 'count'), 'utf8')).toBe('2\n');
  });

  it('bad input fails once, non-retryable, with the receipt in details[0]', async () => {
    const report = await call({ kind: 'script', with: { command: [] }, task: 'broken' });
    expect(report.failure).toMatchObject({ kind: 'application', type: 'InvalidInput', nonRetryable: true });
    expect(report.failure?.message).toContain('"broken"');
    expect(report.failure?.receipt).toMatchObject({ attempt: 1, outcome: 'failed', task: 'broken' });
  });

  it('429 Retry-After drives the next attempt instead of the policy backoff', async () => {
    openai.script(errorReply(429, 'slow down', { 'retry-after': '1' }));
    openai.answer({ text: 'after the wait' });
    const started = Date.now();
    const report = await call({
      kind: 'agent',
      with: { prompt: 'hi', base_url: openai.baseUrl, model: 'peer-model', api_key_env: 'PEER_AGENT_KEY' },
      initialInterval: '60s',
    });
    expect((report.outcome?.result as { text: string }).text).toBe('after the wait');
    expect(report.outcome?.receipt.attempt).toBe(2);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a retried delivery resumes from the heartbeat details and never re-sends a delivered part', async () => {
    telegram.messages.length = 0;
    telegram.script({ pass: true }, { pass: true }, { status: 502, body: 'bad gateway' });
    const text = Array.from({ length: 100 }, (_, i) => `Paragraph ${i}: ${'x'.repeat(85)}`).join('\n\n');
    const report = await call({ kind: 'deliver', with: { to: 'telegram:42', content: text } });
    expect(report.outcome?.receipt.attempt).toBe(2);
    expect(telegram.messages).toHaveLength(3);
    expect(new Set(telegram.messages.map((m) => m.text)).size).toBe(3);
  });

  it('cancellation reaches the script through heartbeats and kills its process group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-int-cancel-'));
    const report = await call({
      kind: 'script',
      with: { shell: 'echo $$ > pid; sleep 1000 & sleep 1000', cwd: dir },
      heartbeatTimeout: '2s',
      cancelAfterMs: 1500,
    });
    expect(report.failure).toMatchObject({ kind: 'cancelled' });
    expect(report.failure?.receipt?.outcome).toBe('cancelled');
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
    // Zombies of an unreaping pid 1 may linger in the group; no live member may.
    expect(livingMembers(pid)).toEqual([]);
  });
});
