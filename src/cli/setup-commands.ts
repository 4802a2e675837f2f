/**
 * `switchyard setup`: prepares a Temporal server for Switchyard — the namespace (created
 * when missing, if the caller may) and the search attributes — on whatever server the
 * standard TEMPORAL_* settings name. Idempotent; the work is in src/temporal/setup.ts.
 */
import { parseDuration } from '../definition/index.js';
import { resolveConnectTarget } from '../temporal/connection.js';
import { setupServer, type SetupReport } from '../temporal/setup.js';
import { emit, withClient, type CommandGroup } from './context.js';
import { UsageError } from './errors.js';

/** The human account of a report: one line per thing, and whether anything changed. */
function describeReport(report: SetupReport): string {
  const lines = [
    `namespace ${report.namespace.name}: ${report.namespace.status === 'created' ? 'created' : 'already exists'}`,
    ...report.searchAttributes.map(
      (a) => `search attribute ${a.name} (${a.type}): ${a.status === 'added' ? 'registered' : 'already exists'}`,
    ),
  ];
  lines.push(report.changed ? 'setup done' : 'everything already exists; nothing changed');
  return lines.join('\n');
}

/** Adds `setup` to the program. */
export const addSetupCommands: CommandGroup = (program, globals) => {
  program
    .command('setup')
    .description('create the namespace if it is missing and register the search attributes (idempotent)')
    .option('--retention <duration>', 'retention of closed runs, for a namespace setup creates', '3d')
    .addHelpText(
      'after',
      '\nConnects like every command (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE).\n' +
        'On Temporal Cloud, namespaces are created in the Cloud UI or with tcld; setup then checks and registers the attributes.',
    )
    .action(async (opts: { retention: string }) => {
      let retentionMs: number;
      try {
        retentionMs = parseDuration(opts.retention);
      } catch (err) {
        throw new UsageError(`--retention: ${err instanceof Error ? err.message : String(err)}`);
      }
      const options = globals();
      const target = resolveConnectTarget({ address: options.address, namespace: options.namespace });
      await withClient(options, async (client) => {
        const report = await setupServer(client.connection, {
          address: target.address,
          namespace: target.namespace,
          retentionMs,
        });
        emit(options, report, () => describeReport(report));
      });
    });
};
