/**
 * The control commands: `pause`, `resume` and `cancel` act on a run that exists (exit 4
 * otherwise) and return once Temporal has the request, not when the run has acted on it.
 */
import { pauseSignal, resumeSignal } from '../workflows/index.js';
import { emit, withClient, type CommandGroup } from './context.js';
import { existingRun } from './runs.js';

/** Adds `pause`, `resume` and `cancel` to the program. */
export const addControlCommands: CommandGroup = (program, globals) => {
  for (const [signal, description] of [
    [pauseSignal, 'start no new task until resumed; running tasks finish'],
    [resumeSignal, 'let a paused run start tasks again'],
  ] as const) {
    // Each command is named after the signal it sends.
    const { name } = signal;
    program
      .command(name)
      .description(description)
      .argument('<id>', 'workflow id')
      .action(async (id: string) =>
        withClient(globals(), async (client) => {
          await (await existingRun(client, id)).signal(signal);
          emit(globals(), { workflowId: id, signal: name }, () => `${name}d ${id}`);
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
