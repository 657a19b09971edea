// Real TF.js Layers models from public repositories (../shared/wild-models, see its SOURCES.md) go
// through the import exactly as a user's folder drop would: every file of the folder, unrelated
// ones included (ml5's manifest.json). Each must load (the Keras 3 export through the fixes), have
// the parameter count SOURCES.md lists, give finite outputs on zeros, and export: a float32 .zip that
// plain tfjs reloads predicts the same, a uint8 one keeps every zero. Skips, with a message,
// when the folder is absent; the models are never copied into this repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { loadImportedModel, readModelFiles, type InputFile } from './importFiles';
import { exportModelFiles, exportZip, loadExportedZip } from './exportModel';

const ROOT = resolve(__dirname, '../../../../shared/wild-models');
const present = existsSync(ROOT);
if (!present) console.warn(`wild-model import tests skipped: ${ROOT} is absent`);

/** From SOURCES.md; `size` is the height and width used where the input's are dynamic. */
const EXPECTED: Record<string, { params: number; name: string; size?: number; fixes?: number; labelsWarning?: boolean }> = {
  'abalone-mlp': { params: 3051, name: 'abalone-mlp' },
  'fashion-mnist-cnn': { params: 179926, name: 'fashion-mnist-cnn' },
  'superres-se-resnet': { params: 120255, name: 'superres-se-resnet', size: 64 },
  // ml5's manifest.json lists 50 class names, but the decoder outputs a 28x28 image.
  'cvae-quickdraw-decoder': { params: 62721, name: 'cvae-quickdraw-decoder', labelsWarning: true },
  'toxic-bilstm': { params: 1389254, name: 'toxic-bilstm' },
  'keras3-lstm-stock': { params: 20545, name: 'keras3-lstm-stock', fixes: 3 },
  'conv1d-fcn-timeseries': { params: 287490, name: 'model_DCE.i' },
};

async function zeroCount(model: tf.LayersModel): Promise<number> {
  let n = 0;
  for (const w of model.getWeights()) for (const v of await w.data()) if (v === 0) n++;
  return n;
}

function folderDrop(dir: string): InputFile[] {
  return readdirSync(join(ROOT, dir)).map((f) => ({ path: `${dir}/${f}`, bytes: new Uint8Array(readFileSync(join(ROOT, dir, f))) }));
}

describe.skipIf(!present)('wild models through the import', () => {
  it('covers every model folder', () => {
    const dirs = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(dirs.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [dir, expected] of Object.entries(EXPECTED)) {
    it(`${dir}: reads, loads, counts ${expected.params} params and predicts finite values`, async () => {
      const imported = readModelFiles(folderDrop(dir));
      expect(imported.params).toBe(expected.params);
      expect(imported.estimatedBytes).toBe(expected.params * 4);
      expect(imported.name).toBe(expected.name);
      expect(imported.fixes).toHaveLength(expected.fixes ?? 0);
      expect(imported.labels).toBeNull();
      expect(imported.warnings.some((w) => w.includes('labels are not used'))).toBe(expected.labelsWarning ?? false);

      const model = await loadImportedModel(imported);
      try {
        expect(model.countParams()).toBe(expected.params);
        // One example of zeros per input; dynamic sizes get `size`.
        const inputs = model.inputs.map((i) => tf.zeros(i.shape.map((d, k) => (k === 0 ? 1 : (d ?? expected.size ?? 1)))));
        const out = model.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor | tf.Tensor[];
        for (const t of Array.isArray(out) ? out : [out]) {
          expect(t.shape[0]).toBe(1);
          expect(tf.tidy(() => tf.isFinite(t).all().dataSync()[0])).toBe(1);
        }
        if (expected.size) expect((out as tf.Tensor).shape).toEqual([1, expected.size, expected.size, 3]);

        // Exports: float32 reloads with plain tfjs and predicts the same; uint8 keeps every zero.
        for (const precision of ['float32', 'uint8'] as const) {
          const again = await loadExportedZip(exportZip(await exportModelFiles(model, { precision }), { readme: '', report: {} }));
          try {
            expect(again.countParams()).toBe(expected.params);
            const out2 = again.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor | tf.Tensor[];
            const a = (Array.isArray(out) ? out : [out]).map((t) => t.dataSync());
            const b = (Array.isArray(out2) ? out2 : [out2]).map((t) => t.dataSync());
            if (precision === 'float32') a.forEach((v, i) => v.forEach((x, j) => expect(Math.abs(x - b[i][j])).toBeLessThanOrEqual(1e-6)));
            else expect(await zeroCount(again)).toBe(await zeroCount(model));
            tf.dispose(out2);
          } finally {
            disposeModel(again);
          }
        }
        tf.dispose([...inputs, ...(Array.isArray(out) ? out : [out])]);
      } finally {
        disposeModel(model);
      }
    });
  }

  it('keras3-lstm-stock: the fixes say what changed', () => {
    expect(readModelFiles(folderDrop('keras3-lstm-stock')).fixes).toEqual([
      'Keras 3 export: renamed batch_shape to batch_input_shape in 1 InputLayer',
      'Keras 3 export: replaced the DTypePolicy dtype objects (float32, mixed_float16) by float32, the dtype TF.js computes in',
      'Keras 3 export: removed the model-name prefix "sequential_4/" from 7 weight names',
    ]);
  });
});
