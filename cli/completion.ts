// Shell completion for `firewatch`, generated from the command table so that a new command or flag completes
// without touching this file.
//
//   CommandSpec[] + GLOBAL_FLAGS ──► buildModel(): a node per command word prefix ('' is the root), each with the
//                                    words that may follow it and, when it is a command, its flags (globals
//                                    included, winning on a clash as in parseArgs) and positionals, each with
//                                    what its value completes to (ValueSource)
//                                 ──► bashScript() / zshScript(): plain text; the shell does the matching at <TAB>
//
// Command words, flag names and choices are written into the scripts bare (bash's `compgen -W` even expands its
// word list), so buildModel() refuses, with an Error naming it, any that is not a plain word. Words that come
// from the daemon at <TAB> time (incident and rule ids) are never passed through `compgen -W` or `eval`: they are
// matched with a quoted `case` pattern (bash) or handed to `compadd` (zsh), which take them literally.

import type { CommandSpec, FlagKind, FlagSpec, PositionalSpec } from './args.js';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

export function isShell(value: string): value is Shell {
  return (SHELLS as readonly string[]).includes(value);
}

const PROGRAM = 'firewatch';

/**
 * Positionals whose values come from the daemon, by positional name: the listing that prints them in its first
 * CSV column. A source is used only when the table has its listing command, so a table without one (a test's, a
 * trimmed build) completes nothing there rather than calling a command that does not exist.
 */
const DYNAMIC_SOURCES: readonly { positional: string; tag: string; path: readonly string[]; args: readonly string[] }[] = [
  { positional: 'incident_id', tag: 'incident-ids', path: ['incidents', 'list'], args: ['--format', 'csv', '--limit', '50'] },
  { positional: 'rule_id', tag: 'rule-ids', path: ['incidents', 'rules', 'list'], args: ['--format', 'csv'] },
];

/** Positionals with a fixed set of values, by name (PositionalSpec has no `choices` of its own). */
const POSITIONAL_CHOICES: Readonly<Record<string, readonly string[]>> = { shell: SHELLS };

/** Placeholders that name something on disk. */
const FILE_PLACEHOLDER = /^(FILE|PATH)\b/;
const DIR_PLACEHOLDER = /^DIR\b/;

/** What may be written bare into a script: command words, flag names, choices. */
const PLAIN_WORD = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

type ValueSource =
  | { kind: 'none' }
  | { kind: 'words'; words: readonly string[]; list: boolean }
  | { kind: 'files' }
  | { kind: 'dirs' }
  | { kind: 'dynamic'; tag: string };

interface FlagModel {
  name: string;
  kind: FlagKind;
  description: string;
  message: string;
  values: ValueSource;
  global: boolean;
}

interface PositionalModel {
  name: string;
  required: boolean;
  variadic: boolean;
  values: ValueSource;
}

interface NodeModel {
  /** The command words joined by a space; '' for the root. */
  key: string;
  children: { word: string; description: string }[];
  command?: { flags: FlagModel[]; positionals: PositionalModel[] };
}

interface Model {
  nodes: NodeModel[];
  globals: FlagModel[];
  dynamic: { tag: string; argv: readonly string[] }[];
}

export function completionScript(shell: Shell, commands: readonly CommandSpec[], globalFlags: readonly FlagSpec[]): string {
  const model = buildModel(commands, globalFlags);
  return shell === 'bash' ? bashScript(model) : zshScript(model);
}

// ── the model ───────────────────────────────────────────────────────────────────────────────────────────────────

