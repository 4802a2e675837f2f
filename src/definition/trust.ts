/**
 * Which `with` fields are code or decide where secrets go, and so are never rendered
 * (SPEC §3 rule 15). Run input, script output and API answers are untrusted: they may fill
 * argv items after the program, env values, stdin and message content, but never the
 * program, shell text, the folder a script runs in, where a secret is read from or the API
 * it is sent to. Those come from the definition's own text (or the worker's settings).
 *
 * `validate` refuses a template in these fields. The interpreter, which must keep replaying
 * runs started before this rule, passes them to the activity as the literal text they are:
 * `echo {{ input.topic }}` as shell text echoes the braces, it never runs the input.
 */
import { TARGET_SPLIT, type Action } from './language.js';
import { formatPath, type PathSegment } from './paths.js';
import type { Problem } from './problems.js';
import { hasTemplates, isPlainObject } from './templates.js';

/** One literal-only place in a task's `with`, and why. */
interface LiteralField {
  path: readonly PathSegment[];
  why: string;
}

const SECRET_ROUTE =
  'where a secret is read and where it is sent come from the definition text or the worker, never from a run: write it literally';

/** The literal-only fields of each action's `with`. */
export const LITERAL_FIELDS: Readonly<Record<Action, readonly LiteralField[]>> = {
  script: [
    { path: ['command', 0], why: 'the program is never rendered: values may fill the arguments after it' },
    { path: ['shell'], why: 'shell text is never rendered: pass values as env (env:) or positional args (args:, $1, $2, …)' },
    { path: ['cwd'], why: 'the folder a script runs in is never rendered: a relative program would run from it' },
  ],
  agent: [
    { path: ['base_url'], why: SECRET_ROUTE },
    { path: ['api_key_env'], why: SECRET_ROUTE },
    {
      path: ['provider'],
      why: 'where a prompt is sent (an endpoint, or the worker’s own model) comes from the definition text or the worker, never from a run: write it literally',
    },
  ],
  deliver: [{ path: ['secret_env'], why: SECRET_ROUTE }],
  http: [
    { path: ['secret_env'], why: SECRET_ROUTE },
    { path: ['secret_header'], why: SECRET_ROUTE },
  ],
  noop: [],
  // A wait's `with` is never rendered: checks.ts refuses a template anywhere in it.
  wait: [],
  graph: [
    { path: ['file'], why: 'the definition a graph task runs is resolved when the definition is loaded: name it literally' },
    { path: ['name'], why: 'the definition a graph task runs is resolved when the definition is loaded: name it literally' },
  ],
};

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') current = Array.isArray(current) ? current[segment] : undefined;
    else current = isPlainObject(current) ? current[segment] : undefined;
  }
  return current;
}

/** A template in a literal-only field of a task's `with`: one problem each, at `base.with.…`. */
export function literalFieldProblems(action: Action, withValue: unknown, base: string): Problem[] {
  const fields = LITERAL_FIELDS[action].flatMap(({ path, why }) =>
    hasTemplates(valueAt(withValue, path)) ? [{ path: `${base}.${formatPath(['with', ...path])}`, message: why }] : [],
  );
  if (action === 'http' && isPlainObject(withValue)) {
    const url = withValue.url;
    if (hasTemplates(url) && (typeof url !== 'string' || fixedOrigin(url) === undefined))
      return [...fields, { path: `${base}.${formatPath(['with', 'url'])}`, message: ORIGIN_RULE }];
  }
  if (action !== 'deliver' || !isPlainObject(withValue)) return fields;
  const to = withValue.to;
  const targets = typeof to === 'string' ? [to] : Array.isArray(to) ? to : [];
  const routes = targets.flatMap((target, i) =>
    typeof target === 'string' && target.split(TARGET_SPLIT).some((one) => hasTemplates(one) && fixedRoute(one) === undefined)
      ? [{ path: `${base}.${formatPath(Array.isArray(to) ? ['with', 'to', i] : ['with', 'to'])}`, message: ROUTE_RULE }]
      : [],
  );
  return [...fields, ...routes];
}

const ROUTE_RULE =
  "a target's kind and a webhook's scheme and host are never rendered: write them literally (`webhook:https://host/`, `file:`, `telegram:`); values may fill what follows";

const ORIGIN_RULE =
  "a URL's scheme and host are never rendered: write them literally, ending in / ? or # before any template (`https://api.example.com/items/{{ input.id }}`)";

