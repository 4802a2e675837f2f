/**
 * The Web UI's current details (conductor/details.ts): the task table, barriers, delays and
 * pause, and that untrusted error text cannot become Markdown that acts (a link, an image
 * the browser would fetch, HTML, a broken table row).
 */
import { describe, expect, it } from 'vitest';
import { buildContext, detailsOf, startRun, step, type RunContext, type StepResult } from '../../../src/conductor/index.js';
import { DETAILS_TASK_ROWS, escapeMarkdown } from '../../../src/conductor/details.js';
import { checkReceived } from '../../../src/definition/index.js';

const WORKFLOW = { id: 'wf', runId: 'r1', startTime: '2026-01-01T00:00:00.000Z' };
const T0 = Date.parse(WORKFLOW.startTime);

async function begin(definition: unknown): Promise<StepResult & { context: RunContext }> {
  const valid = checkReceived(definition);
  if (!valid.ok) throw new Error(JSON.stringify(valid.problems));
  const context = buildContext({ ...valid, workflow: WORKFLOW });
  return { context, ...(await startRun(context, { kind: 'run.started', startTime: WORKFLOW.startTime, now: T0 })) };
}

function executionOf(result: StepResult, task: string): string {
  const command = result.commands.find((candidate) => candidate.kind === 'startExecution' && candidate.task === task);
  if (command?.kind !== 'startExecution') throw new Error(`no start of ${task}`);
  return command.executionId;
}

describe('detailsOf', () => {
  it('tabulates every task with status, iteration and attempts, running first; shows barriers, delays and pause', async () => {
    const run = await begin({
      version: 1,
      name: 'story',
      tasks: {
        a: { action: 'script', next: [{ do: ['merge'] }] },
        b: { action: 'script', next: [{ do: ['merge'] }] },
        merge: { action: 'script', join: 'all' },
        later: { action: 'script', delay: '5m' },
      },
    });
    const afterA = await step(run.context, run.state, {
      kind: 'execution.completed',
      executionId: executionOf(run, 'a'),
      result: 'ok',
      now: T0 + 10,
    });
    const paused = await step(run.context, afterA.state, { kind: 'run.paused', now: T0 + 20 });
    const text = detailsOf(run.context, paused.state);
    const rows = text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| task'));
    expect(rows).toEqual([
      '| b | ▶ running | 1 | 0 |  |',
      '| later | ⏱ scheduled | 0 | 0 |  |',
      '| a | ✔ succeeded | 1 | 0 |  |',
      '| merge | · not run | 0 | 0 |  |',
    ]);
    expect(text).toContain('**story** · paused');
    expect(text).toContain('⏸ **Paused**');
    expect(text).toContain('- merge (round 1): 1 of 2 arrived (a); waiting for b');
    expect(text).toContain('- later #1 until 2026-01-01T00:05:00.000Z');
  });

  it('escapes hostile error text: no image, link, HTML or cell break survives, and it is cut short', async () => {
    const run = await begin({ version: 1, name: 'hostile', tasks: { bad: { action: 'script' } } });
    const hostile = '![x](http://198.51.100.7/pixel.png) <img src=x onerror=alert(1)> [click](javascript:alert(1)) | cell\nnext';
    const failed = await step(run.context, run.state, {
      kind: 'execution.failed',
      executionId: executionOf(run, 'bad'),
      error: { message: `${hostile} ${'x'.repeat(300)}` },
      attempts: 1,
      now: T0 + 5,
    });
    const text = detailsOf(run.context, failed.state);
    const row = text.split('\n').find((line) => line.startsWith('| bad '));
    expect(row).toBeDefined();
    // Exactly the table's own 6 unescaped pipes, and nothing Markdown acts on.
    expect(row?.match(/(?<!\\)\|/g)).toHaveLength(6);
    expect(text).not.toMatch(/(?<!\\)!(?<!\\)\[/);
    expect(text).not.toMatch(/(?<!\\)</);
    expect(text).not.toMatch(/(?<!\\)\]\(/);
    expect(text).toContain('\\!\\[x\\]\\(http\\:\\/\\/198\\.51\\.100\\.7\\/pixel\\.png\\)');
    expect(row?.length).toBeLessThan(400);
    expect(text).toContain('**Failure** (TaskFailed)');
  });

  it(`lists at most ${DETAILS_TASK_ROWS} tasks and counts the rest`, async () => {
    const tasks = Object.fromEntries(Array.from({ length: DETAILS_TASK_ROWS + 5 }, (_, i) => [`t${i}`, { action: 'script' }]));
    const run = await begin({ version: 1, name: 'wide', tasks });
    const text = detailsOf(run.context, run.state);
    expect(text.split('\n').filter((line) => /^\| t\d+ /.test(line))).toHaveLength(DETAILS_TASK_ROWS);
    expect(text).toContain('… and 5 more tasks');
  });

  it('escapeMarkdown escapes every ASCII punctuation character and nothing else', () => {
    expect(escapeMarkdown('a_b-c.d')).toBe('a\\_b\\-c\\.d');
    expect(escapeMarkdown('plain text 123 é')).toBe('plain text 123 é');
  });

  it('lists what the run waits for, since when and until when (rule 17)', async () => {
    const run = await begin({
      version: 1,
      name: 'approval',
      tasks: { approval: { action: 'wait', timeout: '1h', with: { event: 'approve' } } },
    });
    expect(detailsOf(run.context, run.state)).toContain(
      '- approval #1: `approve` since 2026-01-01T00:00:00.000Z, times out 2026-01-01T01:00:00.000Z',
    );
  });
});
