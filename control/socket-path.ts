// Where the local control door is: `service.control.socket`, else `control.sock` in the storage directory. One rule,
// read by the daemon (to listen) and by every client (to connect) from the same configuration file.

import { valueAt } from '../common/config-file.js';

export const DEFAULT_STORAGE_DIRECTORY = './.firewatch';
export const CONTROL_SOCKET_NAME = 'control.sock';

/** The control socket a parsed configuration document names (unvalidated: the daemon checks the types). */
export function controlSocketOf(raw: unknown): string {
  const socket = valueAt(raw, ['service', 'control', 'socket']);
  if (typeof socket === 'string' && socket !== '') return socket;
  const directory = valueAt(raw, ['storage', 'directory']);
  return defaultControlSocket(typeof directory === 'string' && directory !== '' ? directory : DEFAULT_STORAGE_DIRECTORY);
}

export function defaultControlSocket(storageDirectory: string): string {
  return `${storageDirectory.replace(/\/+$/, '')}/${CONTROL_SOCKET_NAME}`;
}