/**
 * The origin an http(s) URL fixes before its first `{{`: its scheme, host and port, which
 * must end in `/`, `?` or `#` before any template. Undefined when a template could still
 * choose them. For a URL without templates, its origin.
 */
export function fixedOrigin(url: string): string | undefined {
  const at = url.indexOf('{{');
  const origin = at < 0 ? url.trim() : /^https?:\/\/[^/?#{]+(?=[/?#])/i.exec(url.trimStart())?.[0];
  if (origin === undefined || !URL.canParse(origin)) return undefined;
  return new URL(origin).origin;
}

/**
 * The route a delivery target fixes before its first `{{`: its kind, and for a webhook its
 * origin, which must end in `/`, `?` or `#` before any template. Undefined when a template
 * could still choose either. For a target without templates, the route it names.
 */
export function fixedRoute(target: string): string | undefined {
  const at = target.indexOf('{{');
  const prefix = (at < 0 ? target : target.slice(0, at)).trimStart();
  const kind = /^([a-z][\w-]*):/i.exec(prefix);
  if (!kind?.[1]) return undefined;
  if (kind[1] !== 'webhook') return kind[1];
  const origin = fixedOrigin(target.trimStart().slice(kind[0].length));
  return origin === undefined ? undefined : `webhook:${origin}`;
}

/**
 * A deliver `with` whose templated `to` text is split into its targets first, so that each is
 * rendered on its own and a value holding `, webhook:…` cannot add a target. Anything else is
 * returned as it is.
 */
export function splitTargets(action: Action, withValue: unknown): unknown {
  if (action !== 'deliver' || !isPlainObject(withValue)) return withValue;
  const to = withValue.to;
  if (typeof to !== 'string' || !to.includes('{{')) return withValue;
  return { ...withValue, to: to.split(TARGET_SPLIT).map((target) => target.trim()) };
}

/**
 * `rendered` (a task's rendered `with`) with every literal-only field put back as `original`
 * wrote it. Returns `rendered` itself when no such field held a template.
 */
export function keepLiterals(action: Action, original: unknown, rendered: unknown): unknown {
  const fields = LITERAL_FIELDS[action].filter(({ path }) => hasTemplates(valueAt(original, path)));
  const targets = action === 'deliver' ? keptTargets(original, rendered) : undefined;
  const url = action === 'http' ? keptUrl(original, rendered) : undefined;
  if ((fields.length === 0 && targets === undefined && url === undefined) || !isPlainObject(rendered)) return rendered;
  const kept: Record<string, unknown> = { ...rendered };
  if (targets !== undefined) kept.to = targets;
  if (url !== undefined) kept.url = url;
  for (const { path } of fields) {
    const [head, index] = path;
    if (typeof head !== 'string') continue;
    if (index === undefined) kept[head] = valueAt(original, path);
    else {
      const current = kept[head];
      if (typeof index !== 'number' || !Array.isArray(current)) continue;
      const list: unknown[] = [...current];
      list[index] = valueAt(original, path);
      kept[head] = list;
    }
  }
  return kept;
}

/**
 * The rendered `to` list with every target put back as written where its template could
 * choose the route, or rendering changed the route its literal text fixed; undefined when
 * nothing needs keeping. (`original.to` is a list here: see {@link splitTargets}.)
 */
function keptTargets(original: unknown, rendered: unknown): unknown[] | undefined {
  const written = isPlainObject(original) ? original.to : undefined;
  const out = isPlainObject(rendered) ? rendered.to : undefined;
  if (!Array.isArray(written) || !Array.isArray(out) || !hasTemplates(written)) return undefined;
  let changed = false;
  const kept = out.map((value, i) => {
    const template = written[i];
    if (typeof template !== 'string' || !hasTemplates(template)) return value;
    const route = fixedRoute(template);
    if (route !== undefined && typeof value === 'string' && fixedRoute(value) === route) return value;
    changed = true;
    return template;
  });
  return changed ? kept : undefined;
}

/**
 * The http `url` as written when its template could choose the origin, or rendering changed
 * the origin its literal text fixed (the activity then refuses the braces in its host);
 * undefined when the rendered URL may go.
 */
function keptUrl(original: unknown, rendered: unknown): unknown {
  const written = isPlainObject(original) ? original.url : undefined;
  const out = isPlainObject(rendered) ? rendered.url : undefined;
  if (typeof written !== 'string' || !hasTemplates(written)) return undefined;
  const origin = fixedOrigin(written);
  if (origin !== undefined && typeof out === 'string' && URL.canParse(out) && new URL(out).origin === origin) return undefined;
  return written;
}
