import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../common/config-checks.js';
import { INCIDENT_TYPES } from '../engine/types.js';
import { DEFAULT_RECOMMENDATIONS, manualSteps } from './catalog.js';
import { createDefaultRemediationConfig, parseRemediationConfig } from './config.js';

function error(raw: unknown): ConfigError {
  try {
    parseRemediationConfig(raw);
  } catch (caught) {
    if (caught instanceof ConfigError) return caught;
    throw caught;
  }
  throw new Error('expected a ConfigError');
}

/** A valid base the table cases mutate. */
function base(): Record<string, unknown> {
  return parse(`
auto_remediate: true
approval_ttl_seconds: 1800
approvers: { medium: [alice, bob], high: [lead] }
actions:
  - id: clear_cache
    description: "Clear application caches"
    risk: safe
    applies_to: [error_burst, cache_failure]
    command: [./scripts/clear-cache.sh, --service, "{{primary_source}}"]
    env: { EXTRA: value }
    timeout_seconds: 30
    cooldown_seconds: 300
    max_auto_runs: 3
    backoff_multiplier: 2
    circuit_breaker: { failure_threshold: 3, reset_seconds: 600 }
    approvers: [alice]
  - id: restart_service
    http: { url: "https://ops.example.com/restart?token=s3cret", method: post, headers: { Authorization: "Bearer abc" } }
  - id: page_dba
    risk: high
    applies_to: ['*']
    command: [/usr/local/bin/page, "--incident={{ incident_id }}"]
recommendations: { error_burst: [clear_cache, restart_service] }
`) as Record<string, unknown>;
}

