/**
 * `send ID EVENT [--data JSON]`: sends an event to a run's `action: wait` task (SPEC §3 rule
 * 17) as a Temporal Update named after the event, and says at once whether the run accepted
 * it — which task it ended — or why it refused it (no task waits for it, or the payload does
 * not fit the task's schema). A refused event is not stored in the run's history.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { EventAccepted } from '../workflows/events.js';
import { emit, withClient, type CommandGroup } from './context.js';
import { UsageError } from './errors.js';
import { existingRun } from './runs.js';

/** A refused event: exit 1, with the run's reason. */
export class EventRefusedError extends Error {}

/** Adds `send` to the program. */
export const addSendCommand: CommandGroup = (program, globals) => {
  program
    .command('send')
    .description('send an event to a run that waits for it (action: wait); says whether the run accepted it')
    .argument('<id>', 'workflow id')
    .argument('<event>', 'the event name the wait task names in with.event')
    .option('--data <json>', 'the payload as JSON (default null); checked against the wait task’s schema')
    .action(async (id: string, event: string, options: { data?: string }) => {
      const data = parseData(options.data);
      await withClient(globals(), async (client) => {
        const handle = await existingRun(client, id);
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING')
          throw new EventRefusedError(`run ${id} refused '${event}': it is ${status.name.toLowerCase()} and waits for nothing`);
        let accepted: EventAccepted;
        try {
          accepted = await handle.executeUpdate<EventAccepted, [unknown]>(event, { args: [data] });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new EventRefusedError(`run ${id} refused '${event}': ${err.cause?.message ?? err.message}`);
          throw err;
        }
        emit(
          globals(),
          { workflowId: id, ...accepted, accepted: true },
          () => `${id} accepted '${event}': it ends ${accepted.task} (iteration ${accepted.iteration})`,
        );
      });
    });
};

function parseData(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--data is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
