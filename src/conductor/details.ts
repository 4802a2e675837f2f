/**
 * The run's live story for the Temporal Web UI (its "Current Details", served by the SDK's
 * `__temporal_workflow_metadata` query): a Markdown table of the tasks — status, iteration,
 * attempts, last error —, the open join barriers, what waits on a delay or for an event
 * (rule 17), and whether the run is paused. The graph drawn from the run's own state, inside Temporal's UI.
 *
 * Error text comes from scripts and APIs (untrusted, SPEC rule 15): it is cut to one short
 * line and every Markdown punctuation character is escaped, so it can never become a link,
 * an image (which the browser would fetch), HTML or a table cell break.
 */
import type { RunContext } from './context.js';
import type { RunState, TaskStatus } from './state.js';
import { openWaits } from './waits.js';

/** Rows of the task table before the rest are counted instead of listed (the UI is for people). */
export const DETAILS_TASK_ROWS = 40;
/** The most characters of a last error shown in a cell. */
const ERROR_CHARS = 120;

const MARK: Record<TaskStatus, string> = {
  not_run: '·',
  scheduled: '⏱',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  cancelled: '⊘',
};

/** Running first, then failed, scheduled, finished, and never-run last; definition order within each. */
const ORDER: Record<TaskStatus, number> = { running: 0, failed: 1, scheduled: 2, succeeded: 3, cancelled: 4, not_run: 5 };

/** The Markdown the Web UI shows for the run as it stands. */
export function detailsOf(context: RunContext, state: RunState): string {
  const { lifecycle, work } = state;
  const phase = lifecycle.paused && lifecycle.phase === 'running' ? 'paused' : lifecycle.phase;
  const lines: string[] = [];
  const generation = state.generation > 0 ? ` · continued ${state.generation}×` : '';
  lines.push(`**${escapeMarkdown(context.definition.name)}** · ${phase}${generation}`);
  if (lifecycle.paused) lines.push('', '⏸ **Paused**: no task starts until `switchyard resume` (running tasks finish).');

  // One pass into buckets, not a sort: this runs after every step, and a graph may have 10,000 tasks.
  const buckets: string[][] = [[], [], [], [], [], []];
  for (const name of context.graph.tasks) buckets[ORDER[state.tasks[name]?.status ?? 'not_run']]?.push(name);
  const names = buckets.flat();
  const shown = names.slice(0, DETAILS_TASK_ROWS).map((name) => ({ name, summary: state.tasks[name] }));
  lines.push('', '| task | status | iteration | attempts | last error |', '|---|---|---|---|---|');
  for (const { name, summary } of shown) {
    const status = summary?.status ?? 'not_run';
    const error = summary?.lastError === undefined ? '' : cell(summary.lastError);
    lines.push(
      `| ${escapeMarkdown(name)} | ${MARK[status]} ${status.replace('_', ' ')} | ${summary?.iterations ?? 0} | ${summary?.attempts ?? 0} | ${error} |`,
    );
  }
  const rest = names.length - shown.length;
  if (rest > 0) lines.push('', `… and ${rest} more task${rest === 1 ? '' : 's'} (\`switchyard status\` lists all).`);

  const barriers = Object.values(state.joins.barriers).flat();
  if (barriers.length > 0) {
    lines.push('', '**Open barriers**');
    for (const barrier of barriers) {
      const sources = context.graph.inboundSources[barrier.task] ?? [];
      const missing = sources.filter((source) => !barrier.arrived.includes(source));
      const arrived = barrier.arrived.length === 0 ? 'nothing yet' : barrier.arrived.map(escapeMarkdown).join(', ');
      const need = context.graph.joinRequirement[barrier.task] ?? sources.length;
      lines.push(
        `- ${escapeMarkdown(barrier.task)} (round ${barrier.round}): ${barrier.arrived.length} of ${need} arrived (${arrived})` +
          (missing.length > 0 && !barrier.fired ? `; waiting for ${missing.map(escapeMarkdown).join(', ')}` : ''),
      );
    }
  }
  const delayed = work.runs.filter((run) => run.stage === 'delayed');
  if (delayed.length > 0) {
    lines.push('', '**Waiting on a delay**');
    for (const run of delayed) {
      const timer = work.timers.find((candidate) => candidate.runId === run.id);
      const due = timer === undefined ? '' : ` until ${new Date(timer.dueAt).toISOString()}`;
      lines.push(`- ${escapeMarkdown(run.task)} #${run.iteration}${due}`);
    }
  }
  const waits = openWaits(state);
  if (waits.length > 0) {
    lines.push('', '**Waiting for events** (send one: `switchyard send ID EVENT --data JSON`, or Send Update)');
    for (const wait of waits) {
      const until = wait.timer === undefined ? '' : `, times out ${new Date(wait.timer.dueAt).toISOString()}`;
      lines.push(
        `- ${escapeMarkdown(wait.task)} #${wait.iteration}: \`${wait.event}\` since ${new Date(wait.since).toISOString()}${until}`,
      );
    }
  }
  if (lifecycle.failure !== undefined)
    lines.push('', `**Failure** (${lifecycle.failure.type}): ${cell(lifecycle.failure.message)}`);
  return lines.join('\n');
}

/** One line of untrusted text, short, with nothing Markdown would act on. */
function cell(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const short = line.length > ERROR_CHARS ? `${line.slice(0, ERROR_CHARS - 1)}…` : line;
  return escapeMarkdown(short);
}

/** Backslash-escapes every ASCII punctuation character (CommonMark: any of them may be escaped). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (character) => `\\${character}`);
}
