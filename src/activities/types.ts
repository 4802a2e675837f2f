/**
 * The contract between the interpreter workflow and the activities. Workflow code imports
 * only this file's *types* (and it has no runtime imports), so it stays deterministic.
 */

/** The activity kinds a task's `action` may name. */
export type ActionKind = 'script' | 'agent' | 'deliver' | 'http';

/** Who is running this attempt and for which task execution; sent by the workflow. */
export interface TaskMeta {
  workflowId: string;
  runId: string;
  /** Task name from the definition. */
  task: string;
  /** 1-based count of this task's executions in the run (cycles raise it). */
  iteration: number;
  /** Index of the fan-out item, when the task has `items`. */
  index?: number;
}

/** What the workflow sends to every activity: who it is for, and the rendered `with`. */
export interface ActivityInput {
  meta: TaskMeta;
  /** The task's `with` after template rendering; each activity parses it with its own zod schema. */
  with: unknown;
}

/** SPEC §4: every task attempt yields a receipt. */
export interface Receipt {
  task: string;
  iteration: number;
  index?: number;
  attempt: number;
  kind: ActionKind;
  /** ISO-8601 instants. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  outcome: 'succeeded' | 'failed' | 'cancelled';
  workerIdentity: string;
  /** sha256 hex of the canonical JSON of the input `with`, and its size in bytes. */
  inputDigest: string;
  inputBytes: number;
  /** sha256 hex of the canonical JSON of the result (or of the error), and its size in bytes. */
  outputDigest: string;
  outputBytes: number;
  /** Short error message when outcome is failed/cancelled. */
  error?: string;
  /** deliver only: the delivery id, so a duplicate on a target that cannot dedupe is recognisable. */
  deliveryId?: string;
}

/** What every activity returns on success. */
export interface ActivityOutcome<R = unknown> {
  result: R;
  receipt: Receipt;
}

/** Result of a `script` task (SPEC §4). Output streams are capped; the flags say when. */
export interface ScriptResult {
  exitCode: number | null;
  /** Signal that ended the process, when it did not exit on its own. */
  signal: string | null;
  /** UTF-8 head of stdout, at most `max_output_bytes`. */
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Bytes the process wrote, including the discarded ones. */
  stdoutBytes: number;
  stderrBytes: number;
  durationMs: number;
  /** Parsed stdout when `parse_json` was set (dropped, with `jsonDropped`, if it would not fit a payload). */
  json?: unknown;
  jsonDropped?: boolean;
  /** False iff the last non-empty stdout line is exactly the JSON `{"wakeAgent": false}`. */
  wakeAgent: boolean;
}

/** Token counts an OpenAI-compatible server reported. */
export interface AgentUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Result of an `agent` task (SPEC §4). */
export interface AgentResult {
  /** The assistant's reply, capped (see `truncated`). */
  text: string;
  truncated: boolean;
  model: string;
  finishReason: string | null;
  usage: AgentUsage | null;
  /** True iff the trimmed reply is exactly "[SILENT]": the agent chose not to speak. */
  silent: boolean;
}

/** How one target of a delivery went. */
export interface DeliveryTargetReport {
  target: string;
  /**
   * `duplicate-skipped`: the target already held this delivery id (file outbox);
   * `skipped`: a `home:` target named no channel on this worker (`detail` says why).
   */
  status: 'delivered' | 'duplicate-skipped' | 'skipped';
  /** Messages the content was split into for this target. */
  parts: number;
  /** Where it landed: file path, HTTP status, message ids. */
  detail: string;
}

/** Result of a `deliver` task (SPEC §4). */
export interface DeliverResult {
  /** Stable id from run id, task, iteration and index: the same on every retry. */
  deliveryId: string;
  targets: DeliveryTargetReport[];
}

/** Result of an `http` task. */
export interface HttpResult {
  status: number;
  /** Response headers by lower-case name (set-cookie left out). */
  headers: Record<string, string>;
  /** The body parsed, when its content type is JSON (`application/json`, `…+json`). */
  json?: unknown;
  /** The body as text, otherwise. */
  body?: string;
  /** Size of the body in bytes. */
  bytes: number;
  /** Same-origin redirects followed on the way. */
  redirects: number;
}
