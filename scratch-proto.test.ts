import { it } from 'vitest';
import { modelFiles, jsonBytes, SHARD, tinyMlp, tinyFunctional } from './src/core/model/tinyModelFiles';
import { readModelFiles, loadImportedModel } from './src/core/model/importFiles';

async function attempt(label: string, mk: () => any, edit: (s: string) => string) {
  const f = await modelFiles(mk());
  const text = edit(JSON.stringify(f.json));
  try {
    const imported = readModelFiles([{ path: 'model.json', bytes: new TextEncoder().encode(text) }, { path: SHARD, bytes: f.weights }]);
    const model = await loadImportedModel(imported);
    console.log(label, 'LOADED', model.layers.map((l) => l.name), ({} as any).polluted, imported.artifacts.weightSpecs!.map(w => w.name));
  } catch (e) {
    console.log(label, 'FAIL', (e as Error).message.slice(0, 300), ({} as any).polluted);
  }
}
it('x', async () => {
  for (const name of ['__proto__', 'constructor']) {
    await attempt(`${name} seq`, tinyMlp, (s) => s.replaceAll('dense_1', name));
    await attempt(`${name} fn`, tinyFunctional, (s) => s.replaceAll('dense_1', name));
    await attempt(`${name} weight-only`, tinyMlp, (s) => s.replace('"dense_1/kernel"', `"${name}"`));
  }
  await attempt('key proto', tinyMlp, (s) => s.replace('"units":3', '"units":3,"__proto__":{"polluted":true}'));
  await attempt('key proto top', tinyMlp, (s) => s.replace('"modelTopology":{', '"modelTopology":{"__proto__":{"polluted":true},'));
  await attempt('key constructor', tinyMlp, (s) => s.replace('"units":3', '"units":3,"constructor":{"polluted":true}'));
});
