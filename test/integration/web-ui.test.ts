/**
 * What the Temporal Web UI shows of a run (issue 11, item 6), on the tier's real dev server:
 * the static summary and details the client sets at start, the current details the
 * workflow keeps up to date (the live task table), timers labelled with their task, the
 * handlers' descriptions, and pause/resume as Updates that a wrong name or an ended run
 * cannot pass. Then a real headless Chromium (Debian's, driven by puppeteer-core) loads the
 * run's page in the Web UI and finds the summary and the task table there.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { switchyard, testServer, uniqueTaskQueue, useClient, withWorker } from './harness.js';
import { stateQuery } from '../../src/workflows/index.js';

/** A graph that stays open until the test lets it go: `gate` waits for a file, `later` waits on its delay. */
function writeGraph(name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sy-ui-')), 'graph.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      `name: ${name}`,
      'description: Shows its story in the Web UI',
      'input: { gate: "" }',
      'tasks:',
      '  gate:',
      '    action: script',
      `    with: { command: [sh, -c, 'while [ ! -e "$0" ]; do sleep 0.1; done', "{{ input.gate }}"] }`,
      '    next: [{ do: [after] }]',
      '  after: { action: script, with: { command: [echo, after] } }',
      '  later: { action: script, delay: 10m, with: { command: [echo, later] } }',
      '',
    ].join('\n'),
  );
  return file;
}

interface Metadata {
  definition?: {
    updateDefinitions?: { name: string; description?: string }[];
    queryDefinitions?: { name: string; description?: string }[];
  };
  currentDetails?: string;
}

