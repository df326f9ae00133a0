// Generates proto/firewatch/control/v1/control.json, the JSON descriptor control-proto.ts loads at runtime, from
// control.proto with the full protobufjs (parser included). Run by `npm run gen:control`; the test beside it fails
// when the committed JSON and the .proto disagree.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { protoDirectory } from '../common/package-root.js';
import { CONTROL_DESCRIPTOR_FILE, CONTROL_PROTO_FILE } from './control-proto.js';

/** The descriptor JSON text of control.proto (and what it imports), stable for diffs. */
export function controlDescriptorJson(): string {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoDirectory(), target);
  root.loadSync(CONTROL_PROTO_FILE, { keepCase: true });
  root.resolveAll();
  return `${JSON.stringify(root.toJSON({ keepComments: false }), null, 1)}\n`;
}

/** Writes the descriptor next to the .proto (`npm run gen:control`). */
export function writeControlDescriptor(): void {
  writeFileSync(join(protoDirectory(), CONTROL_DESCRIPTOR_FILE), controlDescriptorJson());
  process.stdout.write(`wrote proto/${CONTROL_DESCRIPTOR_FILE}\n`);
}