describe('remediation config', () => {
  it('defaults: the seed catalogue, no effects, the seed table', () => {
    const config = parseRemediationConfig(undefined);
    expect(config).toEqual(createDefaultRemediationConfig());
    expect(config.auto_remediate).toBe(true);
    expect(config.approval_ttl_seconds).toBe(1800);
    expect(config.actions.map((a) => [a.id, a.risk])).toEqual([
      ['scale_up', 'safe'],
      ['clear_cache', 'safe'],
      ['kill_zombie_processes', 'safe'],
      ['restart_service', 'medium'],
      ['rollback_deployment', 'medium'],
    ]);
    expect(config.actions.every((a) => a.command === null && a.http === null)).toBe(true);
    for (const type of INCIDENT_TYPES) expect(config.recommendations[type]).toEqual(DEFAULT_RECOMMENDATIONS[type]);
    expect(manualSteps('security_breach')).toHaveLength(4);
    expect(manualSteps('disk_space_low')).toContain('Add storage');
    expect(manualSteps('database_connection_failure')).toEqual(['Check database status', 'Restart the database if needed']);
  });

  it('merges the file over the catalogue by id and adds new actions', () => {
    const config = parseRemediationConfig(base());
    const clear = config.actions.find((a) => a.id === 'clear_cache')!;
    expect(clear.command).toEqual(['./scripts/clear-cache.sh', '--service', '{{primary_source}}']);
    expect(clear.applies_to).toEqual(['error_burst', 'cache_failure']);
    expect(clear.timeout_seconds).toBe(30);
    expect(clear.approvers).toEqual(['alice']);
    const restart = config.actions.find((a) => a.id === 'restart_service')!;
    expect(restart.risk).toBe('medium'); // kept from the catalogue
    expect(restart.http).toEqual({ url: 'https://ops.example.com/restart?token=s3cret', method: 'POST', headers: { Authorization: 'Bearer abc' } });
    const page = config.actions.at(-1)!;
    expect(page).toMatchObject({ id: 'page_dba', risk: 'high', applies_to: [], description: 'page_dba' });
    expect(config.approvers).toEqual({ medium: ['alice', 'bob'], high: ['lead'] });
    // clear_cache no longer applies to performance_degradation: the default table drops it there.
    expect(config.recommendations.performance_degradation).toEqual(['scale_up']);
    expect(config.recommendations.error_burst).toEqual(['clear_cache', 'restart_service']);
  });

  it('recommends by default the actions the file gives an effect for the type, in file order, ahead of the seed table', () => {
    // prepare: a custom safe action and a custom HTTP one for error_burst, a built-in given a command, an action
    // for every type, and one with no effect
    const raw = parse(`
actions:
  - { id: notify_ops, risk: medium, applies_to: [error_burst], http: { url: "https://ops.example.com/hook" } }
  - { id: my_action, risk: safe, applies_to: [error_burst, cache_failure], command: [/bin/true] }
  - { id: clear_cache, command: [/bin/true] }
  - { id: everywhere, risk: safe, applies_to: ['*'], command: [/bin/true] }
  - { id: just_a_name, risk: safe, applies_to: [error_burst] }
`) as Record<string, unknown>;
    // act
    const config = parseRemediationConfig(raw);
    // verify: configured first (file order), then the seed's built-ins; '*' and effect-less actions stay applicable only
    expect(config.recommendations.error_burst).toEqual(['notify_ops', 'my_action', 'clear_cache', 'restart_service']);
    expect(config.recommendations.cache_failure).toEqual(['my_action', 'clear_cache']);
    expect(config.recommendations.performance_degradation).toEqual(['clear_cache', 'scale_up']);
    expect(config.recommendations.quality_drop).toEqual([]);
  });

  it('an explicit recommendations table still decides for the types it names', () => {
    const raw = parse(`
actions:
  - { id: my_action, risk: safe, applies_to: [error_burst, cache_failure], command: [/bin/true] }
recommendations: { error_burst: [restart_service] }
`) as Record<string, unknown>;
    const config = parseRemediationConfig(raw);
    expect(config.recommendations.error_burst).toEqual(['restart_service']);
    expect(config.recommendations.cache_failure).toEqual(['my_action', 'clear_cache']);
  });

  it('accepts actions as a map keyed by id', () => {
    const config = parseRemediationConfig({ actions: { scale_up: { command: ['/bin/true'] } } });
    expect(config.actions.find((a) => a.id === 'scale_up')!.command).toEqual(['/bin/true']);
  });

  const cases: Array<{ name: string; mutate: (raw: any) => void; path: string; message: RegExp }> = [
    { name: 'unknown top key', mutate: (r) => (r.auto_remediation = true), path: 'remediation.auto_remediation', message: /unknown key/ },
    { name: 'unknown action key', mutate: (r) => (r.actions[0].shell = true), path: 'remediation.actions[0].shell', message: /unknown key/ },
    { name: 'unknown placeholder', mutate: (r) => r.actions[2].command.push('{{hostname}}'), path: 'remediation.actions[2].command[2]', message: /unknown placeholder \{\{hostname\}\}/ },
    { name: 'placeholder in the program', mutate: (r) => (r.actions[2].command[0] = '{{primary_source}}'), path: 'remediation.actions[2].command[0]', message: /program cannot contain placeholders/ },
    { name: 'command as a string', mutate: (r) => (r.actions[0].command = './x.sh --all'), path: 'remediation.actions[0].command', message: /write it as a list/ },
    { name: 'command and http', mutate: (r) => (r.actions[0].http = { url: 'https://x' }), path: 'remediation.actions[0]', message: /mutually exclusive/ },
    { name: 'bad risk', mutate: (r) => (r.actions[0].risk = 'low'), path: 'remediation.actions[0].risk', message: /safe\|medium\|high/ },
    { name: 'new action without risk', mutate: (r) => delete r.actions[2].risk, path: 'remediation.actions[2].risk', message: /required/ },
    { name: 'bad incident type', mutate: (r) => (r.actions[0].applies_to = ['error_burst', 'oops']), path: 'remediation.actions[0].applies_to[1]', message: /incident type/ },
    { name: 'duplicate id', mutate: (r) => r.actions.push({ id: 'clear_cache' }), path: 'remediation.actions[3]', message: /duplicate/ },
    { name: 'negative cooldown', mutate: (r) => (r.actions[0].cooldown_seconds = -1), path: 'remediation.actions[0].cooldown_seconds', message: /from 0/ },
    { name: 'fractional max runs', mutate: (r) => (r.actions[0].max_auto_runs = 1.5), path: 'remediation.actions[0].max_auto_runs', message: /whole number/ },
    { name: 'backoff below 1', mutate: (r) => (r.actions[0].backoff_multiplier = 0.5), path: 'remediation.actions[0].backoff_multiplier', message: /at least 1/ },
    { name: 'breaker key', mutate: (r) => (r.actions[0].circuit_breaker.threshold = 2), path: 'remediation.actions[0].circuit_breaker.threshold', message: /unknown key/ },
    { name: 'reserved env', mutate: (r) => (r.actions[0].env.FIREWATCH_TITLE = 'x'), path: 'remediation.actions[0].env.FIREWATCH_TITLE', message: /set by firewatch/ },
    { name: 'placeholder in env', mutate: (r) => (r.actions[0].env.EXTRA = '{{title}}'), path: 'remediation.actions[0].env.EXTRA', message: /only in command arguments/ },
    { name: 'ftp url', mutate: (r) => (r.actions[1].http.url = 'ftp://x/y'), path: 'remediation.actions[1].http.url', message: /http or https/ },
    { name: 'credentials in url', mutate: (r) => (r.actions[1].http.url = 'https://u:p@ops.example.com/x'), path: 'remediation.actions[1].http.url', message: /credentials/ },
    { name: 'bad method', mutate: (r) => (r.actions[1].http.method = 'GET'), path: 'remediation.actions[1].http.method', message: /POST\|PUT/ },
    { name: 'header with newline', mutate: (r) => (r.actions[1].http.headers.Authorization = 'a\nb'), path: 'remediation.actions[1].http.headers.Authorization', message: /line breaks/ },
    { name: 'unknown recommended action', mutate: (r) => (r.recommendations.cache_failure = ['flush_all']), path: 'remediation.recommendations.cache_failure[0]', message: /unknown action "flush_all"/ },
    { name: 'recommended action that does not apply', mutate: (r) => (r.recommendations.security_breach = ['clear_cache']), path: 'remediation.recommendations.security_breach[0]', message: /does not apply/ },
    { name: 'unknown type in table', mutate: (r) => (r.recommendations.outage = []), path: 'remediation.recommendations.outage', message: /unknown key/ },
    { name: 'empty approver', mutate: (r) => (r.approvers.medium = ['']), path: 'remediation.approvers.medium[0]', message: /name/ },
    { name: 'ttl zero', mutate: (r) => (r.approval_ttl_seconds = 0), path: 'remediation.approval_ttl_seconds', message: /above 0/ },
    { name: 'star with types', mutate: (r) => (r.actions[2].applies_to = ['*', 'error_burst']), path: 'remediation.actions[2].applies_to', message: /cannot be combined/ },
  ];

  for (const { name, mutate, path, message } of cases) {
    it(`refuses: ${name}`, () => {
      // prepare
      const raw = base();
      mutate(raw);
      // act
      const problem = error(raw);
      // verify
      expect(problem.path).toBe(path);
      expect(problem.message).toMatch(message);
    });
  }

  it('keeps a header and an environment variable named __proto__ (yaml makes it an own key)', () => {
    // prepare
    const raw = parse(`
actions:
  - id: restart_service
    http: { url: "https://ops.example.com/restart", headers: { __proto__: "h", X-Other: 1 } }
  - id: clear_cache
    command: [/bin/true]
    env: { __proto__: "e", OTHER: x }
`) as Record<string, unknown>;
    // act
    const config = parseRemediationConfig(raw);
    // verify
    const headers = config.actions.find((a) => a.id === 'restart_service')!.http!.headers;
    expect(Object.keys(headers)).toEqual(['__proto__', 'X-Other']);
    expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).toBe('h');
    expect(headers['X-Other']).toBe('1');
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    const env = config.actions.find((a) => a.id === 'clear_cache')!.env;
    expect(Object.keys(env)).toEqual(['__proto__', 'OTHER']);
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('e');
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
  });

  it('never echoes a URL that does not parse (it may hold a token)', () => {
    const raw = base();
    (raw.actions as any)[1].http.url = 'not a url s3cret';
    expect(error(raw).message).not.toContain('s3cret');
  });
});
