import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  batchInputShape,
  childEntries,
  entryName,
  findLayerEntry,
  layerList,
  modelConfigOf,
  modelLayers,
  nodeRef,
  singleNumber,
  walkLayerEntries,
  type JsonObject,
  type KerasLayerEntry,
} from './kerasJson';
import { layerEntries } from './topologyCheck';

/** A functional model whose Dense entry says "wire" at the entry level and "real" in its config. */
function disagreeing(): JsonObject {
  const input = tf.input({ shape: [3], name: 'in' });
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'real' }).apply(input) as tf.SymbolicTensor, name: 'm' });
  const topology = model.toJSON(null, false) as JsonObject;
  model.dispose();
  const config = topology.config as JsonObject;
  const dense = (config.layers as JsonObject[]).find((l) => l.name === 'real')!;
  dense.name = 'wire';
  config.output_layers = [['wire', 0, 0]];
  return topology;
}

describe('entryName', () => {
  it("prefers config.name, which is the name TF.js gives the built layer and its weights; the entry's own name only wires", async () => {
    const topology = disagreeing();
    const dense = layerList(topology).find((e) => e.class_name === 'Dense')!;
    expect([dense.name, dense.config.name]).toEqual(['wire', 'real']);
    expect(entryName(dense)).toBe('real');
    // TF.js connects the output through "wire" but builds a layer named "real", weights "real/kernel".
    const model = await tf.models.modelFromJSON({ modelTopology: topology } as unknown as tf.io.ModelJSON);
    expect(model.layers.map((l) => l.name)).toEqual(['in', 'real']);
    expect(model.getLayer('real').weights.map((w) => w.originalName)).toEqual(['real/kernel', 'real/bias']);
    model.dispose();
    // The import checks name the layer the same way.
    expect(layerEntries('model.json', topology).map((e) => e.name)).toEqual(['m', 'in', 'real']);
  });

  it('falls back to the entry-level name, then to null', () => {
    expect(entryName({ class_name: 'Dense', name: 'only', config: {} })).toBe('only');
    expect(entryName({ class_name: 'Dense', config: {} })).toBeNull();
  });
});

describe('walking Keras JSON', () => {
  const bidirectional: KerasLayerEntry = {
    class_name: 'Bidirectional',
    config: { name: 'bi', layer: { class_name: 'LSTM', config: { name: 'fw' } }, backward_layer: { class_name: 'LSTM', config: { name: 'bw' } } },
  };
  const root: KerasLayerEntry = {
    class_name: 'Sequential',
    config: {
      name: 'outer',
      layers: [
        { class_name: 'Sequential', config: { name: 'inner', layers: [{ class_name: 'Dense', config: { name: 'd', batch_input_shape: [null, 4] } }] } },
        { class_name: 'TimeDistributed', config: { name: 'td', layer: { class_name: 'Dense', config: { name: 'tdd' } } } },
        bidirectional,
        // Not a layer: TF.js would not look into a field called "layer" of a Dense.
        { class_name: 'Dense', config: { name: 'plain', layer: { class_name: 'Dense', config: { name: 'ghost' } } } },
      ],
    },
  };

  it('visits every entry depth first, the model included, with its place, and only the children TF.js builds', () => {
    const seen: string[] = [];
    walkLayerEntries(root, (e, place) => seen.push(`${entryName(e)}${place ? `@${entryName(place.parent)}#${place.index}` : ''}`));
    expect(seen).toEqual(['outer', 'inner@outer#0', 'd@inner#0', 'td@outer#1', 'tdd@td#0', 'bi@outer#2', 'fw@bi#0', 'bw@bi#1', 'plain@outer#3']);
    expect(childEntries(bidirectional).length).toBe(2);
  });

  it('hands entries without a class name and config to `malformed`', () => {
    const bad: string[] = [];
    walkLayerEntries({ class_name: 'Sequential', config: { name: 's', layers: [{ config: {} }, 7] } }, () => {}, (v, place) => bad.push(`${JSON.stringify(v)}#${place?.index}`));
    expect(bad).toEqual(['{"config":{}}#0', '7#1']);
  });

  it('reads layer lists (legacy Sequential too), paths, shapes, references and one-number configs', () => {
    expect(modelLayers([{ class_name: 'Dense', config: {} }])).toHaveLength(1);
    expect(modelLayers({ layers: 3 })).toEqual([]);
    expect(findLayerEntry(root, 'inner/d')?.config.batch_input_shape).toEqual([null, 4]);
    expect(findLayerEntry(root, 'inner/nope')).toBeNull();
    expect(batchInputShape(findLayerEntry(root, 'inner/d')?.config)).toEqual([null, 4]);
    expect(batchInputShape({ batch_input_shape: ['a'] })).toBeNull();
    expect(nodeRef(['dense', 1, 2, {}])).toEqual({ layer: 'dense', node: 1, tensor: 2 });
    expect(nodeRef(['dense'])).toEqual({ layer: 'dense', node: 0, tensor: 0 });
    expect(nodeRef([3, 0, 0])).toBeNull();
    expect([singleNumber(-1), singleNumber([3]), singleNumber([1, 2]), singleNumber('x')]).toEqual([-1, 3, null, null]);
    expect(modelConfigOf({ model_config: { class_name: 'Sequential', config: {} } })).toEqual({ class_name: 'Sequential', config: {} });
  });
});
