/**
 * A tiny recording HTTP server on 127.0.0.1 (port 0) that the platform peers build on.
 * Tests script one-shot replies (`script`, `failNext`) ahead of the peer's default behaviour.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the peer received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it was JSON. */
  json: unknown;
}

/**
 * What the peer answers. `sse` streams events (each `data:` text) `intervalMs` apart; `hang`
 * never answers (or never ends the stream); `pass` lets the default handler answer (to script
 * "succeed twice, then fail").
 */
export interface Reply {
  pass?: boolean;
  status?: number;
  headers?: Record<string, string>;
  body?: string | object;
  sse?: string[];
  intervalMs?: number;
  hang?: boolean;
}

/** Decides the default answer to a request. */
export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

/** A running peer. */
export interface Peer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues one-shot replies, used (in order) before the default handler. */
  script(...replies: Reply[]): void;
  /** Answers the next `n` requests with `reply` (default: HTTP 500). */
  failNext(n: number, reply?: Reply): void;
  /**
   * Forgets the recorded requests and every scripted reply not used yet. Shared peers call it
   * before each test, so a failing test's leftover replies cannot fail the next ones and hide
   * which test caught the bug.
   */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a peer whose default behaviour is `handler`. */
export async function startPeer(handler: Handler): Promise<Peer> {
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body, json };
      requests.push(recorded);
      const scripted = queue.shift();
      Promise.resolve(scripted && !scripted.pass ? scripted : handler(recorded))
        .then((reply) => send(res, reply, timers))
        .catch((err: unknown) => send(res, { status: 599, body: String(err) }, timers));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => queue.push(...replies),
    failNext: (n, reply = { status: 500, body: { error: { message: 'scripted failure' } } }) => {
      for (let i = 0; i < n; i++) queue.push(reply);
    },
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: Reply, timers: Set<NodeJS.Timeout>): void {
  if (reply.hang && !reply.sse) return;
  const headers = { ...reply.headers };
  if (reply.sse) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    const events = [...reply.sse];
    const next = () => {
      const data = events.shift();
      if (data === undefined) {
        if (!reply.hang) res.end();
        return;
      }
      res.write(`data: ${data}\n\n`);
      const t = setTimeout(next, reply.intervalMs ?? 0);
      timers.add(t);
    };
    next();
    return;
  }
  const body = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
  if (typeof reply.body === 'object') headers['content-type'] ??= 'application/json';
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}
