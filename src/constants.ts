/**
 * What every Switchyard process must agree on — the worker, the client, the workflow and the
 * dev-server manager: the task queue and the custom search attributes. Workflow-safe (it
 * imports only @temporalio/common), because the interpreter tags runs with these keys.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The one task queue every Switchyard worker polls and every client starts runs on. */
export const TASK_QUEUE = 'switchyard';

/** The activity kinds, each with a task queue of its own so that caps per kind hold across workers (SPEC §6). */
export const ACTIVITY_KINDS = ['script', 'agent', 'deliver', 'http'] as const;

/** The task queue of one activity kind beside a run's queue: `switchyard-agent` for `switchyard`. */
export function kindTaskQueue(taskQueue: string, kind: (typeof ACTIVITY_KINDS)[number]): string {
  return `${taskQueue}-${kind}`;
}

/**
 * The custom search attributes (SPEC §6), each named and typed once. The typed keys below,
 * the dev server's `--search-attribute` flags and the registration on a server we did not
 * start (src/temporal/search-attributes.ts) are all read from this table.
 */
export const SEARCH_ATTRIBUTES = {
  /** The definition's name, set on every run: `switchyard list --graph`, the Web UI's filter. */
  graph: defineSearchAttributeKey('SwitchyardGraph', SearchAttributeType.KEYWORD),
  /** The job a run was started for, when it was started for one. */
  job: defineSearchAttributeKey('SwitchyardJob', SearchAttributeType.KEYWORD),
} as const;

/** Typed keys of those attributes, for workflow code, the client and tests alike. */
export const GRAPH_KEY = SEARCH_ATTRIBUTES.graph;
export const JOB_KEY = SEARCH_ATTRIBUTES.job;
