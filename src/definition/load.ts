/**
 * Loading a definition from YAML text. The document is parsed with its node ranges kept so that
 * every problem, including those found after parsing, points at a line and column. Pure: the
 * caller reads the file; `yaml` does no I/O, so the workflow bundle may import this module.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { subgraphKey } from './graph.js';
import { formatPath, parsePath, type PathSegment } from './paths.js';
import { DefinitionError, orderProblems, type Problem } from './problems.js';
import { validateDefinition, type ValidDefinition, type ValidationResult } from './validate.js';

/** Parses YAML text and validates it; every problem carries a line and column. `source` names the file. */
export function loadDefinitionText(text: string, source?: string, options: LoadOptions = {}): ValidationResult {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by the one walk below: yaml's own check compares each key with
  // every earlier one, quadratic in a map's size (10,000 tasks took seconds).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number): Pick<Problem, 'line' | 'column'> => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const yamlProblems: Problem[] = doc.errors.map((error) => ({
    path: pathAtOffset(doc.contents, error.pos[0]),
    message: yamlMessage(error.message),
    ...at(error.pos[0]),
  }));
  const failed = (problems: Problem[]): ValidationResult => ({
    ok: false,
    problems: orderProblems(problems),
    ...(source === undefined ? {} : { source }),
  });
  if (yamlProblems.length > 0) return failed(yamlProblems);
  const { tooDeep, duplicates } = walk(doc.contents);
  // A duplicate key leaves a well-formed document, so keep checking.
  for (const duplicate of duplicates)
    yamlProblems.push({
      path: formatPath(duplicate.segments),
      message: 'duplicate key: YAML keys must be unique',
      ...at(duplicate.offset),
    });
  if (tooDeep !== undefined) {
    const path = formatPath(tooDeep.segments);
    return failed([
      ...yamlProblems,
      {
        path,
        message: `nests deeper than ${MAX_DEPTH} levels here (${tooDeep.depth} in all): a definition is configuration, so flatten the data, or let a script read it from a file`,
        ...at(tooDeep.offset),
      },
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    return failed([
      ...yamlProblems,
      { path: '', message: error instanceof Error ? error.message : String(error), line: 1, column: 1 },
    ]);
  }
  // Subgraphs (rule 19) are read now, so they travel with the definition; their problems are theirs.
  const graphProblems = options.readGraph === undefined ? [] : embedSubgraphs(value, source, options, options.chain ?? []);
  yamlProblems.push(...graphProblems.map((problem) => ({ ...problem, ...at(offsetOfPath(doc.contents, problem.path)) })));
  const result = validateDefinition(value);
  if (result.ok && yamlProblems.length === 0) return result;
  // A subgraph that could not be read is said once, at its task, not again as unresolved.
  const unread = new Set(graphProblems.map((problem) => problem.path));
  const located = result.ok
    ? []
    : result.problems
        .filter((problem) => !(unread.has(problem.path) && problem.message.includes('is not resolved')))
        .map((problem) => ({ ...problem, ...at(offsetOfPath(doc.contents, problem.path)) }));
  return failed([...yamlProblems, ...located]);
}

/**
 * How deep a definition may nest. Real ones nest a dozen levels; the limit keeps the checks'
 * recursion (and a path in a message) bounded, so a hostile 10,000-deep document gets this
 * message instead of "Maximum call stack size exceeded".
 */
export const MAX_DEPTH = 100;

/** Reads the file an `action: graph` task names, relative to the definition (`from`) naming it. */
export type GraphReader = (file: string, from: string | undefined) => { path: string; text: string } | { error: string };

/** Finds the definition whose `name:` is `name`, next to the definition (`from`) naming it. */
export type GraphFinder = (name: string, from: string | undefined) => { path: string; text: string } | { error: string };

/** How {@link loadDefinitionText} resolves subgraphs: without `readGraph` a graph task's file stays unresolved. */
export interface LoadOptions {
  readGraph?: GraphReader;
  /** For `with: { name }`; without it such a task stays unresolved. */
  findGraph?: GraphFinder;
  /** The files being loaded, outermost first: a file that names one of them is a cycle. */
  chain?: readonly string[];
}

/**
 * Reads, validates and embeds in `graphs` the definition each `action: graph` task names by
 * `with.file` or `with.name` (recursively: a subgraph's own subgraphs travel inside it),
 * refusing a cycle of files. Problems are at the task's `with.file` or `with.name`.
 */
function embedSubgraphs(value: unknown, source: string | undefined, options: LoadOptions, chain: readonly string[]): Problem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const holder = value as Record<string, unknown>;
  const tasks = holder.tasks;
  if (typeof tasks !== 'object' || tasks === null || Array.isArray(tasks)) return [];
  const problems: Problem[] = [];
  const graphs: Record<string, unknown> = {};
  for (const [name, task] of Object.entries(tasks as Record<string, unknown>)) {
    if (typeof task !== 'object' || task === null) continue;
    const { action, with: spec } = task as { action?: unknown; with?: unknown };
    const ref = typeof spec === 'object' && spec !== null ? (spec as { file?: unknown; name?: unknown }) : undefined;
    const key = subgraphKey(ref);
    if (action !== 'graph' || key === undefined || key.includes('{{') || Object.hasOwn(graphs, key)) continue;
    const byName = typeof ref?.file !== 'string';
    const wanted = byName ? String(ref?.name) : key;
    const path = formatPath(['tasks', name, 'with', byName ? 'name' : 'file']);
    if (byName && options.findGraph === undefined) continue;
    const found = byName
      ? (options.findGraph as GraphFinder)(wanted, source)
      : (options.readGraph as GraphReader)(wanted, source);
    if ('error' in found) {
      problems.push({ path, message: `cannot ${byName ? 'find the graph' : 'read'} '${wanted}': ${found.error}` });
      continue;
    }
    const loop = source === undefined || chain.at(-1) === source ? [...chain] : [...chain, source];
    if (loop.includes(found.path)) {
      problems.push({ path, message: `graph cycle: ${[...loop, found.path].join(' → ')} (a graph may not run itself)` });
      continue;
    }
    const child = loadDefinitionText(found.text, found.path, { ...options, chain: loop });
    if (!child.ok) {
      for (const problem of child.problems)
        problems.push({ path, message: `in ${found.path}: ${problem.path === '' ? '' : `${problem.path}: `}${problem.message}` });
      continue;
    }
    graphs[key] = child.definition;
  }
  if (Object.keys(graphs).length > 0) holder.graphs = graphs;
  return problems;
}

