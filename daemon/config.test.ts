import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { expandEnv } from '../common/config-file.js';
import { ConfigError, createDefaultConfig, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('gives the defaults for an empty file, and the repository file changes none of them', () => {
    expect(parseConfig('')).toEqual(createDefaultConfig());
    expect(parseConfig(readFileSync(new URL('../otel-config.yaml', import.meta.url), 'utf8'))).toEqual(createDefaultConfig());
  });

  it('reads every documented key', () => {
    const config = parseConfig(`
receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:14317", max_recv_msg_size_mib: 16 } } } }
processors:
  convert: { slow_span_threshold_ms: 250 }
  detect: { event_ring_capacity: 5000, max_groups_per_rule: 50 }
storage: { directory: /var/lib/firewatch }
`);
    expect(config.receivers.otlp.protocols.grpc).toEqual({ endpoint: '0.0.0.0:14317', max_recv_msg_size_mib: 16, tls: null, auth: null });
    // Listing protocols enables exactly those.
    expect(config.receivers.otlp.protocols.http).toBeNull();
    expect(parseConfig('receivers: { otlp: { protocols: { http: } } }').receivers.otlp.protocols).toEqual({
      grpc: null,
      http: { endpoint: '127.0.0.1:4318', max_request_body_mib: 20, tls: null, auth: null },
    });
    expect(config.processors.convert.slow_span_threshold_ms).toBe(250);
    expect(config.processors.detect.event_ring_capacity).toBe(5000);
    expect(config.processors.detect.max_groups_per_rule).toBe(50);
    // The socket follows the storage directory unless set.
    expect(config.service.control.socket).toBe('/var/lib/firewatch/control.sock');
  });

  it('reads receivers.otlp.admission, shared by both protocols', () => {
    const config = parseConfig(`
receivers:
  otlp:
    admission: { max_in_flight_mib: 32, max_in_flight_items: 20000, max_store_backlog: 64, max_events_per_export: 5000, max_event_loop_utilization: 0.8, retry_after_seconds: 2 }
`);
    expect(config.receivers.otlp.admission).toEqual({
      max_in_flight_mib: 32,
      max_in_flight_items: 20_000,
      max_store_backlog: 64,
      max_events_per_export: 5000,
      max_event_loop_utilization: 0.8,
      retry_after_seconds: 2,
    });
    // Setting admission alone keeps both protocols on.
    expect(config.receivers.otlp.protocols.grpc).not.toBeNull();
    expect(config.receivers.otlp.protocols.http).not.toBeNull();
  });

  it('applies rule overrides and custom rules', () => {
    const config = parseConfig(`
processors:
  detect:
    rules:
      - { rule_id: error_burst, error_threshold: 20 }
      - rule_id: checkout_errors
        name: Checkout errors
        description: Errors in checkout
        incident_type: error_burst
        severity: critical
        error_threshold: 5
        time_window_seconds: 60
        check_interval_seconds: 30
        match: { event_types: [api_error] }
`);
    const rules = config.processors.detect.rules;
    expect(rules.find((r) => r.rule_id === 'error_burst')!.error_threshold).toBe(20);
    expect(rules.at(-1)).toMatchObject({ rule_id: 'checkout_errors', severity: 'critical', builtin: false });
  });

  const rejected: [string, string, RegExp][] = [
    ['unknown top-level key', 'recievers: {}', /^recievers: unknown key/],
    ['unknown nested key', 'storage: { dir: x }', /^storage\.dir: unknown key \(known here: directory, event_retention_hours\)/],
    ['negative size', 'receivers: { otlp: { protocols: { grpc: { max_recv_msg_size_mib: -1 } } } }', /^receivers\.otlp\.protocols\.grpc\.max_recv_msg_size_mib: must be a number above 0/],
    ['endpoint without port', 'receivers: { otlp: { protocols: { grpc: { endpoint: localhost } } } }', /endpoint: must be host:port/],
    ['fractional ring size', 'processors: { detect: { event_ring_capacity: 1.5 } }', /event_ring_capacity: must be a whole number/],
    ['section as scalar', 'storage: 5', /^storage: must be a mapping/],
    ['receiver TLS without its key', 'receivers: { otlp: { protocols: { http: { tls: { cert_file: /c.pem } } } } }', /^receivers\.otlp\.protocols\.http\.tls\.key_file: /],
    ['receiver TLS: unknown key', 'receivers: { otlp: { protocols: { grpc: { tls: { cert_file: a, key_file: b, ca_file: c } } } } }', /^receivers\.otlp\.protocols\.grpc\.tls\.ca_file: unknown key \(known here: cert_file, key_file, client_ca_file\)/],
    ['auth naming an unknown extension', 'receivers: { otlp: { protocols: { grpc: { auth: { authenticator: oidc } } } } }', /^receivers\.otlp\.protocols\.grpc\.auth\.authenticator: must name an extension firewatch has \(bearertokenauth\)/],
    ['auth without the extension', 'receivers: { otlp: { protocols: { grpc: { auth: { authenticator: bearertokenauth } } } } }', /bearertokenauth/],
    ['bearertokenauth without tokens', 'extensions: { bearertokenauth: { scheme: Bearer } }', /^extensions\.bearertokenauth: give token, tokens or filename/],
    ['bearertokenauth: a short token, not echoed', 'extensions: { bearertokenauth: { tokens: [ "hunter2" ] } }', /^extensions\.bearertokenauth\.tokens\[0\]: must be one token of at least \d+ characters without spaces \(e\.g\. `openssl rand -hex 32`\)$/],
    ['no protocol', 'receivers: { otlp: { protocols: {} } }', /^receivers\.otlp\.protocols: enable at least one/],
    ['bad log severity', 'processors: { convert: { logs: { min_severity_number: 30 } } }', /^processors\.convert\.logs\.min_severity_number: /],
    ['bad threshold', 'processors: { convert: { metrics: { thresholds: [ { metric: m, above: high, event_type: x } ] } } }', /^processors\.convert\.metrics\.thresholds\[0\]\.above: /],
    ['ignored filesystems: a bare name', 'processors: { convert: { metrics: { ignore_filesystems: { types: squashfs } } } }', /^processors\.convert\.metrics\.ignore_filesystems\.types: must be a list of names/],
    ['exporters: a channel without its endpoint', 'exporters: { slack: {} }', /^exporters\.slack\.webhook_url: /],
    ['remediation: an action that is not an argv array', 'remediation: { actions: [ { id: x, risk: safe, command: "rm -rf /" } ] }', /^remediation\.actions\[0\]\.command: /],
    ['remediation.runbooks: unknown incident type', 'remediation: { runbooks: { outage: { steps: [a] } } }', /^remediation\.runbooks\.outage: unknown incident type/],
    ['workflow: quiet period must be positive', 'processors: { workflow: { recovery_quiet_period_seconds: 0 } }', /^processors\.workflow\.recovery_quiet_period_seconds: /],
    ['bad rule value', 'processors: { detect: { rules: [ { rule_id: error_burst, error_threshold: 0 } ] } }', /processors\.detect\.rules\[0\]\.error_threshold/],
    ['admission: items must be whole', 'receivers: { otlp: { admission: { max_in_flight_items: 2.5 } } }', /^receivers\.otlp\.admission\.max_in_flight_items: must be a whole number/],
    ['admission: utilisation is a share', 'receivers: { otlp: { admission: { max_event_loop_utilization: 1.5 } } }', /^receivers\.otlp\.admission\.max_event_loop_utilization: must be a number above 0 and at most 1/],
    ['admission: unknown key', 'receivers: { otlp: { admission: { limit_mib: 5 } } }', /^receivers\.otlp\.admission\.limit_mib: unknown key/],
    ['invalid YAML', 'storage: [', /invalid YAML/],
    ['duplicate key', 'storage: {}\nstorage: {}', /invalid YAML/],
  ];
  it('reads receiver TLS and bearer token settings as the Collector spells them', () => {
    const config = parseConfig(
      `
extensions:
  bearertokenauth: { token: "\${env:INGEST_TOKEN}", filename: /etc/firewatch/ingest.tokens }
receivers:
  otlp:
    protocols:
      grpc:
        tls: { cert_file: /etc/fw/otlp.pem, key_file: /etc/fw/otlp-key.pem, client_ca_file: /etc/fw/senders-ca.pem }
        auth: { authenticator: bearertokenauth }
      http:
        tls: { cert_file: /etc/fw/otlp.pem, key_file: /etc/fw/otlp-key.pem }
`,
      { INGEST_TOKEN: 'a'.repeat(32) },
    );
    expect(config.extensions.bearertokenauth).toEqual({ scheme: 'Bearer', tokens: ['a'.repeat(32)], filename: '/etc/firewatch/ingest.tokens' });
    expect(config.receivers.otlp.protocols.grpc).toMatchObject({
      tls: { cert_file: '/etc/fw/otlp.pem', key_file: '/etc/fw/otlp-key.pem', client_ca_file: '/etc/fw/senders-ca.pem' },
      auth: { authenticator: 'bearertokenauth' },
    });
    expect(config.receivers.otlp.protocols.http).toMatchObject({ tls: { client_ca_file: null }, auth: null });
  });

  it.each(rejected)('rejects %s, naming the key', (_name, yaml, message) => {
    expect(() => parseConfig(yaml, {})).toThrow(ConfigError);
    expect(() => parseConfig(yaml, {})).toThrow(message);
  });
});

