/** The worker's SMTP settings for `email:` deliveries: read from its environment, checked at start. */
import { describe, expect, it } from 'vitest';
import { messageIdFor, smtpSettings } from '../../../src/activities/deliver/email.js';
import { checkWorkerSettings } from '../../../src/worker.js';

describe('SMTP settings', () => {
  it('a URL gives host, port, TLS and login; the password is kept for redaction', () => {
    const s = smtpSettings(
      { SWITCHYARD_SMTP_URL: 'smtps://mailer:s3cr%40t-pw@mail.example.com', SWITCHYARD_SMTP_FROM: 'bot@example.com' },
      5000,
    );
    expect(s.transport).toMatchObject({
      host: 'mail.example.com',
      port: 465,
      secure: true,
      auth: { user: 'mailer', pass: 's3cr@t-pw' },
    });
    expect(s.secrets).toContain('s3cr@t-pw');
  });

  it('host/port/user/password variables work without a URL', () => {
    const s = smtpSettings(
      {
        SWITCHYARD_SMTP_HOST: 'mail.example.com',
        SWITCHYARD_SMTP_PORT: '2525',
        SWITCHYARD_SMTP_USER: 'u',
        SWITCHYARD_SMTP_PASSWORD: 'pw-123456',
        SWITCHYARD_SMTP_FROM: 'Ops Bot <bot@example.com>',
      },
      5000,
    );
    expect(s.transport).toMatchObject({
      host: 'mail.example.com',
      port: 2525,
      secure: false,
      auth: { user: 'u', pass: 'pw-123456' },
    });
  });

  it('the Message-ID is the delivery id at the sender’s domain', () => {
    expect(messageIdFor('sy_0123', 'Ops Bot <bot@example.com>')).toBe('<sy_0123@example.com>');
  });

  it('a worker with a broken SMTP setting stops at start; one without any starts', () => {
    expect(() => checkWorkerSettings({ SWITCHYARD_SMTP_URL: 'http://mail.example.com' })).toThrow(
      /every email delivery would fail/,
    );
    expect(() => checkWorkerSettings({ SWITCHYARD_SMTP_HOST: 'mail.example.com' })).toThrow(/SWITCHYARD_SMTP_FROM/);
    expect(() => checkWorkerSettings({})).not.toThrow();
  });
});
