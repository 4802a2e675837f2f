/**
 * Issue 10: the graphs `schedule import` generates, RUN on the real dev server by a real
 * worker (no schedule needed), against the loopback OpenAI-compatible peer and a real SMTP
 * server on 127.0.0.1. Each case is one of the old tick's behaviours (HERMES-CRON.md): the
 * wake gate, empty stdout, [SILENT], no_agent delivery and alert, the Script Error block,
 * context_from through visibility, and a prompt whose `{{ }}` stays text.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { JOB_KEY } from '../../src/constants.js';
import { translateStore } from '../../src/schedules/hermes/index.js';
import type { ScheduleRequest } from '../../src/schedules/hermes/types.js';
import { interpretGraph, type InterpretResult } from '../../src/workflows/index.js';
import { errorReply, startOpenAIPeer, type OpenAIPeer } from '../peers/openai.js';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp.js';
import { connectClient, uniqueTaskQueue, withWorker } from './harness.js';

const SCRIPTS: Record<string, string> = {
  'gate.sh': 'echo "nothing changed since 06:00"\necho \'{"wakeAgent": false}\'\n',
  'empty.sh': 'exit 0\n',
  'data.sh': 'printf "disk /var is 91%% full\\n  second line kept as is\\n"\n',
  'fail.sh': 'echo "upstream API answered 503" >&2\nexit 3\n',
  'where.sh': 'pwd\n',
};

/** A store job with the fields the tick writes; `extra` overrides them. */
function job(id: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    name: `job ${id}`,
    prompt: 'Report on the data.',
    schedule: { kind: 'cron', expr: '0 9 * * *', display: '0 9 * * *' },
    repeat: { times: null, completed: 0 },
    enabled: true,
    state: 'scheduled',
    deliver: 'email:ops@example.com',
    ...extra,
  };
}

