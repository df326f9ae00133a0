// The request to stop a long-running command: the first SIGINT (Ctrl-C) or SIGTERM (a supervisor). Listening
// replaces Node's default for both (die at once), so a command that stops cleanly must listen before it starts work
// a signal could interrupt.

export interface StopSignal {
  /** Resolves with the first SIGINT or SIGTERM received after listenForStop(). */
  readonly requested: Promise<NodeJS.Signals>;
  /** Stops listening (Node's default comes back); `requested` then never resolves. Safe to call more than once. */
  cancel(): void;
}

export function listenForStop(): StopSignal {
  let settle!: (signal: NodeJS.Signals) => void;
  const requested = new Promise<NodeJS.Signals>((resolve) => (settle = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    cancel();
    settle(signal);
  };
  const cancel = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { requested, cancel };
}
