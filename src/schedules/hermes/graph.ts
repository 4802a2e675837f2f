/**
 * The graph an imported cron job runs: script → agent → deliver, with the old tick's exact
 * choices (HERMES-CRON.md, "Due / run semantics" and "Script pre-run"):
 *
 * - `collect` (when the job has a script) runs it once, no retry (the tick never re-ran a
 *   script; its failure is news the agent reports). `{"wakeAgent": false}` on the last stdout
 *   line, or empty stdout, ends the run silently. Output goes above the prompt in a
 *   `## Script Output` block; a failure in a `## Script Error` block, and the agent reports it.
 * - `no_agent`: stdout is delivered as it is; empty (or the wake gate) is silent; a failure
 *   delivers an alert, and the run fails.
 * - `ask` runs the agent (context_from blocks are put above the prompt by the agent activity).
 *   A `[SILENT]` reply delivers nothing; an empty one delivers nothing and fails the run (the
 *   tick recorded it as an error); a failure delivers a one-line alert, and the run fails.
 * - `send` / `alert` deliver to the job's targets; a job delivered `local` has neither.
 *
 * Trust (SPEC §3 rule 15): nothing from the job file is written into an expression. The
 * prompt, name and script path travel as run *input* and are read by `{{ input.x }}`, so a
 * prompt containing `{{ }}` stays text. Fields that are never rendered (cwd, base_url,
 * api_key_env) are written literally; the translator refuses a `{{` in them.
 */
import type { Definition } from '../../definition/index.js';

/** What the generator needs to know about one job. */
export interface GraphPlan {
  /** `hermes-<id>`: the definition's name and the SwitchyardJob of its runs. */
  name: string;
  noAgent: boolean;
  script?: { interpreter: string; cwd: string; timeoutMs: number };
  agent?: { model?: string; baseUrl?: string; apiKeyEnv?: string; contextFrom: string[] };
  /** Switchyard deliver targets; empty means `local` (the run's output is the record). */
  targets: string[];
}

/** The run input of a job's schedule: the untrusted text the graph reads as data. */
export interface GraphInput {
  name: string;
  prompt: string;
  script: string;
}

const SCRIPT_OUTPUT =
  '## Script Output\nThe following data was collected by a pre-run script. Use it as context for your analysis.\n\n```\n{{ $replace(result.stdout, /^\\s+|\\s+$/, "") }}\n```\n\n';
const SCRIPT_ERROR =
  '## Script Error\nThe data-collection script failed. Report this to the user.\n\n```\n{{ task.error.message }}\n```\n\n';

/** The tick's cron hint, as the agent's system message: how delivery works and how to stay silent. */
export function cronHint(delivers: boolean): string {
  return (
    'You are running as a scheduled job, with no user in the conversation. ' +
    (delivers
      ? "Your final reply is delivered to the job's recipients as it is. "
      : "Your final reply is saved as the job's output. ") +
    'If there is nothing new worth reporting, reply with exactly "[SILENT]" and nothing else; ' +
    'never combine [SILENT] with other content.'
  );
}

// JSONata's $trim also folds inner whitespace, so stdout is trimmed at its ends by a regex, as the tick stripped it.
const GATED = "succeeded and (result.wakeAgent = false or $replace(result.stdout, /^\\s+|\\s+$/, '') = '')";
const SECONDS = (ms: number) => `${Math.ceil(ms / 1000)}s`;

/** The definition of one imported job. */
export function hermesDefinition(plan: GraphPlan, input: GraphInput): Definition {
  const delivers = plan.targets.length > 0;
  const to = plan.targets.join(',');
  const tasks: Record<string, Record<string, unknown>> = {};
  const failThen = delivers ? { publish: { error: '{{ task.error.message }}' }, do: ['alert'] } : undefined;

  if (plan.script) {
    const next: Record<string, unknown>[] = [{ when: GATED }];
    if (plan.noAgent) {
      next.push({ when: 'succeeded', publish: { response: '{{ result.stdout }}' }, ...(delivers ? { do: ['send'] } : {}) });
      if (failThen) next.push({ when: 'failed', ...failThen });
    } else {
      next.push({ when: 'succeeded', publish: { script_block: SCRIPT_OUTPUT }, do: ['ask'] });
      next.push({ when: 'failed', publish: { script_block: SCRIPT_ERROR }, do: ['ask'] });
    }
    tasks.collect = {
      action: 'script',
      description: 'the job script (wake gate: {"wakeAgent": false} or empty stdout ends the run silently)',
      with: {
        command: [plan.script.interpreter, '{{ input.script }}'],
        cwd: plan.script.cwd,
        timeout: SECONDS(plan.script.timeoutMs),
      },
      timeout: SECONDS(plan.script.timeoutMs + 30_000),
      retry: { maximum_attempts: 1 },
      next,
    };
  }

  if (!plan.noAgent) {
    const agent = plan.agent ?? { contextFrom: [] };
    tasks.ask = {
      action: 'agent',
      with: {
        prompt: plan.script ? '{{ ctx.script_block & input.prompt }}' : '{{ input.prompt }}',
        system: cronHint(delivers),
        ...(agent.model ? { model: agent.model } : {}),
        ...(agent.baseUrl ? { base_url: agent.baseUrl } : {}),
        ...(agent.apiKeyEnv ? { api_key_env: agent.apiKeyEnv } : {}),
        ...(agent.contextFrom.length > 0 ? { context_from: agent.contextFrom } : {}),
      },
      next: [
        { when: 'succeeded and result.silent', publish: { response: '{{ result.text }}' } },
        { when: "succeeded and $replace(result.text, /^\\s+|\\s+$/, '') = ''", do: ['fail'] },
        { when: 'succeeded', publish: { response: '{{ result.text }}' }, ...(delivers ? { do: ['send'] } : {}) },
        ...(failThen ? [{ when: 'failed', ...failThen }] : []),
      ],
    };
  }

  if (delivers) {
    tasks.send = { action: 'deliver', with: { to, content: '{{ ctx.response }}' } };
    tasks.alert = {
      action: 'deliver',
      with: {
        to,
        content: plan.noAgent
          ? "⚠ Cron watchdog '{{ input.name }}' script failed\n\n{{ ctx.error }}\n\nTime: {{ $now() }}"
          : "⚠ Cron job '{{ input.name }}' failed: {{ $replace(ctx.error, /\\s*\\n\\s*/, ' ') }}",
      },
      next: [{ when: 'completed', do: ['fail'] }],
    };
  }

  return {
    version: 1,
    name: plan.name,
    description: `Imported from the Hermes cron store (schedule ${plan.name}): ${plan.noAgent ? 'script → deliver' : plan.script ? 'script → agent → deliver' : 'agent → deliver'}`,
    input: { ...input },
    vars: { script_block: '', response: '', error: '' },
    tasks: tasks as Definition['tasks'],
    output: '{{ ctx.response }}',
  } as Definition;
}
