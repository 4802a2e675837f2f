/**
 * What the interpreter integration tests share: loading the YAML fixtures, starting
 * `interpretGraph` on the tier's real dev server, reading a run's real history back as an
 * activity/timer timeline, unpacking run failures, bounded polls and the OS's process list.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import {
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { loadDefinitionText } from '../../../src/definition/index.js';
import type { StateView } from '../../../src/conductor/index.js';
import {
  interpretGraph,
  stateQuery,
  type FailureReport,
  type InterpretInput,
  type InterpretResult,
} from '../../../src/workflows/index.js';
import { processesMatching } from '../harness.js';

export { processesMatching };

export const { EventType } = temporal.api.enums.v1;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const FIXTURES = new URL('../../fixtures/interpreter/', import.meta.url);

/** A definition from test/fixtures/interpreter/NAME.yaml, validated as the CLI would. */
export function fixture(name: string): Record<string, unknown> {
  return definitionFrom(readFileSync(new URL(`${name}.yaml`, FIXTURES), 'utf8'), `${name}.yaml`);
}

/** A definition from YAML text (tiny inline cases). */
export function definitionFrom(text: string, source = 'inline.yaml'): Record<string, unknown> {
  const loaded = loadDefinitionText(text, source);
  if (!loaded.ok) throw new Error(`${source} is invalid: ${JSON.stringify(loaded.problems)}`);
  return loaded.definition as unknown as Record<string, unknown>;
}

/** A workflow id no other test uses. */
export function uniqueWorkflowId(name: string): string {
  return `it-${name}-${randomUUID().slice(0, 8)}`;
}

/** A fresh temp directory for gate and counter files. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `sy-it-${name}-`));
}

/** A `sleep` argument no other process on the machine has: the marker `ps` looks for. */
export function sleepMarker(): string {
  return `30.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}1`;
}

