/**
 * Schedule requests from definition files with a `schedule:` block, for `schedule apply`.
 * Every file is read and checked before anything is asked of Temporal: one bad file means
 * no request at all, so that apply changes nothing.
 */
import { graphLoadOptions } from '../cli/graph-files.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadDefinitionText, type Problem } from '../definition/index.js';
import { optionsFromBlock, underPath, validateScheduleOptions } from './options.js';
import type { ScheduleRequest } from './spec.js';

/** One file's problems. */
export interface FileProblems {
  file: string;
  problems: Problem[];
}

/** What reading the files found. `requests` is empty whenever `failures` is not. */
export interface LoadedRequests {
  requests: ScheduleRequest[];
  failures: FileProblems[];
  /** Files without a `schedule:` block: valid definitions, nothing to schedule. */
  skipped: string[];
}

/** Reads and checks every file; a schedule's id defaults to its definition's name. */
export async function loadScheduleRequests(
  files: readonly string[],
  settings: { taskQueue?: string; now?: number } = {},
): Promise<LoadedRequests> {
  const requests: ScheduleRequest[] = [];
  const failures: FileProblems[] = [];
  const skipped: string[] = [];
  const owners = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : String(err);
      failures.push({ file, problems: [{ path: '', message: `cannot read file: ${code}` }] });
      continue;
    }
    const report = loadDefinitionText(text, file, graphLoadOptions(file));
    if (!report.ok) {
      failures.push({ file, problems: report.problems });
      continue;
    }
    const { definition } = report;
    const block = definition.schedule;
    if (block === undefined) {
      skipped.push(file);
      continue;
    }
    const options = optionsFromBlock(block);
    // The clock-dependent check (an `at` already past) is not part of the definition's validation.
    const late = validateScheduleOptions(options, { label: underPath('schedule'), now: settings.now ?? Date.now() });
    const id = block.id ?? definition.name;
    const owner = owners.get(id);
    if (owner !== undefined) late.push({ path: 'schedule.id', message: `schedule id '${id}' is also declared by ${owner}` });
    owners.set(id, file);
    if (late.length > 0) {
      failures.push({ file, problems: late });
      continue;
    }
    requests.push({
      id,
      definition,
      input: block.input ?? {},
      options,
      source: resolve(file),
      managedBy: 'apply',
      ...(settings.taskQueue === undefined ? {} : { taskQueue: settings.taskQueue }),
    });
  }
  return failures.length > 0 ? { requests: [], failures, skipped } : { requests, failures, skipped };
}