function buildModel(commands: readonly CommandSpec[], globalFlags: readonly FlagSpec[]): Model {
  const byKey = new Map<string, NodeModel>();
  const node = (key: string) => {
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = { key, children: [] }));
    return found;
  };
  node('');
  const commandAt = new Map(commands.map((c) => [c.path.join(' '), c]));
  const dynamic = DYNAMIC_SOURCES.filter((source) => commandAt.has(source.path.join(' '))).map((source) => ({
    ...source,
    argv: [...source.path, ...source.args],
  }));
  const globals = globalFlags.map((flag) => flagModel(flag, true, 'global flags'));

  for (const command of commands) {
    const where = `command "${command.path.join(' ')}"`;
    if (command.path.length === 0) throw new Error(`completion: a command has an empty path (${command.summary})`);
    command.path.forEach((word, depth) => {
      checkPlain(word, 'command word', where);
      const parent = node(command.path.slice(0, depth).join(' '));
      const key = command.path.slice(0, depth + 1).join(' ');
      if (!parent.children.some((child) => child.word === word)) parent.children.push({ word, description: '' });
      node(key);
    });
    const own = command.flags.filter((flag) => !globalFlags.some((g) => g.name === flag.name));
    node(command.path.join(' ')).command = {
      flags: [...own.map((flag) => flagModel(flag, false, where)), ...globals],
      positionals: command.positionals.map((p) => positionalModel(p, dynamic)),
    };
  }

  // A child's description: its command's summary, else (a group such as `incidents rules`) the words under it.
  for (const parent of byKey.values()) {
    for (const child of parent.children) {
      const key = parent.key === '' ? child.word : `${parent.key} ${child.word}`;
      const summary = commandAt.get(key)?.summary;
      child.description = summary ?? byKey.get(key)!.children.map((c) => c.word).join(', ');
    }
  }
  return { nodes: [...byKey.values()], globals, dynamic };
}

function flagModel(flag: FlagSpec, global: boolean, where: string): FlagModel {
  checkPlain(flag.name, 'flag name', where);
  let values: ValueSource = { kind: 'none' };
  if (flag.kind === 'boolean') {
    // takes no value
  } else if (flag.choices && flag.choices.length > 0) {
    for (const choice of flag.choices) checkPlain(choice, `choice of --${flag.name}`, where);
    values = { kind: 'words', words: flag.choices, list: flag.kind === 'list' };
  } else if (flag.placeholder && FILE_PLACEHOLDER.test(flag.placeholder)) values = { kind: 'files' };
  else if (flag.placeholder && DIR_PLACEHOLDER.test(flag.placeholder)) values = { kind: 'dirs' };
  return { name: flag.name, kind: flag.kind, description: flag.description, message: flag.placeholder ?? flag.name, values, global };
}

function positionalModel(positional: PositionalSpec, dynamic: Model['dynamic']): PositionalModel {
  const variadic = positional.name.endsWith('...');
  const name = variadic ? positional.name.slice(0, -3) : positional.name;
  const source = DYNAMIC_SOURCES.find((s) => s.positional === name);
  const choices = POSITIONAL_CHOICES[name];
  let values: ValueSource = { kind: 'none' };
  if (source && dynamic.some((d) => d.tag === source.tag)) values = { kind: 'dynamic', tag: source.tag };
  else if (choices) values = { kind: 'words', words: choices, list: false };
  return { name, required: positional.required, variadic, values };
}

function checkPlain(word: string, what: string, where: string): void {
  if (!PLAIN_WORD.test(word)) {
    throw new Error(`completion: ${what} ${JSON.stringify(word)} of ${where} is not a plain word (${PLAIN_WORD.source})`);
  }
}

/** A single-quoted word for either shell. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Groups case arms with the same body into one `a|b)` arm, in first-seen order. */
function caseArms(arms: readonly { pattern: string; body: string }[], indent: string): string[] {
  const grouped = new Map<string, string[]>();
  for (const arm of arms) grouped.set(arm.body, [...(grouped.get(arm.body) ?? []), arm.pattern]);
  return [...grouped].map(([body, patterns]) => `${indent}${patterns.join('|')}) ${body} ;;`);
}

// ── bash ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** A value source as _firewatch_values reads it. */
function bashSource(values: ValueSource): string {
  switch (values.kind) {
    case 'none':
      return '';
    case 'words':
      return `${values.list ? 'list' : 'words'}:${values.words.join(' ')}`;
    case 'files':
    case 'dirs':
      return values.kind;
    case 'dynamic':
      return `dynamic:${values.tag}`;
  }
}

