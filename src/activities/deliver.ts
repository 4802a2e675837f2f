import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { z } from 'zod';
import { defineActivity, type ActivityIO } from './common/activity.js';
import { countDeliveries } from './common/metrics.js';
import { nonRetryable, retryable } from './common/failures.js';
import { deliverDiscord } from './deliver/discord.js';
import type { DeliveryJob, TargetDriver, TargetProgress } from './deliver/driver.js';
import { deliverEmail } from './deliver/email.js';
import { deliverFile } from './deliver/file.js';
import { resolveHome } from './deliver/home.js';
import { deliveryIdFor } from './deliver/id.js';
import { deliverSlack } from './deliver/slack.js';
import { deliverTelegram } from './deliver/telegram.js';
import { deliverWebhook } from './deliver/webhook.js';
import { deliverInputSchema, type DeliveryTarget, type TargetKind } from './inputs.js';
import type { DeliverResult, DeliveryTargetReport, TaskMeta } from './types.js';

export { deliverInputSchema, type DeliveryTarget };

/** The driver of each target kind (inputs.ts says how each address must look). */
const DRIVERS: Readonly<Record<TargetKind, TargetDriver>> = {
  file: deliverFile,
  webhook: deliverWebhook,
  slack: deliverSlack,
  discord: deliverDiscord,
  telegram: deliverTelegram,
  email: deliverEmail,
  // Resolved to the targets it names before delivery (concreteTargets), never driven itself.
  home: () => Promise.reject(new Error('home: targets are resolved before delivery')),
};

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
  for (const target of concreteTargets(input.to, job.env, reports, failures)) {
    const tp = (progress.targets[target.raw] ??= { done: 0, details: [] });
    try {
      tp.outcome ??= await DRIVERS[target.kind as TargetKind](target.address, job, tp, beat);
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

/**
 * The targets with every `home:` one replaced by the home channels it names now; a target
 * named twice (`telegram:1,home:telegram` with TELEGRAM_HOME_CHANNEL=1) is delivered once,
 * as the tick dropped duplicate (platform, chat, thread) targets. A `home:` naming nothing
 * is reported as skipped, with why; one that cannot be resolved is that target's failure.
 */
function concreteTargets(
  targets: readonly DeliveryTarget[],
  env: NodeJS.ProcessEnv,
  reports: DeliveryTargetReport[],
  failures: { target: string; error: Error }[],
): DeliveryTarget[] {
  const concrete = new Map<string, DeliveryTarget>();
  for (const target of targets) {
    if (target.kind !== 'home') {
      if (!concrete.has(target.raw)) concrete.set(target.raw, target);
      continue;
    }
    try {
      const home = resolveHome(target.address, env);
      for (const one of home.targets) {
        const parsed = deliverInputSchema.shape.to.safeParse(one);
        if (!parsed.success || parsed.data[0] === undefined)
          throw nonRetryable('ConfigError', `${target.raw}: the home channel ${one} is not an address Switchyard can send to`);
        if (!concrete.has(one)) concrete.set(one, parsed.data[0]);
      }
      if (home.note) reports.push({ target: target.raw, status: 'skipped', parts: 0, detail: home.note });
    } catch (error) {
      failures.push({ target: target.raw, error: error as Error });
    }
  }
  return [...concrete.values()];
}

/** One failure for the attempt: retryable if any target may succeed later, waiting the longest Retry-After. */
function combine(failures: { target: string; error: Error }[], delivered: DeliveryTargetReport[]): ApplicationFailure {
  const app = failures.map((f) =>
    f.error instanceof ApplicationFailure ? f.error : retryable('DeliveryFailed', f.error.message),
  );
  const nonRetryable = app.every((f) => f.nonRetryable);
  const delays = app.map((f) => f.nextRetryDelay).filter((d): d is number => typeof d === 'number');
  const sent = delivered.filter((d) => d.status !== 'skipped');
  const done = sent.length > 0 ? ` (already delivered: ${sent.map((d) => d.target).join(', ')})` : '';
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
  async (input, ctx) => {
    const result = await runDeliver(input, ctx);
    countDeliveries(result.targets);
    return result;
  },
  (meta) => ({ deliveryId: deliveryIdFor(meta) }),
);
