/**
 * The chaos run's verdict on duplicates (scripts/chaos/ledger.ts): a task whose script ran
 * twice is explained only by a kill between the two starts; any other duplicate is a bug
 * the chaos run must report. The ledger is a real file in the format the scripts write.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLedger } from '../../../scripts/chaos/ledger.js';

function ledger(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sy-chaos-ledger-')), 'ledger');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('countLedger', () => {
  const twice = ledger([
    'start run-1:step1 100 1000 7',
    'end run-1:step1 100 2000',
    'start run-1:step1 101 5000 8',
    'end run-1:step1 101 6000',
    'start run-1:step2 102 7000 8',
    'end run-1:step2 102 8000',
  ]);

  it('explains a second execution when a kill fell between the two starts', () => {
    expect(countLedger(twice, [3000n])).toEqual({ executions: 3, duplicates: 1, unexplained: [], unclosed: 0, ended: 3 });
  });

  it('reports a second execution with no kill between the starts', () => {
    expect(countLedger(twice, []).unexplained).toEqual(['run-1:step1']);
    // A kill before the first start or after the second explains nothing.
    expect(countLedger(twice, [500n, 9000n]).unexplained).toEqual(['run-1:step1']);
  });

  it('counts an execution killed with its worker as unclosed', () => {
    const killed = ledger(['start run-2:step1 200 1000 9', 'start run-2:step1 201 4000 10', 'end run-2:step1 201 5000']);
    expect(countLedger(killed, [2000n])).toMatchObject({ duplicates: 1, unexplained: [], unclosed: 1, ended: 1 });
  });

  it('reads a missing ledger as no executions', () => {
    expect(countLedger(join(tmpdir(), 'sy-no-such-ledger'), []).executions).toBe(0);
  });
});