/** Starts `interpretGraph` and returns its handle. */
export function startGraph(
  client: Client,
  taskQueue: string,
  workflowId: string,
  args: InterpretInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof interpretGraph>> {
  return client.workflow.start(interpretGraph, { taskQueue, workflowId, args: [args] });
}

/** Runs `interpretGraph` to its end and returns its result. */
export function executeGraph(
  client: Client,
  taskQueue: string,
  workflowId: string,
  args: InterpretInput,
): Promise<InterpretResult> {
  return client.workflow.execute(interpretGraph, { taskQueue, workflowId, args: [args] });
}

/** The ApplicationFailure a failed run ended with (asserts that it failed that way). */
export async function runFailure(result: Promise<unknown>): Promise<{ type: string; message: string; details: unknown[] }> {
  const error: unknown = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return { type: failure.type ?? '', message: failure.message, details: [...(failure.details ?? [])] };
}

/** `details[0]` of a failed run: the conductor's failure, the per-task summary, the receipts. */
export function reportOf(failure: { details: unknown[] }): FailureReport {
  return failure.details[0] as FailureReport;
}

/** Every event of a run (the latest run of `handle`'s id unless the handle names one). */
export async function historyOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

function decode(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

/** One line of a run's activity timeline, read from its real history. */
export interface ActivityEvent {
  /** Position in the history (event id). */
  eventId: number;
  kind: 'scheduled' | 'started' | 'completed' | 'failed' | 'timedOut' | 'cancelRequested' | 'canceled';
  /** The scheduling event's id, which ties every line of one activity together. */
  scheduledId: number;
  /** The activity summary the interpreter set: `task`, `task #2`, `task[3]`. */
  summary: string;
  activityType: string;
  /** The decoded activity input `{ meta, with }` (scheduled lines). */
  input?: { meta: { task: string; iteration: number; index?: number }; with: Record<string, unknown> };
  /** The attempt (started lines). */
  attempt?: number;
}

const ACTIVITY_KINDS = new Map<number, ActivityEvent['kind']>([
  [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 'scheduled'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 'started'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'completed'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, 'failed'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, 'timedOut'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, 'cancelRequested'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, 'canceled'],
]);

function scheduledIdOf(event: HistoryEvent): number {
  const id =
    event.activityTaskStartedEventAttributes?.scheduledEventId ??
    event.activityTaskCompletedEventAttributes?.scheduledEventId ??
    event.activityTaskFailedEventAttributes?.scheduledEventId ??
    event.activityTaskTimedOutEventAttributes?.scheduledEventId ??
    event.activityTaskCancelRequestedEventAttributes?.scheduledEventId ??
    event.activityTaskCanceledEventAttributes?.scheduledEventId ??
    event.eventId;
  return Number(id);
}

/** The activity events of a history, in history order, each labelled with its task summary. */
export function activityTimeline(events: readonly HistoryEvent[]): ActivityEvent[] {
  const summaries = new Map<number, { summary: string; activityType: string }>();
  const timeline: ActivityEvent[] = [];
  for (const event of events) {
    const kind = ACTIVITY_KINDS.get(event.eventType ?? 0);
    if (kind === undefined) continue;
    const eventId = Number(event.eventId);
    const scheduledId = scheduledIdOf(event);
    const line: ActivityEvent = { eventId, kind, scheduledId, summary: '', activityType: '' };
    if (kind === 'scheduled') {
      const attrs = event.activityTaskScheduledEventAttributes;
      const labels = {
        summary: String(decode(event.userMetadata?.summary) ?? ''),
        activityType: attrs?.activityType?.name ?? '',
      };
      summaries.set(eventId, labels);
      line.input = decode(attrs?.input?.payloads?.[0]) as ActivityEvent['input'];
    }
    if (kind === 'started') line.attempt = event.activityTaskStartedEventAttributes?.attempt ?? undefined;
    Object.assign(line, summaries.get(scheduledId));
    timeline.push(line);
  }
  return timeline;
}

/** Summaries of the activities with events of one kind, in history order. */
export function summariesOf(timeline: readonly ActivityEvent[], kind: ActivityEvent['kind']): string[] {
  return timeline.filter((line) => line.kind === kind).map((line) => line.summary);
}

/** The event id of the one event of `kind` for the activity with `summary`. */
export function eventIdOf(timeline: readonly ActivityEvent[], summary: string, kind: ActivityEvent['kind']): number {
  const lines = timeline.filter((line) => line.summary === summary && line.kind === kind);
  expect(lines, `${kind} events of ${summary}`).toHaveLength(1);
  return lines[0]?.eventId ?? -1;
}

/** The most activities out at once, replaying Scheduled (+1) and Completed/Failed/TimedOut/Canceled (-1). */
export function maxInFlight(timeline: readonly ActivityEvent[]): number {
  let current = 0;
  let max = 0;
  for (const line of timeline) {
    if (line.kind === 'scheduled') current += 1;
    else if (line.kind === 'completed' || line.kind === 'failed' || line.kind === 'timedOut' || line.kind === 'canceled')
      current -= 1;
    max = Math.max(max, current);
  }
  return max;
}

/** Event ids of every event of `type` (an EventType value), in history order. */
export function eventIds(events: readonly HistoryEvent[], type: number): number[] {
  return events.filter((event) => event.eventType === type).map((event) => Number(event.eventId));
}

/** The decoded input of the run (its WorkflowExecutionStarted event). */
export function startInput(events: readonly HistoryEvent[]): InterpretInput {
  const started = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  return decode(started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]) as InterpretInput;
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined; fails after `tries`. */
export async function pollFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  tries = 300,
  everyMs = 100,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`gave up waiting for ${what} after ${tries} polls`);
}

/** The `state` query's answer. */
export function stateOf(handle: WorkflowHandle): Promise<StateView | undefined> {
  return handle.query(stateQuery);
}

/** Waits (bounded) until no process mentions `needle`; returns what is left (empty when gone). */
export async function processesGone(needle: string, tries = 150): Promise<string[]> {
  for (let i = 0; i < tries; i++) {
    const left = processesMatching(needle);
    if (left.length === 0) return left;
    await sleep(100);
  }
  return processesMatching(needle);
}

/** Asserts the shape every receipt of a real `script` attempt has. */
export function expectScriptReceipt(receipt: unknown, fields: Record<string, unknown>): void {
  expect(receipt).toMatchObject({
    kind: 'script',
    workerIdentity: expect.stringMatching(/^switchyard-worker@.+:\d+$/),
    inputDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    outputDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    inputBytes: expect.any(Number),
    outputBytes: expect.any(Number),
    startedAt: expect.any(String),
    endedAt: expect.any(String),
    ...fields,
  });
}

/** The decoded input a run passed on when it continued-as-new, if it did. */
export function continuedInput(events: readonly HistoryEvent[]): InterpretInput | undefined {
  const continued = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  const payload = continued?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[0];
  return payload ? (decode(payload) as InterpretInput) : undefined;
}
