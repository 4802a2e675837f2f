/**
 * `home:` targets: a platform's home channel from the worker's environment, resolved when
 * the delivery runs, as the old tick resolved `<platform>`, `all` and an origin-less `origin`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { deliverInputSchema, runDeliver } from '../../../src/activities/deliver.js';
import { resolveHome } from '../../../src/activities/deliver/home.js';
import { startSlackPeer, startTelegramPeer, type ChatPeer } from '../../peers/chat-platforms.js';
import { recordingIO } from './helpers.js';

describe('home channels', () => {
  const env = {
    TELEGRAM_HOME_CHANNEL: '-100200',
    TELEGRAM_CRON_THREAD_ID: '17',
    SLACK_HOME_CHANNEL: 'C0HOME',
    SIGNAL_HOME_CHANNEL: '+1555',
  };

  it('a platform resolves to its home channel, Telegram with the cron topic', () => {
    expect(resolveHome('telegram', env)).toEqual({ targets: ['telegram:-100200:17'] });
    expect(resolveHome('slack', env)).toEqual({ targets: ['slack:C0HOME'] });
  });

  it('all names every home channel Switchyard can reach and says which it cannot', () => {
    const all = resolveHome('all', env);
    expect(all.targets).toEqual(['telegram:-100200:17', 'slack:C0HOME']);
    expect(all.note).toContain('SIGNAL_HOME_CHANNEL');
    expect(resolveHome('all', {})).toMatchObject({ targets: [] });
  });

  it('origin without a stored origin takes the first configured home channel in the tick’s order, or none', () => {
    expect(resolveHome('origin', { SLACK_HOME_CHANNEL: 'C1', EMAIL_HOME_CHANNEL: 'a@b.example' })).toEqual({
      targets: ['slack:C1'],
    });
    expect(resolveHome('origin', {})).toMatchObject({ targets: [], note: expect.stringContaining('as local') });
    // The first one set is a platform Switchyard cannot send to: said, not silently replaced.
    expect(() => resolveHome('origin', { SIGNAL_HOME_CHANNEL: '+1555', EMAIL_HOME_CHANNEL: 'a@b.example' })).toThrow(
      ApplicationFailure,
    );
  });

  it('a platform without a home channel is a configuration error', () => {
    expect(() => resolveHome('discord', env)).toThrow(/DISCORD_HOME_CHANNEL/);
  });

  it('the deliver schema accepts home:, email:, Telegram topics and Slack threads', () => {
    const to = 'home:all,email:ops@example.com,telegram:-100200:17,slack:C0123:1712345678.000100';
    expect(deliverInputSchema.safeParse({ to, content: 'x' }).success).toBe(true);
    expect(deliverInputSchema.safeParse({ to: 'home:signal', content: 'x' }).success).toBe(false);
    expect(deliverInputSchema.safeParse({ to: 'email:not an address', content: 'x' }).success).toBe(false);
  });
});

describe('home: targets in a delivery', () => {
  let telegram: ChatPeer;
  let slack: ChatPeer;
  beforeAll(async () => {
    telegram = await startTelegramPeer();
    slack = await startSlackPeer();
  });
  afterAll(async () => Promise.all([telegram.close(), slack.close()]));

  it('a target named twice is delivered once; topics and threads reach the APIs; an empty all is reported', async () => {
    const env = {
      TELEGRAM_BOT_TOKEN: '123:peer',
      SWITCHYARD_TELEGRAM_API_BASE: telegram.url,
      SLACK_BOT_TOKEN: 'xoxb-peer',
      SWITCHYARD_SLACK_API_BASE: slack.url,
      TELEGRAM_HOME_CHANNEL: '-100200',
      TELEGRAM_CRON_THREAD_ID: '17',
    };
    const meta = { workflowId: 'wf', runId: 'run-home', task: 'send', iteration: 1 };
    const result = await runDeliver(
      deliverInputSchema.parse({ to: 'telegram:-100200:17,home:telegram,home:all,slack:C0123:1712345678.000100', content: 'hi' }),
      { ...recordingIO(), meta, env },
    );
    expect(telegram.messages).toHaveLength(1);
    expect(telegram.messages[0]?.body).toMatchObject({ chat_id: '-100200', message_thread_id: 17 });
    expect(slack.messages[0]?.body).toMatchObject({ channel: 'C0123', thread_ts: '1712345678.000100' });
    expect(result.targets.map((t) => [t.target, t.status])).toEqual([
      ['telegram:-100200:17', 'delivered'],
      ['slack:C0123:1712345678.000100', 'delivered'],
    ]);

    const none = await runDeliver(deliverInputSchema.parse({ to: 'home:all', content: 'hi' }), {
      ...recordingIO(),
      meta: { ...meta, runId: 'run-none' },
      env: {},
    });
    expect(none.targets).toMatchObject([{ target: 'home:all', status: 'skipped', parts: 0 }]);
  });
});
