// Command-line parsing for `firewatch`: commands and their flags are data, so `--help`, usage errors and (later)
// shell completion all come from the same table.

export type FlagKind = 'string' | 'number' | 'boolean' | 'list';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  description: string;
  /** Allowed values (compared case-insensitively; the parsed value is lowercased). */
  choices?: readonly string[];
  placeholder?: string;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | number | boolean | string[] | undefined>;
}

export interface CommandSpec {
  /** Words after `firewatch`, e.g. ['incidents', 'list']. */
  path: readonly string[];
  summary: string;
  positionals: readonly PositionalSpec[];
  flags: readonly FlagSpec[];
  examples: readonly string[];
  run(args: ParsedArgs): Promise<number>;
}

/** A mistake in how the command was called: exit code 2, with usage on stderr. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandSpec,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'config', kind: 'string', placeholder: 'FILE', description: 'configuration file (default ./otel-config.yaml when present)' },
  { name: 'socket', kind: 'string', placeholder: 'PATH', description: 'control socket of the daemon (default from the config)' },
  { name: 'connect', kind: 'string', placeholder: 'HOST:PORT[,…]', description: "remote daemon(s) (their service.control.endpoint); several: one merged view" },
  { name: 'token', kind: 'string', placeholder: 'TOKEN', description: 'bearer token for --connect (default $FIREWATCH_TOKEN; prefer the variable: flags show in ps)' },
  { name: 'ca', kind: 'string', placeholder: 'FILE', description: "PEM of the CA that signed the daemons' certificates (default: the system's)" },
  { name: 'help', kind: 'boolean', description: 'show help for this command' },
];

export function parseArgs(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const specs = new Map<string, FlagSpec>();
  for (const spec of [...command.flags, ...GLOBAL_FLAGS]) specs.set(spec.name, spec);
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (onlyPositionals || !token.startsWith('--') || token === '--') {
      if (token === '--' && !onlyPositionals) {
        onlyPositionals = true;
        continue;
      }
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const spec = specs.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name}`, command);
    let raw: string | undefined = eq === -1 ? undefined : token.slice(eq + 1);
    if (spec.kind === 'boolean') {
      if (raw !== undefined && !['true', 'false'].includes(raw.toLowerCase())) {
        throw new UsageError(`--${name} takes no value (or =true/=false)`, command);
      }
      flags[name] = raw === undefined ? true : raw.toLowerCase() === 'true';
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) {
        throw new UsageError(`--${name} needs a value${spec.placeholder ? ` (${spec.placeholder})` : ''}`, command);
      }
    }
    flags[name] = convert(spec, raw, flags[name], command);
  }

  if (flags.help) return { positionals, flags }; // --help needs none of the arguments
  const required = command.positionals.filter((p) => p.required).length;
  if (positionals.length < required) {
    const missing = command.positionals[positionals.length]!;
    throw new UsageError(`missing ${missing.name.toUpperCase()} (${missing.description})`, command);
  }
  if (positionals.length > command.positionals.length && !command.positionals.some((p) => p.name.endsWith('...'))) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[command.positionals.length])}`, command);
  }
  return { positionals, flags };
}

function convert(spec: FlagSpec, raw: string, previous: ParsedArgs['flags'][string], command: CommandSpec) {
  switch (spec.kind) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
        throw new UsageError(`--${spec.name} needs a non-negative number, got ${JSON.stringify(raw)}`, command);
      }
      return n;
    }
    case 'list': {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map((item) => checkChoice(spec, item, command));
      if (items.length === 0) throw new UsageError(`--${spec.name} needs at least one value`, command);
      return [...((previous as string[] | undefined) ?? []), ...items];
    }
    case 'string':
      return checkChoice(spec, raw, command);
    default:
      return raw;
  }
}

function checkChoice(spec: FlagSpec, raw: string, command: CommandSpec): string {
  if (!spec.choices) return raw;
  const lowered = raw.toLowerCase();
  if (!spec.choices.includes(lowered)) {
    throw new UsageError(`--${spec.name} must be one of ${spec.choices.join(', ')}; got ${JSON.stringify(raw)}`, command);
  }
  return lowered;
}

export function usageLine(command: CommandSpec): string {
  const positionals = command.positionals.map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`));
  return ['firewatch', ...command.path, ...positionals, command.flags.length > 0 ? '[flags]' : ''].filter(Boolean).join(' ');
}

export function helpText(command: CommandSpec): string {
  const lines = [`${command.summary}`, '', `usage: ${usageLine(command)}`];
  if (command.positionals.length > 0) {
    lines.push('', 'arguments:');
    for (const p of command.positionals) lines.push(`  ${p.name.toUpperCase().padEnd(24)} ${p.description}`);
  }
  const flagLines = (specs: readonly FlagSpec[]) =>
    specs.map((f) => {
      const value = f.kind === 'boolean' ? '' : ` ${f.placeholder ?? (f.choices ? f.choices.join('|') : 'VALUE')}`;
      return `  ${`--${f.name}${value}`.padEnd(24)} ${f.description}`;
    });
  if (command.flags.length > 0) lines.push('', 'flags:', ...flagLines(command.flags));
  lines.push('', 'global flags:', ...flagLines(GLOBAL_FLAGS));
  if (command.examples.length > 0) lines.push('', 'examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
