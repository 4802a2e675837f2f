import { describe, expect, it } from 'vitest';
import { buildGraph, parseDefinitionText, reachableFrom, type Graph } from '../../../src/definition/index.js';

function graphOf(yaml: string): Graph {
  return parseDefinitionText(`version: 1\nname: g\n${yaml}`).graph;
}

describe('buildGraph', () => {
  it('finds entry points as the tasks with no inbound transition (SPEC §3 rule 1)', () => {
    const graph = graphOf(`
tasks:
  a: { action: noop, next: [{ do: [c] }] }
  b: { action: noop, next: [{ do: c }] }
  c: { action: noop }
`);
    expect(graph.tasks).toEqual(['a', 'b', 'c']);
    expect(graph.entryPoints).toEqual(['a', 'b']);
  });

  it('uses start: when given, even for tasks on a cycle', () => {
    const graph = graphOf(`
start: [b]
tasks:
  a: { action: noop, next: [{ do: [b] }] }
  b: { action: noop, next: [{ do: [a] }] }
`);
    expect(graph.entryPoints).toEqual(['b']);
    expect([...reachableFrom(graph)].sort()).toEqual(['a', 'b']);
  });

  it('records edges with their transition index and path, and fail edges apart', () => {
    const graph = graphOf(`
tasks:
  a:
    action: noop
    next:
      - when: "ctx.x"
        do: b
      - do: [b, c]
      - when: failed
        do: [c, fail]
  b: { action: noop }
  c: { action: noop }
`);
    expect(graph.outbound.a).toEqual([
      { from: 'a', transition: 0, to: 'b', path: 'tasks.a.next[0].do' },
      { from: 'a', transition: 1, to: 'b', path: 'tasks.a.next[1].do[0]' },
      { from: 'a', transition: 1, to: 'c', path: 'tasks.a.next[1].do[1]' },
      { from: 'a', transition: 2, to: 'c', path: 'tasks.a.next[2].do[0]' },
    ]);
    expect(graph.outbound.b).toEqual([]);
    expect(graph.failEdges).toEqual([{ from: 'a', transition: 2, to: 'fail', path: 'tasks.a.next[2].do[1]' }]);
    expect(graph.tasks).not.toContain('fail');
  });

  it('lists distinct inbound sources in definition order, self-loops included (rule 4)', () => {
    const graph = graphOf(`
tasks:
  z: { action: noop, next: [{ do: [m] }, { when: failed, do: [m] }] }
  a: { action: noop, next: [{ do: [m] }] }
  m: { action: noop, join: all, next: [{ when: "ctx.again", do: [m] }] }
`);
    expect(graph.inboundSources.m).toEqual(['z', 'a', 'm']);
    expect(graph.inboundSources.z).toEqual([]);
    expect(graph.joinRequirement).toEqual({ m: 3 });
  });

  it('sets joinRequirement only for join tasks: all → source count, N → N', () => {
    const graph = graphOf(`
tasks:
  s: { action: noop, next: [{ do: [a, b, c] }] }
  a: { action: noop, next: [{ do: [all, two, plain] }] }
  b: { action: noop, next: [{ do: [all, two, plain] }] }
  c: { action: noop, next: [{ do: [all, two, plain] }] }
  all: { action: noop, join: all }
  two: { action: noop, join: 2 }
  plain: { action: noop }
`);
    expect(graph.joinRequirement).toEqual({ all: 3, two: 2 });
    expect(graph.inboundSources.plain).toEqual(['a', 'b', 'c']);
    expect(graph.entryPoints).toEqual(['s']);
  });

  it('leaves out targets that name no task (validation reports them)', () => {
    const graph = buildGraph({ tasks: { a: { next: [{ do: ['ghost', 'b'] }] }, b: {} } });
    expect(graph.outbound.a?.map((edge) => edge.to)).toEqual(['b']);
    expect(graph.inboundSources.ghost).toBeUndefined();
  });
});
