/** The agent's context_from blocks: the old tick's upstream outputs above the prompt. */
import { describe, expect, it } from 'vitest';
import { agentInputSchema, runAgent } from '../../../src/activities/agent.js';
import { contextBlocks, CONTEXT_MAX_CHARS } from '../../../src/activities/agent/context.js';
import { failureOf, recordingIO } from './helpers.js';

describe('context_from blocks', () => {
  const outputs: Record<string, string | undefined> = {
    'hermes-a': 'A says hi',
    'hermes-b': `${'x'.repeat(CONTEXT_MAX_CHARS)}TAIL`,
    'hermes-empty': '   ',
  };
  const read = (job: string) => Promise.resolve(outputs[job]);

  it('puts each job above the ones before it, cuts at 8000 characters with a marker, and skips empty or missing outputs', async () => {
    const text = await contextBlocks(['hermes-a', 'hermes-empty', 'hermes-missing', 'hermes-b'], CONTEXT_MAX_CHARS, read);
    const headers = [...text.matchAll(/^## Output from job '([^']+)'$/gm)].map((m) => m[1]);
    expect(headers).toEqual(['hermes-b', 'hermes-a']);
    expect(text).toContain(`${'x'.repeat(CONTEXT_MAX_CHARS)}\n\n[... output truncated ...]\n\`\`\``);
    expect(text).not.toContain('TAIL');
    expect(
      text.endsWith(
        "## Output from job 'hermes-a'\nThe following is the most recent output from a preceding cron job. Use it as context for your analysis.\n\n```\nA says hi\n```\n\n",
      ),
    ).toBe(true);
  });

  it('refuses a job name that could rewrite the visibility query', () => {
    expect(agentInputSchema.safeParse({ prompt: 'x', context_from: ["a' OR 1=1"] }).success).toBe(false);
  });

  it('fails for good when no Temporal client can read the outputs', async () => {
    const f = await failureOf(
      runAgent(agentInputSchema.parse({ prompt: 'x', context_from: ['hermes-a'] }), recordingIO(), {
        env: { SWITCHYARD_AGENT_MODEL: 'm' },
      }),
    );
    expect(f).toMatchObject({ nonRetryable: true, type: 'ConfigError' });
  });
});
