import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config-checks.js';
import { MAX_RUNBOOK_STEPS, parseRemediationConfig, parseRunbooksConfig } from './config.js';

/** A valid section; each failure case changes one thing of it. */
function validSection(): Record<string, unknown> {
  return {
    error_burst: {
      steps: ['Check the error dashboard', 'Clear the cache (clear_cache)\n'],
      links: [{ title: 'Error burst guide', url: 'https://wiki.example.com/oncall/errors' }],
    },
    service_down: { steps: ['Check the load balancer health checks'] },
    disk_space_low: { links: [{ title: 'Disk guide', url: 'http://wiki.example.com/disk' }] },
  };
}

function errorOf(mutate: (section: Record<string, unknown>) => unknown): ConfigError {
  const section = validSection();
  const raw = mutate(section) ?? section;
  try {
    parseRunbooksConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseRunbooksConfig', () => {
  it('parses runbooks keyed by incident type, trimming steps', () => {
    const runbooks = parseRunbooksConfig(validSection());
    expect(runbooks).toEqual({
      error_burst: {
        steps: ['Check the error dashboard', 'Clear the cache (clear_cache)'],
        links: [{ title: 'Error burst guide', url: 'https://wiki.example.com/oncall/errors' }],
      },
      service_down: { steps: ['Check the load balancer health checks'], links: [] },
      disk_space_low: { steps: [], links: [{ title: 'Disk guide', url: 'http://wiki.example.com/disk' }] },
    });
  });

  it.each([undefined, null, {}])('reads %j as no runbooks', (raw) => {
    expect(parseRunbooksConfig(raw)).toEqual({});
  });

  it.each<[string, (s: Record<string, unknown>) => unknown, string, RegExp]>([
    ['a list instead of a mapping', () => ['error_burst'], 'remediation.runbooks', /must be a mapping/],
    ['an unknown incident type', (s) => void (s.error_bursts = { steps: ['x'] }), 'remediation.runbooks.error_bursts', /unknown incident type/],
    ['a __proto__ key', () => JSON.parse('{"__proto__": {"steps": ["x"]}}'), 'remediation.runbooks.__proto__', /unknown incident type/],
    ['an unknown runbook key', (s) => void ((s.error_burst as Record<string, unknown>).step = ['x']), 'remediation.runbooks.error_burst.step', /unknown key/],
    ['a runbook with nothing in it', (s) => void (s.service_down = { steps: [] }), 'remediation.runbooks.service_down', /at least one step or one link/],
    ['steps that are not a list', (s) => void (s.service_down = { steps: 'reboot' }), 'remediation.runbooks.service_down.steps', /list of strings/],
    ['an empty step', (s) => void (s.service_down = { steps: ['ok', '  '] }), 'remediation.runbooks.service_down.steps[1]', /non-empty string/],
    ['a step that is a number', (s) => void (s.service_down = { steps: [42] }), 'remediation.runbooks.service_down.steps[0]', /non-empty string/],
    ['a step over 500 characters', (s) => void (s.service_down = { steps: ['x'.repeat(501)] }), 'remediation.runbooks.service_down.steps[0]', /at most 500 characters/],
    ['a step with an escape sequence', (s) => void (s.service_down = { steps: ['\u001b[31mred'] }), 'remediation.runbooks.service_down.steps[0]', /control characters/],
    ['a step with a line break inside', (s) => void (s.service_down = { steps: ['one\ntwo'] }), 'remediation.runbooks.service_down.steps[0]', /one line/],
    ['too many steps', (s) => void (s.service_down = { steps: Array.from({ length: MAX_RUNBOOK_STEPS + 1 }, () => 'x') }), 'remediation.runbooks.service_down.steps', /at most 50 steps/],
    ['a link that is a string', (s) => void (s.service_down = { links: ['https://x.example'] }), 'remediation.runbooks.service_down.links[0]', /mapping/],
    ['a link with an unknown key', (s) => void (s.service_down = { links: [{ title: 't', url: 'https://x.example', href: 'x' }] }), 'remediation.runbooks.service_down.links[0].href', /unknown key/],
    ['a link without a title', (s) => void (s.service_down = { links: [{ url: 'https://x.example' }] }), 'remediation.runbooks.service_down.links[0].title', /non-empty string/],
    ['a javascript: link', (s) => void (s.service_down = { links: [{ title: 't', url: 'javascript:alert(1)' }] }), 'remediation.runbooks.service_down.links[0].url', /http\(s\) URL, got scheme "javascript"/],
    ['a relative link', (s) => void (s.service_down = { links: [{ title: 't', url: '/wiki/disk' }] }), 'remediation.runbooks.service_down.links[0].url', /absolute http\(s\) URL/],
    ['a link with credentials', (s) => void (s.service_down = { links: [{ title: 't', url: 'https://me:secret@x.example' }] }), 'remediation.runbooks.service_down.links[0].url', /credentials/],
  ])('refuses %s, naming the path', (_name, mutate, path, message) => {
    const error = errorOf(mutate);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it('uses the path it is given', () => {
    expect(() => parseRunbooksConfig({ nope: {} }, 'runbooks')).toThrow('runbooks.nope: unknown incident type');
  });

  it('normalises URLs as WHATWG URL does', () => {
    const runbooks = parseRunbooksConfig({ cache_failure: { links: [{ title: 't', url: 'HTTPS://Wiki.Example.com/a b' }] } });
    expect(runbooks.cache_failure?.links[0]?.url).toBe('https://wiki.example.com/a%20b');
  });
});

describe('parseRemediationConfig: runbooks', () => {
  it('parses remediation.runbooks itself, none by default', () => {
    expect(parseRemediationConfig(undefined).runbooks).toEqual({});
    expect(parseRemediationConfig({ runbooks: null }).runbooks).toEqual({});
    expect(parseRemediationConfig({ runbooks: { service_down: { steps: ['Check the load balancer'] } } }).runbooks).toEqual({
      service_down: { steps: ['Check the load balancer'], links: [] },
    });
  });

  it('names runbook problems under the remediation path', () => {
    expect(() => parseRemediationConfig({ runbooks: { outage: { steps: ['a'] } } })).toThrow('remediation.runbooks.outage: unknown incident type');
  });
});
