// Email over SMTP (nodemailer): one message per notification, to every configured recipient.
//
//   OutboxItem ──emailMessage()──▶ subject, text, html, Message-ID <item id@firewatch> ──SMTP──▶ 250 | 4xx | 5xx
//
// The Message-ID is derived from the outbox item id, so a retry after a lost 250 (or a restart mid-send) carries
// the same Message-ID and mail systems and clients can drop the duplicate. Errors are classified by RFC 5321 reply
// class (§4.2.1): 4yz transient → retry, 5yz permanent → dead letter (503 "bad sequence" is a session problem:
// retry, as nodemailer's isPermanentResponseCode says); no reply at all (connection refused, timeout, TLS) → retry;
// a message nodemailer refuses to build or send (bad envelope, missing credentials) → dead letter.
// The SMTP password stays inside the transport; error texts carry only the SMTP code and nodemailer's error code.

import nodemailer from 'nodemailer';
import type { EmailConfig } from '../config.js';
import type { DeliveryResult, NotificationChannel } from '../delivery.js';
import { clip, incidentCommand, kindDetail, rootCauseText, singleLine, viewIncident } from '../incident-view.js';
import { type OutboxItem } from '../../engine/index.js';

const SUBJECT_MAX = 200;
/** nodemailer error codes (no SMTP reply) that retrying cannot fix. */
const PERMANENT_CODES = new Set(['ECONFIG', 'ENOAUTH', 'EENVELOPE', 'EMAXRECIPIENTS', 'EREQUIRETLS']);
const SMTP_BAD_SEQUENCE = 503;

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

export function emailMessage(item: OutboxItem): EmailMessage {
  const view = viewIncident(item.incident, item.incident_id);
  const title = singleLine(view.title === '' ? view.type : view.title);
  const severity = view.severity.toUpperCase();
  const subject = clip(singleLine(`[firewatch] ${severity} ${view.id} ${item.kind}: ${title}`), SUBJECT_MAX);
  const rows: Array<[string, string]> = [
    ['Severity', view.severity],
    ['Status', view.status],
    ['Type', view.type],
    ['Components', view.components.join(', ')],
    ['Events', String(view.eventCount)],
    ['Users affected', String(view.usersAffected)],
    ['Detected', view.detectedAt],
    ['Root cause', rootCauseText(view) || 'not determined yet'],
  ];
  const detail = kindDetail(view, item.kind);
  const command = incidentCommand(view);
  const heading = `${severity} incident ${view.id} ${item.kind}: ${title}`;
  const text = [
    heading,
    '',
    ...(detail === '' ? [] : [detail, '']),
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(16)}${singleLine(value)}`),
    '',
    ...(view.description === '' ? [] : [view.description, '']),
    `Details: ${command}`,
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(heading)}</h2>`,
    detail === '' ? '' : `<p>${escapeHtml(detail)}</p>`,
    '<table cellpadding="4">',
    ...rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    view.description === '' ? '' : `<p>${escapeHtml(view.description)}</p>`,
    `<p>Details: <code>${escapeHtml(command)}</code></p>`,
    '</body></html>',
  ].join('\n');
  return {
    subject,
    text,
    html,
    messageId: `<${item.id}@firewatch>`,
    headers: { 'X-Firewatch-Incident': view.id, 'X-Firewatch-Notification': item.kind },
  };
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Maps a nodemailer failure to retry or dead letter; the text holds codes only. */
export function classifyEmailError(error: unknown): DeliveryResult {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const codeText = typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : undefined;
  if (typeof responseCode === 'number') {
    const text = `email: SMTP ${responseCode}${codeText === undefined ? '' : ` (${codeText})`}`;
    const permanent = responseCode >= 500 && responseCode < 600 && responseCode !== SMTP_BAD_SEQUENCE;
    return permanent ? { outcome: 'dead', error: text } : { outcome: 'retry', error: text };
  }
  const text = `email: ${codeText ?? 'send failed'}`;
  return codeText !== undefined && PERMANENT_CODES.has(codeText) ? { outcome: 'dead', error: text } : { outcome: 'retry', error: text };
}

export function createEmailChannel(config: EmailConfig): NotificationChannel {
  const timeoutMs = config.timeout_seconds * 1000;
  const transport = nodemailer.createTransport({
    host: config.smtp.host,
    port: config.smtp.port,
    secure: config.smtp.secure,
    ...(config.smtp.user === null ? {} : { auth: { user: config.smtp.user, pass: config.smtp.password ?? '' } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
  return {
    name: 'email',
    async deliver(item) {
      const message = emailMessage(item);
      try {
        await transport.sendMail({ from: config.from, to: config.to, ...message });
        return { outcome: 'delivered' };
      } catch (error) {
        return classifyEmailError(error);
      }
    },
    close: () => transport.close(),
  };
}
