/**
 * A hostile document cannot take the loader down: nesting past the limit is one clear
 * problem with its line, whether the checks or the YAML reader itself would have overflowed.
 */
import { describe, expect, it } from 'vitest';
import { checkReceived, loadDefinitionText, MAX_DEPTH, MAX_TASKS, validateDefinition } from '../../../src/definition/index.js';

/** A definition whose first task's `with` nests `depth` maps deep. */
function nested(depth: number): string {
  const lines = ['version: 1', 'name: deep', 'tasks:', '  a:', '    action: noop', '    with:'];
  for (let level = 0; level < depth; level++) lines.push(`${' '.repeat(6 + level)}k:`);
  lines.push(`${' '.repeat(6 + depth)}v: 1`);
  return lines.join('\n');
}

describe('nesting limit', () => {
  it('takes a definition nested well within the limit', () => {
    expect(loadDefinitionText(nested(20)).ok).toBe(true);
  });

  it.each([MAX_DEPTH + 20, 10_000])('refuses %i levels with one problem naming the limit and the line', (depth) => {
    const result = loadDefinitionText(nested(depth), 'deep.yaml');
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(new RegExp(`nests (deeper than|too deep to read).*${MAX_DEPTH}`));
    expect(problems[0]?.message).not.toMatch(/call stack/i);
    expect(problems[0]?.line).toBeGreaterThan(6);
    // The path stops at the limit, so the message stays readable.
    expect(problems[0]?.path.split('.').length).toBeLessThanOrEqual(MAX_DEPTH + 4);
  });
});

describe('task limit', () => {
  /** A chain of `n` noop tasks. */
  const chain = (n: number) => ({
    version: 1,
    name: 'long',
    tasks: Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`t${i}`, { action: 'noop', ...(i + 1 < n ? { next: [{ do: [`t${i + 1}`] }] } : {}) }]),
    ),
  });

  it('takes exactly MAX_TASKS and refuses one more, naming the count and the limit', () => {
    expect(validateDefinition(chain(MAX_TASKS)).ok).toBe(true);
    const over = validateDefinition(chain(MAX_TASKS + 1));
    expect(over.ok).toBe(false);
    expect(over.ok ? [] : over.problems).toEqual([
      expect.objectContaining({
        path: 'tasks',
        message: expect.stringMatching(/^10,001 tasks: a run takes at most 10,000/) as string,
      }),
    ]);
    // The interpreter still takes what it took before: the limit is the client's.
    expect(checkReceived(chain(MAX_TASKS + 1)).ok).toBe(true);
  });
});
