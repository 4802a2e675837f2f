/**
 * The tick's delivery grammar (HERMES-CRON.md) → Switchyard deliver targets. What the tick
 * resolved when a job fired — a platform's home channel, `all`, an `origin` the job did not
 * record — stays a `home:` target that the deliver activity resolves from the worker's
 * environment when it runs (src/activities/deliver/home.ts). What has no Switchyard target is
 * dropped with a warning, never silently.
 */
import { TICK_PLATFORMS } from '../../activities/deliver/home.js';
import { deliverInputSchema, HOME_PLATFORMS } from '../../activities/inputs.js';
import type { HermesOrigin } from './store.js';

/** The Switchyard targets of a job's `deliver`, and one warning per target it cannot keep. */
export interface DeliveryPlan {
  targets: string[];
  warnings: string[];
}

const SUPPORTED: readonly string[] = HOME_PLATFORMS;

/** A concrete target, if its address is one the deliver activity accepts. */
function checked(target: string): string | undefined {
  return deliverInputSchema.shape.to.safeParse(target).success ? target : undefined;
}

/** `<platform>:<target>[:<thread>]` as the Switchyard target of that platform, or why not. */
function explicit(platform: string, rest: string): string | { why: string } {
  if (!SUPPORTED.includes(platform)) return { why: `Switchyard has no ${platform} target` };
  const [chat = '', ...threadParts] = rest.split(':');
  const thread = threadParts.join(':');
  let target: string;
  if (platform === 'discord') {
    // A Discord thread is a channel of its own: post into the thread.
    target = `discord:${thread || chat}`;
  } else if (platform === 'email') {
    target = `email:${rest}`;
  } else {
    target = `${platform}:${chat}${thread ? `:${thread}` : ''}`;
  }
  return checked(target) ?? { why: `'${rest}' is not a ${platform} address Switchyard can send to` };
}

/** Translates one job's `deliver` (a comma list, or a list) with its stored `origin`. */
export function translateDelivery(
  deliver: string | readonly string[] | null | undefined,
  origin: HermesOrigin | null | undefined,
): DeliveryPlan {
  const tokens = (Array.isArray(deliver) ? deliver.join(',') : ((deliver as string | null | undefined) ?? 'local'))
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const targets = new Set<string>();
  const warnings: string[] = [];
  const drop = (token: string, why: string) => warnings.push(`deliver '${token}' dropped: ${why}`);
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (lower === 'local') continue;
    if (lower === 'all') {
      targets.add('home:all');
      const unreachable = TICK_PLATFORMS.filter((p) => !SUPPORTED.includes(p));
      warnings.push(`deliver 'all' reaches the home channels of ${SUPPORTED.join(', ')} only, not ${unreachable.join(', ')}`);
      continue;
    }
    if (lower === 'origin') {
      if (!origin) {
        targets.add('home:origin');
        continue;
      }
      const thread = origin.thread_id === null || origin.thread_id === undefined ? '' : `:${String(origin.thread_id)}`;
      const target = explicit(origin.platform.toLowerCase(), `${origin.chat_id}${thread}`);
      if (typeof target === 'string') targets.add(target);
      else drop(token, `its origin is ${origin.platform}:${origin.chat_id}, and ${target.why}`);
      continue;
    }
    const colon = token.indexOf(':');
    if (colon < 0) {
      if (SUPPORTED.includes(lower)) targets.add(`home:${lower}`);
      else drop(token, `Switchyard has no ${lower} target`);
      continue;
    }
    const target = explicit(token.slice(0, colon).toLowerCase(), token.slice(colon + 1));
    if (typeof target === 'string') targets.add(target);
    else drop(token, target.why);
  }
  return { targets: [...targets], warnings };
}
