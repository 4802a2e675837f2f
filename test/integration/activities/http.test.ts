/**
 * The `http` activity on a real worker and dev server, against a loopback peer on 127.0.0.1:
 * the server retries 429 (after the peer's Retry-After, not the policy's backoff) and 500, and
 * the receipt counts the attempts; a graph's http task runs on the `<queue>-http` queue and
 * its JSON answer feeds the next task; a redirect to another origin fails the task for good.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activities } from '../../../src/activities/index.js';
import type { ActivityInput, HttpResult } from '../../../src/activities/types.js';
import { interpretGraph } from '../../../src/workflows/index.js';
import { startPeer, type Peer } from '../../peers/http-peer.js';
import { connectClient, uniqueTaskQueue, withWorker } from '../harness.js';
import { activityTimeline, definitionFrom, historyOf, runFailure, uniqueWorkflowId } from '../interpreter/support.js';
import { runOneActivity, type CallReport } from './workflows.js';

const WORKFLOWS = fileURLToPath(new URL('./workflows.ts', import.meta.url));

let client: Client;
let close: () => Promise<void>;
let peer: Peer;
let allowed: string | undefined;

beforeAll(async () => {
  ({ client, close } = await connectClient());
  peer = await startPeer(() => ({ status: 200, body: { name: 'widget' } }));
  // The worker runs in this process; the peer is on loopback, which the worker must allow.
  allowed = process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS;
  process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS = 'loopback';
});
afterAll(async () => {
  if (allowed === undefined) delete process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS;
  else process.env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS = allowed;
  await peer.close();
  await close();
});
beforeEach(() => peer.reset());

async function call(w: Record<string, unknown>, initialInterval: string): Promise<CallReport> {
  const taskQueue = uniqueTaskQueue('http');
  const input: ActivityInput = {
    meta: { workflowId: `wf-${randomUUID()}`, runId: randomUUID(), task: 'call', iteration: 1 },
    with: w,
  };
  return withWorker({ taskQueue, workflowsPath: WORKFLOWS, activities }, () =>
    client.workflow.execute(runOneActivity, {
      taskQueue,
      workflowId: `http-${randomUUID()}`,
      args: [{ kind: 'http', input, initialInterval, maximumAttempts: 5 }],
    }),
  );
}

describe('http activity on a real worker', () => {
  it('429 with Retry-After, then 500, then 200: retried by the server, the receipt counts 3 attempts', async () => {
    peer.script({ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' });
    const report = await call({ url: `${peer.url}/items/1` }, '100ms');
    expect(report.outcome?.receipt).toMatchObject({ attempt: 2, kind: 'http', outcome: 'succeeded' });

    peer.reset();
    peer.script({ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }, { status: 500, body: 'oops' });
    const twice = await call({ url: `${peer.url}/items/1` }, '200ms');
    expect(twice.outcome?.receipt).toMatchObject({ attempt: 3, kind: 'http', outcome: 'succeeded' });
    expect((twice.outcome?.result as HttpResult).json).toEqual({ name: 'widget' });
    expect(peer.requests).toHaveLength(3);

    // The policy's first interval is 10 minutes here: the run ends in time only if the 429's
    // Retry-After (1 s) decides the wait, so a retry that ignored it would stall to the timeout.
    peer.reset();
    peer.script({ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' });
    const honoured = await call({ url: `${peer.url}/items/1` }, '10m');
    expect(honoured.outcome?.receipt.attempt).toBe(2);
  });

  it('a 4xx is final: one attempt, non-retryable, the receipt in details', async () => {
    peer.script({ status: 404, body: { error: { message: 'no such item' } } });
    const report = await call({ url: `${peer.url}/items/9` }, '100ms');
    expect(report.failure).toMatchObject({ kind: 'application', type: 'ClientError', nonRetryable: true });
    expect(report.failure?.message).toMatch(/answered HTTP 404: no such item/);
    expect(report.failure?.receipt).toMatchObject({ attempt: 1, outcome: 'failed', kind: 'http' });
    expect(peer.requests).toHaveLength(1);
  });
});

describe('http tasks in a graph', () => {
  it('run on the <queue>-http queue; the JSON answer is the result, same-origin redirects followed', async () => {
    peer.script({ status: 302, headers: { location: '/items/42' } });
    const definition = definitionFrom(`version: 1
name: http-graph
input: { id: 7 }
tasks:
  fetch:
    action: http
    with: { url: "${peer.url}/old/{{ input.id }}" }
    next: [{ publish: { name: "{{ result.json.name }}" }, do: [post] }]
  post:
    action: http
    with: { method: POST, url: "${peer.url}/notes", json: { name: "{{ ctx.name }}" } }
output: { name: "{{ ctx.name }}", redirects: "{{ results.fetch.redirects }}" }
`);
    const taskQueue = uniqueTaskQueue('http-graph');
    const workflowId = uniqueWorkflowId('http-graph');
    const result = await withWorker({ taskQueue }, () =>
      client.workflow.execute(interpretGraph, { taskQueue, workflowId, args: [{ definition }] }),
    );
    expect(result.output).toEqual({ name: 'widget', redirects: 1 });
    expect(peer.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /old/7', 'GET /items/42', 'POST /notes']);
    expect(peer.requests[2]?.json).toEqual({ name: 'widget' });
    const events = await historyOf(client.workflow.getHandle(workflowId));
    const queues = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name ?? []);
    expect(queues).toEqual([`${taskQueue}-http`, `${taskQueue}-http`]);
    expect(
      activityTimeline(events)
        .filter((a) => a.kind === 'scheduled')
        .map((a) => a.activityType),
    ).toEqual(['http', 'http']);
  });

  it('a redirect to another origin fails the task for good, and the other origin is never asked', async () => {
    const elsewhere = `http://localhost:${new URL(peer.url).port}/collect`;
    peer.script({ status: 307, headers: { location: elsewhere } });
    const definition = definitionFrom(`version: 1
name: http-redirect
tasks:
  fetch: { action: http, with: { url: "${peer.url}/start" }, retry: { maximum_attempts: 3 } }
`);
    const taskQueue = uniqueTaskQueue('http-graph');
    const failure = await withWorker({ taskQueue }, () =>
      runFailure(
        client.workflow.execute(interpretGraph, {
          taskQueue,
          workflowId: uniqueWorkflowId('http-redirect'),
          args: [{ definition }],
        }),
      ),
    );
    expect(failure.message).toMatch(
      /a redirect to http:\/\/localhost:\d+: only redirects within http:\/\/127\.0\.0\.1:\d+ are followed/,
    );
    expect(peer.requests.map((r) => r.path)).toEqual(['/start']);
  });
});
