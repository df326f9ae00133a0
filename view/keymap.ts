// The terminal UI's keys as data (DESIGN.md "The terminal UI"): one entry per command, with its bindings, where it
// applies, what the help says, and whether it changes anything. Dispatch, the footer, the `?` help screen and the
// README's key table are all generated from this map (tui/ and a README test read it), so they cannot drift; with
// --read-only (or a viewer token) every command that mutates is left out of all four.

export const SCREENS = ['overview', 'incidents', 'incident', 'trace', 'components', 'rules', 'silences', 'notifications', 'help'] as const;
export type Screen = (typeof SCREENS)[number];

export const COMMANDS = [
  'overview',
  'incidents',
  'components',
  'rules',
  'silences',
  'notifications',
  'down',
  'up',
  'top',
  'bottom',
  'page_up',
  'page_down',
  'open',
  'back',
  'filter',
  'command',
  'next_tab',
  'trace',
  'next_trace',
  'previous_trace',
  'toggle',
  'acknowledge',
  'assign',
  'mitigate',
  'resolve',
  'close',
  'export',
  'new_silence',
  'expire',
  'retry',
  'retry_all',
  'drop',
  'help',
  'suspend',
  'quit',
] as const;
export type Command = (typeof COMMANDS)[number];

/**
 * Key names as the TUI's input decoder produces them: a printable character as itself (`j`, `G`, `?`, `:`), and
 * `up`, `down`, `left`, `right`, `pageup`, `pagedown`, `home`, `end`, `enter`, `escape`, `tab`, `backtab`, `space`,
 * `backspace`, `ctrl-c`, `ctrl-z`.
 */
export type KeyName = string;

export type Binding = {
  keys: readonly KeyName[];
  /** How the help and the footer write the keys (`j k ↑ ↓`). */
  label: string;
  /** Short, for the footer. */
  hint: string;
  /** One line, for the help screen and the README. */
  description: string;
  /** Changes an incident, a rule, a silence or a notification: left out with --read-only. */
  mutates: boolean;
  /** Where it applies; 'all' everywhere. */
  screens: readonly Screen[] | 'all';
};

const LISTS: readonly Screen[] = ['overview', 'incidents', 'incident', 'trace', 'components', 'rules', 'silences', 'notifications', 'help'];
const ON_INCIDENT: readonly Screen[] = ['overview', 'incidents', 'incident'];

/** Exhaustive: the type checker demands a binding for every command. */
export const KEYMAP: Readonly<Record<Command, Binding>> = {
  overview: { keys: ['1'], label: '1', hint: 'overview', description: 'Overview: health, active incidents, activity, metrics, components', mutates: false, screens: 'all' },
  incidents: { keys: ['2'], label: '2', hint: 'incidents', description: 'Incidents: the filterable list', mutates: false, screens: 'all' },
  components: { keys: ['3'], label: '3', hint: 'components', description: 'Components: health per service', mutates: false, screens: 'all' },
  rules: { keys: ['4'], label: '4', hint: 'rules', description: 'Rules: detection rules, enable and disable', mutates: false, screens: 'all' },
  silences: { keys: ['5'], label: '5', hint: 'silences', description: 'Silences: maintenance windows, create and expire', mutates: false, screens: 'all' },
  notifications: {
    keys: ['6'],
    label: '6',
    hint: 'notifications',
    description: 'Notifications: pending and dead letters by channel, retry and drop',
    mutates: false,
    screens: 'all',
  },
  down: { keys: ['j', 'down'], label: 'j ↓', hint: 'down', description: 'Move down', mutates: false, screens: LISTS },
  up: { keys: ['k', 'up'], label: 'k ↑', hint: 'up', description: 'Move up', mutates: false, screens: LISTS },
  top: { keys: ['g', 'home'], label: 'g Home', hint: 'top', description: 'First row', mutates: false, screens: LISTS },
  bottom: { keys: ['G', 'end'], label: 'G End', hint: 'bottom', description: 'Last row', mutates: false, screens: LISTS },
  page_up: { keys: ['pageup'], label: 'PgUp', hint: 'page up', description: 'One page up', mutates: false, screens: LISTS },
  page_down: { keys: ['pagedown'], label: 'PgDn', hint: 'page down', description: 'One page down', mutates: false, screens: LISTS },
  open: { keys: ['enter'], label: 'Enter', hint: 'open', description: 'Open the selected item', mutates: false, screens: ['overview', 'incidents', 'incident', 'components'] },
  back: { keys: ['escape'], label: 'Esc', hint: 'back', description: 'Back (closes a prompt first)', mutates: false, screens: 'all' },
  filter: { keys: ['/'], label: '/', hint: 'filter', description: 'Filter the list by text', mutates: false, screens: ['incidents', 'components', 'rules'] },
  command: {
    keys: [':'],
    label: ':',
    hint: 'command',
    description: 'Command: :severity critical, :status active, :component api, :since 1h, :type error_burst, :clear',
    mutates: false,
    screens: ['overview', 'incidents'],
  },
  next_tab: { keys: ['tab'], label: 'Tab', hint: 'tab', description: 'Next tab or pane', mutates: false, screens: ['incident', 'trace'] },
  trace: {
    keys: ['t'],
    label: 't',
    hint: 'trace',
    description: 'Trace waterfall of the selected incident’s root span',
    mutates: false,
    screens: ON_INCIDENT,
  },
  next_trace: { keys: [']'], label: ']', hint: 'next trace', description: 'The incident’s next trace', mutates: false, screens: ['trace'] },
  previous_trace: { keys: ['['], label: '[', hint: 'prev trace', description: 'The incident’s previous trace', mutates: false, screens: ['trace'] },
  toggle: {
    keys: ['space'],
    label: 'Space',
    hint: 'toggle',
    description: 'Collapse or expand a span (trace); enable or disable a rule, after a confirm (rules)',
    mutates: false,
    screens: ['trace', 'rules'],
  },
  acknowledge: { keys: ['a'], label: 'a', hint: 'ack', description: 'Acknowledge the incident', mutates: true, screens: ON_INCIDENT },
  assign: { keys: ['s'], label: 's', hint: 'assign', description: 'Assign the incident (prompts for a name)', mutates: true, screens: ON_INCIDENT },
  mitigate: {
    keys: ['m'],
    label: 'm',
    hint: 'mitigate',
    description:
      'Mitigate: the actions that apply, with risk and state; safe ones run after a y/N confirm, medium/high ones after the approver’s name and the incident id typed',
    mutates: true,
    screens: ON_INCIDENT,
  },
  resolve: { keys: ['r'], label: 'r', hint: 'resolve', description: 'Resolve the incident (prompts for notes)', mutates: true, screens: ON_INCIDENT },
  close: { keys: ['c'], label: 'c', hint: 'close', description: 'Close a resolved incident', mutates: true, screens: ON_INCIDENT },
  export: { keys: ['e'], label: 'e', hint: 'export', description: 'Export the post-mortem to a file', mutates: false, screens: ON_INCIDENT },
  new_silence: {
    keys: ['n'],
    label: 'n',
    hint: 'new',
    description: 'New silence (prompts for the component, an optional incident type, a duration and a comment)',
    mutates: true,
    screens: ['silences'],
  },
  expire: { keys: ['x'], label: 'x', hint: 'expire', description: 'Expire the selected silence, after a y/N confirm', mutates: true, screens: ['silences'] },
  retry: { keys: ['r'], label: 'r', hint: 'retry', description: 'Retry the selected dead letter, after a y/N confirm', mutates: true, screens: ['notifications'] },
  retry_all: { keys: ['R'], label: 'R', hint: 'retry all', description: 'Retry every dead letter, after a y/N confirm', mutates: true, screens: ['notifications'] },
  drop: { keys: ['d'], label: 'd', hint: 'drop', description: 'Drop the selected dead letter, after a y/N confirm', mutates: true, screens: ['notifications'] },
  help: { keys: ['?'], label: '?', hint: 'help', description: 'Help: every key', mutates: false, screens: 'all' },
  suspend: { keys: ['ctrl-z'], label: 'Ctrl-Z', hint: 'suspend', description: 'Suspend to the shell (fg brings it back)', mutates: false, screens: 'all' },
  quit: { keys: ['q', 'ctrl-c'], label: 'q Ctrl-C', hint: 'quit', description: 'Quit', mutates: false, screens: 'all' },
};

