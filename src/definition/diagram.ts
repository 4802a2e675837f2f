/**
 * Drawing a definition's graph as Mermaid or Graphviz DOT text. Entry points hang off a start
 * marker, joins are drawn as hexagons with what they wait for, `fail` is one red terminal, and
 * each edge carries its transition index and `when`, which decides the order they are tried in.
 */
import { doList, FAIL_TARGET, NOOP_TARGET } from './graph.js';
import type { ValidDefinition } from './validate.js';

/** Diagram languages {@link drawGraph} writes. */
export type DiagramFormat = 'mermaid' | 'dot';

interface DrawnEdge {
  from: string;
  to: string;
  label: string;
  failure: boolean;
}

function edgesOf({ definition }: ValidDefinition): DrawnEdge[] {
  return Object.entries(definition.tasks).flatMap(([from, task]) =>
    (task.next ?? []).flatMap((transition, index) => {
      const when = transition.when?.trim() ?? 'succeeded';
      const failure = when === 'failed' || /task\.status\s*=\s*["']failed["']/.test(when);
      // `noop` ends the branch: no arrow.
      return doList(transition)
        .filter((to) => to !== NOOP_TARGET)
        .map((to) => ({ from, to, label: `${index}: ${when}`, failure }));
    }),
  );
}

function nodeLabel({ definition, graph }: ValidDefinition, name: string): string {
  const task = definition.tasks[name];
  const extras = [task?.action ?? ''];
  if (task?.join !== undefined)
    extras.push(`join: ${task.join === 'all' ? `all (${graph.joinRequirement[name] ?? 0})` : task.join}`);
  if (task?.items !== undefined) extras.push(`items${task.concurrency === undefined ? '' : ` ×${task.concurrency}`}`);
  if (task?.delay !== undefined) extras.push(`delay ${task.delay}`);
  return [name, ...extras].join('\n');
}

/** Draws the graph of a valid definition in the given format. */
export function drawGraph(valid: ValidDefinition, format: DiagramFormat): string {
  return format === 'mermaid' ? drawMermaid(valid) : drawDot(valid);
}

function mermaidText(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;
}

function drawMermaid(valid: ValidDefinition): string {
  // Prefixed ids, because words such as `end` are keywords in Mermaid flowcharts.
  const id = (name: string): string => (name === FAIL_TARGET ? 'fail__' : `t_${name}`);
  const lines = ['flowchart TD', '  start__((start))'];
  for (const name of valid.graph.tasks) {
    const label = mermaidText(nodeLabel(valid, name));
    lines.push(valid.definition.tasks[name]?.join === undefined ? `  ${id(name)}[${label}]` : `  ${id(name)}{{${label}}}`);
  }
  const edges = edgesOf(valid);
  if (edges.some((edge) => edge.to === FAIL_TARGET)) lines.push(`  ${id(FAIL_TARGET)}(((fail)))`);
  for (const entry of valid.graph.entryPoints) lines.push(`  start__ --> ${id(entry)}`);
  for (const edge of edges) {
    lines.push(`  ${id(edge.from)} ${edge.failure ? '-.->' : '-->'}|${mermaidText(edge.label)}| ${id(edge.to)}`);
  }
  lines.push('  classDef join fill:#fff3cd,stroke:#b58900', '  classDef failure fill:#f8d7da,stroke:#c0392b');
  const joins = valid.graph.tasks.filter((name) => valid.definition.tasks[name]?.join !== undefined);
  if (joins.length > 0) lines.push(`  class ${joins.map(id).join(',')} join`);
  if (edges.some((edge) => edge.to === FAIL_TARGET)) lines.push(`  class ${id(FAIL_TARGET)} failure`);
  return lines.join('\n');
}

function dotText(text: string): string {
  return JSON.stringify(text);
}

function drawDot(valid: ValidDefinition): string {
  const id = (name: string): string => dotText(name === FAIL_TARGET ? 'fail__' : name);
  const lines = [
    `digraph ${dotText(valid.definition.name)} {`,
    '  node [shape=box, style=rounded];',
    '  start__ [shape=circle, label="start"];',
  ];
  for (const name of valid.graph.tasks) {
    const join = valid.definition.tasks[name]?.join !== undefined;
    lines.push(
      `  ${id(name)} [label=${dotText(nodeLabel(valid, name))}${join ? ', shape=hexagon, style=filled, fillcolor="#fff3cd"' : ''}];`,
    );
  }
  const edges = edgesOf(valid);
  if (edges.some((edge) => edge.to === FAIL_TARGET)) {
    lines.push(`  ${id(FAIL_TARGET)} [label="fail", shape=doubleoctagon, style=filled, fillcolor="#f8d7da", color="#c0392b"];`);
  }
  for (const entry of valid.graph.entryPoints) lines.push(`  start__ -> ${id(entry)};`);
  for (const edge of edges) {
    lines.push(
      `  ${id(edge.from)} -> ${id(edge.to)} [label=${dotText(edge.label)}${edge.failure ? ', style=dashed, color="#c0392b"' : ''}];`,
    );
  }
  lines.push('}');
  return lines.join('\n');
}
