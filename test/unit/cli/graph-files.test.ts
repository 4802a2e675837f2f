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

  it('finds a child by its name: next to the definition naming it, exactly one, and carries it like a file', () => {
    const dir = folder({
      'main.yaml': 'version: 1\nname: main\ntasks:\n  sub: { action: graph, with: { name: report } }\n',
      'report-v2.yaml': 'version: 1\nname: report\ntasks:\n  a: { action: noop }\n',
      'other.yml': 'version: 1\nname: other\ntasks:\n  b: { action: noop }\n',
      'notes.yaml': '- not a definition\n',
      'deeper/report.yaml': 'version: 1\nname: report\ntasks:\n  c: { action: noop }\n',
    });
    const result = load(dir, 'main.yaml');
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (result.ok) expect(result.definition.graphs?.['name:report']).toMatchObject({ name: 'report', tasks: { a: {} } });
  });

  it('refuses a name no file next to it has, or that two files have, naming what it found', () => {
    const missing = folder({
      'main.yaml': 'version: 1\nname: main\ntasks:\n  sub: { action: graph, with: { name: reprot } }\n',
      'report.yaml': 'version: 1\nname: report\ntasks:\n  a: { action: noop }\n',
    });
    const none = load(missing, 'main.yaml');
    expect(none.ok ? [] : none.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([
      expect.stringMatching(
        /^tasks\.sub\.with\.name: cannot find the graph 'reprot': no definition in .* is named 'reprot' \(found: main, report\)/,
      ),
    ]);
    const twice = folder({
      'main.yaml': 'version: 1\nname: main\ntasks:\n  sub: { action: graph, with: { name: report } }\n',
      'a.yaml': 'version: 1\nname: report\ntasks:\n  a: { action: noop }\n',
      'b.yaml': 'version: 1\nname: report\ntasks:\n  b: { action: noop }\n',
    });
    const both = load(twice, 'main.yaml');
    expect(both.ok ? '' : both.problems.map((problem) => problem.message).join('\n')).toMatch(
      /several definitions in .* are named 'report': .*a\.yaml, .*b\.yaml/,
    );
  });

  it('refuses file and name together, a templated name, and a definition naming itself', () => {
    const dir = folder({
      'main.yaml':
        'version: 1\nname: main\ntasks:\n  both: { action: graph, with: { file: x.yaml, name: x } }\n  tmpl: { action: graph, with: { name: "{{ input.n }}" } }\n  self: { action: graph, with: { name: main } }\n',
      'x.yaml': 'version: 1\nname: x\ntasks:\n  a: { action: noop }\n',
    });
    const result = load(dir, 'main.yaml');
    const text = result.ok ? '' : result.problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n');
    expect(text).toMatch(/tasks\.both\.with\.name: a graph task names its definition by file or by name, not both/);
    expect(text).toMatch(/tasks\.tmpl\.with\.name: .*never rendered from run data/);
    expect(text).toMatch(/tasks\.self\.with\.name: graph cycle: .*main\.yaml → .*main\.yaml/);
  });
});
