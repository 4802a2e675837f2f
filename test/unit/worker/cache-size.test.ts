/** SWITCHYARD_MAX_CACHED_WORKFLOWS: a deliberate workflow cache size, checked before the worker starts. */
import { describe, expect, it } from 'vitest';
import { checkWorkerSettings, DEFAULT_MAX_CACHED_WORKFLOWS, maxCachedWorkflows } from '../../../src/worker.js';

describe('maxCachedWorkflows', () => {
  it('defaults to a fixed bound, not one that grows with the heap', () => {
    expect(maxCachedWorkflows({})).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(maxCachedWorkflows({ SWITCHYARD_MAX_CACHED_WORKFLOWS: '' })).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
  });

  it('takes a whole number of at least 2', () => {
    expect(maxCachedWorkflows({ SWITCHYARD_MAX_CACHED_WORKFLOWS: '1000' })).toBe(1000);
  });

  it.each(['1', '0', '-5', '2.5', 'many'])('refuses %j, naming the variable', (value) => {
    expect(() => checkWorkerSettings({ SWITCHYARD_MAX_CACHED_WORKFLOWS: value })).toThrow(
      `SWITCHYARD_MAX_CACHED_WORKFLOWS=${JSON.stringify(value)}: must be a whole number ≥ 2`,
    );
  });
});
