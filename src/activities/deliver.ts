import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { z } from 'zod';
import { defineActivity, type ActivityIO } from './common/activity.js';
import { durationSchema } from './common/duration.js';
import { TARGET_SPLIT } from '../definition/language.js';
import { retryable } from './common/failures.js';
import { deliverDiscord } from './deliver/discord.js';
import type { DeliveryJob, TargetDriver, TargetProgress } from './deliver/driver.js';
import { deliverFile } from './deliver/file.js';
import { deliveryIdFor } from './deliver/id.js';
import { deliverSlack } from './deliver/slack.js';
import { deliverTelegram } from './deliver/telegram.js';
import { deliverWebhook } from './deliver/webhook.js';
import type { DeliverResult, DeliveryTargetReport, TaskMeta } from './types.js';

/** Target kinds and how each address must look. */
const DRIVERS: Record<string, { driver: TargetDriver; address: (a: string) => string | undefined }> = {
  file: { driver: deliverFile, address: (a) => (a.trim() ? undefined : 'needs a folder, e.g. file:outbox') },
  webhook: {
    driver: deliverWebhook,
    address: (a) => (/^https?:\/\/[^\s]+$/.test(a) && URL.canParse(a) ? undefined : 'needs an http(s) URL'),
  },
  slack: { driver: deliverSlack, address: (a) => (/^[#\w.-]+$/.test(a) ? undefined : 'needs a channel name or id') },
  discord: { driver: deliverDiscord, address: (a) => (/^\d{5,25}$/.test(a) ? undefined : 'needs a numeric channel id') },
  telegram: {
    driver: deliverTelegram,
    address: (a) => (/^(-?\d+|@\w{4,})$/.test(a) ? undefined : 'needs a numeric chat id or @channelname'),
  },
};

/** One parsed target: `kind:address`, with `raw` as written. */
export interface DeliveryTarget {
  raw: string;
  kind: string;
  address: string;
}

const targetsSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((to) => [...new Set((typeof to === 'string' ? to.split(TARGET_SPLIT) : to).map((t) => t.trim()).filter(Boolean))])
  .transform((list, ctx): DeliveryTarget[] => {
    if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'no delivery target given' });
    return list.map((raw, i) => {
      const colon = raw.indexOf(':');
      const kind = colon > 0 ? raw.slice(0, colon) : '';
      const address = raw.slice(colon + 1);
      const spec = DRIVERS[kind];
      const problem = raw.includes('{{')
        ? `${JSON.stringify(raw)} holds a template the interpreter kept as written: a target's kind and a webhook's scheme and host are never rendered (SPEC rule 15)`
        : spec
          ? spec.address(address)
          : `unknown target kind in ${JSON.stringify(raw)} (use ${Object.keys(DRIVERS).join(':, ')}:)`;
      if (problem) ctx.addIssue({ code: 'custom', path: [i], message: spec ? `${kind}: ${problem}` : problem });
      return { raw, kind, address };
    });
  });

/** `with` of a deliver task. */
export const deliverInputSchema = z.strictObject({
  /** A target, a comma list of targets, or an array of them. */
  to: targetsSchema,
  /** Text to send; any other value is sent as its JSON text. */
  content: z.unknown().transform((v, ctx) => {
    const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v, null, 2);
    if (text.trim() === '') ctx.addIssue({ code: 'custom', message: 'content is missing or empty' });
    return text;
  }),
  title: z.string().optional(),
  /** Append a visible `— sy_…` id line to chat messages, for targets that cannot dedupe. */
  footer: z.boolean().default(false),
  secret_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .default('SWITCHYARD_WEBHOOK_SECRET'),
  /** Per-request deadline (default 30 s). */
  timeout: durationSchema.default(30_000),
});

/** Parsed `with` of a deliver task. */
export type DeliverInput = z.output<typeof deliverInputSchema>;

