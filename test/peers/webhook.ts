/** A webhook receiver: records every POST (headers and raw body, for signature checks) and answers 204. */
import { startPeer, type Peer } from './http-peer.js';

/** Starts a receiver at `${url}/hook` (any path is accepted and recorded). */
export async function startWebhookPeer(): Promise<Peer> {
  return startPeer(() => ({ status: 204 }));
}
