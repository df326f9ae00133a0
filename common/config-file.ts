// Reading firewatch's Collector-style YAML file, before anyone interprets it: parse, then expand `${env:VAR}` in
// string scalars. The daemon validates the result against its schema (daemon/config.ts); a client reads only the
// keys it needs (where the control socket is), so the CLI never loads the daemon's configuration code.
//
// Expansion happens on parsed scalars, never on the raw text, so an environment variable can never inject YAML
// structure.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { ConfigError, setOwn } from './config-checks.js';

/**
 * The YAML parser, loaded the first time a file is parsed: it is ~70 module files (70–170 ms on our 2-core machine
 * under load), and most client runs parse nothing (--socket, $FIREWATCH_SOCKET, --connect, or no file in the working
 * directory). `yaml` is CommonJS, so a synchronous require() is how this synchronous reader loads it late.
 */
let yaml: typeof Yaml | undefined;
function yamlParser(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml;
}

/** Used when no --config is given and the file exists in the working directory. */
export const DEFAULT_CONFIG_FILE = 'otel-config.yaml';

export interface ConfigDocument {
  /** The parsed, expanded document ({} for an empty file or none). */
  raw: unknown;
  /** The file read; undefined when the implicit default file does not exist. */
  file: string | undefined;
}

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands `${env:VAR}` and `${env:VAR:-default}` in every string scalar; `$${…}` escapes a literal `${…}`. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return expandString(value, env, path);
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => expandEnv(item, env, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      setOwn(out, key, expandEnv(item, env, path ? `${path}.${key}` : key));
    }
    return out;
  }
  return value;
}

function expandString(text: string, env: NodeJS.ProcessEnv, path: string): string {
  const ESCAPED = '\u0000firewatch-escaped-dollar\u0000';
  const escaped = text.split('$${').join(ESCAPED);
  const expanded = escaped.replace(ENV_REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(path, `environment variable ${name} is not set (use \${env:${name}:-default} for a default)`);
  });
  return expanded.split(ESCAPED).join('${');
}

/** YAML text → the expanded document; throws ConfigError on bad YAML or a missing variable. */
export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env, fileLabel = 'config'): unknown {
  const document = yamlParser().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new ConfigError('', `${fileLabel}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  return expandEnv(document.toJS({ maxAliasCount: 100 }) ?? {}, env);
}

/**
 * Reads `--config FILE`, else `./otel-config.yaml` when present, else nothing ({}). A named file that cannot be read
 * is an error; the implicit default file is optional.
 */
export function readConfigDocument(file: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigDocument {
  const chosen = file ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(chosen, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (file === undefined && code === 'ENOENT') return { raw: {}, file: undefined };
    throw new ConfigError('', `cannot read config file ${chosen}: ${code ?? (error as Error).message}`);
  }
  return { raw: parseConfigText(text, env, chosen), file: chosen };
}

/** The value at `keys` in a parsed document; undefined when any step is missing or not a mapping. */
export function valueAt(raw: unknown, keys: readonly string[]): unknown {
  let node = raw;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
