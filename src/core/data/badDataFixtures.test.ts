// The e2e bad-data corpus (e2e/fixtures/bad-data, written by scripts/build-bad-data-fixtures.ts)
// cannot rot: the committed files are exactly what the script writes, and every case, dropped the
// way a browser hands it over with its model loaded, gives exactly its message: the error, or the
// one warning of a drop that still loads, with its image and skip counts.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBadDataFixtures, type BadDataCase, type BadDataModel } from '../../../scripts/build-bad-data-fixtures';
import { BAD_DATA_FIXTURES, dropped, filesUnder, loadModelFromFiles } from '../../../scripts/dataFixtureFiles';
import { disposeModel } from '../graph/disposeModel';
import { DataError } from './dataMessages';
import { nodeImageDecoder } from './nodeImageDecoder';
import { prepareData } from './prepareData';

const corpus = JSON.parse(readFileSync(join(BAD_DATA_FIXTURES, 'cases.json'), 'utf8')) as { models: Record<string, BadDataModel>; cases: BadDataCase[] };
const models = new Map<string, Promise<{ model: tf.LayersModel; labels: string[] | null }>>();
const modelFor = (key: string) => {
  if (!models.has(key)) models.set(key, loadModelFromFiles(corpus.models[key].files));
  return models.get(key)!;
};
afterAll(async () => {
  for (const m of models.values()) disposeModel((await m).model);
});

describe('e2e bad-data fixtures', () => {
  it('are exactly what scripts/build-bad-data-fixtures.ts writes (run it after changing it)', async () => {
    const { files } = await buildBadDataFixtures();
    const committed = filesUnder(BAD_DATA_FIXTURES).map((p) => relative(BAD_DATA_FIXTURES, p).split('\\').join('/')).filter((p) => p !== 'README.md');
    expect(committed.sort()).toEqual([...files.keys()].sort());
    for (const [path, bytes] of files) expect(Buffer.compare(readFileSync(join(BAD_DATA_FIXTURES, path)), bytes), path).toBe(0);
  });

  it('has at least 15 cases, each named once, covering images and tables', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(15);
    expect(new Set(corpus.cases.map((c) => c.case)).size).toBe(corpus.cases.length);
    expect(corpus.cases.some((c) => c.model === 'demo') && corpus.cases.some((c) => c.model !== 'demo')).toBe(true);
  });

  for (const c of corpus.cases) {
    it(`${c.case}: ${c.warning ? 'loads and warns' : 'is refused'} with its exact message`, async () => {
      const { model, labels } = await modelFor(c.model);
      const files = c.drop.flatMap((item) => dropped(join(BAD_DATA_FIXTURES, c.case), item));
      const context = { model, classNames: corpus.models[c.model].classNames ?? labels, decoder: nodeImageDecoder };
      if (!c.warning) {
        const error = await prepareData(files, context).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DataError);
        expect((error as Error).message).toBe(c.message);
        return;
      }
      const data = await prepareData(files, context);
      expect(data.warnings).toEqual([c.message]);
      expect(data.kind === 'csv' ? data.table.count : data.set.count).toBe(c.count);
      expect(data.skipped).toBe(c.skipped);
    });
  }
});
