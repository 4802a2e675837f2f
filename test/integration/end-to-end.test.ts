/**
 * Issue 5 end to end on the real dev server: script → agent → deliver, the agent talking
 * to an OpenAI-compatible server and the delivery going to a Standard-Webhooks receiver and
 * a Telegram-shaped API, all real HTTP on 127.0.0.1. The webhook answers 500 the first
 * time: the receiver still accepts exactly one signed delivery, Telegram gets exactly one
 * message, and no API key, webhook secret or bot token appears in the run's history.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Client } from '@temporalio/client';
import { loadDefinitionText } from '../../src/definition/index.js';
import { interpretGraph } from '../../src/workflows/index.js';
import { startOpenAIPeer, type OpenAIPeer } from '../peers/openai.js';
import { startWebhookPeer } from '../peers/webhook.js';
import { startTelegramPeer, type ChatPeer } from '../peers/chat-platforms.js';
import type { Peer } from '../peers/http-peer.js';
import { connectClient, temporalCliJson, uniqueTaskQueue, withWorker } from './harness.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/e2e/briefing-to-webhook.yaml', import.meta.url));
const API_KEY = `sk-e2e-${randomUUID()}`;
const WEBHOOK_SECRET_BYTES = randomBytes(24).toString('base64');
const WEBHOOK_SECRET = `whsec_${WEBHOOK_SECRET_BYTES}`;
const BOT_TOKEN = `${Date.now()}:E2E-${randomUUID()}`;
const SUMMARY = 'Three launches and one outage; nothing needs you before noon.';

/** The history text plus the decoded text of every base64 `data` field in it. */
function withDecodedPayloads(json: string): string {
  const decoded = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1] ?? '', 'base64').toString('utf8'),
  );
  return [json, ...decoded].join('\n');
}

describe('daily briefing end to end against real protocol peers', () => {
  let client: Client;
  let close: () => Promise<void>;
  let agent: OpenAIPeer;
  let webhook: Peer;
  let telegram: ChatPeer;
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string) => {
    saved[name] = process.env[name];
    process.env[name] = value;
  };

  beforeAll(async () => {
    ({ client, close } = await connectClient());
    agent = await startOpenAIPeer();
    agent.answer({ text: SUMMARY });
    webhook = await startWebhookPeer();
    telegram = await startTelegramPeer(BOT_TOKEN);
    // The worker runs in this process: these are the worker's environment.
    setEnv('E2E_AGENT_API_KEY', API_KEY);
    setEnv('SWITCHYARD_WEBHOOK_SECRET', WEBHOOK_SECRET);
    setEnv('SWITCHYARD_WEBHOOK_ALLOW_NETWORKS', 'loopback'); // the webhook peer is on 127.0.0.1
    setEnv('TELEGRAM_BOT_TOKEN', BOT_TOKEN);
    setEnv('SWITCHYARD_TELEGRAM_API_BASE', telegram.url);
    // Where the agent's key may go is the worker's setting, never the run's (SPEC rule 15).
    setEnv('SWITCHYARD_AGENT_BASE_URL', agent.baseUrl);
    setEnv('SWITCHYARD_AGENT_API_KEY_ENV', 'E2E_AGENT_API_KEY'); // the key that goes with that endpoint
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([agent.close(), webhook.close(), telegram.close()]);
    await close();
  });

  it('delivers exactly once, signed, after a 500, and keeps every secret out of history', async () => {
    const text = readFileSync(FIXTURE, 'utf8').replaceAll('WEBHOOK_PORT', new URL(webhook.url).port);
    const report = loadDefinitionText(text, FIXTURE);
    if (!report.ok) throw new Error(JSON.stringify(report.problems));
    webhook.failNext(1, { status: 500, body: 'receiver briefly down' });
    const taskQueue = uniqueTaskQueue('e2e');
    const workflowId = `e2e-${randomUUID()}`;
    const result = await withWorker({ taskQueue }, () =>
      client.workflow.execute(interpretGraph, {
        taskQueue,
        workflowId,
        args: [{ definition: report.definition, input: {} }],
      }),
    );

    // The agent saw the script's output and the key, sent as a bearer token.
    expect(agent.requests).toHaveLength(1);
    expect(agent.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.stringify(agent.requests[0]?.json)).toContain('Headlines about AI infrastructure');
    expect(result.output).toMatchObject({ summary: SUMMARY });

    // Two POSTs (500, then 204) of the same delivery, both validly signed per Standard Webhooks.
    expect(webhook.requests).toHaveLength(2);
    const verifier = new Webhook(WEBHOOK_SECRET);
    const ids = webhook.requests.map((request) => {
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      expect(verifier.verify(request.body, headers)).toMatchObject({ content: SUMMARY });
      return headers['webhook-id'];
    });
    expect(new Set(ids).size).toBe(1);
    expect((result.output as { delivery: string }).delivery).toBe(ids[0]);

    // Telegram was delivered on the first attempt and not again on the retry.
    expect(telegram.messages).toHaveLength(1);
    expect(telegram.messages[0]).toMatchObject({ channel: '4242', text: SUMMARY });

    // Receipts: one per attempt; the deliver task took two attempts.
    const sends = result.receipts.filter((r) => r.task === 'send');
    expect(sends.map((r) => [r.attempt, r.outcome])).toEqual([[2, 'succeeded']]);
    expect(result.tasks.send).toMatchObject({ status: 'succeeded', attempts: 2 });

    // The history, as the ecosystem's own CLI shows it — with every payload decoded, since the
    // JSON carries them base64 — holds none of the secrets.
    const history = withDecodedPayloads(JSON.stringify(await temporalCliJson(['workflow', 'show', '--workflow-id', workflowId])));
    expect(history).toContain(SUMMARY);
    expect(history).toContain('E2E_AGENT_API_KEY'); // the env var's NAME travels; its value must not
    for (const secret of [API_KEY, WEBHOOK_SECRET, WEBHOOK_SECRET_BYTES, BOT_TOKEN]) {
      expect(history).not.toContain(secret);
    }
  });
});
