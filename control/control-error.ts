// A control API failure as the CLI reports it: one clear sentence, and the gRPC status code it came from. Its own
// module so that commands which never call the daemon (--help, --version, completion) do not load grpc-js to catch it.

export class ControlError extends Error {
  constructor(
    message: string,
    /** A gRPC status code (@grpc/grpc-js `status`), when the failure came from a call. */
    readonly code: number | undefined,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
