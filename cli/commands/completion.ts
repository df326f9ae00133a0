// `firewatch completion bash|zsh`: print a completion script generated from the command table. The table is handed
// in by cli.ts (which lists this command too), so the two modules do not import each other.

import { GLOBAL_FLAGS, UsageError, type CommandSpec } from '../args.js';
import { completionScript, isShell, SHELLS } from '../completion.js';

export function createCompletionCommand(commands: () => readonly CommandSpec[]): CommandSpec {
  const command: CommandSpec = {
    path: ['completion'],
    summary: 'Print a shell completion script (bash or zsh) for commands, flags, their values and incident ids.',
    positionals: [{ name: 'shell', required: true, description: `the shell: ${SHELLS.join(' or ')}` }],
    flags: [],
    examples: [
      'source <(firewatch completion bash)',
      'firewatch completion bash > ~/.local/share/bash-completion/completions/firewatch',
      'source <(firewatch completion zsh)',
      'firewatch completion zsh > "${fpath[1]}/_firewatch"',
    ],
    async run(args) {
      const shell = args.positionals[0]!.toLowerCase();
      if (!isShell(shell)) {
        throw new UsageError(`SHELL must be one of ${SHELLS.join(', ')}; got ${JSON.stringify(args.positionals[0])}`, command);
      }
      process.stdout.write(completionScript(shell, commands(), GLOBAL_FLAGS));
      return 0;
    },
  };
  return command;
}
