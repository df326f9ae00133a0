import { Server, type AddressInfo } from 'node:net';

/** This process's listening servers on `port` (node keeps them among its active handles): to reach one a module owns. */
export function serversOn(port: number): Server[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle): handle is Server => handle instanceof Server && (handle.address() as AddressInfo | null)?.port === port);
}
