/**
 * What every Switchyard process must agree on — the worker, the client, the workflow and the
 * dev-server manager: the task queue and the custom search attributes. Workflow-safe (it
 * imports only @temporalio/common), because the interpreter tags runs with these keys.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The one task queue every Switchyard worker polls and every client starts runs on. */
export const TASK_QUEUE = 'switchyard';

/**
 * Custom search attributes Switchyard registers on the server (SPEC §6), with their
 * Temporal types. The dev-server manager registers these at start.
 */
export const SEARCH_ATTRIBUTES = {
  SwitchyardGraph: 'Keyword',
  SwitchyardJob: 'Keyword',
} as const;

/** Typed keys of those attributes, for workflow code, the client and tests alike. */
export const GRAPH_KEY = defineSearchAttributeKey('SwitchyardGraph', SearchAttributeType.KEYWORD);
export const JOB_KEY = defineSearchAttributeKey('SwitchyardJob', SearchAttributeType.KEYWORD);
