/**
 * The human output of the run commands (`status`, `list`, `result`): aligned tables and one
 * header line, from the same values `--json` prints. Pure functions; `now` is passed in.
 */
import type { Receipt } from '../activities/types.js';
import type { StateView, TaskSummary } from '../conductor/index.js';
import type { InterpretResult } from '../workflows/index.js';

/** A duration for people: `850ms`, `12.3s`, `4m05s`, `2h03m`, `3d04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3_600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${pad(Math.floor((s % 3_600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor((s % 86_400) / 3_600))}h`;
}

/** Rows as columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One line of an error message, cut to `width` characters. */
function oneLine(text: string | undefined, width = 60): string {
  if (text === undefined) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** The task table: name, status, iteration, attempts, duration (time in activities), last error. */
export function formatTasks(
  tasks: Readonly<Record<string, TaskSummary>>,
  receipts: readonly Receipt[],
  running: StateView['running'] = [],
): string {
  const spent = new Map<string, number>();
  for (const receipt of receipts) spent.set(receipt.task, (spent.get(receipt.task) ?? 0) + receipt.durationMs);
  const rows = Object.entries(tasks).map(([name, task]) => {
    const now = running.filter((execution) => execution.task === name);
    const iteration = now.length > 0 ? Math.max(...now.map((execution) => execution.iteration)) : task.iterations;
    const ms = spent.get(name);
    return [
      name,
      task.status,
      String(iteration),
      String(task.attempts),
      ms === undefined ? '—' : formatDuration(ms),
      oneLine(task.lastError),
    ];
  });
  if (rows.length === 0) return 'no tasks';
  return formatTable(['TASK', 'STATUS', 'ITERATION', 'ATTEMPTS', 'DURATION', 'LAST ERROR'], rows);
}

/** What `status` prints, in the shape of RunStatus (src/cli/runs.ts). */
export interface StatusLike extends ListRow {
  /** The run this one reruns (the memo `switchyardRerunOf`: `{ workflowId, runId, from }`). */
  rerunOf?: unknown;
  state: StateView | undefined | { unavailable: string } | { tooLarge: string };
}

/** The status header: id, graph, status, started, duration (or when a queued run is due). */
export function formatStatusHeader(status: StatusLike, now: number): string {
  const shown = status.queuedUntil === undefined ? status.status : 'QUEUED';
  const end = status.closeTime === undefined ? now : Date.parse(status.closeTime);
  const when =
    status.queuedUntil === undefined
      ? `duration ${formatDuration(end - Date.parse(status.startTime))}`
      : `due ${status.queuedUntil} (in ${formatDuration(Date.parse(status.queuedUntil) - now)})`;
  return `${status.workflowId}  graph ${status.graph ?? '—'}  ${shown}  started ${status.startTime}  ${when}`;
}

/** `status` for people: the header, then the state (task table, barriers, paused, failure) or why there is none. */
export function formatStatus(status: StatusLike, now: number): string {
  const { state } = status;
  // A too-large notice comes first, so it is not lost above a long answer.
  const notice = state !== undefined && 'tooLarge' in state && state.tooLarge !== undefined ? [state.tooLarge] : [];
  const lines = [...notice, formatStatusHeader(status, now)];
  const rerun = status.rerunOf as { workflowId?: unknown; from?: unknown } | undefined;
  if (rerun !== undefined && typeof rerun.workflowId === 'string')
    lines.push(`rerun of ${rerun.workflowId}${Array.isArray(rerun.from) ? ` from ${rerun.from.join(', ')}` : ''}`);
  if (state === undefined) return [...lines, 'no state yet'].join('\n');
  if ('unavailable' in state) return [...lines, state.unavailable].join('\n');
  if (!('tasks' in state)) return lines.join('\n');
  lines.push(`phase ${state.status}${state.paused ? ' · PAUSED (resume to start new tasks)' : ''}`);
  lines.push('', formatTasks(state.tasks, state.receipts, state.running));
  const open = state.barriers.filter((barrier) => !barrier.fired);
  if (open.length > 0) {
    lines.push('', 'open barriers:');
    for (const barrier of open)
      lines.push(
        `  ${barrier.task} (round ${barrier.round}): arrived ${barrier.arrived.join(', ') || '—'}; waiting for ${barrier.missing.join(', ') || '—'}`,
      );
  }
  // `waiting` is absent in answers of runs from before action: wait.
  const waiting = state.waiting ?? [];
  if (waiting.length > 0) {
    lines.push('', 'waiting for events (switchyard send ID EVENT --data JSON):');
    for (const wait of waiting)
      lines.push(
        `  ${wait.task} (iteration ${wait.iteration}): '${wait.event}' since ${wait.since}${wait.until === undefined ? '' : `, times out ${wait.until}`}`,
      );
  }
  if (state.scheduled.length > 0)
    lines.push('', `waiting to start: ${state.scheduled.map((run) => `${run.task} (${run.stage})`).join(', ')}`);
  if (state.failure !== undefined) lines.push('', `failed: ${state.failure.type}: ${state.failure.message}`);
  return lines.join('\n');
}

/** One `list` row, as `--json` prints it. */
export interface ListRow {
  workflowId: string;
  status: string;
  graph: string | undefined;
  startTime: string;
  closeTime: string | undefined;
  queuedUntil?: string;
}

/** `list` for people: a header row, then status, graph, id, start, duration (or due time). */
export function formatList(rows: readonly ListRow[], now: number): string {
  if (rows.length === 0) return 'no runs';
  return formatTable(
    ['STATUS', 'GRAPH', 'ID', 'START', 'DURATION'],
    rows.map((row) => [
      row.queuedUntil === undefined ? row.status : 'QUEUED',
      row.graph ?? '—',
      row.workflowId,
      row.startTime,
      row.queuedUntil === undefined
        ? formatDuration((row.closeTime === undefined ? now : Date.parse(row.closeTime)) - Date.parse(row.startTime))
        : `due ${row.queuedUntil}`,
    ]),
  );
}

/** `result` for people: the outcome, the task table, then the output as JSON. */
export function formatResult(result: InterpretResult): string {
  return [
    result.status,
    '',
    formatTasks(result.tasks, result.receipts),
    '',
    'output:',
    JSON.stringify(result.output, null, 2) ?? 'none',
  ].join('\n');
}

/** A run's page in the Temporal Web UI at `uiUrl`. */
export function uiLink(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The live progress line of `run --wait` on a terminal: tasks done/running/failed and the current tasks. */
export function formatProgress(state: StateView): string {
  const tasks = Object.values(state.tasks);
  const count = (status: TaskSummary['status']) => tasks.filter((task) => task.status === status).length;
  const waits = (state.waiting ?? []).map((wait) => `${wait.task} (waits for '${wait.event}')`);
  const current = [...new Set([...state.running.map((execution) => execution.task), ...waits])].join(', ') || '—';
  return [
    `${count('succeeded')}/${tasks.length} done`,
    `${state.running.length} running`,
    `${count('failed')} failed`,
    `${state.paused ? 'PAUSED · ' : ''}now: ${current}`,
  ].join(' · ');
}