function bashScript(model: Model): string {
  const nodeArms = model.nodes.map((node) => {
    const body = [`_fw_children=${quote(node.children.map((c) => c.word).join(' '))}`];
    if (node.command) {
      body.push('_fw_command=1', `_fw_flags=${quote(node.command.flags.map((f) => `--${f.name}`).join(' '))}`);
      const positionals = node.command.positionals;
      if (positionals.length > 0) body.push(`_fw_positionals=(${positionals.map((p) => quote(bashSource(p.values))).join(' ')})`);
      if (positionals.at(-1)?.variadic) body.push('_fw_variadic=1');
    }
    return { pattern: quote(node.key), body: body.join('; ') };
  });

  const flagBody = (flag: FlagModel) =>
    [flag.kind === 'boolean' ? '_fw_takes=0' : '_fw_takes=1', `_fw_values=${quote(bashSource(flag.values))}`, ...(flag.global ? ['_fw_global_flag=1'] : [])].join(' ');
  const flagArms = [
    // Globals first: parseArgs lets a global flag win over a command's flag of the same name.
    ...model.globals.map((flag) => ({ pattern: `*${quote(` --${flag.name}`)}`, body: flagBody(flag) })),
    ...model.nodes.flatMap((node) =>
      (node.command?.flags ?? []).filter((f) => !f.global).map((flag) => ({ pattern: quote(`${node.key} --${flag.name}`), body: flagBody(flag) })),
    ),
  ];

  const dynamicArms = model.dynamic.map((d) => ({ pattern: quote(d.tag), body: `set -- ${d.argv.map(quote).join(' ')}` }));

  return `# bash completion for ${PROGRAM}, generated from its command table by \`${PROGRAM} completion bash\`.
# For this shell:   source <(${PROGRAM} completion bash)
# For every shell:  ${PROGRAM} completion bash > ~/.local/share/bash-completion/completions/${PROGRAM}
# Works with bash 3.2 and later, under set -u, without the bash-completion package.

# _firewatch_node KEY: what may follow the command words KEY ('' is the root), in the caller's locals:
# _fw_children (the next command words), _fw_command (1 when KEY is a command), _fw_flags (its flags, globals
# included), _fw_positionals (one value source per positional, see _firewatch_values), _fw_variadic (1 when the
# last one repeats).
_firewatch_node() {
  _fw_children=''; _fw_command=0; _fw_flags=${quote(model.globals.map((f) => `--${f.name}`).join(' '))}; _fw_positionals=(); _fw_variadic=0
  case "$1" in
${caseArms(nodeArms, '    ').join('\n')}
  esac
}

# _firewatch_flag KEY FLAG: _fw_takes (1 when FLAG takes a value), _fw_values (what the value completes to),
# _fw_global_flag (1 for a global flag, passed on when listing ids).
_firewatch_flag() {
  _fw_takes=0; _fw_values=''; _fw_global_flag=0
  case "$1 $2" in
${caseArms(flagArms, '    ').join('\n')}
  esac
}

# _firewatch_add PREFIX: adds each line of standard input, after PREFIX, to COMPREPLY.
_firewatch_add() {
  local line
  while IFS= read -r line; do
    COMPREPLY+=("$1$line")
  done
}

# _firewatch_dequote WORD: WORD as the command will see it (surrounding quotes, or an opening one still being
# typed, and backslashes removed; nothing expanded).
_firewatch_dequote() {
  local word="$1" out='' c
  case "$word" in
    \\'*\\') printf '%s' "\${word:1:\${#word}-2}"; return 0 ;;
    \\'*) printf '%s' "\${word:1}"; return 0 ;;
    \\"*\\") word="\${word:1:\${#word}-2}" ;;
    \\"*) word="\${word:1}" ;;
  esac
  while [ -n "$word" ]; do
    c="\${word:0:1}"; word="\${word:1}"
    if [ "$c" = '\\' ] && [ -n "$word" ]; then c="\${word:0:1}"; word="\${word:1}"; fi
    out="$out$c"
  done
  printf '%s' "$out"
}

# _firewatch_dynamic TAG CUR PREFIX: the first CSV column of a ${PROGRAM} listing (skipping its header) that starts
# with CUR; nothing at all when the listing fails, e.g. with no daemon running.
_firewatch_dynamic() {
  local cur="$2" prefix="$3" line header=1
  case "$1" in
${caseArms(dynamicArms, '    ').join('\n')}
    *) return 0 ;;
  esac
  while IFS= read -r line; do
    if [ "$header" = 1 ]; then header=0; continue; fi
    line="\${line%%,*}"
    case "$line" in
      '') ;;
      "$cur"*) COMPREPLY+=("$prefix$line") ;;
    esac
  done < <(command ${PROGRAM} "$@" \${_fw_global[@]+"\${_fw_global[@]}"} </dev/null 2>/dev/null)
}

# _firewatch_values SOURCE CUR PREFIX: completes CUR from SOURCE, which is words:A B…, list:A B… (comma-separated,
# completing after the last comma), files, dirs, dynamic:TAG or '' (nothing); PREFIX goes before each reply.
_firewatch_values() {
  local cur="$2" prefix="$3"
  case "$1" in
    words:*) _firewatch_add "$prefix" < <(compgen -W "\${1#words:}" -- "$cur") ;;
    list:*)
      case "$cur" in *,*) prefix="$prefix\${cur%,*},"; cur="\${cur##*,}" ;; esac
      _firewatch_add "$prefix" < <(compgen -W "\${1#list:}" -- "$cur") ;;
    files|dirs)
      compopt -o filenames 2>/dev/null
      cur="$(_firewatch_dequote "$cur")"
      if [ "$1" = dirs ]; then
        _firewatch_add "$prefix" < <(compgen -d -- "$cur")
      else
        _firewatch_add "$prefix" < <(compgen -f -- "$cur")
      fi ;;
    dynamic:*) _firewatch_dynamic "\${1#dynamic:}" "$cur" "$prefix" ;;
  esac
}

_firewatch() {
  local IFS=$' \\t\\n'
  local cur="\${COMP_WORDS[COMP_CWORD]-}" prev="\${COMP_WORDS[COMP_CWORD-1]-}" key='' word='' flag='' value='' prefix=''
  local i=1 positional=0 descending=1 only_positionals=0 dashed_prev=0 spaced=0
  local _fw_children _fw_command _fw_flags _fw_variadic _fw_takes _fw_values _fw_global_flag
  local -a _fw_positionals _fw_global
  _fw_positionals=(); _fw_global=()
  COMPREPLY=()

  # Walk the words before the cursor: command words first, then flags (and their values) and positionals.
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word="\${COMP_WORDS[i]-}"
    if [ "$descending" = 1 ]; then
      _firewatch_node "$key"
      case " $_fw_children " in
        *" $word "*) key="\${key:+$key }$word"; i=$((i + 1)); continue ;;
      esac
      descending=0
    fi
    if [ "$only_positionals" = 1 ]; then
      positional=$((positional + 1))
    else
      case "$word" in
        --) only_positionals=1 ;;
        --*=*)
          _firewatch_flag "$key" "\${word%%=*}"
          if [ "$_fw_global_flag" = 1 ] && [ "$_fw_takes" = 1 ]; then
            _fw_global+=("\${word%%=*}" "$(_firewatch_dequote "\${word#*=}")")
          fi ;;
        --*)
          _firewatch_flag "$key" "$word"
          # bash splits "--flag=value" at the '=' when '=' is in COMP_WORDBREAKS, as it is by default.
          if [ "\${COMP_WORDS[i+1]-}" = '=' ]; then
            i=$((i + 1))
            _fw_takes=1
          fi
          if [ "$_fw_takes" = 1 ] && [ $((i + 1)) -lt "$COMP_CWORD" ]; then
            i=$((i + 1))
            if [ "$_fw_global_flag" = 1 ]; then _fw_global+=("$word" "$(_firewatch_dequote "\${COMP_WORDS[i]-}")"); fi
          fi ;;
        *) positional=$((positional + 1)) ;;
      esac
    fi
    i=$((i + 1))
  done
  _firewatch_node "$key"

  # A flag's value: "--flag VALUE", "--flag=VALUE" in one word, or split at the '=' into "--flag" "=" "VALUE".
  if [ "$only_positionals" = 0 ]; then
    case "$prev" in --?*) dashed_prev=1 ;; *) dashed_prev=0 ;; esac
    if [ "$cur" = '=' ] && [ "$dashed_prev" = 1 ]; then
      flag="$prev"; cur=''
    elif [ "$prev" = '=' ] && [ "$COMP_CWORD" -ge 2 ]; then
      case "\${COMP_WORDS[COMP_CWORD-2]-}" in --?*) flag="\${COMP_WORDS[COMP_CWORD-2]}" ;; esac
    else
      case "$cur" in
        --*=*) flag="\${cur%%=*}"; prefix="$flag="; cur="\${cur#*=}" ;;
        *) [ "$dashed_prev" = 0 ] || { flag="$prev"; spaced=1; } ;;
      esac
    fi
    if [ -n "$flag" ]; then
      _firewatch_flag "$key" "$flag"
      if [ "$_fw_takes" = 1 ] || [ "$spaced" = 0 ]; then
        _firewatch_values "$_fw_values" "$cur" "$prefix"
        return 0
      fi
    fi
    case "$cur" in
      -*) _firewatch_add '' < <(compgen -W "$_fw_flags" -- "$cur"); return 0 ;;
    esac
  fi

  if [ "$descending" = 1 ] && [ -n "$_fw_children" ]; then
    _firewatch_add '' < <(compgen -W "$_fw_children" -- "$cur")
    [ "$_fw_command" = 1 ] || return 0
  fi
  if [ "$_fw_command" = 1 ]; then
    if [ "$positional" -ge "\${#_fw_positionals[@]}" ] && [ "$_fw_variadic" = 1 ]; then
      positional=$((\${#_fw_positionals[@]} - 1))
    fi
    if [ "$positional" -lt "\${#_fw_positionals[@]}" ]; then
      _firewatch_values "\${_fw_positionals[positional]}" "$cur" ''
    elif [ -z "$cur" ] && [ "$only_positionals" = 0 ]; then
      # Nothing more to name: offer the flags.
      _firewatch_add '' < <(compgen -W "$_fw_flags" -- "$cur")
    fi
  fi
  return 0
}

complete -F _firewatch ${PROGRAM}
`;
}