describe('expandEnv', () => {
  it('expands ${env:VAR} in scalars only, with fallbacks and escapes', () => {
    const env = { DIR: '/data', PORT: '4317', EVIL: 'x\nreceivers: {}' };
    expect(expandEnv({ a: '${env:DIR}/fw', b: ['127.0.0.1:${env:PORT}'], c: '${env:MISSING:-dflt}', d: '$${env:DIR}', e: '${env:EVIL}' }, env)).toEqual({
      a: '/data/fw',
      b: ['127.0.0.1:4317'],
      c: 'dflt',
      d: '${env:DIR}',
      e: 'x\nreceivers: {}',
    });
  });

  it('names the key whose variable is missing', () => {
    expect(() => parseConfig('storage: { directory: "${env:FW_NOPE}" }', {})).toThrow(/^storage\.directory: environment variable FW_NOPE is not set/);
  });

  it('does not let a variable inject structure', () => {
    const config = parseConfig('storage: { directory: "${env:D}" }', { D: '/tmp/x\nservice: {}' });
    expect(config.storage.directory).toBe('/tmp/x\nservice: {}');
  });
});

describe('service.telemetry', () => {
  /** `service.telemetry: raw` as a file (JSON is YAML), parsed. */
  const telemetry = (raw: unknown) => parseConfig(raw === undefined ? '' : JSON.stringify({ service: { telemetry: raw } }), {}).service.telemetry;

  it('defaults to 127.0.0.1:8888, on, and logs at info', () => {
    expect(telemetry(undefined)).toEqual({ logs: { level: 'info' }, metrics: { level: 'normal', endpoint: '127.0.0.1:8888' } });
    expect(telemetry({ logs: null })).toEqual(createDefaultConfig().service.telemetry);
    expect(telemetry({ metrics: null })).toEqual(createDefaultConfig().service.telemetry);
  });

  it('takes an endpoint and a level (any case)', () => {
    expect(telemetry({ metrics: { endpoint: '0.0.0.0:9464', level: 'None' } })).toEqual({
      logs: { level: 'info' },
      metrics: { level: 'none', endpoint: '0.0.0.0:9464' },
    });
    expect(telemetry({ metrics: { endpoint: '[::1]:0' } }).metrics.endpoint).toBe('[::1]:0');
  });

  it.each(['debug', 'info', 'warn', 'error', 'WARN'])('takes the log level %s (any case)', (level) => {
    expect(telemetry({ logs: { level } }).logs.level).toBe(level.toLowerCase());
  });

  it.each([
    ['a scalar section', 'x', 'service.telemetry', /must be a mapping/],
    ['an unknown key', { traces: {} }, 'service.telemetry.traces', /unknown key/],
    ['an unknown logs key', { logs: { format: 'json' } }, 'service.telemetry.logs.format', /unknown key/],
    ['an unknown log level', { logs: { level: 'verbose' } }, 'service.telemetry.logs.level', /one of debug, info, warn, error, got "verbose"/],
    ['a log level that is not a string', { logs: { level: 3 } }, 'service.telemetry.logs.level', /one of debug, info, warn, error, got 3/],
    ['an unknown metrics key', { metrics: { address: 'x' } }, 'service.telemetry.metrics.address', /unknown key/],
    ['an endpoint without a port', { metrics: { endpoint: 'localhost' } }, 'service.telemetry.metrics.endpoint', /host:port/],
    ['an endpoint without a host', { metrics: { endpoint: ':8888' } }, 'service.telemetry.metrics.endpoint', /host:port/],
    ['a port out of range', { metrics: { endpoint: '127.0.0.1:70000' } }, 'service.telemetry.metrics.endpoint', /host:port/],
    ['an unknown level', { metrics: { level: 'detailed' } }, 'service.telemetry.metrics.level', /none, normal/],
  ])('refuses %s, naming the key', (_name, raw, path, message) => {
    try {
      telemetry(raw);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(path);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('service.dashboard', () => {
  const dashboard = (raw: unknown) => parseConfig(JSON.stringify({ service: { dashboard: raw } }), {}).service.dashboard;
  const token = { name: 'alice', role: 'Operator', token: 'op-0123456789abcdef' };

  it('is off by default; a loopback endpoint needs nothing else', () => {
    expect(createDefaultConfig().service.dashboard).toEqual({ endpoint: null, tls: null, tokens: [] });
    expect(dashboard(null)).toEqual({ endpoint: null, tls: null, tokens: [] });
    expect(dashboard({ endpoint: '127.0.0.1:8080' })).toEqual({ endpoint: '127.0.0.1:8080', tls: null, tokens: [] });
    expect(dashboard({ endpoint: 'localhost:0' }).endpoint).toBe('localhost:0');
  });

  it('serves other machines only with tokens and TLS', () => {
    const tls = { cert_file: '/etc/fw/dash.pem', key_file: '/etc/fw/dash-key.pem' };
    expect(dashboard({ endpoint: '0.0.0.0:8443', tls, tokens: [token] })).toEqual({
      endpoint: '0.0.0.0:8443',
      tls,
      tokens: [{ name: 'alice', role: 'operator', token: 'op-0123456789abcdef', token_file: null }],
    });
  });

  it.each([
    ['a non-loopback endpoint without tokens', { endpoint: '0.0.0.0:8080', tls: { cert_file: 'a', key_file: 'b' } }, 'service.dashboard.tokens', /required to serve the dashboard on 0\.0\.0\.0:8080 \(not loopback\)/],
    ['a non-loopback endpoint without TLS', { endpoint: '10.0.0.5:8080', tokens: [token] }, 'service.dashboard.tls', /required to serve the dashboard on 10\.0\.0\.5:8080/],
    ['an endpoint that is not host:port', { endpoint: '8080' }, 'service.dashboard.endpoint', /host:port/],
    ['an unknown key', { port: 8080 }, 'service.dashboard.port', /unknown key/],
    ['a short token, without echoing it', { tokens: [{ name: 'a', role: 'viewer', token: 'hunter2' }] }, 'service.dashboard.tokens[0].token', /at least 16 characters/],
    ['an unknown role', { tokens: [{ ...token, role: 'admin' }] }, 'service.dashboard.tokens[0].role', /viewer, operator/],
  ])('refuses %s, naming the key', (_name, raw, path, message) => {
    try {
      dashboard(raw);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(path);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('remediation', () => {
  it('parses remediation.runbooks with the rest of the section', () => {
    const config = parseConfig('remediation: { auto_remediate: false, runbooks: { service_down: { steps: [ "Check the load balancer" ] } } }', {});
    expect(config.remediation.auto_remediate).toBe(false);
    expect(config.remediation.runbooks).toEqual({ service_down: { steps: ['Check the load balancer'], links: [] } });
    expect(parseConfig('remediation:', {}).remediation).toEqual(createDefaultConfig().remediation);
  });
});

describe('expandEnv keys', () => {
  it('keeps a __proto__ key as an own key', () => {
    const expanded = expandEnv(JSON.parse('{"headers": {"__proto__": "${env:V}", "b": "c"}}'), { V: 'v' }) as { headers: Record<string, string> };
    expect(Object.keys(expanded.headers)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(expanded.headers, '__proto__')?.value).toBe('v');
    expect(Object.getPrototypeOf(expanded.headers)).toBe(Object.prototype);
  });
});
