import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderGraph, validateFiles, type FileReport } from '../../../src/cli/definition-commands.js';

const fixtures = fileURLToPath(new URL('../../fixtures/definitions/', import.meta.url));
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

function isReportList(value: unknown): value is FileReport[] {
  return (
    Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && 'file' in item && 'ok' in item)
  );
}

describe('validateFiles', () => {
  it('exits 0 and says ok for valid files', async () => {
    const { exitCode, output } = await validateFiles([`${fixtures}valid/minimal.yaml`, `${examples}hello.yaml`], { json: false });
    expect(exitCode).toBe(0);
    expect(output).toMatch(/minimal\.yaml: ok/);
  });

  it('lists every problem with file:line:col and path, and exits 1', async () => {
    const file = `${fixtures}invalid/many-problems.yaml`;
    const { exitCode, output } = await validateFiles([file], { json: false });
    expect(exitCode).toBe(1);
    expect(output).toContain('14 problems');
    expect(output).toContain(`${file}:26:17  tasks.a.next[0].do[1]  unknown task 'ghost'`);
    expect(output).toContain(`${file}:36:3  tasks.fail  'fail' is a reserved name`);
  });

  it('reports a missing file as a problem, not a crash, and still checks the others', async () => {
    const { exitCode, output } = await validateFiles(['/nonexistent/x.yaml', `${fixtures}valid/minimal.yaml`], { json: true });
    expect(exitCode).toBe(1);
    const reports: unknown = JSON.parse(output);
    expect(isReportList(reports)).toBe(true);
    expect(reports).toEqual([
      { file: '/nonexistent/x.yaml', ok: false, problems: [{ path: '', message: 'cannot read file: no such file' }] },
      { file: `${fixtures}valid/minimal.yaml`, ok: true, problems: [] },
    ]);
  });

  it('prints problems with lines in --json', async () => {
    const { output } = await validateFiles([`${fixtures}invalid/unknown-action.yaml`], { json: true });
    expect(JSON.parse(output)).toEqual([
      {
        file: `${fixtures}invalid/unknown-action.yaml`,
        ok: false,
        problems: [
          expect.objectContaining({ path: 'tasks.a.action', line: 8, column: 5 }),
          expect.objectContaining({ path: 'tasks.b.action', line: 11, column: 5 }),
        ],
      },
    ]);
  });
});

describe('renderGraph', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-graph-'));
  const file = join(dir, 'g.yaml');
  writeFileSync(
    file,
    `version: 1
name: g
tasks:
  a: { action: script, with: { command: ["true"] }, next: [{ do: [b, c] }, { when: failed, do: [fail] }] }
  b: { action: noop, next: [{ do: [end] }] }
  c: { action: noop, next: [{ when: "ctx.ok", do: [end] }] }
  end: { action: deliver, with: { to: "file:out", content: done }, join: all }
`,
  );

  it('draws Mermaid with entry points, when labels, a join and the fail terminal', async () => {
    const { exitCode, output } = await renderGraph(file, 'mermaid');
    expect(exitCode).toBe(0);
    expect(output.split('\n')[0]).toBe('flowchart TD');
    expect(output).toContain('start__ --> t_a');
    expect(output).toContain('t_a -->|"0: succeeded"| t_b');
    expect(output).toContain('t_a -.->|"1: failed"| fail__');
    expect(output).toContain('t_c -->|"0: ctx.ok"| t_end');
    expect(output).toContain('t_end{{"end<br/>deliver<br/>join: all (2)"}}');
    expect(output).toContain('fail__(((fail)))');
  });

  it('draws DOT with the same information', async () => {
    const { exitCode, output } = await renderGraph(file, 'dot');
    expect(exitCode).toBe(0);
    expect(output).toMatch(/^digraph "g" \{/);
    expect(output).toContain('start__ -> "a";');
    expect(output).toContain('"a" -> "fail__" [label="1: failed", style=dashed');
    expect(output).toContain('"end" [label="end\\ndeliver\\njoin: all (2)", shape=hexagon');
    expect(output.trim().endsWith('}')).toBe(true);
  });

  it('prints the problems of an invalid file and exits 1', async () => {
    const { exitCode, output } = await renderGraph(`${fixtures}invalid/no-entry-point.yaml`, 'dot');
    expect(exitCode).toBe(1);
    expect(output).toContain('no entry point');
  });
});
