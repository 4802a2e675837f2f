/**
 * Which provider an agent conversation goes to: the OpenAI-compatible path stays chosen
 * whenever an endpoint is configured; the local model is the default without one. The local
 * model itself runs in the integration tier (test/integration/local-agent.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { agentInputSchema, agentProvider, runAgent } from '../../../src/activities/agent.js';
import { agentSettingsProblem } from '../../../src/activities/agent/local.js';
import { checkWorkerSettings } from '../../../src/worker.js';
import { failureOf, recordingIO } from './helpers.js';

const provider = (w: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  agentProvider(agentInputSchema.parse({ prompt: 'hi', ...w }), env);

describe('agent provider', () => {
  it('is local when neither the task nor the worker configures an endpoint', () => {
    expect(provider({})).toBe('local');
    expect(provider({}, { OPENAI_API_KEY: 'sk-x', SWITCHYARD_AGENT_API_KEY_ENV: 'OPENAI_API_KEY' })).toBe('local');
  });

  it('is openai as soon as a model, base URL or key name is configured, in the task or on the worker', () => {
    expect(provider({ model: 'gpt' })).toBe('openai');
    expect(provider({ base_url: 'http://127.0.0.1:1/v1' })).toBe('openai');
    expect(provider({ api_key_env: 'MY_KEY' })).toBe('openai');
    expect(provider({}, { SWITCHYARD_AGENT_MODEL: 'gpt' })).toBe('openai');
    expect(provider({}, { SWITCHYARD_AGENT_BASE_URL: 'http://127.0.0.1:1/v1' })).toBe('openai');
  });

  it("the task's provider wins over the worker's setting, which wins over the guess", () => {
    expect(provider({ provider: 'local' }, { SWITCHYARD_AGENT_MODEL: 'gpt', SWITCHYARD_AGENT_PROVIDER: 'openai' })).toBe('local');
    expect(provider({}, { SWITCHYARD_AGENT_MODEL: 'gpt', SWITCHYARD_AGENT_PROVIDER: 'local' })).toBe('local');
    expect(provider({ provider: 'openai' })).toBe('openai');
    expect(provider({}, { SWITCHYARD_AGENT_PROVIDER: 'openai' })).toBe('openai');
  });

  it('an explicit openai provider without a model still fails as before, naming the settings', async () => {
    const f = await failureOf(runAgent(agentInputSchema.parse({ prompt: 'hi', provider: 'openai' }), recordingIO(), { env: {} }));
    expect(f).toMatchObject({ type: 'ConfigError', nonRetryable: true });
    expect(f.message).toContain('SWITCHYARD_AGENT_MODEL');
  });

  it('a bad SWITCHYARD_AGENT_PROVIDER fails the task and stops the worker at start', async () => {
    const env = { SWITCHYARD_AGENT_PROVIDER: 'llamafile' };
    const f = await failureOf(runAgent(agentInputSchema.parse({ prompt: 'hi' }), recordingIO(), { env }));
    expect(f).toMatchObject({ type: 'ConfigError', nonRetryable: true });
    expect(f.message).toBe('SWITCHYARD_AGENT_PROVIDER=llamafile: must be one of openai, local');
    expect(() => checkWorkerSettings(env)).toThrow('SWITCHYARD_AGENT_PROVIDER=llamafile');
  });

  it('SWITCHYARD_LOCAL_THREADS must be a whole number of at least 1', () => {
    expect(agentSettingsProblem({ SWITCHYARD_LOCAL_THREADS: '0' })).toContain('SWITCHYARD_LOCAL_THREADS=0');
    expect(agentSettingsProblem({ SWITCHYARD_LOCAL_THREADS: 'two' })).toContain('whole number');
    expect(agentSettingsProblem({ SWITCHYARD_LOCAL_THREADS: '2', SWITCHYARD_AGENT_PROVIDER: 'local' })).toBeUndefined();
  });

  it('the local provider takes no model file, endpoint or key from the task, whatever a run renders', () => {
    const bad = agentInputSchema.safeParse({
      prompt: 'hi',
      provider: 'local',
      model: '/etc/passwd',
      base_url: 'http://127.0.0.1:1/v1',
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['base_url', 'model']);
    const rendered = agentInputSchema.safeParse({ prompt: 'hi', provider: 'http://evil.example/v1' });
    expect(rendered.success).toBe(false);
  });
});
