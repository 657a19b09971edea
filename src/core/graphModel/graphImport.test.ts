// A graph model through the import's doors (readAnyModelFiles): loose files, a folder, a zip, shards
// found from the manifest, labels; the Layers checks that apply (invalid JSON, missing and short
// shards, the size limit) with their exact messages; the graph's own checks with theirs; quantized
// weights; control flow run with executeAsync.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { ImportError, isGraphImport, readAnyModelFiles, readModelFiles, type InputFile } from '../model/importFiles';
import { shardPaths } from '../model/layersArtifacts';
import { encodeFloat16 } from '../model/quantize';
import { jsonBytes, modelFiles, tinyMlp } from '../model/tinyModelFiles';
import { graphModelData, loadGraphModelData, loadImportedGraphModel, runGraph } from './graphModelData';
import { fixture, fixtureFiles, maxDiff, readGraph } from './testGraphs';

type Json = Record<string, unknown> & { modelTopology: { node: Record<string, unknown>[] }; weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[] };

const decoder = new TextDecoder();
const jsonOf = (files: InputFile[]) => JSON.parse(decoder.decode(files.find((f) => f.path === 'model.json')!.bytes)) as Json;
const binOf = (files: InputFile[]) => files.find((f) => f.path.endsWith('.bin'))!.bytes;

/** The fixture with its model.json replaced by `edit(json)`. */
function edited(name: string, edit: (json: Json) => void): InputFile[] {
  const files = fixtureFiles(name);
  const json = jsonOf(files);
  edit(json);
  return files.map((f) => (f.path === 'model.json' ? { path: f.path, bytes: jsonBytes(json as never) } : f));
}

