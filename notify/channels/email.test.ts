import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmailConfig } from '../config.js';
import { T0, testIncident, testItem } from '../../test/helpers/notify-fixtures.js';
import { classifyEmailError, createEmailChannel, emailMessage } from './email.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (no TLS, no auth required) that keeps what it receives. */
async function startSmtp(overrides: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...overrides,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function emailConfig(port: number): EmailConfig {
  return {
    smtp: { host: '127.0.0.1', port, secure: false, user: null, password: null },
    from: 'Firewatch <firewatch@example.com>',
    to: ['oncall@example.com', 'sre@example.com'],
    min_severity: 'high',
    timeout_seconds: 2,
  };
}

/** Header value from a raw message, unfolded. */
function header(raw: string, name: string): string | undefined {
  const head = raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('email channel', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('sends one message to every recipient with subject, Message-ID and X-Firewatch-Incident', async () => {
    // prepare
    const smtp = await startSmtp();
    close = smtp.close;
    const channel = createEmailChannel(emailConfig(smtp.port));
    const item = testItem({ channel: 'email' });

    // act
    const result = await channel.deliver(item, T0);
    channel.close?.();

    // verify
    expect(result).toEqual({ outcome: 'delivered' });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received as [Received];
    expect(mail.from).toBe('firewatch@example.com');
    expect(mail.to).toEqual(['oncall@example.com', 'sre@example.com']);
    expect(header(mail.raw, 'Subject')).toBe('[firewatch] CRITICAL inc_00003 triggered: Service Down - checkout');
    expect(header(mail.raw, 'Message-ID')).toBe('<ntf_inc_00003_triggered_1@firewatch>');
    expect(header(mail.raw, 'X-Firewatch-Incident')).toBe('inc_00003');
    expect(header(mail.raw, 'Content-Type')).toMatch(/^multipart\/alternative/);
    expect(mail.raw).toContain('firewatch incidents get inc_00003');
  });

  it('renders plain text and escaped HTML', () => {
    // act
    const message = emailMessage(
      testItem({ channel: 'email', kind: 'acknowledged' }, testIncident({ title: '<script>alert(1)</script>', acknowledged_by: 'ana & bo' })),
    );

    // verify
    expect(message.text).toContain('Acknowledged by ana & bo.');
    expect(message.text).toContain('Root cause:     TimeoutError on checkout');
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).toContain('Acknowledged by ana &amp; bo.');
    expect(message.subject).toBe('[firewatch] CRITICAL inc_00003 acknowledged: <script>alert(1)</script>');
  });

  it('dead-letters a 5xx rejection and retries a 4xx one', async () => {
    // prepare
    let answer = 550;
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        const error = Object.assign(new Error(answer === 550 ? 'mailbox unavailable' : 'try later'), { responseCode: answer });
        callback(error);
      },
    });
    close = smtp.close;
    const channel = createEmailChannel(emailConfig(smtp.port));

    // act
    const permanent = await channel.deliver(testItem({ channel: 'email' }), T0);
    answer = 451;
    const transient = await channel.deliver(testItem({ channel: 'email' }), T0);

    // verify
    expect(permanent).toEqual({ outcome: 'dead', error: 'email: SMTP 550 (EENVELOPE)' });
    expect(transient).toEqual({ outcome: 'retry', error: 'email: SMTP 451 (EENVELOPE)' });
  });

  it('retries when the server cannot be reached', async () => {
    // prepare: a port that was free a moment ago
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const channel = createEmailChannel({ ...emailConfig(port), smtp: { ...emailConfig(port).smtp, user: 'u', password: 'SMTPSECRET' } });

    // act
    const result = await channel.deliver(testItem({ channel: 'email' }), T0);

    // verify
    expect(result.outcome).toBe('retry');
    expect(result).toEqual({ outcome: 'retry', error: 'email: ESOCKET' });
  });

  it.each<[unknown, string]>([
    [{ code: 'EAUTH', responseCode: 535 }, 'dead'],
    [{ code: 'EENVELOPE', responseCode: 503 }, 'retry'],
    [{ code: 'ETIMEDOUT' }, 'retry'],
    [{ code: 'ECONNECTION' }, 'retry'],
    [{ code: 'EENVELOPE' }, 'dead'],
    [new Error('???'), 'retry'],
  ])('classifies %j as %s', (error, outcome) => {
    expect(classifyEmailError(error).outcome).toBe(outcome);
  });
});
