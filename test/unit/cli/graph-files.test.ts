/**
 * The CLI's reading of subgraph files (SPEC §3 rule 19) on the real file system: a file is
 * read next to the definition naming it, and a cycle through files is refused at load.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphLoadOptions } from '../../../src/cli/graph-files.js';
import { loadDefinitionText } from '../../../src/definition/index.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-graph-files-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads `file` from `dir` as the CLI does: the text, then the load that reads its subgraphs. */
function load(dir: string, file: string) {
  const path = join(dir, file);
  return loadDefinitionText(readFileSync(path, 'utf8'), path, graphLoadOptions(path));
}

describe('subgraph files (rule 19)', () => {
  it('reads a child next to the definition naming it, and its own child next to it', () => {
    const dir = folder({
      'main.yaml': 'version: 1\nname: main\ntasks:\n  sub: { action: graph, with: { file: sub/child.yaml } }\n',
      'sub/child.yaml': 'version: 1\nname: child\ntasks:\n  leaf: { action: graph, with: { file: leaf.yaml } }\n',
      'sub/leaf.yaml': 'version: 1\nname: leaf\ntasks:\n  a: { action: noop }\n',
    });
    const result = load(dir, 'main.yaml');
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (result.ok)
      expect(result.definition.graphs?.['sub/child.yaml']).toMatchObject({ graphs: { 'leaf.yaml': { name: 'leaf' } } });
  });

  it('refuses a cycle through files, however the path is written', () => {
    const dir = folder({
      'a.yaml': 'version: 1\nname: a\ntasks:\n  to_b: { action: graph, with: { file: ./b.yaml } }\n',
      'b.yaml': 'version: 1\nname: b\ntasks:\n  to_a: { action: graph, with: { file: x/../a.yaml } }\n',
    });
    mkdirSync(join(dir, 'x'));
    const result = load(dir, 'a.yaml');
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map((problem) => problem.message);
    expect(messages.join('\n')).toMatch(/graph cycle: .*a\.yaml → .*b\.yaml → .*a\.yaml/);
  });
});
