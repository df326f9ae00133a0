// Loads firewatch's control API definition (proto/firewatch/control/v1/control.proto) for grpc-js.
// The control API is not a hot path, so the reflective proto-loader is the right tool here.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoDirectory } from '../daemon/package-root.js';

export const CONTROL_PROTO_FILE = 'firewatch/control/v1/control.proto';

let cached: grpc.ServiceClientConstructor | undefined;

/** The `firewatch.control.v1.Control` service constructor (its `.service` is the server definition). */
export function loadControlService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const definition = protoLoader.loadSync(join(protoDirectory(), CONTROL_PROTO_FILE), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [protoDirectory()],
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    firewatch: { control: { v1: { Control: grpc.ServiceClientConstructor } } };
  };
  cached = pkg.firewatch.control.v1.Control;
  return cached;
}

/** A grpc-js address for a unix socket path. */
export function unixAddress(socketPath: string): string {
  return `unix:${socketPath}`;
}
