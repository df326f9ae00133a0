import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incidentToJson } from '../daemon/api-json.js';
import { NOTIFICATION_KINDS, SEVERITIES, SEVERITY_RANK, type Incident, type NotificationKind, type Severity } from '../engine/types.js';
import { channelNames, configuredChannels, createDefaultNotifyConfig, parseExportersConfig, type NotifyConfig } from './config.js';
import { changesBetween, createNotificationSequence, eligibleChannels, notificationPlan, notificationsFor } from './routing.js';
import { applySilence, type Silence } from '../engine/maintenance-windows.js';
import { T0, testIncident } from '../test/helpers/notify-fixtures.js';

const ALL_CHANNELS: NotifyConfig = parseExportersConfig({
  slack: { webhook_url: 'https://hooks.slack.com/services/x' },
  pagerduty: { routing_key: 'key' },
  email: { smtp: { host: 'mail' }, from: 'a@b.c', to: ['d@e.f'] },
  webhook: [{ name: 'ops', url: 'https://ops.example.com' }],
});

function counter(): () => number {
  let n = 0;
  return () => ++n;
}

function change(kind: NotificationKind, incident: Incident) {
  return { kind, incident, incidentJson: incidentToJson(incident) as unknown as Record<string, unknown> };
}

describe('changesBetween', () => {
  const open = testIncident({ severity: 'high' });
  it.each<[string, Incident | undefined, Incident, NotificationKind[]]>([
    ['new open incident', undefined, open, ['triggered']],
    ['new incident already acknowledged', undefined, { ...open, acknowledged_at: T0 }, ['triggered', 'acknowledged']],
    ['new incident already resolved', undefined, { ...open, status: 'resolved', resolved_at: T0 }, []],
    ['nothing that matters changed', open, { ...open, event_count: 99, status: 'investigating' }, []],
    ['severity up', open, { ...open, severity: 'critical' }, ['escalated']],
    ['severity down', open, { ...open, severity: 'medium' }, []],
    ['acknowledged', open, { ...open, acknowledged_at: T0 + 1 }, ['acknowledged']],
    ['escalated and acknowledged at once', open, { ...open, severity: 'critical', acknowledged_at: T0 }, ['escalated', 'acknowledged']],
    ['resolved', open, { ...open, status: 'resolved', resolved_at: T0 }, ['resolved']],
    ['escalated and resolved at once: only resolved', open, { ...open, severity: 'critical', status: 'resolved' }, ['resolved']],
    ['resolved → closed', { ...open, status: 'resolved' }, { ...open, status: 'closed' }, []],
  ])('%s', (_name, before, after, expected) => {
    expect(changesBetween(before, after)).toEqual(expected);
  });
});

