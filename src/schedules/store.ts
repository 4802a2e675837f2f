/**
 * Schedules in Temporal, read and written: plan what bringing a set of requests about would
 * change (create, update or nothing, with the reasons), carry a plan out, and find the
 * schedules `apply` manages whose definition file is gone. Comparison is by the digest each
 * schedule's action memo carries (spec.ts), checked against what the server describes for
 * the fields an out-of-band edit could change.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { formatDuration, parseDuration } from '../definition/duration.js';
import { interpretGraph } from '../workflows/index.js';
import { SCHEDULE_DEFAULTS } from './options.js';
import { MEMO, scheduleDigest, temporalSchedule, type DigestPart, type ScheduleDigest, type ScheduleRequest } from './spec.js';

/** What bringing one request about takes. */
export interface PlanEntry {
  id: string;
  action: 'create' | 'update' | 'unchanged';
  reasons: string[];
}

/** A schedule `apply` manages that no request names any more, and why it counts as gone. */
export interface Orphan {
  id: string;
  source: string | undefined;
  reason: string;
}

const PART_CHANGED: Record<DigestPart, string> = {
  spec: 'when it fires changed (cron, every, at, timezone or jitter)',
  action: 'what it runs changed (definition, input, task queue or memo)',
  policies: 'overlap or catch-up window changed',
  state: 'paused, note or runs changed',
};

/** The schedule's description, or undefined when there is none. */
export async function describeSchedule(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** A memo value of the schedule's action (the memo every fired run gets). */
export function actionMemo(description: ScheduleDescription, key: string): unknown {
  return description.action.memo?.[key];
}

/** Why `existing` is not what `request` asks for; empty when it is. */
export function differences(request: ScheduleRequest, existing: ScheduleDescription): string[] {
  const desired = temporalSchedule(request);
  const reasons: string[] = [];
  const stored = actionMemo(existing, MEMO.digest) as Partial<ScheduleDigest> | undefined;
  if (stored === undefined || typeof stored !== 'object') {
    reasons.push('made outside Switchyard (no digest in its memo)');
  } else {
    const digest = scheduleDigest(request);
    for (const part of Object.keys(digest) as DigestPart[]) {
      if (stored[part] !== digest[part]) reasons.push(PART_CHANGED[part]);
    }
  }
  if (actionMemo(existing, MEMO.managedBy) !== desired.action.memo?.[MEMO.managedBy]) {
    reasons.push(
      `managed by ${String(actionMemo(existing, MEMO.managedBy) ?? 'nobody')}, to be managed by ${String(request.managedBy ?? 'cli')}`,
    );
  }
  // Edits made around Switchyard (`temporal schedule update`) leave the digest as it was.
  const drift: [string, unknown, unknown][] = [
    ['workflow type', existing.action.workflowType, interpretGraph.name],
    ['task queue', existing.action.taskQueue, desired.action.taskQueue],
    ['workflow id prefix', existing.action.workflowId, desired.action.workflowId],
    ['overlap policy', existing.policies.overlap, desired.policies?.overlap],
    [
      'catch-up window',
      duration(existing.policies.catchupWindow),
      duration(parseDuration(request.options.catchup ?? SCHEDULE_DEFAULTS.catchup)),
    ],
    ['time zone', existing.spec.timezone || 'UTC', desired.spec.timezone ?? 'UTC'],
    [
      'jitter',
      duration(existing.spec.jitter),
      duration(request.options.jitter === undefined ? 0 : parseDuration(request.options.jitter)),
    ],
  ];
  for (const [what, actual, wanted] of drift) {
    if (actual !== wanted) reasons.push(`${what} is ${String(actual)} on the server, ${String(wanted)} wanted`);
  }
  return [...new Set(reasons)];
}

/** Milliseconds as duration text (`1h`), for reasons a person reads; none is `0s`. */
function duration(ms: number | undefined): string {
  return formatDuration(ms ?? 0);
}

/** What bringing `requests` about would do, one entry per request, in order. Changes nothing. */
export async function planSchedules(client: Client, requests: readonly ScheduleRequest[]): Promise<PlanEntry[]> {
  const plan: PlanEntry[] = [];
  for (const request of requests) {
    const existing = await describeSchedule(client, request.id);
    if (existing === undefined) {
      plan.push({ id: request.id, action: 'create', reasons: ['no schedule with this id'] });
      continue;
    }
    const reasons = differences(request, existing);
    plan.push({ id: request.id, action: reasons.length === 0 ? 'unchanged' : 'update', reasons });
  }
  return plan;
}

/**
 * Creates or updates schedules so that they match `requests`: by `plan` when given (from
 * {@link planSchedules}), else by a fresh one. Returns the plan it carried out.
 */
export async function applySchedules(
  client: Client,
  requests: readonly ScheduleRequest[],
  plan?: readonly PlanEntry[],
): Promise<PlanEntry[]> {
  const steps = plan ?? (await planSchedules(client, requests));
  for (const step of steps) {
    const request = requests.find((candidate) => candidate.id === step.id);
    if (request === undefined) throw new Error(`plan names schedule ${step.id}, which no request asks for`);
    if (step.action === 'create') await client.schedule.create(temporalSchedule(request));
    if (step.action === 'update') await updateSchedule(client, request);
  }
  return [...steps];
}

/** Replaces a schedule's spec, action, policies and state with the request's. */
export async function updateSchedule(client: Client, request: ScheduleRequest): Promise<void> {
  const { spec, action, policies, state = {} } = temporalSchedule(request);
  await client.schedule.getHandle(request.id).update(() => ({ spec, action, policies, state }));
}

/**
 * The schedules `apply` manages (action memo `switchyard.managedBy` = `apply`) that no
 * request names, whose file is gone or is one of `files` (it no longer declares them).
 */
export async function findOrphans(
  client: Client,
  requests: readonly ScheduleRequest[],
  files: readonly string[],
): Promise<Orphan[]> {
  const wanted = new Set(requests.map((request) => request.id));
  const given = new Set(files.map((file) => resolve(file)));
  const orphans: Orphan[] = [];
  for await (const summary of client.schedule.list()) {
    if (wanted.has(summary.scheduleId) || summary.action?.workflowType !== interpretGraph.name) continue;
    const existing = await describeSchedule(client, summary.scheduleId);
    if (existing === undefined || actionMemo(existing, MEMO.managedBy) !== 'apply') continue;
    const source = actionMemo(existing, MEMO.source);
    const file = typeof source === 'string' ? source : undefined;
    if (file === undefined || !existsSync(file)) {
      orphans.push({ id: summary.scheduleId, source: file, reason: `its file ${file ?? '(unknown)'} is gone` });
    } else if (given.has(file)) {
      orphans.push({ id: summary.scheduleId, source: file, reason: `${file} no longer declares it` });
    }
  }
  return orphans;
}
