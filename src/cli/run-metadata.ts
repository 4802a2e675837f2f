/**
 * What the Temporal Web UI shows about a run before it has done anything: the static summary
 * (one line: graph, trigger) and static details (Markdown: description, trigger, source
 * file, input), set when the run starts — by `run`, by a schedule's action, by `rerun`.
 * The run's live story is its current details, which the workflow keeps up to date
 * (conductor/details.ts).
 */
import type { Definition } from '../definition/index.js';
import { escapeMarkdown } from '../conductor/details.js';

/** The most characters of a static summary (one line in the UI's run list). */
const SUMMARY_CHARS = 200;
/** The most characters of the input shown in the static details; the UI's Input panel has all of it. */
const INPUT_CHARS = 4_000;

/** What started the run. */
export type Trigger =
  { kind: 'run' } | { kind: 'schedule'; schedule: string } | { kind: 'rerun'; of: string; from: readonly string[] };

/** The start options the Web UI reads. */
export interface RunMetadata {
  staticSummary: string;
  staticDetails: string;
}

/** `daily-briefing · schedule daily-briefing` — and the details below it. */
export function runMetadata(
  definition: Definition,
  input: Readonly<Record<string, unknown>>,
  source: string | undefined,
  trigger: Trigger,
): RunMetadata {
  const summary = `${definition.name} · ${triggerText(trigger)}`;
  const lines = [`**${escapeMarkdown(definition.name)}**`];
  if (definition.description !== undefined) lines.push('', escapeMarkdown(definition.description.trim()));
  lines.push('', `- **Started by:** ${escapeMarkdown(triggerText(trigger))}`);
  if (source !== undefined) lines.push(`- **Definition file:** ${codeSpan(source)}`);
  lines.push(`- **Tasks:** ${Object.keys(definition.tasks).length}`);
  const json = JSON.stringify(input, null, 2);
  const shown = json.length > INPUT_CHARS ? `${json.slice(0, INPUT_CHARS)}\n… (${json.length} characters in all)` : json;
  lines.push('', '**Input**', '', codeBlock(shown));
  return { staticSummary: oneLine(summary), staticDetails: lines.join('\n') };
}

function triggerText(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'run':
      return 'switchyard run';
    case 'schedule':
      return `schedule ${trigger.schedule}`;
    case 'rerun':
      return `rerun of ${trigger.of} from ${trigger.from.join(', ')}`;
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

/** Backticks one longer than the longest run of them in `text` (at least `least`): nothing inside can close them. */
function ticksAround(text: string, least: number): string {
  return '`'.repeat(Math.max(least, ...[...text.matchAll(/`+/g)].map((run) => run[0].length + 1)));
}

/** A fenced block no backtick run inside can close. */
function codeBlock(text: string): string {
  const fence = ticksAround(text, 3);
  return `${fence}json\n${text}\n${fence}`;
}

/** An inline code span no backtick run inside can close. */
function codeSpan(text: string): string {
  const ticks = ticksAround(text, 1);
  return `${ticks} ${text.replace(/\s+/g, ' ')} ${ticks}`;
}
