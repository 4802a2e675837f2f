/**
 * The thin shell around the conductor: carries out its commands with Temporal primitives
 * and turns what comes back into events, in the order the history delivers them.
 * One CancellationScope per activity and per timer, so fail-fast can cancel exactly those
 * (a cancelled activity is told through its heartbeat, and the worker kills its process).
 */
import { CancellationScope, condition, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { ConductorEvent, StartChildCommand, StartExecutionCommand, StartTimerCommand } from '../conductor/index.js';
import { runChild } from './children.js';
import { activityInput, activityOptions, type Activities } from './activity-options.js';
import { completedEvent, failedEvent } from './outcomes.js';

/** Runs activities and timers for the conductor and queues the events they produce. */
export class Host {
  /** Events waiting for the conductor, oldest first. */
  readonly inbox: ConductorEvent[] = [];
  private readonly scopes = new Map<string, CancellationScope>();
  /** Activities out that must not be cancelled (the dead-letter notification). */
  private shielded = 0;
  /** What a deferred start threw; the run's own loop rethrows it, so it fails the run, not the workflow task. */
  private fault: { error: unknown } | undefined;
  /** The run was cancelled and waits for its activities to report back. */
  private cancelled = false;

  /** Queues an event (signals use this too). */
  push(event: ConductorEvent): void {
    this.inbox.push(event);
  }

  /**
   * Waits until an event is queued. While a shielded activity is out, the wait itself is
   * shielded too: cancelling the workflow then neither abandons that activity nor the run's
   * own ending, which waits for it. After a cancel every wait is shielded (outliveCancel).
   */
  async nextEvent(): Promise<ConductorEvent> {
    const ready = (): boolean => this.inbox.length > 0 || this.fault !== undefined;
    if (this.shielded > 0 || this.cancelled) await CancellationScope.nonCancellable(() => condition(ready));
    else await condition(ready);
    if (this.fault !== undefined) throw this.fault.error;
    const event = this.inbox.shift();
    if (event === undefined) throw new Error('host: woke without an event');
    return event;
  }

  /** Schedules one activity in its own cancellation scope (or a non-cancellable one). */
  startExecution(command: StartExecutionCommand): void {
    if (command.cancellable !== false) {
      this.launch(command, new CancellationScope());
      return;
    }
    this.shielded += 1;
    // The SDK records a cancel request one promise turn after scope.cancel(); a shielded
    // activity (the dead-letter notification, which follows a fail-fast cancel) waits one
    // turn too, so its schedule follows those requests in history, as it always has: the
    // v1-fail-fast-notify history replays only in this order.
    void Promise.resolve().then(() => {
      try {
        this.launch(command, new CancellationScope({ cancellable: false }));
      } catch (error) {
        this.fault = { error };
      }
    });
  }

  private launch(command: StartExecutionCommand, scope: CancellationScope): void {
    const options = activityOptions(command, command.action);
    const activity = proxyActivities<Activities>(options)[command.action];
    const input = activityInput(command.task, command.iteration, command.index, command.with);
    this.scopes.set(command.executionId, scope);
    scope
      .run(() => activity(input))
      .then(
        (outcome) => this.push(completedEvent(command.executionId, outcome, Date.now())),
        (error: unknown) => this.push(failedEvent(command.executionId, error, options.retry ?? {}, Date.now())),
      )
      .finally(() => {
        this.scopes.delete(command.executionId);
        if (!scope.cancellable) this.shielded -= 1;
      });
  }

  /**
   * Starts a child workflow (`action: graph`) in its own cancellation scope: cancelling the
   * scope (fail-fast, a lost race, the run's own cancel) cancels the child, and the child
   * reports back once it has closed, like an activity.
   */
  startChild(command: StartChildCommand): void {
    const scope = new CancellationScope();
    this.scopes.set(command.executionId, scope);
    scope
      .run(() => runChild(command))
      .then(
        (event) => this.push(event),
        (error: unknown) => this.push(failedEvent(command.executionId, error, {}, Date.now())),
      )
      .finally(() => this.scopes.delete(command.executionId));
  }

  /** Starts a durable timer in its own cancellation scope; a cancelled timer reports nothing. */
  startTimer(command: StartTimerCommand): void {
    const scope = new CancellationScope();
    this.scopes.set(command.timerId, scope);
    scope
      .run(() => sleep(command.ms, { summary: command.summary }))
      .then(
        () => this.push({ kind: 'timer.fired', timerId: command.timerId, now: Date.now() }),
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      )
      .finally(() => this.scopes.delete(command.timerId));
  }

  /**
   * The run was cancelled: its activities were asked to stop with it (their scopes are the
   * root's children) and report back when they did; wait for those reports.
   */
  outliveCancel(): void {
    this.cancelled = true;
  }

  /** Cancels activities and timers by id; ids already finished are ignored. */
  cancel(ids: readonly string[]): void {
    for (const id of ids) this.scopes.get(id)?.cancel();
  }
}
