// The user's data travels with a saved session: a session measured on a CSV opens again in a fresh
// engine measured on the same rows (same figures, same data summary), the dataset is written once
// however many steps are saved, and a damaged dataset entry opens the session without it, saying so.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudioEngine } from './studioEngine';
import type { ModelFile } from './api';
import { DATA_FIXTURES, REPO } from '../../scripts/dataFixtureFiles';
import { nodeImageDecoder } from '../core/data/nodeImageDecoder';
import { openSessionStore } from '../core/session/sessionStore';
import { datasetMessages, packDataset, unpackDataset } from './sessionDataset';

const expected = JSON.parse(readFileSync(join(DATA_FIXTURES, 'expected.json'), 'utf8'));
const file = (path: string): ModelFile => ({ path: basename(path), bytes: new Uint8Array(readFileSync(path)) });
const global = (sparsity: number) => ({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } }) as const;

async function engineOn(factory: IDBFactory) {
  const engine = new StudioEngine([{ name: 'cpu', gpu: false, activate: async () => ({ device: 'test' }) }], {
    decoder: nodeImageDecoder, sessions: () => openSessionStore(factory),
  });
  await engine.init({ baseUrl: 'http://studio.test/' });
  return engine;
}

describe('a saved session keeps the user\'s data', () => {
  it('packs files and choices and reads them back exactly; a entry that does not add up is refused with its message', () => {
    const files = [{ path: 'a.csv', bytes: new Uint8Array([1, 2, 3]) }, { path: 'dir/b.png', bytes: new Uint8Array([4, 5]) }];
    const packed = packDataset({ files, choices: { labelColumn: 'species', testFraction: 0.2, mapping: [2, 0, 1] } })!;
    expect(unpackDataset(packed)).toEqual({ files, choices: { labelColumn: 'species', testFraction: 0.2, mapping: [2, 0, 1] } });
    expect(packDataset(undefined)).toBeNull();
    expect(() => unpackDataset({ meta: packed.meta, bytes: packed.bytes.slice(1) })).toThrow(datasetMessages.damaged);
    expect(() => unpackDataset({ meta: { format: 2 }, bytes: packed.bytes })).toThrow(datasetMessages.damaged);
  });

  it('opens measured on the same rows in a fresh engine, the dataset written once for every save', async () => {
    const factory = new IDBFactory();
    const engine = await engineOn(factory);
    await engine.importModel(1, expected.flowers.model.map((p: string) => file(join(REPO, p))));
    const loaded = await engine.loadData(2, [file(join(DATA_FIXTURES, expected.flowers.csv))], { labelColumn: 'species', testFraction: 0.25 });
    await engine.prune(3, global(0.5));
    const first = await engine.autosave({});
    const csvBytes = readFileSync(join(DATA_FIXTURES, expected.flowers.csv)).length;
    expect(first.saved!.bytes).toBeGreaterThan(csvBytes);
    const p = await engine.prune(4, global(0.8));
    const second = await engine.autosave({});
    // The second save adds an index and a prune step's masks, not the CSV again.
    expect(second.saved!.bytes - first.saved!.bytes).toBeLessThan(csvBytes);

    const again = await engineOn(factory);
    const restored = await again.openSession(5, second.saved!.id);
    expect(restored.notice).toBeUndefined();
    expect(restored.data).toEqual(loaded.data);
    expect(restored.summary.source.metric).toBe('accuracy');
    expect(restored.history.find((x) => x.id === p.point.id)!.metric).toEqual(p.point.metric);
    // New steps are measured on the same held-out rows: the same prune again gives the same figure.
    const redo = await again.prune(6, global(0.8));
    expect(redo.point.metric.value).toBe(p.point.metric.value);
    expect(redo.point.metric.count).toBe(p.point.metric.count);
  }, 120_000);

  it('a damaged dataset entry: the session opens measured without it and says so', async () => {
    const factory = new IDBFactory();
    const engine = await engineOn(factory);
    await engine.importModel(1, expected.flowers.model.map((p: string) => file(join(REPO, p))));
    await engine.loadData(2, [file(join(DATA_FIXTURES, expected.flowers.csv))]);
    await engine.prune(3, global(0.5));
    const saved = (await engine.autosave({})).saved!;
    // Damage the stored dataset blob: cut it short.
    const store = await openSessionStore(factory);
    const snapshot = await store.load(saved.id);
    await store.save({ ...snapshot, dataset: { meta: snapshot.dataset!.meta, bytes: snapshot.dataset!.bytes.slice(10) } }, { id: saved.id, name: saved.name, model: saved.model });
    store.close();

    const again = await engineOn(factory);
    const restored = await again.openSession(4, saved.id);
    expect(restored.notice).toBe(datasetMessages.damaged);
    expect(restored.data).toBeNull();
    expect(restored.history).toHaveLength(2);
    expect(restored.summary.source.metric).toBe('fidelity');
  }, 120_000);
});
