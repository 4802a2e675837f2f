/**
 * `events`: a run's transitions read from its Temporal history — task attempts (scheduled,
 * started with its attempt and the previous attempt's error, succeeded, failed, timed out,
 * cancelled), timers, pause/resume signals and updates, continue-as-new and how the run closed — one
 * readable line or JSON object each, across the run's continue-as-new chain. With `follow`
 * it long-polls the history (waitNewEvent) until the run closes.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { ActivityInput, Receipt } from '../activities/types.js';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
type Failure = proto.temporal.api.failure.v1.IFailure;
const { EventType } = proto.temporal.api.enums.v1;

/** One transition of a run, as `events --json` prints it (one object a line). */
export interface RunEvent {
  time: string | undefined;
  runId: string;
  eventId: number;
  kind:
    | 'run.started'
    | 'task.scheduled'
    | 'task.started'
    | 'task.succeeded'
    | 'task.failed'
    | 'task.timedout'
    | 'task.cancelled'
    | 'timer.started'
    | 'timer.fired'
    | 'timer.cancelled'
    | 'signal'
    | 'update'
    | 'transition'
    | 'join.arrived'
    | 'run.continued'
    | 'run.completed'
    | 'run.failed'
    | 'run.cancelled'
    | 'run.terminated'
    | 'run.timedout';
  task?: string;
  iteration?: number;
  index?: number;
  attempt?: number;
  error?: string;
  /** The previous attempt's error, on a retried task's start. */
  retryOf?: string;
  /** The previous attempt's receipt (from its failure's details), on a retried task's start. */
  retryReceipt?: Receipt;
  timer?: string;
  signal?: string;
  /** An accepted update's name (pause, resume); a rejected one leaves no event. */
  update?: string;
  newRunId?: string;
  /** A transition taken (`--transitions`): its index in `next`, its `when`, what it published and scheduled. */
  transition?: { index: number; when: string; publish: string[]; do: string[] };
  /** A join arrival (`--transitions`): who arrived, in which round, and whether it fired the join. */
  join?: { source: string; round: number; fired: boolean };
}

interface TaskRef {
  task: string;
  iteration: number;
  index?: number;
}

/** Maps history events to run events; keeps the scheduled activities and timers of the run it reads. */
export class EventMapper {
  private readonly activities = new Map<string, TaskRef>();
  private readonly timers = new Map<string, string>();

  constructor(private readonly client: Client) {}

  /** The run event of one history event of run `runId`, or undefined for the bookkeeping ones (workflow tasks, markers…). */
  map(runId: string, event: HistoryEvent): RunEvent | undefined {
    const base = { time: timeOf(event), runId, eventId: Number(event.eventId ?? 0) };
    const ref = (scheduledEventId: unknown): TaskRef =>
      this.activities.get(String(scheduledEventId)) ?? { task: '?', iteration: 0 };
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        return { ...base, kind: 'run.started' };
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const payload = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
        const input = payload
          ? this.client.options.loadedDataConverter.payloadConverter.fromPayload<ActivityInput>(payload)
          : undefined;
        const task: TaskRef = {
          task: input?.meta.task ?? event.activityTaskScheduledEventAttributes?.activityId ?? '?',
          iteration: input?.meta.iteration ?? 0,
          ...(input?.meta.index === undefined ? {} : { index: input.meta.index }),
        };
        this.activities.set(String(event.eventId), task);
        return { ...base, kind: 'task.scheduled', ...task };
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const attributes = event.activityTaskStartedEventAttributes;
        const retryOf = attributes?.lastFailure ? failureText(attributes.lastFailure) : undefined;
        const detail = attributes?.lastFailure?.applicationFailureInfo?.details?.payloads?.[0];
        const retryReceipt = detail
          ? this.client.options.loadedDataConverter.payloadConverter.fromPayload<Receipt>(detail)
          : undefined;
        return {
          ...base,
          kind: 'task.started',
          ...ref(attributes?.scheduledEventId),
          attempt: attributes?.attempt ?? 1,
          ...(retryOf === undefined ? {} : { retryOf }),
          ...(retryReceipt === undefined ? {} : { retryReceipt }),
        };
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        return { ...base, kind: 'task.succeeded', ...ref(event.activityTaskCompletedEventAttributes?.scheduledEventId) };
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
        const attributes = event.activityTaskFailedEventAttributes;
        return { ...base, kind: 'task.failed', ...ref(attributes?.scheduledEventId), error: failureText(attributes?.failure) };
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const attributes = event.activityTaskTimedOutEventAttributes;
        return { ...base, kind: 'task.timedout', ...ref(attributes?.scheduledEventId), error: failureText(attributes?.failure) };
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        return { ...base, kind: 'task.cancelled', ...ref(event.activityTaskCanceledEventAttributes?.scheduledEventId) };
      case EventType.EVENT_TYPE_TIMER_STARTED: {
        const id = event.timerStartedEventAttributes?.timerId ?? '?';
        const summary = summaryOf(this.client, event) ?? `timer ${id}`;
        this.timers.set(id, summary);
        return { ...base, kind: 'timer.started', timer: summary };
      }
      case EventType.EVENT_TYPE_TIMER_FIRED: {
        const id = event.timerFiredEventAttributes?.timerId ?? '?';
        return { ...base, kind: 'timer.fired', timer: this.timers.get(id) ?? `timer ${id}` };
      }
      case EventType.EVENT_TYPE_TIMER_CANCELED: {
        const id = event.timerCanceledEventAttributes?.timerId ?? '?';
        return { ...base, kind: 'timer.cancelled', timer: this.timers.get(id) ?? `timer ${id}` };
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        return { ...base, kind: 'signal', signal: event.workflowExecutionSignaledEventAttributes?.signalName ?? '?' };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        return {
          ...base,
          kind: 'update',
          update: event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? '?',
        };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        return {
          ...base,
          kind: 'run.continued',
          newRunId: event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? '',
        };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        return { ...base, kind: 'run.completed' };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        return { ...base, kind: 'run.failed', error: failureText(event.workflowExecutionFailedEventAttributes?.failure) };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        return { ...base, kind: 'run.cancelled' };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        return { ...base, kind: 'run.terminated', error: event.workflowExecutionTerminatedEventAttributes?.reason ?? '' };
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        return { ...base, kind: 'run.timedout' };
      default:
        return undefined;
    }
  }
}

