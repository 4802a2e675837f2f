/**
 * One writer per piece of run state (src/conductor/ARCHITECTURE.md): every assignment to a
 * slice of the state sits in the module that owns it. The types make slices readonly inside,
 * so an in-place change does not compile; this test catches the other half — a module
 * replacing a slice it does not own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CONDUCTOR = new URL('../../../src/conductor/', import.meta.url);

/** The owner module of each slice of RunState. */
const OWNERS: Record<string, string> = {
  lifecycle: 'lifecycle.ts',
  data: 'transitions.ts',
  work: 'runs.ts',
  joins: 'joins.ts',
  guards: 'guards.ts',
  tasks: 'summary.ts',
  receipts: 'receipts.ts',
  generation: 'conductor.ts',
  waits: 'waits.ts',
};

/** `state.work = …`, `turn.state.generation += 1`: a write to a slice, with the slice name. */
const WRITE = /\bstate\.(\w+)\s*(?:=(?!=)|\+=|-=|\+\+|--)/g;

function writesIn(file: string): string[] {
  const source = readFileSync(new URL(file, CONDUCTOR), 'utf8');
  return [...source.matchAll(WRITE)].map((match) => match[1] ?? '');
}

describe('run state ownership', () => {
  const files = readdirSync(CONDUCTOR).filter((file) => file.endsWith('.ts'));

  it('finds the writes it checks (the pattern matches how slices are written)', () => {
    expect(writesIn('runs.ts')).toContain('work');
    expect(writesIn('conductor.ts')).toContain('generation');
  });

  it.each(files)('%s writes only the slices it owns', (file) => {
    const foreign = writesIn(file).filter((slice) => OWNERS[slice] !== file);
    expect(foreign).toEqual([]);
  });

  it('every slice has an owner that writes it', () => {
    for (const [slice, owner] of Object.entries(OWNERS)) expect(writesIn(owner)).toContain(slice);
  });
});
