/**
 * Fixture-driven validation: every file in valid/ must validate; every file in invalid/ must
 * report exactly the problems its leading `# expect:` block lists, as `path @ line`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDefinitionText } from '../../../src/definition/index.js';

const root = fileURLToPath(new URL('../../fixtures/definitions/', import.meta.url));
const yamlFiles = (dir: string): string[] =>
  readdirSync(`${root}${dir}`)
    .filter((file) => file.endsWith('.yaml'))
    .sort();

/** Reads the `# expect:` block: one `#   path @ line` a line, up to the first line that is not one. */
function expectations(text: string): string[] {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '# expect:') throw new Error('fixture must start with a "# expect:" block');
  const entries: string[] = [];
  for (const line of lines.slice(1)) {
    const match = /^#\s+(\S.*@ \d+)\s*$/.exec(line);
    if (match?.[1] === undefined) break;
    entries.push(match[1]);
  }
  return entries;
}

describe('valid definitions', () => {
  it.each(yamlFiles('valid'))('%s validates', (file) => {
    const result = loadDefinitionText(readFileSync(`${root}valid/${file}`, 'utf8'), file);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});

describe('invalid definitions report exactly the expected problems', () => {
  const files = yamlFiles('invalid');

  it('has enough fixtures to cover every check', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('%s', (file) => {
    const text = readFileSync(`${root}invalid/${file}`, 'utf8');
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    const result = loadDefinitionText(text, file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const problem of result.problems) {
      expect(problem.message.length, `${problem.path} has a message`).toBeGreaterThan(5);
      expect(problem.line, `${problem.path} has a line`).toBeGreaterThan(0);
      expect(problem.column, `${problem.path} has a column`).toBeGreaterThan(0);
    }
    const actual = new Set(
      result.problems.map((problem) => `${problem.path === '' ? '(document)' : problem.path} @ ${problem.line}`),
    );
    expect([...actual].sort()).toEqual([...new Set(expected)].sort());
  });
});
