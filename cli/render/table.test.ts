import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN, hostileText } from '../../test/helpers/hostile-text.js';
import { renderCsv } from './csv.js';
import { renderTable } from './table.js';

describe('tables and CSV', () => {
  it('print no control from the hostile corpus in any cell', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileText, hostileText), { maxLength: 5 }), (rows) => {
        expect(renderTable([{ header: 'A' }, { header: 'B', flexible: true }], rows)).not.toMatch(FORBIDDEN);
        expect(renderCsv(['a', 'b'], rows).replace(/\n/g, '')).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 1000 },
    );
  });

  it('keep columns aligned when cells hold wide characters (cells are measured as the terminal draws them)', () => {
    const table = renderTable([{ header: 'Service' }, { header: 'Events', align: 'right' }], [['東京-api', 3], ['checkout', 12]], 80);
    const widths = table.split('\n').map((line) => [...line].reduce((cells, ch) => cells + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0));
    expect(new Set(widths).size).toBe(1);
  });
});
