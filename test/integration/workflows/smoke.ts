/** A minimal workflow for the foundation smoke test: one real activity on a real worker. */
import { proxyActivities } from '@temporalio/workflow';

const { greet } = proxyActivities<{ greet(name: string): Promise<string> }>({ startToCloseTimeout: '10s' });

export async function smokeWorkflow(name: string): Promise<string> {
  return greet(name);
}
