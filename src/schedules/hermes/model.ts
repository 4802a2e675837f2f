/**
 * A job's model/provider/base_url pins → agent settings, under SPEC §3 rule 15: the base URL
 * is written literally in the generated definition (the job file is the operator's own
 * configuration, like a definition's text), and a key is named (`api_key_env`) only for the
 * provider's own host. A base URL on another host gets no key at all: the agent activity
 * sends the worker's default key only to the worker's own endpoint. The tick refused a
 * base_url without a safe provider for the same reason (credential exfiltration).
 */
import type { HermesJob } from './store.js';

/** Providers whose OpenAI-compatible endpoint is known, and the env var their key is read from. */
export const KNOWN_PROVIDERS: Readonly<Record<string, { baseUrl: string; keyEnv: string }>> = {
  openai: { baseUrl: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY' },
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1', keyEnv: 'OPENROUTER_API_KEY' },
  nous: { baseUrl: 'https://inference-api.nousresearch.com/v1', keyEnv: 'NOUS_API_KEY' },
  anthropic: { baseUrl: 'https://api.anthropic.com/v1', keyEnv: 'ANTHROPIC_API_KEY' },
  gemini: { baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai', keyEnv: 'GEMINI_API_KEY' },
  deepseek: { baseUrl: 'https://api.deepseek.com/v1', keyEnv: 'DEEPSEEK_API_KEY' },
  xai: { baseUrl: 'https://api.x.ai/v1', keyEnv: 'XAI_API_KEY' },
};

/** Agent settings of a job, and a warning for each pin it cannot keep as the tick did. */
export function translateModel(job: HermesJob): {
  settings: { model?: string; baseUrl?: string; apiKeyEnv?: string };
  warnings: string[];
} {
  const warnings: string[] = [];
  const settings: { model?: string; baseUrl?: string; apiKeyEnv?: string } = {};
  if (job.model) settings.model = job.model;
  const provider = job.provider?.toLowerCase();
  const known = provider ? KNOWN_PROVIDERS[provider] : undefined;
  if (job.base_url) {
    settings.baseUrl = job.base_url;
    if (known && new URL(job.base_url).origin === new URL(known.baseUrl).origin) settings.apiKeyEnv = known.keyEnv;
    else
      warnings.push(
        `base_url ${new URL(job.base_url).origin} is ${provider ? `not provider ${provider}'s known host` : 'pinned without a provider'}: requests go there without any key`,
      );
  } else if (provider) {
    if (known) {
      settings.baseUrl = known.baseUrl;
      settings.apiKeyEnv = known.keyEnv;
    } else warnings.push(`provider ${provider} has no known OpenAI-compatible endpoint: the worker's agent endpoint is used`);
  }
  return { settings, warnings };
}
