/**
 * Paths name a place in a definition the way a reader writes it: `tasks.fetch.next[1].do[0]`.
 * Problems carry them as text; the YAML loader turns them back into segments to find a line.
 */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends one segment: `.key` for identifiers, `[3]` for indexes, `["odd key"]` otherwise. */
export function joinPath(path: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  if (IDENTIFIER.test(segment)) return path === '' ? segment : `${path}.${segment}`;
  return `${path}[${JSON.stringify(segment)}]`;
}

/** Formats a list of segments as a path. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.reduce<string>((path, segment) => joinPath(path, segment), '');
}

/** Parses a path written by {@link formatPath} back into segments. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const step = /\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let match: RegExpExecArray | null;
  while (step.lastIndex < path.length && (match = step.exec(path)) !== null) {
    const [, name, index, quoted] = match;
    if (name !== undefined) segments.push(name);
    else if (index !== undefined) segments.push(Number(index));
    else if (quoted !== undefined) segments.push(String(JSON.parse(quoted)));
  }
  return segments;
}
