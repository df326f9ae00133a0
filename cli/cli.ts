// `firewatch`: the command line. Dispatches to the command whose path matches the leading words, and maps
// failures to exit codes: 0 ok, 1 failure, 2 usage error — with one clear line on stderr.

import { isControlError } from '../api/errors.js';
import { ConfigError } from '../common/config-checks.js';
import { GLOBAL_FLAGS, helpText, parseArgs, UsageError, usageLine, type CommandSpec } from './args.js';
import { incidentsGet, incidentsList } from './commands/incidents.js';
import { rulesCreate, rulesDisable, rulesEnable, rulesList, rulesReset, rulesShow, rulesUpdate } from './commands/rules.js';
import { incidentsStats, incidentsTestRule, incidentsWatch } from './commands/tooling.js';
import { serve } from './commands/serve.js';
import { firewatchDefault } from './commands/default.js';
import { trace } from './commands/trace.js';
import { tui } from './commands/tui.js';
import { WORKFLOW_COMMANDS } from './commands/workflow.js';
import { createCompletionCommand } from './commands/completion.js';
import { componentsList } from './commands/components.js';
import { incidentsDashboard } from './commands/dashboard.js';
import { demo, incidentsSimulate } from './commands/simulate.js';
import { silencesCreate, silencesExpire, silencesList } from './commands/silences.js';
import { notificationsDrop, notificationsList, notificationsRetry } from './commands/notifications.js';

export const COMMANDS: readonly CommandSpec[] = [
  serve,
  incidentsList,
  incidentsGet,
  ...WORKFLOW_COMMANDS,
  incidentsStats,
  incidentsWatch,
  incidentsDashboard,
  rulesList,
  rulesShow,
  rulesEnable,
  rulesDisable,
  rulesUpdate,
  rulesCreate,
  rulesReset,
  incidentsTestRule,
  incidentsSimulate,
  demo,
  trace,
  componentsList,
  silencesCreate,
  silencesList,
  silencesExpire,
  notificationsList,
  notificationsRetry,
  notificationsDrop,
  tui,
  createCompletionCommand(() => COMMANDS),
];

/** How many of the first arguments are global flags and their values. */
function leadingGlobalFlags(argv: readonly string[]): number {
  let start = 0;
  while (start < argv.length && argv[start]!.startsWith('--')) {
    const [name, inline] = argv[start]!.slice(2).split('=', 2) as [string, string | undefined];
    const spec = GLOBAL_FLAGS.find((flag) => flag.name === name);
    if (spec === undefined) break; // not a global flag: the command's parser reports it
    start += spec.kind === 'boolean' || inline !== undefined ? 1 : 2;
  }
  return start;
}

/**
 * The command an argument list names, and the arguments it is run with. Global flags may come before the command
 * (`firewatch --config f.yaml incidents list`, as git and kubectl allow): they are passed on after its own.
 * Undefined when no command is named (the flags alone: `firewatch --config f.yaml` is the default command).
 */
export function locateCommand(argv: readonly string[]): { command: CommandSpec; rest: string[] } | undefined {
  const start = leadingGlobalFlags(argv);
  const words = argv.slice(start);
  let best: CommandSpec | undefined;
  for (const command of COMMANDS) {
    const matches = command.path.every((word, i) => words[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: [...words.slice(best.path.length), ...argv.slice(0, start)] } : undefined;
}

function overview(): string {
  const lines = [
    'firewatch — OpenTelemetry-native incident engine',
    '',
    'usage: firewatch <command> [flags]     (no command: the daemon and the terminal UI in a terminal, else serve)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(26)} ${c.summary}`),
    '',
    'Run `firewatch <command> --help` for a command\'s flags and examples.',
  ];
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  // No command word (nothing, or flags only): the default command, which takes the flags.
  const firstWord = argv[leadingGlobalFlags(argv)];
  if (argv.length === 0 || (argv[0]!.startsWith('--') && !['--help', '--version'].includes(argv[0]!) && (firstWord === undefined || firstWord.startsWith('-')))) {
    return runCommand(firewatchDefault, argv);
  }
  const located = locateCommand(argv);
  if (argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(`${overview()}\n`);
    return 0;
  }
  if (argv[0] === '--version') {
    const { packageVersion } = await import('../common/package-root.js');
    process.stdout.write(`firewatch ${packageVersion()}\n`);
    return 0;
  }
  const found = located;
  if (!found) {
    const group = COMMANDS.filter((c) => c.path[0] === firstWord);
    const known = group.length > 0 ? group.map((c) => c.path.join(' ')).join(', ') : COMMANDS.map((c) => c.path.join(' ')).join(', ');
    process.stderr.write(`firewatch: unknown command "${argv.join(' ')}" (known: ${known})\n`);
    return 2;
  }
  return runCommand(found.command, found.rest);
}

async function runCommand(command: CommandSpec, rest: readonly string[]): Promise<number> {
  try {
    const args = parseArgs(command, rest);
    if (args.flags.help) {
      process.stdout.write(`${helpText(command)}\n`);
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`firewatch: ${error.message}\nusage: ${usageLine(error.command ?? command)}  (see --help)\n`);
      return 2;
    }
    if (isControlError(error) || error instanceof ConfigError) {
      process.stderr.write(`firewatch: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`firewatch: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}
