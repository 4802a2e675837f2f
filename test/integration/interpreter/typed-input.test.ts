/**
 * SPEC §3 rule 20 on the real dev server: a definition's input_schema is checked by
 * `switchyard run` before anything starts (usage error, exit 2, the bad field named) and by
 * the workflow itself at start, so a run started around the client — here with the real
 * `temporal workflow start` — fails at once, non-retryable, naming the field, and runs nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/errors.js';
import { switchyard, temporalCliJson, uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import { definitionFrom, EventType, historyOf, runFailure, tempDir, uniqueWorkflowId } from './support.js';

const TYPED = `version: 1
name: typed-input
input: { limit: 3 }
input_schema:
  required: [topic]
  properties:
    topic: { type: string, minLength: 1 }
    limit: { type: integer, minimum: 1, maximum: 10 }
tasks:
  echo:
    action: script
    with: { command: [echo, "{{ input.topic }}", "{{ input.limit }}"] }
output: { said: "{{ $trim(results.echo.stdout) }}" }
`;

describe('typed input (rule 20)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('a run started with `temporal workflow start` and bad input fails at once, naming each field, runs no task, and is not rerun', async () => {
    const taskQueue = uniqueTaskQueue('typed');
    const workflowId = uniqueWorkflowId('typed-raw');
    const args = { definition: definitionFrom(TYPED), input: { limit: 'lots' } };
    await withWorker({ taskQueue }, async () => {
      await temporalCliJson([
        'workflow',
        'start',
        '--type',
        'interpretGraph',
        '--task-queue',
        taskQueue,
        '--workflow-id',
        workflowId,
        '--input',
        JSON.stringify(args),
      ]);
      const handle = client.workflow.getHandle(workflowId);
      const failure = await runFailure(handle.result());
      expect(failure.type).toBe('InvalidInput');
      expect(failure.message).toBe(
        'the run input does not match the input_schema of \'typed-input\': input.topic: missing (required); input.limit: expected integer, got string "lots"',
      );
      const events = await historyOf(handle);
      expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);
      // One workflow task, failed for good: the failure is the run's, not a retried workflow task.
      expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toHaveLength(0);
    });
    // A rerun would carry the same input: refused before anything starts, naming the fields.
    const rerun = await switchyard(['rerun', workflowId]);
    expect(rerun.code).toBe(EXIT.usage);
    expect(rerun.stderr).toContain(
      `run ${workflowId}: its input does not match the input_schema of 'typed-input': input.topic: missing (required)`,
    );
  });

  it('good input runs, defaults filling the rest', async () => {
    const taskQueue = uniqueTaskQueue('typed');
    const result = await withWorker({ taskQueue }, () =>
      client.workflow.execute('interpretGraph', {
        taskQueue,
        workflowId: uniqueWorkflowId('typed-ok'),
        args: [{ definition: definitionFrom(TYPED), input: { topic: 'chips' } }],
      }),
    );
    expect((result as { output: unknown }).output).toEqual({ said: 'chips 3' });
  });

  it('switchyard run refuses bad input before starting anything: exit 2, the field named', async () => {
    const file = join(tempDir('typed'), 'typed.yaml');
    writeFileSync(file, TYPED);
    const id = uniqueWorkflowId('typed-cli');
    const run = await switchyard(['run', file, '--id', id, '--input', 'topic=chips', '--input', 'limit=11']);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(
      "the run input does not match the input_schema of 'typed-input': input.limit: at most 10, got 11",
    );
    const missing = await switchyard(['run', file, '--id', id]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('input.topic: missing (required)');
    // Nothing was started under that id.
    await expect(client.workflow.getHandle(id).describe()).rejects.toThrow();
  });

  it('schedule create (exit 2) and apply (a problem of the file) refuse bad input for every fired run, naming the field', async () => {
    const dir = tempDir('typed-schedule');
    const file = join(dir, 'typed.yaml');
    writeFileSync(file, TYPED);
    const create = await switchyard([
      'schedule',
      'create',
      file,
      '--every',
      '1h',
      '--input',
      'topic=chips',
      '--input',
      'limit=0',
    ]);
    expect(create.code).toBe(EXIT.usage);
    expect(create.stderr).toContain('input.limit: at least 1, got 0');
    const blockFile = join(dir, 'typed-block.yaml');
    writeFileSync(blockFile, `${TYPED}schedule: { every: 1h, input: { topic: "" } }\n`);
    const apply = await switchyard(['schedule', 'apply', blockFile]);
    // apply reports a file's problems as validate does (exit 1), changing nothing.
    expect(apply.code).toBe(EXIT.failed);
    expect(apply.stderr).toContain('nothing changed');
    expect(apply.stderr).toContain('schedule.input.topic  at least 1 characters, got 0');
  });
});
