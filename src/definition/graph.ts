/**
 * The static graph of a definition (SPEC §3 rules 1, 3, 4): who can schedule whom, where a run
 * starts, and how many distinct sources each join waits for. Built once per definition.
 */
import { formatPath, type PathSegment } from './paths.js';
import type { Definition, Transition } from './schema.js';
import { RESERVED_TASK_NAMES } from './language.js';

/** The built-in target of `do:` that fails the run on purpose; not a task. */
export const FAIL_TARGET = 'fail';

/**
 * The built-in target of `do:` that ends the branch on purpose (Orquesta's `noop`): the
 * transition is taken — its `publish` runs and a failure counts as handled — and nothing is
 * scheduled. `do: noop` says what `do: []` means; it is listed alone.
 */
export const NOOP_TARGET = 'noop';

/** True if `target` is a built-in target of `do:` rather than a task. */
export function isBuiltinTarget(target: string): boolean {
  return target === FAIL_TARGET || target === NOOP_TARGET;
}

/** One arrow: task `from`, via its `next[transition]`, schedules task `to`. */
export interface Edge {
  from: string;
  /** Index of the transition in `from`'s `next` list. */
  transition: number;
  to: string;
  /** Where the arrow is written, e.g. `tasks.a.next[0].do[1]`. */
  path: string;
}

/** The graph of a definition, with every list in definition order. */
export interface Graph {
  tasks: string[];
  /** Tasks a run starts with: `start`, or else every task nothing transitions into. */
  entryPoints: string[];
  /** Edges leaving each task (targets that are tasks only; `fail` edges are in {@link Graph.failEdges}). */
  outbound: Record<string, Edge[]>;
  /** Distinct tasks with a transition into each task, in definition order. */
  inboundSources: Record<string, string[]>;
  /** For tasks with `join` only: how many distinct sources must arrive before the task runs. */
  joinRequirement: Record<string, number>;
  /** Transitions that name `fail` (the run fails on purpose); `to` is `fail`. `noop` makes no edge. */
  failEdges: Edge[];
}

/** The parts of a definition the graph depends on; a partial (invalid) definition works too. */
export interface GraphSource {
  start?: readonly string[] | undefined;
  tasks: Readonly<
    Record<string, { next?: readonly Partial<Transition>[] | undefined; join?: Definition['tasks'][string]['join'] }>
  >;
}

/** `do: send` is short for `do: [send]`. */
export function doList(transition: Partial<Transition>): string[] {
  const targets = transition.do;
  if (targets === undefined) return [];
  return typeof targets === 'string' ? [targets] : targets;
}

/** The path of the `index`th target of a transition, honouring the `do: name` short form. */
export function doPath(from: string, transition: number, targets: Partial<Transition>['do'], index: number): string {
  return typeof targets === 'string' ? taskPath(from, 'next', transition, 'do') : taskPath(from, 'next', transition, 'do', index);
}

/** `tasks.fetch` (or `tasks["odd-name"]`), and below it with `rest`: `tasks.fetch.retry.initial_interval`. */
export function taskPath(name: string, ...rest: PathSegment[]): string {
  return formatPath(['tasks', name, ...rest]);
}

/** Builds the graph. Targets that name no task are left out; validation reports them. */
export function buildGraph(def: GraphSource): Graph {
  const tasks = Object.keys(def.tasks);
  const known = new Set(tasks);
  const outbound: Record<string, Edge[]> = {};
  // Maps, filled only where there is an arrow: a set per task would be 100,000 sets for 100,000 tasks.
  const sources = new Map<string, Set<string>>();
  const failEdges: Edge[] = [];
  for (const name of tasks) outbound[name] = [];
  for (const [from, task] of Object.entries(def.tasks)) {
    (task.next ?? []).forEach((transition, index) => {
      doList(transition).forEach((to, position) => {
        const edge: Edge = { from, transition: index, to, path: doPath(from, index, transition.do, position) };
        if (to === FAIL_TARGET) failEdges.push(edge);
        else if (known.has(to)) {
          outbound[from]?.push(edge);
          const into = sources.get(to);
          if (into === undefined) sources.set(to, new Set([from]));
          else into.add(from);
        }
      });
    });
  }
  // Sources listed in definition order, not discovery order, so joins read predictably.
  const inboundSources: Record<string, string[]> = {};
  const order = new Map(tasks.map((name, index) => [name, index]));
  const byOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  for (const name of tasks) {
    const into = sources.get(name);
    inboundSources[name] = into === undefined ? [] : into.size === 1 ? [...into] : [...into].sort(byOrder);
  }
  const joinRequirement: Record<string, number> = {};
  for (const [name, task] of Object.entries(def.tasks)) {
    if (task.join === 'all') joinRequirement[name] = inboundSources[name]?.length ?? 0;
    else if (task.join === 'first') joinRequirement[name] = 1;
    else if (typeof task.join === 'number') joinRequirement[name] = task.join;
  }
  const entryPoints =
    def.start !== undefined
      ? def.start.filter((name) => known.has(name))
      : tasks.filter((name) => (inboundSources[name]?.length ?? 0) === 0);
  return { tasks, entryPoints, outbound, inboundSources, joinRequirement, failEdges };
}

/** Tasks reachable from the entry points by following edges. */
export function reachableFrom(graph: Graph, entryPoints: readonly string[] = graph.entryPoints): Set<string> {
  const seen = new Set<string>();
  const queue = [...entryPoints];
  // An index instead of shift(): shift() moves every element, quadratic on a 100k-task graph.
  for (let at = 0; at < queue.length; at++) {
    const name = queue[at] as string;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const edge of graph.outbound[name] ?? []) if (!seen.has(edge.to)) queue.push(edge.to);
  }
  return seen;
}

/** True if `name` may not be used for a task. */
export function isReservedTaskName(name: string): boolean {
  return RESERVED_TASK_NAMES.some((reserved) => reserved === name);
}

/**
 * The key under `graphs` a graph task's child definition travels under: its `with.file`, or
 * `name:` and its `with.name` (a definition found by its name next to the one naming it).
 */
export function subgraphKey(spec: { file?: unknown; name?: unknown } | undefined): string | undefined {
  if (typeof spec?.file === 'string') return spec.file;
  if (typeof spec?.name === 'string') return `name:${spec.name}`;
  return undefined;
}
