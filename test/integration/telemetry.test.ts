/**
 * Worker metrics and logs (SPEC §6) from a real worker process: with SWITCHYARD_METRICS_PORT
 * it prints and serves a Prometheus endpoint where, after a script → agent → deliver run,
 * Switchyard's counters (task executions by kind and outcome, deliveries by target kind,
 * agent tokens) sit beside the SDK's; with SWITCHYARD_LOG_FORMAT=json every line it logs is
 * one JSON object, and each task's lines carry the run id, task, iteration and attempt.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startRun } from '../../src/cli/runs.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { startOpenAIPeer, type OpenAIPeer } from '../peers/openai.js';
import { uniqueTaskQueue, useClient, workflowBundle } from './harness.js';
import { killGroup, spawnWatched, waitForOutput, workerEnv, type WatchedProcess } from './worker-processes.js';

const GRAPH = [
  'version: 1',
  'name: telemetry',
  'tasks:',
  '  fetch:',
  '    action: script',
  '    with: { command: [echo, "news"] }',
  '    next: [{ do: [summarize] }]',
  '  summarize:',
  '    action: agent',
  '    with: { model: peer-model, api_key_env: TELEMETRY_KEY, prompt: "Summarize." }',
  '    next: [{ do: [send] }]',
  '  send:',
  '    action: deliver',
  '    with: { to: "file:outbox", content: "{{ results.summarize.text }}" }',
  '',
].join('\n');

/** The value of the sample `name{…labels…}` in a Prometheus text page, or undefined. */
function sample(page: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of page.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('worker metrics and logs', () => {
  let client: Client;
  useClient((c) => (client = c));
  let peer: OpenAIPeer;
  let worker: WatchedProcess | undefined;
  beforeAll(async () => {
    peer = await startOpenAIPeer();
    peer.answer({ text: 'All quiet.', usage: { prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 } });
  });
  afterAll(async () => {
    if (worker) killGroup(worker);
    await peer.close();
  });

  it('serves Switchyard counters on SWITCHYARD_METRICS_PORT and logs JSON lines with run id and task', async () => {
    const taskQueue = uniqueTaskQueue('telemetry');
    const bundle = join(mkdtempSync(join(tmpdir(), 'sy-telemetry-')), 'workflow-bundle.js');
    writeFileSync(bundle, (await workflowBundle()).code);
    const port = await freePort();
    worker = spawnWatched(
      ['node', '--import', 'tsx', 'src/worker.ts'],
      workerEnv(taskQueue, {
        SWITCHYARD_WORKFLOW_BUNDLE: bundle,
        SWITCHYARD_METRICS_PORT: `127.0.0.1:${port}`,
        SWITCHYARD_LOG_FORMAT: 'json',
        SWITCHYARD_OUTBOX_ROOT: mkdtempSync(join(tmpdir(), 'sy-telemetry-outbox-')),
        TELEMETRY_KEY: 'sk-telemetry',
        SWITCHYARD_AGENT_BASE_URL: peer.baseUrl,
        SWITCHYARD_AGENT_API_KEY_ENV: 'TELEMETRY_KEY',
      }),
    );
    const url = `http://127.0.0.1:${port}/metrics`;
    await waitForOutput(worker, new RegExp(`switchyard worker: metrics at ${url.replaceAll('.', '\\.')}`));

    const file = join(mkdtempSync(join(tmpdir(), 'sy-telemetry-')), 'telemetry.yaml');
    writeFileSync(file, GRAPH);
    const handle = await startRun(client, { file, taskQueue });
    const result = await handle.result();
    expect(result.status).toBe('completed');

    // The SDK exports on its own schedule: read until the run's counters show up.
    let page = '';
    for (let tries = 0; tries < 100; tries++) {
      page = await (await fetch(url)).text();
      if (sample(page, 'switchyard_deliveries', { target_kind: 'file' }) !== undefined) break;
      await sleep(200);
    }
    for (const kind of ['script', 'agent', 'deliver']) {
      expect(sample(page, 'switchyard_task_executions', { kind, outcome: 'succeeded' }), page).toBeGreaterThanOrEqual(1);
    }
    expect(sample(page, 'switchyard_deliveries', { target_kind: 'file', status: 'delivered' })).toBe(1);
    // Run outcomes by graph, from the workflow (counted once, not again when a query replays it).
    for (
      let tries = 0;
      tries < 50 && sample(page, 'switchyard_runs', { graph: 'telemetry', outcome: 'completed' }) === undefined;
      tries++
    ) {
      await sleep(200);
      page = await (await fetch(url)).text();
    }
    expect(sample(page, 'switchyard_runs', { graph: 'telemetry', outcome: 'completed' }), page).toBe(1);
    expect(sample(page, 'switchyard_agent_tokens', { model: 'peer-model', type: 'prompt' })).toBe(13);
    expect(sample(page, 'switchyard_agent_tokens', { model: 'peer-model', type: 'completion' })).toBe(5);
    // The SDK's own metrics are served beside them.
    expect(page).toMatch(/^temporal_\w+/m);

    // The SDK's lines are JSON; each task's start and end name the run, task, iteration and attempt.
    const lines = worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const task of ['fetch', 'summarize', 'send']) {
      const mine = events.filter((event) => event.task === task && event.runId === handle.firstExecutionRunId);
      expect(mine.map((event) => event.message)).toEqual(['task started', 'task succeeded']);
      expect(mine[0]).toMatchObject({ workflowId: handle.workflowId, iteration: 1, attempt: 1, level: 'INFO' });
    }
    // Nothing the worker logs is a multi-line dump: every non-empty line is one of ours or JSON.
    const others = worker
      .output()
      .split('\n')
      .filter((line) => line && !line.startsWith('{') && !line.startsWith('switchyard worker:'));
    expect(others).toEqual([]);
  });
});