/** Heartbeat details of a delivery: parts done per target, read back by the next attempt. */
export interface DeliveryProgress {
  deliveryId: string;
  targets: Record<string, TargetProgress>;
}

/** What runDeliver needs besides the input. */
export interface DeliverContext extends ActivityIO {
  meta: TaskMeta;
  /** The previous attempt's last heartbeat details, if any. */
  previousHeartbeat?: unknown;
  /** Where tokens, secrets and API bases are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Reads usable progress from the previous attempt, ignoring anything for another delivery id. */
export function resumeProgress(previous: unknown, deliveryId: string): DeliveryProgress {
  const p = previous as Partial<DeliveryProgress> | undefined;
  const fresh: DeliveryProgress = { deliveryId, targets: {} };
  if (!p || p.deliveryId !== deliveryId || typeof p.targets !== 'object' || p.targets === null) return fresh;
  for (const [target, tp] of Object.entries(p.targets)) {
    if (typeof tp?.done === 'number' && Array.isArray(tp.details)) fresh.targets[target] = tp;
  }
  return fresh;
}

/**
 * Delivers to every target, heartbeating progress after each part. Targets are independent:
 * one failing does not stop the others, and a retry skips what earlier attempts delivered.
 */
export async function runDeliver(input: DeliverInput, ctx: DeliverContext): Promise<DeliverResult> {
  const deliveryId = deliveryIdFor(ctx.meta);
  const progress = resumeProgress(ctx.previousHeartbeat, deliveryId);
  const beat = () => ctx.heartbeat(structuredClone(progress));
  beat();
  const job: DeliveryJob = {
    deliveryId,
    meta: ctx.meta,
    content: input.content,
    ...(input.title !== undefined ? { title: input.title } : {}),
    footer: input.footer,
    secretEnv: input.secret_env,
    env: ctx.env ?? process.env,
    signal: ctx.signal,
    timeoutMs: input.timeout,
  };
  const reports: DeliveryTargetReport[] = [];
  const failures: { target: string; error: Error }[] = [];
  for (const target of input.to) {
    const tp = (progress.targets[target.raw] ??= { done: 0, details: [] });
    try {
      tp.outcome ??= await (DRIVERS[target.kind] as { driver: TargetDriver }).driver(target.address, job, tp, beat);
      beat();
      reports.push({
        target: target.raw,
        status: tp.outcome.status,
        parts: tp.outcome.parts,
        detail: tp.outcome.details.join(', '),
      });
    } catch (error) {
      if (error instanceof CancelledFailure || ctx.signal.aborted) throw error;
      failures.push({ target: target.raw, error: error as Error });
    }
  }
  if (failures.length > 0) throw combine(failures, reports);
  return { deliveryId, targets: reports };
}

/** One failure for the attempt: retryable if any target may succeed later, waiting the longest Retry-After. */
function combine(failures: { target: string; error: Error }[], delivered: DeliveryTargetReport[]): ApplicationFailure {
  const app = failures.map((f) =>
    f.error instanceof ApplicationFailure ? f.error : retryable('DeliveryFailed', f.error.message),
  );
  const nonRetryable = app.every((f) => f.nonRetryable);
  const delays = app.map((f) => f.nextRetryDelay).filter((d): d is number => typeof d === 'number');
  const done = delivered.length > 0 ? ` (already delivered: ${delivered.map((d) => d.target).join(', ')})` : '';
  const message = failures.map((f) => `${f.target}: ${f.error.message}`).join('; ') + done;
  return ApplicationFailure.create({
    message,
    type: (app.length === 1 ? app[0]?.type : undefined) ?? 'DeliveryFailed',
    nonRetryable,
    ...(delays.length > 0 && !nonRetryable ? { nextRetryDelay: Math.max(...delays) } : {}),
  });
}

/** The `deliver` activity. */
export const deliver = defineActivity(
  'deliver',
  deliverInputSchema,
  (input, ctx) => runDeliver(input, ctx),
  (meta) => ({ deliveryId: deliveryIdFor(meta) }),
);
