// The notification outbox: `firewatch notifications list|retry|drop`. A notification waits in the outbox until its
// channel takes it; one the channel refused for good (or too many times) becomes a dead letter, kept until someone
// retries it (back in the outbox, in its place) or drops it.

export type NotificationKind = 'triggered' | 'escalated' | 'acknowledged' | 'resolved';

export type NotificationJson = {
  /** `ntf_<incident id>_<kind>_<n>` */
  notification_id: string;
  /** `slack`, `pagerduty`, `email` or `webhook:<name>` */
  channel: string;
  kind: NotificationKind;
  incident_id: string;
  /** `pending` (in the outbox) or `dead` (a dead letter). */
  state: 'pending' | 'dead';
  /** ISO-8601 */
  created_at: string;
  attempts: number;
  /** ISO-8601 of the next attempt; null for a dead letter. */
  next_attempt_at: string | null;
  last_error: string | null;
  /** ISO-8601 when it was given up on; null while pending. */
  failed_at: string | null;
  /** Why it was given up on; null while pending. */
  reason: string | null;
};

export type NotificationQuery = {
  /** Dead letters only (default: pending items, then dead letters). */
  dead?: boolean;
  channel?: string;
  /** 0: all */
  limit?: number;
};

/** One dead letter of a retry: put back in the outbox, or why not. */
export type RetriedNotificationJson = {
  notification_id: string;
  retried: boolean;
  detail: string;
};
