/**
 * `home:` targets — a platform's *home channel*, read from the worker's environment when the
 * delivery runs, as the old cron tick read it when a job fired (HERMES-CRON.md, delivery
 * grammar): `<PLATFORM>_HOME_CHANNEL`, plus `TELEGRAM_CRON_THREAD_ID` for a Telegram topic.
 *
 * - `home:telegram` (or discord, slack, email): that platform's home channel;
 * - `home:all`: every platform Switchyard can deliver to that has one;
 * - `home:origin`: the first configured home channel in the tick's platform order (a job
 *   created outside a chat had no origin); none configured means no delivery, as `local`.
 */
import { nonRetryable } from '../common/failures.js';
import { HOME_PLATFORMS } from '../inputs.js';

export { HOME_ADDRESS, HOME_PLATFORMS } from '../inputs.js';

/** The tick's built-in platforms, in its order (`origin` falls back to the first configured). */
export const TICK_PLATFORMS = [
  'telegram',
  'discord',
  'slack',
  'whatsapp',
  'signal',
  'matrix',
  'mattermost',
  'homeassistant',
  'dingtalk',
  'feishu',
  'wecom',
  'wecom_callback',
  'weixin',
  'sms',
  'email',
  'webhook',
  'bluebubbles',
  'qqbot',
  'yuanbao',
] as const;

/** The env var holding a platform's home channel. */
export function homeVariable(platform: string): string {
  return `${platform.toUpperCase()}_HOME_CHANNEL`;
}

/** A home channel as a concrete target (`telegram:CHAT[:THREAD]`), or undefined when unset. */
function homeTarget(platform: string, env: NodeJS.ProcessEnv): string | undefined {
  const channel = env[homeVariable(platform)]?.trim();
  if (!channel) return undefined;
  const thread = platform === 'telegram' ? env.TELEGRAM_CRON_THREAD_ID?.trim() : undefined;
  return `${platform}:${channel}${thread ? `:${thread}` : ''}`;
}

/** Concrete targets a `home:` address names now, and why it names none when it does not. */
export function resolveHome(address: string, env: NodeJS.ProcessEnv): { targets: string[]; note?: string } {
  if (address === 'all') {
    const targets = HOME_PLATFORMS.flatMap((p) => homeTarget(p, env) ?? []);
    const others = TICK_PLATFORMS.filter((p) => !(HOME_PLATFORMS as readonly string[]).includes(p) && env[homeVariable(p)]);
    const skipped =
      others.length > 0 ? `; ${others.map(homeVariable).join(', ')} set, but Switchyard has no target for them` : '';
    return targets.length > 0
      ? { targets, ...(skipped ? { note: skipped.slice(2) } : {}) }
      : { targets, note: `no home channel of ${HOME_PLATFORMS.join(', ')} is set on this worker${skipped}` };
  }
  if (address === 'origin') {
    const first = TICK_PLATFORMS.find((p) => env[homeVariable(p)]?.trim());
    if (first === undefined) return { targets: [], note: 'no home channel is set on this worker: not delivered, as local' };
    const target = homeTarget(first, env);
    if (!(HOME_PLATFORMS as readonly string[]).includes(first) || target === undefined)
      throw nonRetryable(
        'ConfigError',
        `home:origin: the first home channel set on this worker is ${homeVariable(first)}, and Switchyard has no ${first} target`,
      );
    return { targets: [target] };
  }
  const target = homeTarget(address, env);
  if (target === undefined)
    throw nonRetryable('ConfigError', `home:${address}: ${homeVariable(address)} (the home channel) is not set on this worker`);
  return { targets: [target] };
}
