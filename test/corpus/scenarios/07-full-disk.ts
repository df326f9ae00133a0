// Clean: a real disk filling up, as the Collector's hostmetrics receiver reports it (no service.name, host.name).
import type { Scenario } from '../scenario.js';
import { sendGauges } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'db-host-2 root filesystem 97 % used (hostmetrics)',
  item: 0,
  async send({ endpoint }) {
    await sendGauges(
      endpoint,
      { 'service.name': 'db-host-2', 'host.name': 'db-host-2' },
      [{ name: 'system.filesystem.utilization', points: [{ value: 0.97, attributes: { device: '/dev/nvme0n1p2', mountpoint: '/', type: 'ext4', mode: 'rw' } }] }],
      3,
    );
  },
  expected: [{ type: 'disk_space_low', severity: 'critical', primary_source: 'db-host-2', root_span_service: null, components: ['db-host-2'], event_count: 3 }],
};