describe('notificationPlan under silences', () => {
  const open = testIncident({ severity: 'high' });
  const held = (incident: Incident, announced: Severity | null): Incident => ({ ...incident, silenced_by: 'sil_00001', announced_severity: announced });
  it.each<[string, Incident | undefined, Incident, NotificationKind[], NotificationKind[]]>([
    ['opens silenced: nothing, not even its acknowledgement', undefined, held({ ...open, acknowledged_at: T0 }, null), [], ['triggered', 'acknowledged']],
    ['opened silenced, escalates', held(open, null), held({ ...open, severity: 'critical' }, null), [], ['escalated']],
    ['opened silenced, acknowledged', held(open, null), held({ ...open, acknowledged_at: T0 }, null), [], ['acknowledged']],
    ['opened silenced, resolves while silenced', held(open, null), held({ ...open, status: 'resolved' }, null), [], ['resolved']],
    ['opened silenced, the silence ends: triggered as if it just opened', held(open, null), { ...open, silenced_by: null }, ['triggered'], []],
    ['… acknowledged meanwhile: triggered and acknowledged', held({ ...open, acknowledged_at: T0 }, null), { ...open, acknowledged_at: T0, silenced_by: null }, ['triggered', 'acknowledged'], []],
    ['announced, then silenced: escalation held back', open, held({ ...open, severity: 'critical' }, 'high'), [], ['escalated']],
    ['announced, silenced: acknowledged still goes out', held(open, 'high'), held({ ...open, acknowledged_at: T0 }, 'high'), ['acknowledged'], []],
    ['announced, silenced: resolved still goes out (PagerDuty closes)', held(open, 'high'), held({ ...open, status: 'resolved' }, 'high'), ['resolved'], []],
    ['announced at high, rose while silenced, silence ends: escalated', held({ ...open, severity: 'critical' }, 'high'), { ...open, severity: 'critical', silenced_by: null }, ['escalated'], []],
    ['announced at high, back at high when the silence ends: nothing', held(open, 'high'), { ...open, silenced_by: null }, [], []],
    ['not silenced (stored before silences existed)', { ...open, silenced_by: undefined }, { ...open, severity: 'critical' }, ['escalated'], []],
  ])('%s', (_name, before, after, send, suppressed) => {
    expect(notificationPlan(before, after)).toEqual({ send, suppressed });
  });

  it('property: silenced incidents tell no channel anything new; what was told is closed; a silence that ends tells the rest', () => {
    const steps = fc.array(
      fc.constantFrom('silence', 'end_silence', 'escalate', 'deescalate', 'acknowledge', 'resolve', 'events'),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(fc.boolean(), steps, (silencedFirst, list) => {
        // prepare: the writer's loop (daemon/incident-writer.ts): apply the silences in force, plan, remember
        let now = T0;
        let nextSilence = 1;
        const silences: Silence[] = [];
        const all = new Map<string, Silence>();
        const startSilence = () => {
          const silence: Silence = {
            silence_id: `sil_${String(nextSilence++).padStart(5, '0')}`,
            component: 'checkout',
            incident_type: null,
            starts_at: now,
            ends_at: now + 3_600_000,
            comment: 'maintenance',
            created_by: 'ann',
            created_at: now,
            expired_at: null,
            expired_by: null,
          };
          silences.push(silence);
          all.set(silence.silence_id, silence);
        };
        const sent: Array<{ kind: NotificationKind; severity: Severity }> = [];
        let before: Incident | undefined;
        const write = (after: Incident) => {
          now += 1000;
          applySilence(after, { at: now, active: silences, lookup: (id) => all.get(id), announced: before?.severity ?? null });
          const plan = notificationPlan(before, after);
          for (const kind of plan.send) sent.push({ kind, severity: after.severity });
          // verify: nothing new while silenced; closing kinds only for what was announced
          if (after.silenced_by) {
            expect(plan.send.filter((kind) => kind === 'triggered' || kind === 'escalated')).toEqual([]);
            if (plan.send.length > 0) expect(sent.some((entry) => entry.kind === 'triggered')).toBe(true);
          }
          before = after;
        };
        if (silencedFirst) startSilence();
        write(testIncident({ severity: 'high', affected_components: ['checkout'] }));

        // act
        for (const step of list) {
          if (before!.status === 'resolved') break;
          const next = { ...before!, notes: [...before!.notes] };
          const rank = SEVERITY_RANK[next.severity];
          switch (step) {
            case 'silence':
              startSilence();
              break;
            case 'end_silence':
              for (const silence of silences.splice(0)) all.set(silence.silence_id, { ...silence, expired_at: now, expired_by: 'bob' });
              break;
            case 'escalate':
              next.severity = SEVERITIES[Math.min(rank + 1, SEVERITIES.length - 1)]!;
              break;
            case 'deescalate':
              next.severity = SEVERITIES[Math.max(rank - 1, 1)]!;
              break;
            case 'acknowledge':
              next.acknowledged_at ??= now;
              break;
            case 'resolve':
              next.status = 'resolved';
              break;
            case 'events':
              next.event_count += 1;
              break;
          }
          write(next);
        }

        // verify: a well-formed story per incident
        const kinds = sent.map((entry) => entry.kind);
        expect(kinds.filter((kind) => kind === 'triggered').length).toBeLessThanOrEqual(1);
        if (kinds.length > 0) expect(kinds[0]).toBe('triggered');
        const told = kinds.includes('triggered');
        const last = before!;
        if (told && last.status === 'resolved') expect(kinds.at(-1)).toBe('resolved');
        if (!told) expect(kinds).toEqual([]);
        if (!last.silenced_by && last.status !== 'resolved') {
          // Not silenced and open: the channels know it, at a severity no lower than it has, and its acknowledgement.
          expect(told).toBe(true);
          const announced = sent.filter((entry) => entry.kind === 'triggered' || entry.kind === 'escalated').at(-1)!;
          expect(SEVERITY_RANK[announced.severity]).toBeGreaterThanOrEqual(SEVERITY_RANK[last.severity]);
          if (last.acknowledged_at !== null) expect(kinds).toContain('acknowledged');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('notificationsFor', () => {
  it.each<[Severity, string[]]>([
    ['info', []],
    ['low', ['webhook:ops']],
    ['medium', ['slack', 'webhook:ops']],
    ['high', ['slack', 'email', 'webhook:ops']],
    ['critical', ['slack', 'pagerduty', 'email', 'webhook:ops']],
  ])('triggered at %s goes to %j (the default routing)', (severity, channels) => {
    // act
    const items = notificationsFor(change('triggered', testIncident({ severity })), ALL_CHANNELS, T0 + 5, counter());

    // verify
    expect(items.map((item) => item.channel)).toEqual(channels);
  });

  it('builds pending items with ids ntf_<incident>_<kind>_<n> from nextId, in channel order', () => {
    // prepare
    const incident = testIncident();
    const json = incidentToJson(incident) as unknown as Record<string, unknown>;

    // act
    const items = notificationsFor({ kind: 'resolved', incident, incidentJson: json }, ALL_CHANNELS, T0 + 5, counter());

    // verify
    expect(items.map((item) => item.id)).toEqual([
      'ntf_inc_00003_resolved_1',
      'ntf_inc_00003_resolved_2',
      'ntf_inc_00003_resolved_3',
      'ntf_inc_00003_resolved_4',
    ]);
    expect(items[0]).toEqual({
      id: 'ntf_inc_00003_resolved_1',
      channel: 'slack',
      kind: 'resolved',
      incident_id: 'inc_00003',
      incident: json,
      created_at: T0 + 5,
      attempts: 0,
      next_attempt_at: T0 + 5,
      last_error: null,
    });
  });

  it('sends acknowledged and resolved to the channels eligible at the current severity (PagerDuty closes its alert)', () => {
    const critical = testIncident({ severity: 'critical' });
    expect(notificationsFor(change('acknowledged', critical), ALL_CHANNELS, T0, counter()).map((i) => i.channel)).toContain('pagerduty');
    expect(notificationsFor(change('resolved', critical), ALL_CHANNELS, T0, counter()).map((i) => i.channel)).toContain('pagerduty');
    const low = testIncident({ severity: 'low' });
    expect(notificationsFor(change('resolved', low), ALL_CHANNELS, T0, counter()).map((i) => i.channel)).toEqual(['webhook:ops']);
  });

  it('routes at routeSeverity when given: a resolve after a de-escalation still reaches the channel the trigger paged', () => {
    // prepare: opened critical (PagerDuty paged), since de-escalated to medium
    const deescalated = testIncident({ severity: 'medium' });
    const channels = (kind: NotificationKind, routeSeverity?: Severity) =>
      notificationsFor({ ...change(kind, deescalated), ...(routeSeverity ? { routeSeverity } : {}) }, ALL_CHANNELS, T0, counter()).map(
        (item) => item.channel,
      );

    // verify: the caller's routing severity decides, the incident's own is the default
    expect(channels('resolved', 'critical')).toEqual(['slack', 'pagerduty', 'email', 'webhook:ops']);
    expect(channels('acknowledged', 'critical')).toEqual(['slack', 'pagerduty', 'email', 'webhook:ops']);
    expect(channels('resolved')).toEqual(['slack', 'webhook:ops']);
    expect(channels('acknowledged', 'medium')).toEqual(['slack', 'webhook:ops']);
    // the snapshot stays the incident's: only the channels change
    const [item] = notificationsFor({ ...change('resolved', deescalated), routeSeverity: 'critical' }, ALL_CHANNELS, T0, counter());
    expect(item!.incident.severity).toBe('medium');
  });

  it('sends nothing without channels', () => {
    expect(notificationsFor(change('triggered', testIncident()), createDefaultNotifyConfig(), T0, counter())).toEqual([]);
  });

  it('property: every item goes to a channel the severity reaches, and ids never repeat', () => {
    const severity = fc.constantFrom(...SEVERITIES);
    const configArb = fc.record({
      slack: fc.option(severity, { nil: undefined }),
      pagerduty: fc.option(severity, { nil: undefined }),
      email: fc.option(severity, { nil: undefined }),
      webhooks: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), severity), { selector: ([name]) => name, maxLength: 3 }),
    });
    const changes = fc.array(
      fc.record({ kind: fc.constantFrom(...NOTIFICATION_KINDS), severity, incident: fc.integer({ min: 1, max: 5 }) }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(configArb, changes, (shape, list) => {
        // prepare
        const config = parseExportersConfig({
          ...(shape.slack ? { slack: { webhook_url: 'https://s.example.com', min_severity: shape.slack } } : {}),
          ...(shape.pagerduty ? { pagerduty: { routing_key: 'k', min_severity: shape.pagerduty } } : {}),
          ...(shape.email ? { email: { smtp: { host: 'm' }, from: 'a@b.c', to: ['d@e.f'], min_severity: shape.email } } : {}),
          webhook: shape.webhooks.map(([name, min]) => ({ name, url: 'https://w.example.com', min_severity: min })),
        });
        const minimum = new Map<string, Severity>([
          ...(config.slack ? [['slack', config.slack.min_severity] as const] : []),
          ...(config.pagerduty ? [['pagerduty', config.pagerduty.min_severity] as const] : []),
          ...(config.email ? [['email', config.email.min_severity] as const] : []),
          ...config.webhook.map((hook) => [`webhook:${hook.name}`, hook.min_severity] as const),
        ]);
        const nextId = createNotificationSequence(() => T0); // a frozen clock: the sequence must still advance
        const ids = new Set<string>();

        // act
        for (const step of list) {
          const incident = testIncident({ incident_id: `inc_${step.incident}`, severity: step.severity });
          for (const item of notificationsFor(change(step.kind, incident), config, T0, nextId)) {
            // verify
            expect(minimum.has(item.channel)).toBe(true);
            expect(SEVERITY_RANK[step.severity]).toBeGreaterThanOrEqual(SEVERITY_RANK[minimum.get(item.channel)!]);
            expect(ids.has(item.id)).toBe(false);
            ids.add(item.id);
          }
          expect(eligibleChannels(config, step.severity).length).toBe(
            [...minimum.values()].filter((min) => SEVERITY_RANK[step.severity] >= SEVERITY_RANK[min]).length,
          );
        }
      }),
    );
  });
});

describe('configuredChannels', () => {
  it('lists every configured channel once, in channelNames() order, with its min_severity and settings', () => {
    const channels = configuredChannels(ALL_CHANNELS);
    expect(channels.map((channel) => [channel.name, channel.kind, channel.minSeverity])).toEqual([
      ['slack', 'slack', 'medium'],
      ['pagerduty', 'pagerduty', 'critical'],
      ['email', 'email', 'high'],
      ['webhook:ops', 'webhook', 'low'],
    ]);
    expect(channels.map((channel) => channel.name)).toEqual(channelNames(ALL_CHANNELS));
    expect(channels[0]!.config).toBe(ALL_CHANNELS.slack);
    expect(channels[3]!.config).toBe(ALL_CHANNELS.webhook[0]);
    expect(configuredChannels(createDefaultNotifyConfig())).toEqual([]);
  });
});

describe('createNotificationSequence', () => {
  it('follows the clock in microseconds and never repeats when the clock stands still or steps back', () => {
    let now = T0;
    const next = createNotificationSequence(() => now);
    const a = next();
    const b = next();
    now -= 10_000;
    const c = next();
    now += 60_000;
    const d = next();
    expect(a).toBe(T0 * 1000);
    expect([b, c]).toEqual([a + 1, a + 2]);
    expect(d).toBe((T0 + 50_000) * 1000);
    expect(Number.isSafeInteger(d)).toBe(true);
  });
});
