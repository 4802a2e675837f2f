/**
 * The control commands: `pause`, `resume` and `cancel` act on a run that exists (exit 4
 * otherwise). `pause` and `resume` are Temporal Updates, so they return once the run has
 * taken the request — or refused it (a run that has ended: exit 2). With no worker to take
 * it within UPDATE_WAIT_MS, the request goes as a signal instead, which Temporal keeps until
 * a worker runs the run. `cancel` returns once Temporal has the request.
 */
import { isGrpcDeadlineError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { pauseSignal, pauseUpdate, resumeSignal, resumeUpdate } from '../workflows/index.js';
import { emit, withClient, type CommandGroup } from './context.js';
import { UsageError } from './errors.js';
import { existingRun } from './runs.js';

/** How long `pause`/`resume` wait for a worker to take the update before sending a signal instead. */
export const UPDATE_WAIT_MS = 10_000;

/** Adds `pause`, `resume` and `cancel` to the program. */
export const addControlCommands: CommandGroup = (program, globals) => {
  for (const [update, signal, description] of [
    [pauseUpdate, pauseSignal, 'start no new task until resumed; running tasks finish'],
    [resumeUpdate, resumeSignal, 'let a paused run start tasks again'],
  ] as const) {
    const { name } = update;
    program
      .command(name)
      .description(description)
      .argument('<id>', 'workflow id')
      .action(async (id: string) =>
        withClient(globals(), async (client) => {
          const handle = await existingRun(client, id);
          try {
            const answer = await client.withDeadline(Date.now() + UPDATE_WAIT_MS, () => handle.executeUpdate(update));
            const state = answer.paused ? 'paused' : 'running';
            emit(globals(), { workflowId: id, update: name, ...answer }, () =>
              answer.changed ? `${name}d ${id}` : `${id} was already ${state}`,
            );
          } catch (error) {
            if (error instanceof WorkflowUpdateFailedError) throw new UsageError(`${name} refused by ${id}: ${causeText(error)}`);
            if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) && !isGrpcDeadlineError(error)) {
              const closed = closedText(error);
              if (closed !== undefined) throw new UsageError(`${name} refused: run ${id} ${closed}`);
              throw error;
            }
            // No worker took it: a signal waits in the run's history until one does.
            await handle.signal(signal);
            emit(
              globals(),
              { workflowId: id, signal: name, queued: true },
              () =>
                `${name} sent to ${id} as a signal: no worker took the update within ${UPDATE_WAIT_MS / 1000} s; it applies when a worker runs the run`,
            );
          }
        }),
      );
  }

  program
    .command('cancel')
    .description('cancel a run; its running activities are cancelled too')
    .argument('<id>', 'workflow id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        await (await existingRun(client, id)).cancel();
        emit(globals(), { workflowId: id, cancelled: true }, () => `cancellation requested for ${id}`);
      }),
    );
};

/** The validator's message (`cannot pause: the run is failing`). */
function causeText(error: WorkflowUpdateFailedError): string {
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** `has already ended` when Temporal refused the update because the run is closed. */
function closedText(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /already completed|workflow execution already|is closed|not running/i.test(message) ? 'has already ended' : undefined;
}
