// What screens read beyond the live incident list, fetched when a screen needs it: an incident's detail with its
// audit log, its timeline, post-mortem and actions, a trace, the rules. Each is kept under a key with the version it
// was asked for (an incident's updated_at): a newer version is fetched while the older value stays on screen, so a
// live update never blanks a pane. Bounded: the least recently used entries go first, traces (the big ones) sooner.
//
//   screen-model: needed(view) ──ensure(key, version, load)──▶ loading ──▶ ok | error ──▶ onChange() ──▶ redraw

export type Resource<T> =
  | { status: 'loading'; value?: T; version: string }
  | { status: 'ok'; value: T; version: string }
  | { status: 'error'; error: string; value?: T; version: string; failedAt: number };

/** A failed fetch is tried again after this long when a screen still needs it (the daemon may be back). */
export const RETRY_AFTER_MS = 5_000;

export const MAX_RESOURCES = 48;
export const MAX_TRACES = 4;

export interface ResourceStore {
  get<T>(key: string): Resource<T> | undefined;
  /** Starts `load` unless `key` holds (or is loading) `version` already. */
  ensure<T>(key: string, version: string, load: () => Promise<T>): void;
  /** Forgets `key`, so the next ensure fetches it again (after a change we made ourselves). */
  invalidate(key: string): void;
  /** Every key starting with `prefix`. */
  invalidatePrefix(prefix: string): void;
  /** Bumps on every change (a render key). */
  readonly version: number;
}

function isTrace(key: string): boolean {
  return key.startsWith('trace:');
}

export function createResourceStore(
  onChange: () => void,
  describeError: (error: unknown) => string,
  now: () => number = Date.now,
): ResourceStore {
  const entries = new Map<string, Resource<unknown>>();
  let version = 0;

  const touch = (key: string, resource: Resource<unknown>) => {
    entries.delete(key);
    entries.set(key, resource);
    evict();
    version++;
  };

  const evict = () => {
    let traces = 0;
    for (const key of entries.keys()) if (isTrace(key)) traces++;
    for (const key of [...entries.keys()]) {
      if (entries.size <= MAX_RESOURCES && traces <= MAX_TRACES) break;
      if (traces > MAX_TRACES && isTrace(key)) {
        entries.delete(key);
        traces--;
      } else if (entries.size > MAX_RESOURCES) {
        if (isTrace(key)) traces--;
        entries.delete(key);
      }
    }
  };

  return {
    get<T>(key: string) {
      return entries.get(key) as Resource<T> | undefined;
    },
    ensure<T>(key: string, wanted: string, load: () => Promise<T>) {
      const current = entries.get(key);
      if (current !== undefined && current.version === wanted && !(current.status === 'error' && now() - current.failedAt >= RETRY_AFTER_MS)) return;
      const stale = current?.value;
      touch(key, { status: 'loading', version: wanted, ...(stale !== undefined ? { value: stale } : {}) });
      load().then(
        (value) => {
          if (entries.get(key)?.version !== wanted) return; // asked again for something newer meanwhile
          touch(key, { status: 'ok', value, version: wanted });
          onChange();
        },
        (error: unknown) => {
          if (entries.get(key)?.version !== wanted) return;
          touch(key, { status: 'error', error: describeError(error), version: wanted, failedAt: now(), ...(stale !== undefined ? { value: stale } : {}) });
          onChange();
        },
      );
    },
    invalidate(key) {
      if (entries.delete(key)) version++;
    },
    invalidatePrefix(prefix) {
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key);
      version++;
    },
    get version() {
      return version;
    },
  };
}
