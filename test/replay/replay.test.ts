/**
 * Replay tier: every recorded history in test/histories is replayed against today's
 * workflow code. A change that would break a running workflow (a new command, a changed
 * order, a removed timer) makes the replay throw a non-determinism error here, in CI,
 * instead of in production. Record new histories with `npm run record-histories`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { IGNORED_TRACE_SINK } from '../../src/workflows/trace.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const HISTORIES = fileURLToPath(new URL('../histories', import.meta.url));
const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe("recorded histories replay against today's interpreter", () => {
  let workflowBundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  }, 120_000);

  it('bundles no zod and no yaml: the workflow re-evaluates its modules on every run', () => {
    // Webpack names every module it bundles by path; the definition language reaches the
    // workflow through definition/core.ts only, so the schemas are never rebuilt per run.
    const packages = new Set([...workflowBundle.code.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((match) => match[1]));
    expect(packages).toContain('jsonata');
    expect(packages).not.toContain('zod');
    expect(packages).not.toContain('yaml');
  });

  it('has recorded histories to replay', () => {
    // Without this, deleting the folder would make the tier pass vacuously.
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)('%s', async (file) => {
    // runReplayHistory takes the JSON form (as `temporal workflow show -o json` prints it) directly.
    const history: unknown = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
    await Worker.runReplayHistory(
      { workflowBundle, sinks: IGNORED_TRACE_SINK },
      history,
      recordedWorkflowId(history) ?? file.replace(/\.json$/, ''),
    );
  });
});

/**
 * The id a history with child workflows (`action: graph`) was recorded under: a child's id
 * is built from its parent's (`<parent>/<task>-<iteration>`), and replay compares it, so such
 * a history replays under its own id, read back from its first child. Other histories
 * replay under their file name, as before.
 */
function recordedWorkflowId(history: unknown): string | undefined {
  const events = (history as { events?: { startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string } }[] })
    .events;
  const child = events?.find((event) => event.startChildWorkflowExecutionInitiatedEventAttributes !== undefined);
  const id = child?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
  return id === undefined ? undefined : id.slice(0, id.lastIndexOf('/'));
}
