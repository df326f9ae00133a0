// Item 4: semantic-convention attribute names: an ISO image and a read-only bind mount, both full by design.
import type { Scenario } from '../scenario.js';
import { sendGauges } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'build-host: an iso9660 image and a read-only ext4 bind mount at 100 % (semconv attribute names)',
  item: 4,
  async send({ endpoint }) {
    await sendGauges(
      endpoint,
      { 'service.name': 'build-host' },
      [
        {
          name: 'system.filesystem.utilization',
          points: [
            { value: 1, attributes: { 'system.device': '/dev/sr0', 'system.filesystem.mountpoint': '/media/cdrom', 'system.filesystem.type': 'iso9660', 'system.filesystem.mode': 'ro' } },
            { value: 1, attributes: { 'system.device': '/dev/sdb1', 'system.filesystem.mountpoint': '/srv/golden', 'system.filesystem.type': 'ext4', 'system.filesystem.mode': 'ro' } },
            { value: 0.3, attributes: { 'system.device': '/dev/sda1', 'system.filesystem.mountpoint': '/', 'system.filesystem.type': 'xfs', 'system.filesystem.mode': 'rw' } },
          ],
        },
      ],
      3,
    );
  },
  expected: [],
};
