/**
 * Events sent to a run (SPEC §3 rule 17): one Temporal Update per event name an
 * `action: wait` task of the definition waits for, named after the event, so
 * `switchyard send ID approve --data '{…}'`, `temporal workflow update execute --name approve`
 * and the Web UI all reach it. The validator accepts an event only while a task waits for it
 * and its payload fits that task's schema; a rejected Update is told to the sender and never
 * enters the history. An accepted one goes to the conductor, which ends the oldest wait for it.
 */
import { ApplicationFailure, defineUpdate, setHandler } from '@temporalio/workflow';
import { openWaits, type ConductorEvent, type RunContext, type RunState, type Wait } from '../conductor/index.js';
import { payloadErrors, type Definition } from '../definition/core.js';

/** What an accepted event answers its sender: which task run it ends. */
export interface EventAccepted {
  event: string;
  task: string;
  iteration: number;
}

/** An accepted event not yet carried into a continued run's state: it travels in the continue-as-new input. */
export interface PendingEvent {
  event: string;
  data: unknown;
}

/** The error type of a refused event; the sender sees it. */
export const EVENT_REJECTED = 'EventRejected';

/** Every event name the definition's wait tasks wait for, in definition order. */
export function eventNames(definition: Definition): string[] {
  const names = Object.values(definition.tasks).flatMap((task) =>
    task.action === 'wait' && typeof task.with?.event === 'string' ? [task.with.event] : [],
  );
  return [...new Set(names)];
}

/**
 * The run's events desk: which waits are still open to an event, counting the events
 * accepted but not yet applied by the conductor (they are in the host's inbox, or in the
 * step under way), so two events sent at once never both claim the one wait.
 */
export class EventDesk {
  private readonly claimed = new Map<string, number>();

  constructor(
    private readonly view: () => { context: RunContext; state: RunState } | undefined,
    private readonly push: (event: ConductorEvent) => void,
  ) {}

  /** Registers one Update handler per event name; call once the definition is known. */
  listen(definition: Definition): void {
    for (const name of eventNames(definition)) {
      setHandler(defineUpdate<EventAccepted, [unknown]>(name), (data) => this.accept(name, data), {
        validator: (data) => {
          this.target(name, data);
        },
        description: `send the event '${name}' that an action: wait task of this run waits for`,
      });
    }
  }

  /** Accepted events replayed into a continued run (they were in the previous run's inbox). */
  resume(pending: readonly PendingEvent[] | undefined): void {
    for (const { event, data } of pending ?? []) this.enqueue(event, data);
  }

  /** The conductor applied an event: it is in the state now, no longer a claim. */
  applied(event: ConductorEvent): void {
    if (event.kind !== 'event.received') return;
    const count = this.claimed.get(event.event) ?? 0;
    if (count <= 1) this.claimed.delete(event.event);
    else this.claimed.set(event.event, count - 1);
  }

  private accept(name: string, data: unknown): EventAccepted {
    const wait = this.target(name, data);
    this.enqueue(name, data ?? null);
    return { event: name, task: wait.task, iteration: wait.iteration };
  }

  private enqueue(event: string, data: unknown): void {
    this.claimed.set(event, (this.claimed.get(event) ?? 0) + 1);
    this.push({ kind: 'event.received', event, data, now: Date.now() });
  }

  /** The wait an event would end; throws (rejecting the Update) if none would, or if the payload does not fit. */
  private target(name: string, data: unknown): Wait {
    const run = this.view();
    if (run === undefined) throw rejected(`the run has not started yet; send '${name}' again in a moment`);
    const open = openWaits(run.state).filter((wait) => wait.event === name);
    const wait = open[this.claimed.get(name) ?? 0];
    if (wait === undefined) {
      const waiting = [...new Set(openWaits(run.state).map((candidate) => candidate.event))];
      throw rejected(
        `no task of this run waits for '${name}' now` +
          (waiting.length === 0 ? ' (it waits for no event)' : ` (it waits for: ${waiting.join(', ')})`),
      );
    }
    const schema = run.context.tasks[wait.task]?.wait?.schema;
    if (schema !== undefined) {
      const errors = payloadErrors(schema, data === undefined ? null : data);
      if (errors.length > 0)
        throw rejected(`payload of '${name}' for task '${wait.task}' does not fit its schema: ${errors.join('; ')}`);
    }
    return wait;
  }

  /** Accepted events the conductor has not applied yet, for the continue-as-new input. */
  static pendingIn(inbox: readonly ConductorEvent[]): PendingEvent[] {
    return inbox.flatMap((event) => (event.kind === 'event.received' ? [{ event: event.event, data: event.data }] : []));
  }
}

function rejected(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: EVENT_REJECTED, message, nonRetryable: true });
}
