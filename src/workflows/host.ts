/**
 * The thin shell around the conductor: carries out its commands with Temporal primitives
 * and turns what comes back into events, in the order the history delivers them.
 * One CancellationScope per activity and per timer, so fail-fast can cancel exactly those
 * (a cancelled activity is told through its heartbeat, and the worker kills its process).
 */
import { CancellationScope, isCancellation, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ConductorEvent, StartExecutionCommand, StartTimerCommand } from '../conductor/index.js';
import { activityOptions, type Activities } from './activity-options.js';
import { completedEvent, failedEvent } from './outcomes.js';

/** Runs activities and timers for the conductor and queues the events they produce. */
export class Host {
  /** Events waiting for the conductor, oldest first. */
  readonly inbox: ConductorEvent[] = [];
  private readonly scopes = new Map<string, CancellationScope>();

  /** Queues an event (signals use this too). */
  push(event: ConductorEvent): void {
    this.inbox.push(event);
  }

  /** Schedules one activity in its own cancellation scope. */
  startExecution(command: StartExecutionCommand): void {
    const options = activityOptions(command);
    const activity = proxyActivities<Activities>(options)[command.action];
    const info = workflowInfo();
    const meta = { workflowId: info.workflowId, runId: info.runId, task: command.task, iteration: command.iteration };
    const input = { meta: command.index === undefined ? meta : { ...meta, index: command.index }, with: command.with };
    const scope = new CancellationScope();
    this.scopes.set(command.executionId, scope);
    scope
      .run(() => activity(input))
      .then(
        (outcome) => this.push(completedEvent(command.executionId, outcome, Date.now())),
        (error: unknown) => this.push(failedEvent(command.executionId, error, options.retry ?? {}, Date.now())),
      )
      .finally(() => this.scopes.delete(command.executionId));
  }

  /** Starts a durable timer in its own cancellation scope; a cancelled timer reports nothing. */
  startTimer(command: StartTimerCommand): void {
    const scope = new CancellationScope();
    this.scopes.set(command.timerId, scope);
    scope
      .run(() => sleep(command.ms, { summary: `switchyard timer ${command.timerId}` }))
      .then(
        () => this.push({ kind: 'timer.fired', timerId: command.timerId, now: Date.now() }),
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      )
      .finally(() => this.scopes.delete(command.timerId));
  }

  /** Cancels activities and timers by id; ids already finished are ignored. */
  cancel(ids: readonly string[]): void {
    for (const id of ids) this.scopes.get(id)?.cancel();
  }
}
