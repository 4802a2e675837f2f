/**
 * Subgraphs (`action: graph`, SPEC §3 rule 19): a task that runs another definition as a
 * child workflow of the interpreter — its own history, shown in the Web UI as this run's
 * child, its output the task's result.
 *
 * Parent-close policy REQUEST_CANCEL, chosen deliberately: if this run closes while the child
 * still runs (terminated, timed out), the child is asked to cancel — so its scripts are
 * stopped through the cancel that waits for them (issue 9) — rather than abandoned
 * (ABANDON would leave work no one waits for) or terminated (TERMINATE would leave its
 * processes running until their heartbeats time out). Cancelling the task's scope cancels
 * the child and waits until it has closed (WAIT_CANCELLATION_COMPLETED), like an activity.
 */
import { ChildWorkflowFailure, executeChild, ParentClosePolicy, ChildWorkflowCancellationType } from '@temporalio/workflow';
import type { ConductorEvent, StartChildCommand } from '../conductor/index.js';
import { failedEvent } from './outcomes.js';

/** The interpreter's workflow type; by name, as interpreter.ts imports this module. */
const INTERPRETER = 'interpretGraph';

/** Runs the child to its end and returns the event that reports it. */
export async function runChild(command: StartChildCommand): Promise<ConductorEvent> {
  try {
    const result = await executeChild<(args: unknown) => Promise<{ output: unknown }>>(INTERPRETER, {
      workflowId: command.workflowId,
      args: [{ definition: command.definition, input: command.input, source: command.source }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      staticSummary: `switchyard subgraph ${command.source} for task ${command.task}`,
    });
    return { kind: 'execution.completed', executionId: command.executionId, result: result.output, now: Date.now() };
  } catch (error) {
    // The child's own failure (its ApplicationFailure) is the cause a task's error shows.
    const cause = error instanceof ChildWorkflowFailure && error.cause !== undefined ? error.cause : error;
    return failedEvent(command.executionId, cause, {}, Date.now());
  }
}