interface Visit {
  node: unknown;
  depth: number;
  parent?: Visit;
  segment?: PathSegment;
}

function segmentsOf(visit: Visit): PathSegment[] {
  const segments: PathSegment[] = [];
  for (let at: Visit | undefined = visit; at?.segment !== undefined; at = at.parent) segments.push(at.segment);
  return segments.reverse();
}

function offsetOf(node: unknown): number {
  return isScalar(node) || isMap(node) || isSeq(node) ? (node.range?.[0] ?? 0) : 0;
}

/**
 * One walk over the document, without recursion and linear in its size: where it first nests
 * past MAX_DEPTH (the path there) and its whole depth, and every key repeated within a map.
 */
function walk(root: Node | null): {
  tooDeep?: { segments: PathSegment[]; depth: number; offset: number };
  duplicates: { segments: PathSegment[]; offset: number }[];
} {
  let first: Visit | undefined;
  let deepest = 0;
  const duplicates: { segments: PathSegment[]; offset: number }[] = [];
  const stack: Visit[] = [{ node: root, depth: 0 }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node, depth } = visit;
    deepest = Math.max(deepest, depth);
    if (depth > MAX_DEPTH) first ??= visit;
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        const segment = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (isScalar(pair.key) && keys.has(segment))
          duplicates.push({ segments: [...segmentsOf(visit), segment], offset: offsetOf(pair.key) });
        keys.add(segment);
        stack.push({ node: pair.value, depth: depth + 1, parent: visit, segment });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => stack.push({ node: item, depth: depth + 1, parent: visit, segment: index }));
    }
  }
  if (first === undefined) return { duplicates };
  return { tooDeep: { segments: segmentsOf(first), depth: deepest, offset: offsetOf(first.node) }, duplicates };
}

/** Parses and validates, or throws a {@link DefinitionError} listing every problem. */
export function parseDefinitionText(text: string, source?: string): ValidDefinition {
  const result = loadDefinitionText(text, source);
  if (!result.ok) throw new DefinitionError(result.problems, source);
  return { definition: result.definition, graph: result.graph };
}

/** The YAML reader's message; its own stack overflow on a hostile document says what it means. */
function yamlMessage(message: string): string {
  if (/maximum call stack size exceeded/i.test(message)) {
    return `nests too deep to read here (a definition may nest at most ${MAX_DEPTH} levels): flatten the data, or let a script read it from a file`;
  }
  return firstLine(message);
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

function keyMatches(key: unknown, segment: PathSegment): boolean {
  return isScalar(key) && String(key.value) === String(segment);
}

/**
 * Where a path is written: a mapping entry points at its key (the line a reader looks for),
 * a list item at the item. A path that leaves the document (a missing key) points at the
 * deepest part that exists.
 */
function offsetOfPath(root: Node | null, path: string): number {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of parsePath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyMatches(item.key, segment));
      if (pair === undefined) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!isScalar(node) && !isMap(node) && !isSeq(node) && !isAlias(node)) break;
      offset = node.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

/** The path of the deepest node containing `offset`, for YAML errors that have only a position. */
function pathAtOffset(root: Document['contents'], offset: number): string {
  const segments: PathSegment[] = [];
  let node: unknown = root;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => {
        const start = isScalar(item.key) ? item.key.range?.[0] : undefined;
        const end = isScalar(item.value) || isMap(item.value) || isSeq(item.value) ? item.value.range?.[2] : undefined;
        return start !== undefined && offset >= start && offset <= (end ?? start);
      });
      if (pair === undefined || !isScalar(pair.key)) break;
      segments.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex(
        (item) =>
          (isScalar(item) || isMap(item) || isSeq(item)) &&
          item.range !== undefined &&
          item.range !== null &&
          offset >= item.range[0] &&
          offset <= item.range[2],
      );
      if (index === -1) break;
      segments.push(index);
      node = node.items[index];
    } else break;
    // Past the nesting limit the path says no more: a message must stay readable.
    if (segments.length > MAX_DEPTH) break;
  }
  return formatPath(segments);
}
