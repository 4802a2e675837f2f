/** The activities a Switchyard worker registers, by the `action` name a task uses. */
import { agent } from './agent.js';
import { deliver } from './deliver.js';
import { http } from './http.js';
import { script } from './script.js';
import type { ActionKind, ActivityInput, ActivityOutcome } from './types.js';

/** Every activity kind: `(input) => Promise<{ result, receipt }>`. */
export const activities: Record<ActionKind, (input: ActivityInput) => Promise<ActivityOutcome>> & {
  script: typeof script;
  agent: typeof agent;
  deliver: typeof deliver;
  http: typeof http;
} = { script, agent, deliver, http };