// ── zsh ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** An _arguments action for a value source. */
function zshAction(values: ValueSource, message: string): string {
  switch (values.kind) {
    case 'none':
      return ' ';
    case 'words':
      return values.list ? `_values -s , ${zshMessageWord(message)} ${values.words.join(' ')}` : `(${values.words.join(' ')})`;
    case 'files':
      return '_files';
    case 'dirs':
      return '_files -/';
    case 'dynamic':
      return `_firewatch_ids ${values.tag}`;
  }
}

/** _values' description as one word: its first argument, split by _arguments on spaces. */
function zshMessageWord(message: string): string {
  return message.replace(/[^A-Za-z0-9_-]+/g, '') || 'value';
}

/** Text inside an _arguments `[…]` explanation. */
function zshExplanation(text: string): string {
  return text.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/** A message between the colons of an _arguments spec. */
function zshMessage(text: string): string {
  return text.replace(/[\\:]/g, (c) => `\\${c}`);
}

function zshFlagSpec(flag: FlagModel): string {
  const explanation = `[${zshExplanation(flag.description)}]`;
  if (flag.kind === 'boolean') return `--${flag.name}${explanation}`;
  const repeat = flag.kind === 'list' ? '*' : '';
  return `${repeat}--${flag.name}=${explanation}:${zshMessage(flag.message)}:${zshAction(flag.values, flag.message)}`;
}

function zshPositionalSpec(positional: PositionalModel): string {
  const head = positional.variadic ? '*:' : positional.required ? ':' : '::';
  return `${head}${zshMessage(positional.name)}:${zshAction(positional.values, positional.name)}`;
}

function zshScript(model: Model): string {
  const childArms = model.nodes
    .filter((node) => node.children.length > 0)
    .map((node) => ({
      pattern: quote(node.key),
      body: `reply=(${node.children.map((c) => quote(`${c.word}:${c.description}`)).join(' ')})`,
    }));
  const specArms = model.nodes
    .filter((node) => node.command)
    .map((node) => ({
      pattern: quote(node.key),
      body: `reply=(\n      ${[...node.command!.flags.map(zshFlagSpec), ...node.command!.positionals.map(zshPositionalSpec)].map(quote).join('\n      ')}\n    )`,
    }));
  const globalSpecs = model.globals.map(zshFlagSpec).map(quote).join(' ');
  const dynamicArms = model.dynamic.map((d) => ({ pattern: quote(d.tag), body: `cmd=(${d.argv.map(quote).join(' ')})` }));
  const passGlobals = model.globals
    .filter((flag) => flag.kind !== 'boolean')
    .map((flag) => `  (( \${+opt_args[--${flag.name}]} )) && cmd+=(--${flag.name} "\${(Q)\${(Q)opt_args[--${flag.name}]}}")`)
    .join('\n');

  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}, generated from its command table by \`${PROGRAM} completion zsh\`.
# For every shell:  ${PROGRAM} completion zsh > "\${fpath[1]}/_${PROGRAM}"   (then start a new shell)
# For this shell:   source <(${PROGRAM} completion zsh)                 (after compinit)

# _firewatch_children KEY: reply=(word:description …), the command words that may follow KEY ('' is the root).
_firewatch_children() {
  reply=()
  case "$1" in
${caseArms(childArms, '    ').join('\n')}
  esac
}

# _firewatch_specs KEY: reply=(_arguments specs) of the command KEY; returns 1 when KEY is not a command.
_firewatch_specs() {
  reply=(${globalSpecs})
  case "$1" in
${caseArms(specArms, '    ').join('\n')}
    *) return 1 ;;
  esac
}

# _firewatch_ids [compadd options] TAG: the first CSV column of a ${PROGRAM} listing (skipping its header); nothing
# when it fails, e.g. with no daemon running. _arguments puts its compadd options before TAG. A global flag's
# value is passed on unquoted twice: opt_args backslash-quotes what the shell had quoted.
_firewatch_ids() {
  local tag="\${@[-1]}" expl
  local -a cmd lines ids
  case "$tag" in
${caseArms(dynamicArms, '    ').join('\n')}
    *) return 1 ;;
  esac
${passGlobals}
  lines=("\${(@f)$(command ${PROGRAM} "\${cmd[@]}" </dev/null 2>/dev/null)}")
  ids=("\${(@)\${(@)lines[2,-1]}%%,*}")
  ids=("\${(@)ids:#}")
  _wanted "$tag" expl "\${tag%s}" compadd "\${(@)@[1,-2]}" -a ids
}

_firewatch() {
  local key='' word
  local -i i=2
  local -a reply
  # The command words: the leading words that the table knows at each depth.
  while (( i < CURRENT )); do
    word="\${words[i]}"
    _firewatch_children "$key"
    (( \${reply[(I)\${(b)word}:*]} )) || break
    key="\${key:+$key }$word"
    (( i++ ))
  done
  _firewatch_children "$key"
  if (( i == CURRENT )) && (( \${#reply} )) && [[ "$PREFIX" != -* ]]; then
    _describe -t commands "${PROGRAM}\${key:+ $key} command" reply
    return
  fi
  # The rest belongs to the command: hand _arguments the words from its last command word on.
  _firewatch_specs "$key"  # a group such as \`incidents\` (not a command) leaves the global flags
  local -a specs
  specs=("\${reply[@]}")
  (( i > 2 )) && { shift $(( i - 2 )) words; (( CURRENT -= i - 2 )) }
  _arguments -S : "\${specs[@]}"
}

if [[ "\${funcstack[1]-}" == _${PROGRAM} ]]; then
  # Autoloaded from $fpath: this file is the body of _${PROGRAM}, run at the first <TAB>.
  _${PROGRAM} "$@"
elif (( \${+functions[compdef]} )); then
  compdef _${PROGRAM} ${PROGRAM}
else
  print -u2 "${PROGRAM} completion: run 'autoload -Uz compinit && compinit' before loading this script"
fi
`;
}
