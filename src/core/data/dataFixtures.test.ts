// The user-data fixtures (e2e/fixtures/data, written by scripts/build-data-fixtures.ts) cannot rot:
// the zip and the tables are exactly what the script writes, and expected.json is exactly what
// Node measures on the committed files with the studio's code, so the e2e can hold the studio to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FIXTURES } from '../../../scripts/dataFixtureFiles';
import { FASHION_ZIP, FLOWERS, GROWTH, fashionSubset, fashionZip, flowersCsv, growthCsv, measureFixtures } from '../../../scripts/build-data-fixtures';
import { loadDemoSplit } from '../../../scripts/demoAssets';

const read = (p: string) => readFileSync(join(DATA_FIXTURES, p));

describe('e2e data fixtures', () => {
  it('hold exactly what scripts/build-data-fixtures.ts writes (run it after changing it)', async () => {
    expect(Buffer.compare(read(FASHION_ZIP), fashionZip(fashionSubset(await loadDemoSplit('test'))))).toBe(0);
    expect(read(`${FLOWERS.dir}/${FLOWERS.csv}`).toString('utf8')).toBe(flowersCsv());
    expect(read(`${GROWTH.dir}/${GROWTH.csv}`).toString('utf8')).toBe(growthCsv());
  });

  it('list what Node measures on them: the zip gives the demo CNN its own accuracy on the same images', async () => {
    const expected = JSON.parse(read('expected.json').toString('utf8'));
    const measured = await measureFixtures();
    expect(measured).toEqual(expected);
    // PNG is lossless: through folders, decoding and a measured mapping, the same 1,000 images
    // give exactly the demo's own figure, and the measured mapping is the true one.
    expect(measured.fashion.all.correct).toBe(measured.fashion.demoAccuracy.correct);
    expect([measured.fashion.mappedBy, measured.fashion.mapping]).toEqual(['prediction', [9, 8, 4, 3, 2, 5, 6, 7, 0, 1]]);
  }, 600_000); // ~3,000 CNN predictions on the cpu backend: slow on a shared machine
});
