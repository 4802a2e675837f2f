import type { DeliveryJob, TargetOutcome, TargetProgress } from './driver.js';
import { splitMessage } from './split.js';

function footerFor(deliveryId: string, part: number, total: number): string {
  return total > 1 ? `\n\n— ${deliveryId} (${part}/${total})` : `\n\n— ${deliveryId}`;
}

/** The message parts for a chat platform: title over content, split under `limit`, optional id footer. */
export function chatParts(job: Pick<DeliveryJob, 'title' | 'content' | 'footer' | 'deliveryId'>, limit: number): string[] {
  const text = job.title ? `${job.title}\n\n${job.content}` : job.content;
  if (!job.footer) return splitMessage(text, limit);
  const chunks = splitMessage(text, limit - footerFor(job.deliveryId, 9999, 9999).length);
  return chunks.map((chunk, i) => chunk + footerFor(job.deliveryId, i + 1, chunks.length));
}

/** Sends parts in order from `progress.done`, recording each one before the next is sent. */
export async function sendParts(
  parts: string[],
  progress: TargetProgress,
  onPart: () => void,
  send: (text: string, index: number) => Promise<string>,
): Promise<TargetOutcome> {
  for (let i = progress.done; i < parts.length; i++) {
    progress.details.push(await send(parts[i] ?? '', i));
    progress.done = i + 1;
    onPart();
  }
  return { status: 'delivered', parts: parts.length, details: progress.details };
}
