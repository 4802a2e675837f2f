/**
 * The agent's context_from blocks (the old tick's upstream outputs above the prompt) and
 * where the worker's key may go (SPEC §3 rule 15): only to the worker's own endpoint, unless
 * the task names a key for the endpoint it points at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInputSchema, runAgent } from '../../../src/activities/agent.js';
import { contextBlocks, CONTEXT_MAX_CHARS } from '../../../src/activities/agent/context.js';
import { startOpenAIPeer, type OpenAIPeer } from '../../peers/openai.js';
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

describe('where the worker key goes', () => {
  let worker: OpenAIPeer;
  let other: OpenAIPeer;
  const KEY = 'sk-worker-key-0123456789';
  const OTHER_KEY = 'sk-other-key-0123456789';
  beforeAll(async () => {
    worker = await startOpenAIPeer();
    other = await startOpenAIPeer();
    worker.answer({ text: 'ok' });
    other.answer({ text: 'ok' });
  });
  afterAll(async () => Promise.all([worker.close(), other.close()]));
  const env = () => ({ SWITCHYARD_AGENT_BASE_URL: worker.baseUrl, SWITCHYARD_AGENT_MODEL: 'm', OPENAI_API_KEY: KEY, OTHER_KEY });

  it('sends the default key to the worker endpoint, also when base_url names it', async () => {
    await runAgent(agentInputSchema.parse({ prompt: 'x', base_url: worker.baseUrl }), recordingIO(), { env: env() });
    expect(worker.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('sends no key to another base_url unless api_key_env names one for it', async () => {
    await runAgent(agentInputSchema.parse({ prompt: 'x', base_url: other.baseUrl }), recordingIO(), { env: env() });
    expect(other.requests.at(-1)?.headers.authorization).toBeUndefined();
    await runAgent(agentInputSchema.parse({ prompt: 'x', base_url: other.baseUrl, api_key_env: 'OTHER_KEY' }), recordingIO(), {
      env: env(),
    });
    expect(other.requests.at(-1)?.headers.authorization).toBe(`Bearer ${OTHER_KEY}`);
  });
});
