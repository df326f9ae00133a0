// Where the command is in an argument list: global flags may come before it, as with git or kubectl.

import { describe, expect, it } from 'vitest';
import { locateCommand } from './cli.js';

const path = (argv: string[]) => locateCommand(argv)?.command.path.join(' ');

describe('locating the command', () => {
  it('finds it after global flags, in either spelling, and passes the flags on after its own arguments', () => {
    expect(path(['incidents', 'list', '--severity', 'critical'])).toBe('incidents list');
    const located = locateCommand(['--config', 'f.yaml', '--socket=/run/fw.sock', 'incidents', 'get', 'inc_00001', '--full']);
    expect(located?.command.path).toEqual(['incidents', 'get']);
    expect(located?.rest).toEqual(['inc_00001', '--full', '--config', 'f.yaml', '--socket=/run/fw.sock']);
    expect(path(['--connect', 'a:1,b:2', '--token', 't', 'incidents', 'stats'])).toBe('incidents stats');
  });

  it('names no command for flags alone, a non-global flag first, or an unknown word', () => {
    expect(locateCommand(['--config', 'f.yaml'])).toBeUndefined();
    expect(locateCommand(['--read-only'])).toBeUndefined();
    expect(locateCommand(['--config', 'f.yaml', 'bogus'])).toBeUndefined();
    // a global flag's value is never taken for the command
    expect(path(['--config', 'trace', 'trace', '0af7651916cd43dd8448eb211c80319c'])).toBe('trace');
  });
});
