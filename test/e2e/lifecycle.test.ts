// The daemon's ready line is what supervisors and scripts wait for: from that moment SIGTERM is a clean stop.

import { describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspace, startDaemon } from '../helpers/daemon-process.js';

describe('daemon lifecycle', () => {
  it('a SIGTERM sent the moment the daemon says ready stops it cleanly (exit 0)', async () => {
    const codes: (number | null)[] = [];
    for (let round = 0; round < 8; round++) {
      const workspace = makeWorkspace();
      try {
        const daemon = await startDaemon(workspace);
        codes.push(await daemon.stop());
      } finally {
        removeWorkspace(workspace);
      }
    }
    expect(codes).toEqual(Array.from({ length: 8 }, () => 0));
  });
});
