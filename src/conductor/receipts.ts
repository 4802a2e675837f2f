/**
 * The receipts of finished attempts (SPEC §4), newest last. They travel through
 * continue-as-new inside the state, so only the newest RECEIPT_LIMIT are kept and the rest
 * counted. The only writer of `state.receipts`.
 */
import type { Receipt } from '../activities/types.js';
import { RECEIPT_LIMIT } from './state.js';
import type { Turn } from './turn.js';

/** Keeps `receipt`, dropping the oldest beyond the limit. */
export function keepReceipt(turn: Turn, receipt: Receipt | undefined): void {
  if (receipt === undefined) return;
  const { kept, dropped } = turn.state.receipts;
  const excess = Math.max(0, kept.length + 1 - RECEIPT_LIMIT);
  turn.state.receipts = { kept: [...kept.slice(excess), receipt], dropped: dropped + excess };
}
