/** Problems found in a definition: each with the path it concerns and, from YAML, where it is written. */

/** One thing wrong with a definition. `line`/`column` are 1-based and set when loaded from YAML. */
export interface Problem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Thrown when a definition is used that has problems; carries all of them. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  readonly problems: Problem[];

  constructor(problems: Problem[], source?: string) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid definition${source === undefined ? '' : ` ${source}`} (${count}):\n${formatProblems(problems, source)}`);
    this.problems = problems;
  }
}

/** Human text, one problem a line: `file:line:col  path  message`. */
export function formatProblems(problems: readonly Problem[], source?: string): string {
  return problems
    .map((problem) => {
      const where = problem.line === undefined ? '' : `:${problem.line}:${problem.column ?? 1}`;
      const location = source === undefined ? where.replace(/^:/, 'line ') : `${source}${where}`;
      const parts = [location, problem.path === '' ? '(document)' : problem.path, problem.message];
      return parts.filter((part) => part !== '').join('  ');
    })
    .join('\n');
}

/** Drops exact duplicates, then sorts by position in the file; problems without one keep their order, last. */
export function orderProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (problem: Problem): [number, number] => [problem.line ?? Number.MAX_SAFE_INTEGER, problem.column ?? 0];
  return unique.sort((a, b) => {
    const [lineA, columnA] = rank(a);
    const [lineB, columnB] = rank(b);
    return lineA - lineB || columnA - columnB;
  });
}
