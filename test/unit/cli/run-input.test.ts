/** `switchyard run --input`: only keys the definition declares under `input:` are taken. */
import { describe, expect, it } from 'vitest';
import { checkRunInput } from '../../../src/cli/runs.js';
import { UsageError } from '../../../src/cli/errors.js';
import type { Definition } from '../../../src/definition/index.js';

const definition: Definition = {
  version: 1,
  name: 'briefing',
  input: { topic: 'AI', limit: 3 },
  tasks: { a: { action: 'noop' } },
};

describe('checkRunInput', () => {
  it('takes declared keys', () => {
    expect(() => checkRunInput(definition, { topic: 'chips', limit: 5 })).not.toThrow();
    expect(() => checkRunInput(definition, {})).not.toThrow();
  });

  it('refuses a misspelt or undeclared key as a usage error naming the keys it knows', () => {
    expect(() => checkRunInput(definition, { topci: 'chips' })).toThrow(UsageError);
    expect(() => checkRunInput(definition, { topci: 'chips', extra: 1 })).toThrow(
      "--input topci, extra: not an input of 'briefing' (its inputs are topic, limit); declare it under input: with a default",
    );
  });

  it('says so when the definition declares no input at all', () => {
    const { input: _none, ...bare } = definition;
    expect(() => checkRunInput(bare, { topic: 'x' })).toThrow(/it declares no input/);
  });
});
