/** `switchyard run --input`: only keys the definition declares under `input:` are taken. */
import { describe, expect, it } from 'vitest';
import { checkInputSize, checkRunInput } from '../../../src/cli/runs.js';
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

describe('checkInputSize', () => {
  it('takes input within the payload limit', () => {
    expect(() => checkInputSize({ topic: 'x'.repeat(1_000_000) })).not.toThrow();
  });

  it('refuses input over it as a usage error naming the size, the limit and the key that holds most of it', () => {
    const topic = 'x'.repeat(3 * 1024 * 1024);
    expect(() => checkInputSize({ topic, limit: 3 })).toThrow(UsageError);
    expect(() => checkInputSize({ topic, limit: 3 })).toThrow(
      `--input: the run input is 3.0 MiB (${topic.length + 22} bytes), over the 2 MiB payload limit; most of it is input.topic (3.0 MiB); pass large data by reference (a path or URL a task reads)`,
    );
  });
});
