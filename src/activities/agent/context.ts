/**
 * `context_from`: the newest output of other jobs, put above an agent's prompt, as the old
 * cron tick did (HERMES-CRON.md: "the newest output file of each is injected into the
 * prompt, truncated to 8000 characters"). A job's runs carry the search attribute
 * `SwitchyardJob`; its newest *completed* run's workflow output is its output. Reading it is
 * I/O, so it happens here, in the agent activity, through the worker's own Temporal client —
 * never in the workflow. The output is untrusted data: it becomes prompt text, nothing else.
 */
import type { Client } from '@temporalio/client';
import { JOB_KEY } from '../../constants.js';
import { retryable } from '../common/failures.js';
import { CONTEXT_MAX_CHARS, JOB_NAME } from '../inputs.js';

export { CONTEXT_MAX_CHARS, JOB_NAME };

/** How many of a job's newest completed runs are compared by close time. */
const RUNS_COMPARED = 20;

/** Reads a job's newest completed run output as text, or undefined when it has none. */
export type ReadNewestOutput = (job: string) => Promise<string | undefined>;

/** The text of a run's output: a string as it is, anything else as JSON, nothing as ''. */
function outputText(output: unknown): string {
  if (output === undefined || output === null) return '';
  return typeof output === 'string' ? output : JSON.stringify(output, null, 2);
}

/**
 * The newest completed run of `job` (by close time, among the newest runs visibility lists)
 * and its output text. Visibility is eventually consistent: a run that closed a moment ago
 * may not be listed yet, as a file being written was not yet seen by the tick.
 */
export async function readNewestOutput(client: Client, job: string): Promise<string | undefined> {
  if (!JOB_NAME.test(job)) throw new Error(`not a job name: ${JSON.stringify(job)}`);
  const query = `${JOB_KEY.name} = '${job}' AND ExecutionStatus = 'Completed'`;
  let newest: { workflowId: string; runId: string; closed: number } | undefined;
  try {
    let seen = 0;
    for await (const run of client.workflow.list({ query, pageSize: RUNS_COMPARED })) {
      const closed = run.closeTime?.getTime() ?? 0;
      if (!newest || closed > newest.closed) newest = { workflowId: run.workflowId, runId: run.runId, closed };
      if (++seen >= RUNS_COMPARED) break;
    }
    if (!newest) return undefined;
    const result: unknown = await client.workflow.getHandle(newest.workflowId, newest.runId, { followRuns: false }).result();
    return outputText((result as { output?: unknown } | undefined)?.output);
  } catch (err) {
    throw retryable('NetworkError', `context_from ${job}: cannot read its newest run: ${(err as Error).message}`);
  }
}

/**
 * The context blocks for `jobs`, to go above the prompt. Each job's block is put on top of
 * the ones before it, as the tick prepended them; an empty or missing output adds nothing.
 */
export async function contextBlocks(jobs: readonly string[], maxChars: number, read: ReadNewestOutput): Promise<string> {
  let blocks = '';
  for (const job of jobs) {
    let text = ((await read(job)) ?? '').trim();
    if (text === '') continue;
    if (text.length > maxChars) text = `${text.slice(0, maxChars)}\n\n[... output truncated ...]`;
    blocks =
      `## Output from job '${job}'\n` +
      'The following is the most recent output from a preceding cron job. Use it as context for your analysis.\n\n' +
      `\`\`\`\n${text}\n\`\`\`\n\n` +
      blocks;
  }
  return blocks;
}
