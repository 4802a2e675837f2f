/**
 * The dead-letter notification (SPEC §5): a run that fails for good sends its definition's
 * `on_failure.notify` delivery — here to a real Standard-Webhooks receiver on 127.0.0.1 —
 * before failing; a notification that cannot be delivered never hides the run's own error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { loadDefinitionText } from '../../src/definition/index.js';
import { interpretGraph, type FailureReport } from '../../src/workflows/index.js';
import { startWebhookPeer } from '../peers/webhook.js';
import type { Peer } from '../peers/http-peer.js';
import { connectClient, uniqueTaskQueue, withWorker } from './harness.js';

const DEFINITION = `version: 1
name: doomed
input: { hook: "" }
on_failure:
  notify:
    to: "webhook:{{ input.hook }}"
    content: "run {{ workflow.id }} failed at {{ task.name }} after {{ task.error.attempts }} attempts: {{ task.error.message }}"
tasks:
  bad:
    action: script
    with: { command: [sh, -c, "echo disk full >&2; exit 3"] }
    retry: { maximum_attempts: 2, initial_interval: 100ms }
`;

describe('on_failure.notify', () => {
  let client: Client;
  let close: () => Promise<void>;
  let hook: Peer;
  let saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    ({ client, close } = await connectClient());
    hook = await startWebhookPeer();
    saved = {
      SWITCHYARD_WEBHOOK_SECRET: process.env.SWITCHYARD_WEBHOOK_SECRET,
      SWITCHYARD_WEBHOOK_ALLOW_NETWORKS: process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS,
    };
    process.env.SWITCHYARD_WEBHOOK_SECRET = `whsec_${Buffer.from(randomUUID()).toString('base64')}`;
    process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS = 'loopback'; // the webhook peer is on 127.0.0.1
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await hook.close();
    await close();
  });

  async function failedReport(path: string): Promise<{ failure: ApplicationFailure; report: FailureReport }> {
    const report = loadDefinitionText(DEFINITION);
    if (!report.ok) throw new Error(JSON.stringify(report.problems));
    const taskQueue = uniqueTaskQueue('dead-letter');
    const workflowId = `doomed-${randomUUID()}`;
    const error = await withWorker({ taskQueue }, () =>
      client.workflow
        .execute(interpretGraph, {
          taskQueue,
          workflowId,
          args: [{ definition: report.definition, input: { hook: `${hook.url}${path}` } }],
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        ),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause;
    if (!(failure instanceof ApplicationFailure)) throw new Error(`unexpected cause ${String(failure)}`);
    return { failure, report: failure.details?.[0] as FailureReport };
  }

  it('delivers one notification naming the run, the task, its attempts and the cause, then fails', async () => {
    const before = hook.requests.length;
    const { failure, report } = await failedReport('/alerts');
    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toMatch(/task 'bad' failed after 2 attempts/);
    const posts = hook.requests.slice(before);
    expect(posts).toHaveLength(1);
    const body = posts[0]?.json as { content: string };
    expect(body.content).toMatch(/^run doomed-[0-9a-f-]+ failed at bad after 2 attempts: [\s\S]*disk full/);
    expect(report.notification).toMatchObject({
      outcome: 'delivered',
      receipt: { task: 'on_failure.notify', kind: 'deliver', outcome: 'succeeded' },
    });
  });

  it("an undeliverable notification is reported beside the run's own error, which stays the error", async () => {
    hook.script({ status: 410, body: 'gone' });
    const { failure, report } = await failedReport('/gone');
    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toMatch(/task 'bad' failed after 2 attempts/);
    expect(report.notification).toMatchObject({ outcome: 'failed' });
    expect(report.notification?.error).toMatch(/410/);
  });
});
