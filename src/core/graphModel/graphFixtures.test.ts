// The graph fixtures under e2e/fixtures/graph are exactly what scripts/build-graph-fixtures.ts writes,
// small, and real graph models: plain tf.loadGraphModel loads and runs every one of them.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GRAPH_FIXTURES_DIR, buildGraphFixtures } from '../../../scripts/build-graph-fixtures';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('graph fixtures', () => {
  const built = buildGraphFixtures();

  it('are exactly what scripts/build-graph-fixtures.ts writes (run it after changing it)', () => {
    const committed = filesUnder(GRAPH_FIXTURES_DIR).map((p) => relative(GRAPH_FIXTURES_DIR, p).split('\\').join('/')).sort();
    expect(committed).toEqual([...built.keys()].sort());
    for (const [path, bytes] of built) expect(Buffer.compare(readFileSync(join(GRAPH_FIXTURES_DIR, path)), bytes), path).toBe(0);
    expect([...built.values()].reduce((n, b) => n + b.length, 0)).toBeLessThan(120 * 1024);
  });

  for (const name of ['conv', 'mlp', 'mlp-uint8', 'residual', 'loop']) {
    it(`${name}: plain tf.loadGraphModel loads and runs it`, async () => {
      const json = JSON.parse(new TextDecoder().decode(built.get(`${name}/model.json`))) as { modelTopology: object; signature?: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
      const bin = built.get(`${name}/group1-shard1of1.bin`) as Uint8Array;
      const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.slice().buffer, signature: json.signature }));
      const x = tf.ones(model.inputs[0].shape!.map((d) => (d > 0 ? d : 2)));
      const y = (name === 'loop' ? await model.executeAsync(x) : model.execute(x)) as tf.Tensor;
      expect([...y.dataSync()].every(Number.isFinite)).toBe(true);
      expect(y.shape[y.shape.length - 1]).toBe({ conv: 10, mlp: 10, 'mlp-uint8': 10, residual: 4, loop: 2 }[name]);
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});