function importError(files: InputFile[], options?: { maxParams?: number }): string {
  try {
    readAnyModelFiles(files, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return (e as Error).message;
  }
  throw new Error('readAnyModelFiles accepted the files');
}

const node = (json: Json, name: string) => json.modelTopology.node.find((n) => n.name === name)!;

describe('graph import: good drops', () => {
  it('reads a graph model from loose files, with its inputs, outputs and ops', () => {
    const imported = readAnyModelFiles(fixtureFiles('conv'));
    expect(isGraphImport(imported)).toBe(true);
    if (!isGraphImport(imported)) return;
    expect(imported.jsonPath).toBe('model.json');
    expect(imported.params).toBe(1900);
    expect(imported.weightFiles).toEqual(['group1-shard1of1.bin']);
    expect(imported.warnings).toEqual([]);
    expect(imported.graph.inputs).toEqual([{ name: 'x:0', node: 'x', dtype: 'float32', shape: [-1, 28, 28, 1] }]);
    expect(imported.graph.outputs).toEqual([{ name: 'Identity:0', node: 'Identity', dtype: 'float32', shape: [-1, 10] }]);
    expect(imported.graph.async).toBe(false);
    expect(imported.graph.ops).toMatchObject({ Conv2D: 2, _FusedConv2D: 1, DepthwiseConv2dNative: 1, FusedBatchNormV3: 1, MatMul: 1, Softmax: 1 });
  });

  it('reads a folder, a zip, and shards split in two, all giving the same model', async () => {
    const files = fixtureFiles('mlp');
    const folder = files.map((f) => ({ path: `my-mlp/${f.path}`, bytes: f.bytes })).reverse();
    const zip = zipSync(Object.fromEntries(files.map((f) => [`export/${f.path}`, f.bytes])), { mtime: new Date(2024, 0, 1, 12) });
    const bin = binOf(files);
    const split = edited('mlp', (j) => {
      j.weightsManifest[0].paths = ['./weights/part-a.bin', './weights/part-b'];
    })
      .filter((f) => f.path === 'model.json')
      .concat([{ path: 'part-b', bytes: bin.slice(20000) }, { path: 'part-a.bin', bytes: bin.slice(0, 20000) }]);
    const a = readGraph(folder);
    const b = readGraph([{ path: 'mlp.zip', bytes: zip }]);
    const c = readGraph(split);
    expect([a.imported.name, b.imported.name, c.imported.name]).toEqual(['my-mlp', 'export', 'model']);
    expect(b.imported.jsonPath).toBe('mlp.zip/export/model.json');
    expect(c.imported.weightFiles).toEqual(['part-a.bin', 'part-b']);
    const models = await Promise.all([a, b, c].map((g) => loadGraphModelData(g.data)));
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5);
    const ys = await Promise.all(models.map((m) => runGraph(m, a.data.info, [x])));
    expect(maxDiff(ys[0], ys[1])).toBe(0);
    expect(maxDiff(ys[0], ys[2])).toBe(0);
    tf.dispose([x, ...ys.flat()]);
    models.forEach((m) => m.dispose());
  });

  it('reads what the URL door fetches: the JSON by its URL name, then the shards its manifest names', () => {
    const files = edited('conv', (j) => {
      j.weightsManifest[0].paths = ['./conv-weights.bin'];
    });
    const json = files.find((f) => f.path === 'model.json')!;
    const manifest = shardPaths(JSON.parse(decoder.decode(json.bytes)) as Parameters<typeof shardPaths>[0]);
    expect(manifest).toEqual(['./conv-weights.bin']);
    // As the engine names them: the JSON after its URL, each shard by its manifest path without './'.
    const fetched = [{ path: 'tiny-conv.json', bytes: json.bytes }, ...manifest.map((p) => ({ path: p.replace(/^\.\//, ''), bytes: binOf(files) }))];
    const g = readGraph(fetched);
    expect([g.imported.name, g.imported.jsonPath, g.imported.weightFiles]).toEqual(['tiny-conv', 'tiny-conv.json', ['conv-weights.bin']]);
  });

  it('takes labels from metadata.json when they fit the output', () => {
    const labels = Array.from({ length: 10 }, (_, k) => `class ${k}`);
    const meta = { path: 'metadata.json', bytes: jsonBytes({ labels } as never) };
    expect(readAnyModelFiles([...fixtureFiles('conv'), meta]).labels).toEqual(labels);
    const wrong = readAnyModelFiles([...fixtureFiles('conv'), { path: 'metadata.json', bytes: jsonBytes({ labels: ['a', 'b'] } as never) }]);
    expect(wrong.labels).toBeNull();
    expect(wrong.warnings).toEqual(['metadata.json: 2 labels, but the model has an output of shape [null,10]; the labels are not used.']);
  });

  it('loads what it read with plain tf.loadGraphModel, and the Layers reader still refuses graph models', async () => {
    const imported = readAnyModelFiles(fixtureFiles('residual'));
    if (!isGraphImport(imported)) throw new Error('not a graph import');
    const model = await loadImportedGraphModel(imported);
    expect(model.inputs.map((i) => i.shape)).toEqual([[1, 8, 8, 3]]);
    model.dispose();
    expect(() => readModelFiles(fixtureFiles('residual'))).toThrow(
      'model.json: a TF.js graph model; the studio prunes and fine-tunes Layers models only. Convert the Keras model to a Layers model: tensorflowjs_converter --input_format keras model.h5 out/ (from a Keras SavedModel: --input_format keras_saved_model --output_format tfjs_layers_model).',
    );
  });

  it('reads a Layers model through the same door as before', async () => {
    const m = await modelFiles(tinyMlp());
    const imported = readAnyModelFiles([{ path: 'model.json', bytes: jsonBytes(m.json) }, { path: 'group1-shard1of1.bin', bytes: m.weights }]);
    expect(isGraphImport(imported)).toBe(false);
    expect(imported.params).toBe(23);
  });
});

describe('graph import: quantized weights', () => {
  it('uint8: dequantized as tfjs does, within one step of the float weights (quantize.ts bound)', () => {
    const q = fixture('mlp-uint8');
    const f = fixture('mlp');
    const specs = jsonOf(fixtureFiles('mlp-uint8')).weightsManifest[0].weights as { name: string; quantization?: { scale: number } }[];
    for (const w of q.data.weights) {
      const ref = f.data.weights.find((x) => x.name === w.name)!;
      const scale = specs.find((s) => s.name === w.name)!.quantization?.scale ?? 0;
      expect(w.storedAs ?? null, w.name).toBe(w.dtype === 'float32' ? 'uint8' : null);
      for (let i = 0; i < w.values.length; i++) expect(Math.abs(w.values[i] - ref.values[i])).toBeLessThanOrEqual(scale * (1 + 1e-6));
    }
  });

  it('uint16 and float16 weights load too', async () => {
    const f = fixture('mlp');
    for (const dtype of ['uint16', 'float16'] as const) {
      const parts: Uint8Array[] = [];
      const files = edited('mlp', (j) => {
        j.weightsManifest[0].weights = j.weightsManifest[0].weights.map((spec) => {
          const w = f.data.weights.find((x) => x.name === spec.name)!;
          if (w.dtype !== 'float32') {
            parts.push(new Uint8Array(Int32Array.from(w.values).buffer));
            return spec;
          }
          const values = w.values as Float32Array;
          if (dtype === 'float16') {
            parts.push(new Uint8Array(encodeFloat16(values).buffer));
            return { ...spec, quantization: { dtype, original_dtype: 'float32' } };
          }
          const min = Math.min(...values);
          const scale = (Math.max(...values) - min) / 65535;
          parts.push(new Uint8Array(Uint16Array.from(values, (v) => Math.round((v - min) / scale)).buffer));
          return { ...spec, quantization: { dtype, min, scale, original_dtype: 'float32' } };
        });
      });
      const bin = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (bin.set(p, at), at + p.length), 0);
      const g = readGraph(files.map((x) => (x.path.endsWith('.bin') ? { path: x.path, bytes: bin } : x)));
      for (const w of g.data.weights) {
        const ref = f.data.weights.find((x) => x.name === w.name)!;
        expect(w.storedAs ?? null, `${dtype} ${w.name}`).toBe(w.dtype === 'float32' ? dtype : null);
        const err = Math.max(...Array.from(w.values, (v, i) => Math.abs(v - ref.values[i])));
        expect(err, `${dtype} ${w.name}`).toBeLessThan(dtype === 'float16' ? 1e-3 : 1e-4);
      }
      const [a, b] = await Promise.all([loadGraphModelData(f.data), loadGraphModelData(g.data)]);
      const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9);
      const [ya, yb] = [await runGraph(a, f.data.info, [x]), await runGraph(b, g.data.info, [x])];
      expect(maxDiff(ya, yb)).toBeLessThan(1e-2);
      tf.dispose([x, ...ya, ...yb]);
      a.dispose();
      b.dispose();
    }
  });
});

describe('graph import: control flow', () => {
  it('a StatelessWhile model is flagged async and runs with executeAsync (execute refuses it)', async () => {
    const { data, analysis } = fixture('loop');
    expect(data.info.async).toBe(true);
    const model = await loadGraphModelData(data);
    const x = tf.tensor2d([[1, -2, 0.5, 3], [0, 1, 0, -1]]);
    expect(() => model.execute(x)).toThrow(/executeAsync/);
    const [y] = await runGraph(model, data.info, [x]);
    const w = (name: string) => {
      const v = data.weights.find((k) => k.name === name)!;
      return tf.tensor(v.values as Float32Array, v.shape);
    };
    const expected = tf.tidy(() => {
      let h = tf.matMul(x, w('in/kernel'));
      for (let k = 0; k < 3; k++) h = tf.relu(tf.matMul(h, w('loop/kernel')));
      return tf.matMul(h, w('out/kernel'));
    });
    expect(maxDiff([y], [expected])).toBeLessThan(1e-5);
    expect(analysis.controlFlow).toEqual([{ name: 'loop/while', op: 'StatelessWhile' }]);
    tf.dispose([x, y, expected]);
    model.dispose();
  });
});

describe('graph import: bad drops, exact messages', () => {
  it('invalid JSON, a missing shard, a short shard, the size limit: the Layers messages', () => {
    const files = fixtureFiles('conv');
    const text = decoder.decode(files[1].bytes);
    expect(importError([{ path: 'model.json', bytes: new TextEncoder().encode(text.slice(0, 200)) }, files[0]])).toBe(
      "model.json: invalid JSON at line 1, column 201 (expected ':' after the property name, found the end of the file). Export the model again, or fix the file at that spot.",
    );
    expect(importError(files.filter((f) => f.path === 'model.json'))).toBe(
      'model.json: the weight file group1-shard1of1.bin is missing. Drop it together with model.json, or drop the whole folder or a .zip of it.',
    );
    const short = files.map((f) => (f.path.endsWith('.bin') ? { path: f.path, bytes: f.bytes.slice(0, 7596) } : f));
    expect(importError(short)).toBe(
      'group1-shard1of1.bin: 7,596 bytes, but model.json expects 7,600 for the weights it lists. The file is incomplete (a download cut short?) or belongs to another model: export the model again.',
    );
    expect(importError(files, { maxParams: 1000 })).toBe(
      'model.json: the model has 1,900 parameters (about 7.4 KB as float32), more than this device can take (at most 1,000). Use a smaller model, or open the studio on a computer with more memory.',
    );
  });

  it('an op tfjs cannot run', () => {
    const one = edited('conv', (j) => {
      node(j, 'conv1/Relu').op = 'Gelu';
    });
    expect(importError(one)).toBe(
      'model.json: node "conv1/Relu" uses the op Gelu, which TF.js 4.22.0 cannot run. Convert the model again without it (tensorflowjs_converter refuses such ops unless --skip_op_check is given), or replace it in the TensorFlow model.',
    );
    const several = edited('conv', (j) => {
      node(j, 'conv1/Relu').op = 'Gelu';
      node(j, 'conv3/Relu').op = 'Gelu';
      node(j, 'fc/Softmax').op = 'RaggedTensorToTensor';
    });
    expect(importError(several)).toBe(
      'model.json: node "conv1/Relu" uses the op Gelu, which TF.js 4.22.0 cannot run (also: 1 more node with Gelu; RaggedTensorToTensor in node "fc/Softmax"). Convert the model again without it (tensorflowjs_converter refuses such ops unless --skip_op_check is given), or replace it in the TensorFlow model.',
    );
    const inFunction = edited('loop', (j) => {
      const fn = (j.modelTopology as unknown as { library: { function: { nodeDef: Record<string, unknown>[] }[] } }).library.function[1];
      fn.nodeDef.find((n) => n.name === 'Relu')!.op = 'Mish';
    });
    expect(importError(inFunction)).toMatch(/^model\.json: node "Relu" uses the op Mish, which TF\.js 4\.22\.0 cannot run\./);
  });

  it('no signature and no Placeholder: no inputs', () => {
    const files = edited('mlp', (j) => {
      Object.assign(node(j, 'images'), { op: 'Identity', attr: {} });
    });
    expect(importError(files)).toBe(
      'model.json: the graph has no inputs: no signature lists them and there is no Placeholder node. Export the model again with its serving signature (tensorflowjs_converter --signature_name serving_default).',
    );
  });

  it('a signature naming nodes the graph lacks: refused when none exist, a warning when some do', () => {
    const none = edited('conv', (j) => {
      j.signature = { inputs: { 'x:0': { name: 'image:0' } }, outputs: { 'Identity:0': { name: 'Identity:0' } } };
    });
    expect(importError(none)).toBe('model.json: the signature names the input "image:0", which is not a node of the graph. Export the model again.');
    const some = readAnyModelFiles(
      edited('conv', (j) => {
        (j.signature as { outputs: Record<string, unknown> }).outputs['scores:0'] = { name: 'scores:0' };
      }),
    );
    expect(some.warnings).toEqual(['model.json: the signature names the output "scores:0", which is not a node of the graph; TF.js ignores it, and so does the studio.']);
  });

  it('a constant whose weight the manifest lacks', () => {
    const files = edited('conv', (j) => {
      j.weightsManifest[0].weights = j.weightsManifest[0].weights.filter((w) => w.name !== 'conv1/kernel' && w.name !== 'bn/gamma');
    });
    expect(importError(files)).toBe(
      'model.json: node "conv1/kernel" is a constant whose values the weightsManifest does not list (1 more: bn/gamma). The weight files belong to another model, or the export is incomplete: export the model again.',
    );
    const inFunction = edited('loop', (j) => {
      j.weightsManifest[0].weights = j.weightsManifest[0].weights.filter((w) => w.name !== 'loop_body/one');
    });
    expect(importError(inFunction)).toBe(
      'model.json: node "loop_body/one" is a constant whose values the weightsManifest does not list. The weight files belong to another model, or the export is incomplete: export the model again.',
    );
  });

  it('a graph without "versions" is fixed, as tfjs cannot load it otherwise', async () => {
    const imported = readAnyModelFiles(edited('mlp', (j) => {
      delete (j.modelTopology as { versions?: unknown }).versions;
    }));
    expect(imported.fixes).toEqual(['Graph model: added the "versions" entry TF.js expects in the graph']);
    if (!isGraphImport(imported)) throw new Error('not a graph import');
    const model = await loadImportedGraphModel(imported);
    model.dispose();
  });

  it('a damaged graph: no node list, a dangling input, duplicate names', () => {
    expect(importError(edited('conv', (j) => {
      j.modelTopology = {} as Json['modelTopology'];
    }))).toBe('model.json: the modelTopology has no "node" list, so there is no graph to run. Export the model again.');
    expect(importError(edited('conv', (j) => {
      (node(j, 'conv1/Relu').input as string[])[0] = 'ghost:0';
    }))).toBe('model.json: node "conv1/Relu" takes its input from "ghost", which is not in the graph. The graph is damaged: export the model again.');
    expect(importError(edited('conv', (j) => {
      node(j, 'conv3/Relu').name = 'conv1/Relu';
    }))).toBe('model.json: two nodes of the graph are named "conv1/Relu"; node names must be unique. Export the model again.');
  });
});

describe('graph import: frees what it loads', () => {
  it('graphModelData holds no tensors', () => {
    const before = tf.memory().numTensors;
    const imported = readAnyModelFiles(fixtureFiles('conv'));
    if (isGraphImport(imported)) graphModelData(imported);
    expect(tf.memory().numTensors).toBe(before);
  });
});
