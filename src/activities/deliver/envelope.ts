import type { DeliveryJob } from './driver.js';

/** The JSON a webhook receives and a file outbox stores: content plus where it came from. */
export interface DeliveryEnvelope {
  id: string;
  type: 'switchyard.delivery';
  workflowId: string;
  runId: string;
  task: string;
  iteration: number;
  index?: number;
  title?: string;
  content: string;
  createdAt: string;
}

/** Builds the envelope for a job. */
export function envelopeFor(job: DeliveryJob, now = new Date()): DeliveryEnvelope {
  return {
    id: job.deliveryId,
    type: 'switchyard.delivery',
    workflowId: job.meta.workflowId,
    runId: job.meta.runId,
    task: job.meta.task,
    iteration: job.meta.iteration,
    ...(job.meta.index !== undefined ? { index: job.meta.index } : {}),
    ...(job.title !== undefined ? { title: job.title } : {}),
    content: job.content,
    createdAt: now.toISOString(),
  };
}