function timeOf(event: HistoryEvent): string | undefined {
  const seconds = event.eventTime?.seconds;
  if (seconds === undefined || seconds === null) return undefined;
  return new Date(Number(seconds) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6)).toISOString();
}

function summaryOf(client: Client, event: HistoryEvent): string | undefined {
  const payload = event.userMetadata?.summary;
  if (!payload) return undefined;
  const value = client.options.loadedDataConverter.payloadConverter.fromPayload<unknown>(payload);
  return typeof value === 'string' ? value : undefined;
}

/** A failure and its causes on one line. */
function failureText(failure: Failure | null | undefined): string {
  const parts: string[] = [];
  for (let current = failure; current; current = current.cause) {
    const type = current.applicationFailureInfo?.type;
    parts.push(`${type ? `${type}: ` : ''}${current.message ?? ''}`.replace(/\s+/g, ' ').trim());
  }
  return parts.filter(Boolean).join(' ← ');
}

/** One readable line of a run event. */
export function eventLine(event: RunEvent): string {
  const who =
    event.task === undefined
      ? ''
      : ` ${event.task}${event.index === undefined ? '' : `[${event.index}]`}${(event.iteration ?? 0) > 1 ? ` #${event.iteration}` : ''}`;
  const detail = (() => {
    switch (event.kind) {
      case 'task.started':
        return ` attempt ${event.attempt}${event.retryOf === undefined ? '' : ` (retry after: ${event.retryOf})`}`;
      case 'task.failed':
      case 'task.timedout':
      case 'run.failed':
      case 'run.terminated':
        return event.error ? `: ${event.error}` : '';
      case 'timer.started':
      case 'timer.fired':
      case 'timer.cancelled':
        return ` ${event.timer}`;
      case 'signal':
        return ` ${event.signal}`;
      case 'update':
        return ` ${event.update}`;
      case 'transition': {
        const taken = event.transition;
        if (taken === undefined) return '';
        const publish = taken.publish.length === 0 ? '' : ` publish ${taken.publish.join(', ')};`;
        return ` next[${taken.index}] when ${taken.when}:${publish} do ${taken.do.length === 0 ? '(nothing)' : taken.do.join(', ')}`;
      }
      case 'join.arrived':
        return event.join === undefined
          ? ''
          : ` ← ${event.join.source} (round ${event.join.round}${event.join.fired ? ', fired' : ''})`;
      case 'run.continued':
        return ` as run ${event.newRunId}`;
      default:
        return '';
    }
  })();
  return `${event.time ?? ''}  ${event.kind.padEnd(15)}${who}${detail}`;
}

/**
 * The events of a run chain from `runId` on, in history order, handed to `emit` as they are
 * read. With `follow`, waits for new events and ends when the chain's last run closes.
 */
export async function readEvents(
  client: Client,
  workflowId: string,
  runId: string,
  follow: boolean,
  emit: (event: RunEvent) => void,
): Promise<void> {
  let current: string | undefined = runId;
  while (current !== undefined) {
    const mapper = new EventMapper(client);
    let next: string | undefined;
    let token: Uint8Array | undefined;
    let closed = false;
    for (;;) {
      const response = await client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, runId: current },
        ...(token === undefined ? {} : { nextPageToken: token }),
        waitNewEvent: follow,
      });
      for (const event of response.history?.events ?? []) {
        const mapped = mapper.map(current, event);
        if (mapped === undefined) continue;
        emit(mapped);
        if (mapped.kind === 'run.continued') next = mapped.newRunId;
        if (mapped.kind.startsWith('run.') && mapped.kind !== 'run.started') closed = true;
      }
      const more = response.nextPageToken;
      if (more === undefined || more === null || more.length === 0 || closed) break;
      token = more;
    }
    current = next;
  }
}
