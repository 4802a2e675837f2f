/**
 * `action: graph` (SPEC §3 rule 19) when a definition is loaded: the child definitions are
 * read then and carried in `graphs`, so the run never reads a file; a cycle of graphs is
 * refused; an unresolved file is refused by validate and by the interpreter's own check.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkReceived, loadDefinitionText, type GraphReader } from '../../../src/definition/index.js';

/** A reader over an in-memory folder (the CLI's reads the file system the same way). */
function folder(files: Record<string, string>): GraphReader {
  return (file) => {
    const text = files[file];
    return text === undefined ? { error: `no such file (${file})` } : { path: file, text };
  };
}

const PARENT = `
version: 1
name: parent
tasks:
  sub: { action: graph, with: { file: child.yaml, input: { topic: "{{ input.topic }}" } } }
`;

function problems(result: ReturnType<typeof loadDefinitionText>): string[] {
  return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

describe('subgraphs at load time (rule 19)', () => {
  it('embeds the child definition (and its own children) in graphs, by the file named', () => {
    const read = folder({
      'child.yaml': 'version: 1\nname: child\ntasks:\n  deeper: { action: graph, with: { file: leaf.yaml } }\n',
      'leaf.yaml': 'version: 1\nname: leaf\ntasks:\n  a: { action: noop }\n',
    });
    const result = loadDefinitionText(PARENT, 'parent.yaml', { readGraph: read, chain: ['parent.yaml'] });
    expect(problems(result)).toEqual([]);
    if (!result.ok) return;
    expect(result.definition.graphs?.['child.yaml']).toMatchObject({
      name: 'child',
      graphs: { 'leaf.yaml': { name: 'leaf', tasks: { a: { action: 'noop' } } } },
    });
    // What travels is checked again by the interpreter, which reads no file.
    expect(checkReceived(JSON.parse(JSON.stringify(result.definition))).ok).toBe(true);
  });

  it('refuses a cycle of graphs, naming the chain', () => {
    const read = folder({
      'child.yaml': 'version: 1\nname: child\ntasks:\n  back: { action: graph, with: { file: parent.yaml } }\n',
      'parent.yaml': PARENT,
    });
    const found = problems(loadDefinitionText(PARENT, 'parent.yaml', { readGraph: read, chain: ['parent.yaml'] }));
    expect(found).toContainEqual(
      expect.stringContaining(
        'tasks.sub.with.file: in child.yaml: tasks.back.with.file: graph cycle: parent.yaml → child.yaml → parent.yaml',
      ),
    );
    const self = folder({ 'self.yaml': 'version: 1\nname: self\ntasks:\n  me: { action: graph, with: { file: self.yaml } }\n' });
    expect(
      problems(
        loadDefinitionText('version: 1\nname: self\ntasks:\n  me: { action: graph, with: { file: self.yaml } }\n', 'self.yaml', {
          readGraph: self,
          chain: ['self.yaml'],
        }),
      ),
    ).toContainEqual(expect.stringContaining('tasks.me.with.file: graph cycle: self.yaml → self.yaml'));
  });

  it("names a missing file and the child's own problems at the graph task", () => {
    expect(problems(loadDefinitionText(PARENT, 'parent.yaml', { readGraph: folder({}) }))).toContainEqual(
      "tasks.sub.with.file: cannot read 'child.yaml': no such file (child.yaml)",
    );
    const broken = folder({ 'child.yaml': 'version: 1\nname: child\ntasks:\n  a: { action: nope }\n' });
    expect(problems(loadDefinitionText(PARENT, 'parent.yaml', { readGraph: broken }))).toContainEqual(
      expect.stringContaining('tasks.sub.with.file: in child.yaml: tasks.a.action:'),
    );
  });

  it('refuses a graph task whose file was not resolved, or is a template (hostile input never picks the child)', () => {
    const unresolved = checkReceived(parse(PARENT));
    expect(unresolved.ok ? [] : unresolved.problems.map((problem) => problem.message)).toContainEqual(
      expect.stringContaining("'child.yaml' is not resolved into this definition"),
    );
    const templated = problems(
      loadDefinitionText(
        'version: 1\nname: p\ntasks:\n  sub: { action: graph, with: { file: "{{ input.file }}" } }\n',
        'p.yaml',
        {
          readGraph: folder({}),
        },
      ),
    );
    expect(templated).toContainEqual(
      'tasks.sub.with.file: the definition a graph task runs is never rendered from run data: write it literally',
    );
  });
});
