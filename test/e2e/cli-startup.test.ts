// What a client command loads before it does anything: every `firewatch` run pays for it (bench/cli.bench.ts,
// bench/tui.bench.ts). The YAML parser is loaded only when a configuration file is read.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, makeWorkspace, removeWorkspace } from '../helpers/daemon-process.js';

const workspace = makeWorkspace('firewatch-cli-startup-');
afterAll(() => removeWorkspace(workspace));

/** Runs main(args) of the built CLI in a fresh process in `workspace`: its exit code, and whether `yaml` was loaded. */
async function run(args: readonly string[]): Promise<{ code: number; yamlLoaded: boolean }> {
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(pathToFileURL(join(CLI, '..', 'cli.js')).href)});
    const code = await main(${JSON.stringify(args)});
    const yamlLoaded = Object.keys(createRequire(import.meta.url).cache).some((file) => /[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(file));
    process.stdout.write('\\n' + JSON.stringify({ code, yamlLoaded }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: workspace, env: { ...process.env, FIREWATCH_SOCKET: '' } });
  return JSON.parse(stdout.split('\n').at(-1)!) as { code: number; yamlLoaded: boolean }; // after what the command printed
}

describe('client start-up', () => {
  it('does not load the YAML parser when no configuration file is read', async () => {
    const socket = join(workspace, 'nobody-here.sock');
    expect(await run(['incidents', 'list', '--socket', socket])).toEqual({ code: 1, yamlLoaded: false }); // no daemon: 1
    expect(await run(['--help'])).toEqual({ code: 0, yamlLoaded: false });
  });

  it('loads it, and reads the file, when there is one', async () => {
    const config = join(workspace, 'client.yaml');
    writeFileSync(config, `service:\n  control:\n    socket: ${JSON.stringify(join(workspace, 'from-config.sock'))}\n`);
    expect(await run(['incidents', 'list', '--config', config])).toEqual({ code: 1, yamlLoaded: true });
    writeFileSync(config, 'service: [unclosed\n');
    expect(await run(['incidents', 'list', '--config', config])).toEqual({ code: 1, yamlLoaded: true });
  });
});
