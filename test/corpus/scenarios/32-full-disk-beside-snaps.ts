// Item 4: a disk really filling up on a host with snaps is still an incident, and only the real disk counts.
import type { Scenario } from '../scenario.js';
import { sendGauges } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'ubuntu-2: /var at 97 % (ext4, rw) beside a snap at 100 %',
  item: 4,
  async send({ endpoint }) {
    await sendGauges(
      endpoint,
      { 'service.name': 'ubuntu-2', 'host.name': 'ubuntu-2' },
      [
        {
          name: 'system.filesystem.utilization',
          points: [
            { value: 0.97, attributes: { device: '/dev/sda2', mountpoint: '/var', type: 'ext4', mode: 'rw' } },
            { value: 1, attributes: { device: '/dev/loop0', mountpoint: '/snap/core22/1380', type: 'squashfs', mode: 'ro' } },
          ],
        },
      ],
      3,
    );
  },
  expected: [{ type: 'disk_space_low', severity: 'critical', primary_source: 'ubuntu-2', root_span_service: null, components: ['ubuntu-2'], event_count: 3 }],
};