describe('generated cron-job graphs on the real dev server', () => {
  let client: Client;
  let close: () => Promise<void>;
  let agent: OpenAIPeer;
  let smtp: SmtpPeer;
  let scriptsDir: string;
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string) => {
    saved[name] = process.env[name];
    process.env[name] = value;
  };

  beforeAll(async () => {
    ({ client, close } = await connectClient());
    agent = await startOpenAIPeer();
    smtp = await startSmtpPeer();
    scriptsDir = mkdtempSync(join(tmpdir(), 'hermes-scripts-'));
    for (const [name, text] of Object.entries(SCRIPTS)) {
      writeFileSync(join(scriptsDir, name), `#!/usr/bin/env bash\n${text}`);
      chmodSync(join(scriptsDir, name), 0o755);
    }
    // The worker runs in this process: these are the worker's environment.
    setEnv('SWITCHYARD_AGENT_BASE_URL', agent.baseUrl);
    setEnv('SWITCHYARD_AGENT_MODEL', 'peer-model');
    setEnv('SWITCHYARD_SMTP_URL', smtp.url);
    setEnv('SWITCHYARD_SMTP_FROM', 'switchyard@example.com');
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(scriptsDir, { recursive: true, force: true });
    await Promise.all([agent.close(), smtp.close()]);
    await close();
  });

  /** The schedule requests of a store of `jobs`. */
  function requests(...jobs: Record<string, unknown>[]): ScheduleRequest[] {
    const t = translateStore({ jobs }, { scriptsDir, timezone: 'UTC', now: new Date() });
    if (!t.ok) throw new Error(JSON.stringify(t.problems));
    return t.requests;
  }

  /** Runs a request's graph as its schedule would: its input, tagged with its job. */
  async function run(request: ScheduleRequest): Promise<InterpretResult> {
    const taskQueue = uniqueTaskQueue('hermes');
    return withWorker({ taskQueue }, () =>
      client.workflow.execute(interpretGraph, {
        taskQueue,
        workflowId: `${request.id}-${randomUUID()}`,
        args: [{ definition: request.definition, input: request.input }],
        typedSearchAttributes: [{ key: JOB_KEY, value: request.id }],
      }),
    );
  }

  /** The user message the agent peer received in request `index`. */
  const promptAt = (index: number) =>
    ((agent.requests[index]?.json as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')
      ?.content ?? '') as string;

  it('a wake gate of {"wakeAgent": false} skips the agent and delivers nothing', async () => {
    const [request] = requests(job('a00000000001', { script: 'gate.sh' }));
    const before = { calls: agent.requests.length, mails: smtp.mails.length };
    const result = await run(request as ScheduleRequest);
    expect(agent.requests.length).toBe(before.calls);
    expect(smtp.mails.length).toBe(before.mails);
    expect(result.output).toBe('');
    expect(result.receipts.map((r) => r.task)).toEqual(['collect']);
  });

  it('empty stdout skips the agent and delivers nothing', async () => {
    const [request] = requests(job('a00000000002', { script: 'empty.sh' }));
    const before = { calls: agent.requests.length, mails: smtp.mails.length };
    await run(request as ScheduleRequest);
    expect(agent.requests.length).toBe(before.calls);
    expect(smtp.mails.length).toBe(before.mails);
  });

  it('script output goes above the prompt; the reply is mailed once, with a Message-ID from the delivery id', async () => {
    agent.answer({ text: 'Disk /var needs attention.' });
    const [request] = requests(job('a00000000003', { script: 'data.sh' }));
    const before = { calls: agent.requests.length, mails: smtp.mails.length };
    const result = await run(request as ScheduleRequest);
    expect(agent.requests.length).toBe(before.calls + 1);
    const prompt = promptAt(before.calls);
    expect(prompt.startsWith('## Script Output\n')).toBe(true);
    expect(prompt).toContain('```\ndisk /var is 91% full\n  second line kept as is\n```\n\nReport on the data.');
    const mails = smtp.mails.slice(before.mails);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['ops@example.com'], from: 'switchyard@example.com' });
    expect(mails[0]?.text.trim()).toBe('Disk /var needs attention.');
    const deliveryId = result.receipts.find((r) => r.task === 'send')?.deliveryId;
    expect(mails[0]?.messageId).toBe(`<${deliveryId}@example.com>`);
    expect(result.output).toBe('Disk /var needs attention.');
  });

  it('a [SILENT] reply delivers nothing', async () => {
    agent.answer({ text: '  [SILENT]\n' });
    const [request] = requests(job('a00000000004', { script: 'data.sh' }));
    const before = { calls: agent.requests.length, mails: smtp.mails.length };
    await run(request as ScheduleRequest);
    expect(agent.requests.length).toBe(before.calls + 1);
    expect(smtp.mails.length).toBe(before.mails);
  });

  it('a failed script puts a Script Error block in the prompt and the agent reports it', async () => {
    agent.answer({ text: 'The collector failed: upstream 503.' });
    const [request] = requests(job('a00000000005', { script: 'fail.sh' }));
    const before = { calls: agent.requests.length, mails: smtp.mails.length };
    await run(request as ScheduleRequest);
    const prompt = promptAt(before.calls);
    expect(prompt.startsWith('## Script Error\nThe data-collection script failed. Report this to the user.')).toBe(true);
    expect(prompt).toContain('upstream API answered 503');
    expect(smtp.mails.slice(before.mails).map((m) => m.text.trim())).toEqual(['The collector failed: upstream 503.']);
  });

  it('no_agent delivers stdout verbatim and no agent runs', async () => {
    const [request] = requests(job('a00000000006', { script: 'data.sh', no_agent: true, prompt: '' }));
    const before = { calls: agent.requests.length, mails: smtp.mails.length };
    const result = await run(request as ScheduleRequest);
    expect(agent.requests.length).toBe(before.calls);
    const mails = smtp.mails.slice(before.mails);
    expect(mails.map((m) => m.text)).toEqual(['disk /var is 91% full\n  second line kept as is\n']);
    expect(result.output).toBe('disk /var is 91% full\n  second line kept as is\n');
  });

  it('no_agent with empty stdout is silent; a failing script delivers an alert and fails the run', async () => {
    const [silent, failing] = requests(
      job('a00000000007', { script: 'empty.sh', no_agent: true }),
      job('a00000000008', { script: 'fail.sh', no_agent: true, name: 'Disk watchdog' }),
    );
    const before = smtp.mails.length;
    await run(silent as ScheduleRequest);
    expect(smtp.mails.length).toBe(before);
    const failure = await run(failing as ScheduleRequest).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const alerts = smtp.mails.slice(before);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toContain("⚠ Cron watchdog 'Disk watchdog' script failed");
    expect(alerts[0]?.text).toContain('upstream API answered 503');
  });

  it('workdir is the script’s working directory; without one, the script’s own folder', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'hermes-workdir-'));
    const [inWorkdir, inScripts] = requests(
      job('a0000000000a', { script: 'where.sh', no_agent: true, workdir }),
      job('a0000000000b', { script: 'where.sh', no_agent: true }),
    );
    try {
      expect((await run(inWorkdir as ScheduleRequest)).output).toBe(`${workdir}\n`);
      expect((await run(inScripts as ScheduleRequest)).output).toBe(`${scriptsDir}\n`);
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  });

  it('an agent that fails for good delivers a one-line alert and the run fails', async () => {
    agent.failNext(1, errorReply(400, 'model not found'));
    const [request] = requests(job('a0000000000c', { name: 'Briefing' }));
    const before = smtp.mails.length;
    const failure = await run(request as ScheduleRequest).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const alerts = smtp.mails.slice(before);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text.trim()).toMatch(/^⚠ Cron job 'Briefing' failed: .*model not found[^\n]*$/);
  });

  it('an empty reply delivers nothing and fails the run, as the tick recorded an error', async () => {
    agent.answer({ text: '   ' });
    const [request] = requests(job('a0000000000d', {}));
    const before = smtp.mails.length;
    const failure = await run(request as ScheduleRequest).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(smtp.mails.length).toBe(before);
  });

  it('a prompt containing {{ }} reaches the agent as text, never evaluated', async () => {
    agent.answer({ text: 'ok' });
    const prompt = 'Quote {{ input.name }} and {{ $string(1+1) }} literally.';
    const [request] = requests(job('a00000000009', { prompt, deliver: 'local' }));
    const before = agent.requests.length;
    await run(request as ScheduleRequest);
    expect(promptAt(before)).toBe(prompt);
  });

  it('context_from puts the upstream job’s newest run output above the prompt', async () => {
    const [upstream, downstream] = requests(
      job('b00000000001', { deliver: 'local' }),
      job('b00000000002', { deliver: 'local', context_from: ['b00000000001'], prompt: 'Digest it.' }),
    );
    agent.answer({ text: 'older upstream output' });
    await run(upstream as ScheduleRequest);
    agent.answer({ text: 'UPSTREAM newest output' });
    await run(upstream as ScheduleRequest);
    // Visibility is eventually consistent: wait until both closed runs are listed.
    const query = `${JOB_KEY.name} = 'hermes-b00000000001' AND ExecutionStatus = 'Completed'`;
    await expect.poll(async () => (await client.workflow.count(query)).count, { timeout: 20_000 }).toBe(2);
    agent.answer({ text: 'digest' });
    const before = agent.requests.length;
    await run(downstream as ScheduleRequest);
    const prompt = promptAt(before);
    expect(prompt).toBe(
      "## Output from job 'hermes-b00000000001'\nThe following is the most recent output from a preceding cron job. Use it as context for your analysis.\n\n```\nUPSTREAM newest output\n```\n\nDigest it.",
    );
  });
});
