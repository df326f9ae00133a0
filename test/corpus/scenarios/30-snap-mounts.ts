// Item 4: hostmetrics on an Ubuntu host with snaps: every snap is a squashfs mounted read-only at 100 %.
import type { Scenario } from '../scenario.js';
import { sendGauges } from '../telemetry.js';

const snap = (name: string, loop: number) => ({ value: 1, attributes: { device: `/dev/loop${loop}`, mountpoint: `/snap/${name}`, type: 'squashfs', mode: 'ro' } });

export const scenario: Scenario = {
  title: 'ubuntu-1: root at 42 %, three snaps (squashfs, ro) at 100 % (Collector attribute names)',
  item: 4,
  async send({ endpoint }) {
    await sendGauges(
      endpoint,
      { 'service.name': 'ubuntu-1', 'host.name': 'ubuntu-1' },
      [
        {
          name: 'system.filesystem.utilization',
          points: [{ value: 0.42, attributes: { device: '/dev/sda1', mountpoint: '/', type: 'ext4', mode: 'rw' } }, snap('core22/1380', 0), snap('firefox/4173', 1), snap('lxd/29351', 2)],
        },
      ],
      3,
    );
  },
  expected: [],
};
