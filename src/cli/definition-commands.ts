/**
 * The definition commands, `validate` and `graph`: they read files and need no server. The
 * bodies return the text to print and the exit code, so that tests call them directly;
 * {@link addDefinitionCommands} wires them to commander.
 */
import { graphLoadOptions } from './graph-files.js';
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import {
  drawGraph,
  formatProblems,
  loadDefinitionText,
  type DiagramFormat,
  type Problem,
  type ValidationResult,
} from '../definition/index.js';
import type { CommandGroup } from './context.js';

/** What a command prints and how it exits (0 ok, 1 invalid). */
export interface CommandOutput {
  exitCode: 0 | 1;
  output: string;
}

/** One file's verdict, as `validate --json` prints it. */
export interface FileReport {
  file: string;
  ok: boolean;
  problems: Problem[];
}

async function loadFile(file: string): Promise<ValidationResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : error instanceof Error
            ? error.message
            : String(error);
    return { ok: false, problems: [{ path: '', message: `cannot read file: ${reason}` }], source: file };
  }
  return loadDefinitionText(text, file, graphLoadOptions(file));
}

/** Validates every file and reports every problem of every file; exit code 1 if any file has one. */
export async function validateFiles(files: string[], opts: { json: boolean }): Promise<CommandOutput> {
  const reports: FileReport[] = [];
  for (const file of files) {
    const result = await loadFile(file);
    reports.push({ file, ok: result.ok, problems: result.ok ? [] : result.problems });
  }
  const exitCode = reports.every((report) => report.ok) ? 0 : 1;
  if (opts.json) return { exitCode, output: JSON.stringify(reports, null, 2) };
  const output = reports
    .map((report) => {
      if (report.ok) return `${report.file}: ok`;
      const count = report.problems.length === 1 ? '1 problem' : `${report.problems.length} problems`;
      return `${report.file}: ${count}\n${indent(formatProblems(report.problems, report.file))}`;
    })
    .join('\n');
  return { exitCode, output };
}

/** Draws a definition file's graph; an invalid file prints its problems instead and exits 1. */
export async function renderGraph(file: string, format: DiagramFormat): Promise<CommandOutput> {
  const result = await loadFile(file);
  if (!result.ok) return { exitCode: 1, output: formatProblems(result.problems, file) };
  return { exitCode: 0, output: drawGraph(result, format) };
}

/** Adds `validate` and `graph` to the program. */
export const addDefinitionCommands: CommandGroup = (program, globals) => {
  program
    .command('validate')
    .description('check definition files; every problem is listed with its path and line')
    .argument('<files...>', 'YAML definition files')
    .action(async (files: string[]) => {
      const { exitCode, output } = await validateFiles(files, { json: Boolean(globals().json) });
      console.log(output);
      process.exitCode = exitCode;
    });

  program
    .command('graph')
    .description('draw a definition as Mermaid or DOT')
    .argument('<file>', 'YAML definition file')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'))
    .action(async (file: string, opts: { format: DiagramFormat }) => {
      const { exitCode, output } = await renderGraph(file, opts.format);
      console.log(output);
      process.exitCode = exitCode;
    });
};

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
