/**
 * `events --transitions`: what the conductor decided, which the history does not show —
 * each transition taken (its `when`, what it published and scheduled) and each join
 * arrival. The client replays each run of the chain with the workflow code (Temporal's
 * replayer, no server calls but the history reads) and a sink that collects the trace the
 * interpreter emits while replaying (src/workflows/trace.ts). The workflow bundle is
 * SWITCHYARD_WORKFLOW_BUNDLE's when set, else built from source (a few seconds).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { TraceRecord } from '../conductor/index.js';
import type { RunEvent } from './events.js';

/** The trace of one run, as run events at the workflow time of the step that decided them. */
export async function traceEvents(client: Client, workflowId: string, runIds: readonly string[]): Promise<RunEvent[]> {
  const { Worker, bundleWorkflowCode } = await import('@temporalio/worker');
  const { WORKFLOWS_PATH } = await import('../worker.js');
  const path = process.env.SWITCHYARD_WORKFLOW_BUNDLE;
  const workflowBundle =
    path !== undefined && path !== '' && existsSync(path)
      ? { code: readFileSync(path, 'utf8') }
      : await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  const events: RunEvent[] = [];
  for (const runId of runIds) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    let sequence = 0;
    const sinks = {
      switchyardTrace: {
        record: {
          fn: (_info: unknown, at: number, records: TraceRecord[]) => {
            for (const record of records) events.push(toEvent(runId, at, record, sequence++));
          },
          callDuringReplay: true,
        },
      },
    };
    await Worker.runReplayHistory({ workflowBundle, sinks, replayName: 'switchyard-events' }, history, workflowId);
  }
  return events;
}

function toEvent(runId: string, at: number, record: TraceRecord, sequence: number): RunEvent {
  const base = { time: new Date(at).toISOString(), runId, eventId: -1 - sequence };
  if (record.kind === 'transition') {
    return {
      ...base,
      kind: 'transition',
      task: record.task,
      iteration: record.iteration,
      transition: { index: record.transition, when: record.when, publish: record.publish, do: record.do },
    };
  }
  return {
    ...base,
    kind: 'join.arrived',
    task: record.task,
    join: { source: record.source, round: record.round, fired: record.fired },
  };
}

/**
 * History events and trace events in one list, both in run-chain order: a trace event goes
 * after the history events of its run up to its time (the step that decided it ran after
 * what it reacted to), and before the next run starts.
 */
export function mergeEvents(history: readonly RunEvent[], trace: readonly RunEvent[]): RunEvent[] {
  const merged: RunEvent[] = [];
  let next = 0;
  const due = (event: RunEvent): boolean => {
    const traced = trace[next];
    if (traced === undefined) return false;
    if (traced.runId !== event.runId) return event.kind === 'run.started';
    return (traced.time ?? '') < (event.time ?? '');
  };
  for (const event of history) {
    while (due(event)) merged.push(trace[next++] as RunEvent);
    merged.push(event);
  }
  return [...merged, ...trace.slice(next)];
}

const noop = (): void => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
