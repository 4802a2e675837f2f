/**
 * SPEC §3 rule 15 end to end, on the real dev server with the real `script` activity: run
 * input can fill a shell script's arguments and environment, but never its text. The
 * definition is handed to the workflow directly, as a hand-started run or one started before
 * `validate` refused such templates would be.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import { executeGraph, tempDir, uniqueWorkflowId } from './support.js';

describe('interpretGraph: untrusted input', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('a shell script never runs its input: the text stays literal, the input arrives as $1 and env', async () => {
    const marker = join(tempDir('trust'), 'pwned');
    const topic = `hi; touch ${marker}`;
    const definition = {
      version: 1,
      name: 'shell-injection',
      tasks: {
        echo: {
          action: 'script',
          with: {
            shell: 'echo {{ input.topic }}; printf "%s|%s" "$1" "$TOPIC"',
            args: ['{{ input.topic }}'],
            env: { TOPIC: '{{ input.topic }}' },
          },
        },
      },
      output: { stdout: '{{ results.echo.stdout }}' },
    };
    const taskQueue = uniqueTaskQueue('trust');
    const result = await withWorker({ taskQueue }, () =>
      executeGraph(client, taskQueue, uniqueWorkflowId('trust'), { definition, input: { topic } }),
    );
    expect(result.output).toEqual({ stdout: `{{ input.topic }}\n${topic}|${topic}` });
    expect(existsSync(marker)).toBe(false);
  });
});
