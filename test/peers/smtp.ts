/**
 * A real SMTP server on 127.0.0.1 (npm smtp-server): accepts mail over real sockets, parses
 * each message (mailparser) and records it; can answer the next recipients with an SMTP
 * error (a 5xx refusal or a 4xx deferral) the way a mail server does.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the server accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  headers: Map<string, unknown>;
}

/** The SMTP peer. */
export interface SmtpPeer {
  port: number;
  /** `smtp://127.0.0.1:PORT`. */
  url: string;
  mails: ReceivedMail[];
  /** Answers the next `n` RCPT TO commands with `code` and `message`. */
  refuseNext(n: number, code: number, message: string): void;
  close(): Promise<void>;
}

/**
 * Starts the server on a free port. Plain SMTP, no STARTTLS, authentication optional; a
 * client that does authenticate is refused with 535 (as a wrong password is).
 */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  let refusals: { left: number; code: number; message: string } = { left: 0, code: 0, message: '' };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    allowInsecureAuth: true,
    onAuth(_auth, _session, callback) {
      const error = new Error('5.7.8 Authentication credentials invalid') as Error & { responseCode: number };
      error.responseCode = 535;
      callback(error);
    },
    onRcptTo(_address, _session, callback) {
      if (refusals.left > 0) {
        refusals.left -= 1;
        const error = new Error(refusals.message) as Error & { responseCode: number };
        error.responseCode = refusals.code;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId ?? '',
            headers: parsed.headers,
          });
          callback();
        })
        .catch((err: unknown) => callback(err as Error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuseNext(n, code, message) {
      refusals = { left: n, code, message };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
