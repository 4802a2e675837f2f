/**
 * Starts ONE real Temporal dev server (in memory, Web UI on) for the whole integration
 * tier, on free 127.0.0.1 ports — or uses TEMPORAL_ADDRESS — and stops it afterwards.
 */
import type { TestProject } from 'vitest/node';
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
  const server = await startDevServer({ ui: true, log: (line) => console.log(`[dev-server] ${line}`) });
  console.log(`[dev-server] ready at ${server.address}${server.uiUrl ? `, Web UI ${server.uiUrl}` : ''}`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('temporalUiUrl', server.uiUrl ?? '');
  project.provide('temporalCliPath', server.cli?.path ?? 'temporal');
  return async () => {
    await server.stop();
  };
}
