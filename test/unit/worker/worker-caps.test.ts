/** Per-kind caps from a worker's environment (SPEC §6): defaults, overrides, and each bad value named. */
import { describe, expect, it } from 'vitest';
import { describeCap, workerCaps, type WorkerCaps } from '../../../src/worker-caps.js';

describe('workerCaps', () => {
  it('defaults to every kind, 3 agent conversations at once and no rate limit', () => {
    const caps = workerCaps({}) as WorkerCaps;
    expect(caps.kinds).toEqual(['workflow', 'script', 'agent', 'deliver', 'http']);
    expect(caps.caps.agent).toEqual({ maxConcurrent: 3 });
    expect(caps.caps.script).toEqual({ maxConcurrent: 100 });
    expect(caps.caps.http).toEqual({ maxConcurrent: 100 });
    expect((workerCaps({ SWITCHYARD_MAX_CONCURRENT_HTTP: '7' }) as WorkerCaps).caps.http).toEqual({ maxConcurrent: 7 });
  });

  it('reads the kinds polled and each kind’s caps', () => {
    const caps = workerCaps({
      SWITCHYARD_KINDS: 'Agent, deliver',
      SWITCHYARD_MAX_CONCURRENT_AGENT: '2',
      SWITCHYARD_AGENT_RATE_PER_SECOND: '0.5',
    }) as WorkerCaps;
    expect(caps.kinds).toEqual(['agent', 'deliver']);
    expect(caps.caps.agent).toEqual({ maxConcurrent: 2, ratePerSecond: 0.5 });
    expect(describeCap('agent', caps.caps.agent)).toBe('agent ≤2 at once, ≤0.5/s across workers');
  });

  it.each([
    [
      { SWITCHYARD_KINDS: 'agent,agnet' },
      /SWITCHYARD_KINDS=agent,agnet: unknown kind "agnet" \(kinds: workflow, script, agent, deliver, http\)/,
    ],
    [{ SWITCHYARD_MAX_CONCURRENT_AGENT: '0' }, /SWITCHYARD_MAX_CONCURRENT_AGENT=0: must be a whole number of at least 1/],
    [{ SWITCHYARD_MAX_CONCURRENT_SCRIPT: '2.5' }, /SWITCHYARD_MAX_CONCURRENT_SCRIPT=2.5: must be a whole number/],
    [{ SWITCHYARD_DELIVER_RATE_PER_SECOND: 'fast' }, /SWITCHYARD_DELIVER_RATE_PER_SECOND=fast: must be a number above 0/],
    [{ SWITCHYARD_AGENT_RATE_PER_SECOND: '-1' }, /SWITCHYARD_AGENT_RATE_PER_SECOND=-1: must be a number above 0/],
  ])('refuses %j', (env, message) => {
    const caps = workerCaps(env);
    expect(typeof caps).toBe('string');
    expect(caps).toMatch(message);
  });
});