/** The `temporal` CLI against the tier's server: exit code and output. */
function temporal(args: string[]): Promise<{ code: number; out: string }> {
  const { address, namespace, cliPath } = testServer();
  return new Promise((done) => {
    execFile(cliPath, [...args, '--address', address, '--namespace', namespace], (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** Debian's chromium (or SWITCHYARD_CHROMIUM); `.ci/run` installs it. */
function chromiumPath(): string | undefined {
  const candidates = [
    process.env.SWITCHYARD_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

describe('the Web UI tells the story', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('static summary and details, live current details, labelled timers, and pause/resume as validated Updates', async () => {
    const taskQueue = uniqueTaskQueue('web-ui');
    const name = `ui-story-${randomUUID().slice(0, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'sy-ui-gate-'));
    const gate = join(dir, 'open');
    await withWorker({ taskQueue }, async () => {
      const started = await switchyard(['--json', 'run', writeGraph(name), '--task-queue', taskQueue, '--input', `gate=${gate}`]);
      expect(started.code, started.stderr).toBe(0);
      const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
      const handle = client.workflow.getHandle(workflowId);

      const description = await handle.describe();
      expect(await description.staticSummary()).toBe(`${name} · switchyard run`);
      const details = await description.staticDetails();
      expect(details).toContain('Shows its story in the Web UI');
      expect(details).toContain('graph.yaml');
      expect(details).toContain(`"gate": "${gate}"`);

      // The live table: `gate` runs, `later` waits on its delay.
      let metadata: Metadata = {};
      for (let i = 0; i < 100 && !(metadata.currentDetails ?? '').includes('▶ running'); i++) {
        metadata = await handle.query<Metadata>('__temporal_workflow_metadata');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(metadata.currentDetails).toContain('| gate | ▶ running | 1 | 0 |  |');
      expect(metadata.currentDetails).toContain('| later | ⏱ scheduled | 0 | 0 |  |');
      expect(metadata.currentDetails).toContain('- later #1 until');
      const updates = Object.fromEntries((metadata.definition?.updateDefinitions ?? []).map((u) => [u.name, u.description]));
      expect(updates.pause).toMatch(/no new task starts/);
      expect(updates.resume).toMatch(/Resume/);
      expect((metadata.definition?.queryDefinitions ?? []).find((q) => q.name === 'state')?.description).toMatch(/live run/);

      // The delay timer carries its task's name, not an internal id.
      const history = await handle.fetchHistory();
      const timer = history.events?.find((event) => event.timerStartedEventAttributes);
      expect(defaultPayloadConverter.fromPayload(timer?.userMetadata?.summary ?? {})).toBe('later • delay 10m');

      // Pause through the client (an Update): accepted, seen in the state and the details; twice is harmless.
      const paused = await switchyard(['pause', workflowId]);
      expect(paused.code, paused.stderr).toBe(0);
      expect(paused.stdout).toContain(`paused ${workflowId}`);
      expect((await handle.query(stateQuery))?.paused).toBe(true);
      expect((await handle.query<Metadata>('__temporal_workflow_metadata')).currentDetails).toContain('⏸ **Paused**');
      expect((await switchyard(['pause', workflowId])).stdout).toContain('was already paused');
      // Through Temporal's own CLI too, by the same name; a misspelt update is refused.
      const resumed = await temporal(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'resume']);
      expect(resumed.code, resumed.out).toBe(0);
      expect(resumed.out).toMatch(/changed:true/);
      expect((await handle.query(stateQuery))?.paused).toBe(false);
      const events = await switchyard(['events', workflowId]);
      expect(events.stdout).toMatch(/update\s+pause/);
      expect(events.stdout).toMatch(/update\s+resume/);
      expect(events.stdout).toMatch(/timer\.started\s+later • delay 10m/);
      const misspelt = await temporal(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', 'paws']);
      expect(misspelt.code).not.toBe(0);
      expect(misspelt.out).toMatch(/paws/);

      // The Web UI itself, in a real headless browser.
      await expectPageShows(testServer().uiUrl, testServer().namespace, workflowId, description.runId, name);

      writeFileSync(gate, '');
      await handle.cancel();
      await handle.result().catch(() => undefined);
      // An ended run refuses a pause with a clear message and exit 2, and so does the validator.
      const refused = await switchyard(['pause', workflowId]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/pause refused/);
    });
  });

  it('with no worker to take the pause update, the client sends it as a signal, which applies once a worker runs the run', async () => {
    const taskQueue = uniqueTaskQueue('web-ui-no-worker');
    const dir = mkdtempSync(join(tmpdir(), 'sy-ui-gate-'));
    const started = await switchyard([
      '--json',
      'run',
      writeGraph(`ui-queued-${randomUUID().slice(0, 8)}`),
      '--task-queue',
      taskQueue,
      '--input',
      `gate=${join(dir, 'open')}`,
    ]);
    expect(started.code, started.stderr).toBe(0);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    const paused = await switchyard(['pause', workflowId]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/sent to .* as a signal: no worker took the update/);
    await withWorker({ taskQueue }, async () => {
      const handle = client.workflow.getHandle(workflowId);
      let state = await handle.query(stateQuery);
      for (let i = 0; i < 100 && state?.paused !== true; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = await handle.query(stateQuery);
      }
      expect(state?.paused).toBe(true);
      await handle.terminate('test over');
    });
  });
});

/** Loads the run's page in the Web UI and checks the summary and the task table are on it. */
async function expectPageShows(uiUrl: string, namespace: string, workflowId: string, runId: string, name: string): Promise<void> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    if (process.env.SWITCHYARD_REQUIRE_BROWSER === '1')
      throw new Error('no chromium found, and .ci/run requires the browser check');
    // Loud, not silent: CI installs chromium, so this only happens on a machine without it.
    console.warn(
      'web-ui.test: no chromium found (apt-get install chromium, or SWITCHYARD_CHROMIUM): the browser check is NOT CHECKED',
    );
    return;
  }
  expect(uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const { launch } = await import('puppeteer-core');
  const browser = await launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    // 127.0.0.1 only: any request elsewhere is refused before it leaves the browser.
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol === 'data:' || url.hostname === '127.0.0.1') void request.continue();
      else void request.abort();
    });
    await page.setViewport({ width: 1400, height: 1000 });
    // The run's "User Metadata" tab: its summary, details and current details.
    const run = `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}/${runId}`;
    await page.goto(`${run}/history`, { waitUntil: 'networkidle2', timeout: 60_000 });
    const tab = await page.waitForSelector('::-p-text(User Metadata)', { timeout: 30_000 });
    await tab?.click();
    // The UI renders Markdown in sandboxed frames: read the page and every frame in it.
    const allText = async (): Promise<string> => {
      const texts = await Promise.all(
        page
          .frames()
          .map((frame) => frame.evaluate<[], () => string>(`document.body ? document.body.innerText : ''`).catch(() => '')),
      );
      return texts.join('\n');
    };
    let text = '';
    for (let i = 0; i < 60; i++) {
      text = await allText();
      if (text.includes(`${name} · switchyard run`) && /gate\s+▶ running/.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!/gate\s+▶ running/.test(text)) {
      // What the page did show, to tell a UI change from a Switchyard bug.
      const shot = join(mkdtempSync(join(tmpdir(), 'sy-ui-shot-')), 'page.png');
      await page.screenshot({ path: shot, fullPage: true });
      throw new Error(`the Web UI page did not show the run's story (screenshot ${shot}); it showed:\n${text}`);
    }
    expect(text).toContain(`${name} · switchyard run`);
    expect(text).toContain('Shows its story in the Web UI');
    expect(text).toMatch(/later\s+⏱ scheduled/);
    expect(text).toContain('Waiting on a delay');
  } finally {
    await browser.close();
  }
}
