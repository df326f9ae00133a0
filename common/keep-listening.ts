// The 'error' handler every listening server of the daemon keeps (OTLP ports, the web gateway).

/**
 * For 'error' on a server already listening: an accept that failed (libuv absorbs EMFILE itself; others, such as
 * ENOBUFS, come here). That one connection is lost and the server keeps accepting; without a handler the event would
 * be an uncaught exception, and a daemon under stress would exit.
 */
export function keepListening(): void {}
