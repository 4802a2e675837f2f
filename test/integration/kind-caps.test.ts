/**
 * Per-kind caps (SPEC §6) hold under load, counted from receipts: two real worker processes
 * split the kinds as a fleet would — one polls the workflow, script and deliver queues, the
 * other only the agent queue with SWITCHYARD_MAX_CONCURRENT_AGENT=2 — and 12 runs of an agent
 * task against a slow loopback OpenAI peer all complete, every agent attempt on the agent
 * worker, never more than 2 of them overlapping (without the cap all 12 would).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startRun } from '../../src/cli/runs.js';
import type { Receipt } from '../../src/activities/types.js';
import { startPeer, type Peer } from '../peers/http-peer.js';
import { streamReply } from '../peers/openai.js';
import { uniqueTaskQueue, useClient, workflowBundle } from './harness.js';
import { killGroup, spawnWatched, waitForOutput, workerEnv, type WatchedProcess } from './worker-processes.js';

const RUNS = 12;
const CAP = 2;
const API_KEY_ENV = 'CAPS_AGENT_API_KEY';

const GRAPH = [
  'version: 1',
  'name: kind-caps',
  'tasks:',
  '  ask:',
  '    action: agent',
  '    with: { model: peer-model, api_key_env: CAPS_AGENT_API_KEY, prompt: "Say a few words." }',
  '',
].join('\n');

/** The most receipts whose [startedAt, endedAt) intervals overlap at one instant. */
function maxOverlap(receipts: readonly Pick<Receipt, 'startedAt' | 'endedAt'>[]): number {
  // An end sorts before a start at the same millisecond: touching intervals do not overlap.
  const edges = receipts
    .flatMap((r) => [
      { at: Date.parse(r.startedAt), delta: 1 },
      { at: Date.parse(r.endedAt), delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) {
    open += edge.delta;
    most = Math.max(most, open);
  }
  return most;
}

describe('per-kind caps across a fleet of worker processes', () => {
  let client: Client;
  useClient((c) => (client = c));
  let peer: Peer;
  const workers: WatchedProcess[] = [];
  beforeAll(async () => {
    // Slow answers (a dozen chunks 50 ms apart), so that uncapped calls would pile up.
    peer = await startPeer(() => streamReply({ text: 'a few slow words from the peer.', chunkSize: 3 }, { intervalMs: 50 }));
  });
  afterAll(async () => {
    for (const worker of workers) killGroup(worker);
    await peer.close();
  });

  it(`runs ${RUNS} agent tasks, never more than ${CAP} at once, all on the agent worker`, async () => {
    const taskQueue = uniqueTaskQueue('kind-caps');
    const bundle = join(mkdtempSync(join(tmpdir(), 'sy-caps-')), 'workflow-bundle.js');
    writeFileSync(bundle, (await workflowBundle()).code);
    const agentEnv = {
      [API_KEY_ENV]: 'sk-caps-test',
      SWITCHYARD_AGENT_BASE_URL: `${peer.url}/v1`,
      SWITCHYARD_AGENT_API_KEY_ENV: API_KEY_ENV,
    };
    const rest = spawnWatched(
      ['node', '--import', 'tsx', 'src/worker.ts'],
      workerEnv(taskQueue, { SWITCHYARD_WORKFLOW_BUNDLE: bundle, SWITCHYARD_KINDS: 'workflow,script,deliver' }),
    );
    const agents = spawnWatched(
      ['node', '--import', 'tsx', 'src/worker.ts'],
      workerEnv(taskQueue, { ...agentEnv, SWITCHYARD_KINDS: 'agent', SWITCHYARD_MAX_CONCURRENT_AGENT: String(CAP) }),
    );
    workers.push(rest, agents);
    await waitForOutput(rest, /switchyard worker: connected to /);
    await waitForOutput(agents, new RegExp(`${taskQueue}-agent: agent ≤${CAP} at once, no rate limit`));
    expect(agents.output()).toContain('workflows not polled (SWITCHYARD_KINDS)');
    expect(rest.output()).not.toContain(`${taskQueue}-agent`);

    const file = join(mkdtempSync(join(tmpdir(), 'sy-caps-')), 'kind-caps.yaml');
    writeFileSync(file, GRAPH);
    const handles = await Promise.all(
      Array.from({ length: RUNS }, (_, i) => startRun(client, { file, taskQueue, workflowId: `caps-${taskQueue}-${i}` })),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));

    expect(results.map((result) => result.status)).toEqual(Array(RUNS).fill('completed'));
    const receipts = results.flatMap((result) => result.receipts).filter((receipt) => receipt.kind === 'agent');
    expect(receipts).toHaveLength(RUNS);
    expect(new Set(receipts.map((receipt) => receipt.workerIdentity))).toEqual(
      new Set([`switchyard-worker@${hostname()}:${agents.pid}`]),
    );
    expect(peer.requests).toHaveLength(RUNS);
    // The cap is reached (the load is real) and never passed.
    expect(maxOverlap(receipts)).toBe(CAP);
  });
});
