/**
 * SPEC §3 rule 15 in the conductor: fields that are code or route secrets reach the activity
 * as the definition wrote them, whatever a run's input says. (`validate` refuses templates in
 * them; a run started by hand, or before the rule, still gets them as literal text.)
 */
import { describe, expect, it } from 'vitest';
import { buildContext, startRun, type StartExecutionCommand } from '../../../src/conductor/index.js';
import { checkReceived, validateDefinition } from '../../../src/definition/index.js';
import { fixedOrigin, fixedRoute } from '../../../src/definition/trust.js';

const WORKFLOW = { id: 'wf', runId: 'r1', startTime: '2026-01-01T00:00:00.000Z' };
const HOSTILE = 'hi; touch /tmp/pwned';

async function firstStart(definition: unknown, input: Record<string, unknown>): Promise<StartExecutionCommand | undefined> {
  const received = checkReceived(definition);
  if (!received.ok) throw new Error(JSON.stringify(received.problems));
  const context = buildContext({ ...received, input, workflow: WORKFLOW });
  const result = await startRun(context, { kind: 'run.started', startTime: WORKFLOW.startTime, now: 0 });
  return result.commands.find((command): command is StartExecutionCommand => command.kind === 'startExecution');
}

describe('code and secret routes are never rendered (rule 15)', () => {
  it('shell text, the program and the folder stay as written; arguments and env take the input as values', async () => {
    const definition = {
      version: 1,
      name: 'hostile-script',
      tasks: {
        a: {
          action: 'script',
          with: {
            shell: 'echo {{ input.topic }}',
            args: ['{{ input.topic }}'],
            env: { TOPIC: '{{ input.topic }}' },
            cwd: '{{ input.dir }}',
          },
        },
        b: { action: 'script', with: { command: ['{{ input.program }}', '{{ input.topic }}'] } },
      },
    };
    expect(validateDefinition(definition).ok).toBe(false);
    const input = { topic: HOSTILE, dir: '/tmp', program: 'rm' };
    const shell = await firstStart({ ...definition, tasks: { a: definition.tasks.a } }, input);
    expect(shell?.with).toEqual({
      shell: 'echo {{ input.topic }}',
      args: [HOSTILE],
      env: { TOPIC: HOSTILE },
      cwd: '{{ input.dir }}',
    });
    const argv = await firstStart({ ...definition, tasks: { b: definition.tasks.b } }, input);
    expect(argv?.with).toEqual({ command: ['{{ input.program }}', HOSTILE] });
  });

  it('where an agent key is read and where it is sent stay as written; the prompt takes the input', async () => {
    const definition = {
      version: 1,
      name: 'hostile-agent',
      tasks: {
        ask: {
          action: 'agent',
          with: { prompt: 'About {{ input.topic }}', base_url: '{{ input.url }}', api_key_env: '{{ input.var }}' },
        },
      },
    };
    const start = await firstStart(definition, { topic: HOSTILE, url: 'https://attacker.invalid', var: 'TELEGRAM_BOT_TOKEN' });
    expect(start?.with).toEqual({ prompt: `About ${HOSTILE}`, base_url: '{{ input.url }}', api_key_env: '{{ input.var }}' });
  });

  it('a webhook secret is read from the variable the definition names, never one the input names', async () => {
    const definition = {
      version: 1,
      name: 'hostile-deliver',
      tasks: {
        send: { action: 'deliver', with: { to: 'file:out', content: '{{ input.topic }}', secret_env: '{{ input.var }}' } },
      },
    };
    const start = await firstStart(definition, { topic: HOSTILE, var: 'OPENAI_API_KEY' });
    expect(start?.with).toEqual({ to: 'file:out', content: HOSTILE, secret_env: '{{ input.var }}' });
  });

  it("a target's kind and a webhook's host stay as written; a value cannot add a target; the path may take the input", async () => {
    const tasks = {
      send: {
        action: 'deliver',
        with: {
          to: 'webhook:https://{{ input.host }}/hook, file:out/{{ input.name }}, webhook:https://hooks.example/{{ input.path }}',
          content: 'x',
        },
      },
    };
    const definition = { version: 1, name: 'hostile-targets', tasks };
    const problems = validateDefinition(definition);
    expect(problems.ok).toBe(false);
    if (!problems.ok) expect(problems.problems.map((p) => p.path)).toContain('tasks.send.with.to');
    const start = await firstStart(definition, {
      host: 'attacker.example',
      name: 'x, webhook:https://attacker.example/steal',
      path: 'p?q=1',
    });
    expect(start?.with).toEqual({
      to: [
        'webhook:https://{{ input.host }}/hook',
        'file:out/x, webhook:https://attacker.example/steal',
        'webhook:https://hooks.example/p?q=1',
      ],
      content: 'x',
    });
    // A whole target from input is kept as written too.
    const whole = await firstStart(
      { version: 1, name: 'whole', tasks: { send: { action: 'deliver', with: { to: '{{ input.to }}', content: 'x' } } } },
      { to: 'webhook:https://attacker.example/' },
    );
    expect(whole?.with).toEqual({ to: ['{{ input.to }}'], content: 'x' });
  });

  it('fixedRoute: the kind, and a webhook origin only when a delimiter follows it before any template', () => {
    expect(fixedRoute('telegram:{{ input.chat }}')).toBe('telegram');
    expect(fixedRoute('webhook:https://h.example/{{ x }}')).toBe('webhook:https://h.example');
    expect(fixedRoute('webhook:https://h.example:8443?{{ x }}')).toBe('webhook:https://h.example:8443');
    expect(fixedRoute('webhook:https://h.example{{ x }}/')).toBeUndefined();
    expect(fixedRoute('web{{ x }}')).toBeUndefined();
    expect(fixedRoute('webhook:https://h.example/a')).toBe('webhook:https://h.example');
  });

  it('http: the URL origin is literal; a template fills path and query only, and the secret routes stay as written', async () => {
    const task = (url: string, extra: Record<string, unknown> = {}) => ({
      version: 1,
      name: 'hostile-http',
      tasks: { call: { action: 'http', with: { url, ...extra } } },
    });
    const problems = (definition: unknown) => {
      const result = validateDefinition(definition);
      return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems(task('https://api.example.com/items/{{ input.id }}?q={{ input.q }}'))).toEqual([]);
    for (const url of ['https://{{ input.host }}/x', 'https://api.example.com{{ input.rest }}', '{{ input.url }}']) {
      expect(problems(task(url)).join('\n'), url).toMatch(/tasks\.call\.with\.url: a URL's scheme and host are never rendered/);
    }
    expect(problems(task('https://a.example/', { secret_env: '{{ input.key }}' })).join('\n')).toMatch(
      /tasks\.call\.with\.secret_env: where a secret is read/,
    );
    // Path input that tries to leave the origin stays on it; a templated origin reaches the activity as written.
    const path = await firstStart(task('https://api.example.com/{{ input.id }}'), { id: '@attacker.example/x' });
    expect(path?.with).toEqual({ url: 'https://api.example.com/@attacker.example/x' });
    const host = await firstStart(task('https://{{ input.host }}/x'), { host: 'attacker.example' });
    expect(host?.with).toEqual({ url: 'https://{{ input.host }}/x' });
    const glued = await firstStart(task('https://api.example.com{{ input.rest }}'), { rest: '.attacker.example/' });
    expect(glued?.with).toEqual({ url: 'https://api.example.com{{ input.rest }}' });
    const secret = await firstStart(task('https://a.example/', { secret_env: '{{ input.key }}' }), { key: 'AWS_SECRET' });
    expect(secret?.with).toEqual({ url: 'https://a.example/', secret_env: '{{ input.key }}' });
  });

  it('fixedOrigin: the origin only when a delimiter follows it before any template', () => {
    expect(fixedOrigin('https://h.example/{{ x }}')).toBe('https://h.example');
    expect(fixedOrigin('https://h.example:8443?{{ x }}')).toBe('https://h.example:8443');
    expect(fixedOrigin('https://h.example{{ x }}/')).toBeUndefined();
    expect(fixedOrigin('{{ x }}')).toBeUndefined();
    expect(fixedOrigin('https://h.example/a')).toBe('https://h.example');
  });
});