/**
 * Commands whose effect depends on the screen: `toggle` enables or disables a rule on the rules screen (a change) but
 * only folds a span in the trace (none). The read-only check asks this, not `mutates` alone.
 */
export function mutatesOn(command: Command, screen: Screen): boolean {
  return KEYMAP[command].mutates || (command === 'toggle' && screen === 'rules');
}

export type KeymapOptions = { readOnly: boolean };

export function appliesOn(binding: Binding, screen: Screen): boolean {
  return binding.screens === 'all' || binding.screens.includes(screen);
}

/** The commands a key runs on a screen (none, or one: keys do not overlap within a screen, keymap.test.ts checks). */
export function commandFor(key: KeyName, screen: Screen, options: KeymapOptions): Command | undefined {
  for (const command of COMMANDS) {
    const binding = KEYMAP[command];
    if (!binding.keys.includes(key) || !appliesOn(binding, screen)) continue;
    if (options.readOnly && mutatesOn(command, screen)) return undefined;
    return command;
  }
  return undefined;
}

/** Commands available on a screen, in map order (the footer and the help's "this screen" part). */
export function commandsOn(screen: Screen, options: KeymapOptions): Command[] {
  return COMMANDS.filter((command) => appliesOn(KEYMAP[command], screen) && !(options.readOnly && mutatesOn(command, screen)));
}

/** Every command a session may use, in map order (the help screen and the README table). */
export function availableCommands(options: KeymapOptions): Command[] {
  return COMMANDS.filter((command) => !(options.readOnly && KEYMAP[command].mutates));
}

/** The footer's words for a screen: `j↓ down  Enter open …`, fitted by the caller. */
export function footerHints(screen: Screen, options: KeymapOptions): Array<{ keys: string; hint: string }> {
  const hidden = new Set<Command>(['up', 'top', 'bottom', 'page_up', 'page_down', 'overview', 'incidents', 'components', 'rules', 'silences', 'notifications', 'suspend']);
  return commandsOn(screen, options)
    .filter((command) => !hidden.has(command))
    .map((command) => ({ keys: KEYMAP[command].label.split(' ')[0]!, hint: KEYMAP[command].hint }));
}

/** The README's key table, as Markdown rows (`| key | does |`), generated from the map. */
export function keyTableMarkdown(): string {
  const rows = COMMANDS.map((command) => {
    const binding = KEYMAP[command];
    const keys = binding.label
      .split(' ')
      .map((key) => `\`${key}\``)
      .join(' ');
    return `| ${keys} | ${binding.description}${binding.mutates ? ' (not with --read-only)' : ''} |`;
  });
  return ['| key | does |', '|---|---|', ...rows].join('\n');
}
