// A 224×224 MobileNet-class image classifier, built as Teachable Machine builds its exports: a
// MobileNetV2-style feature extractor (alpha 0.35: a stride-2 stem, inverted residual blocks of
// expand 1×1 → depthwise 3×3 → project 1×1 with BatchNorm and ReLU6, skip additions where shapes
// allow, a 1×1 head to 1,280 channels, global average pooling) nested as one Sequential-like model,
// then a small Dense head. Weights are seeded random: it is for timing the studio on a model of
// this size, not for accuracy. Writes model.json + one weights file (Layers format) to the folder.
//   npx tsx scripts/make-mobilenet-class.ts [--out bench/.models/mobilenet-224] [--classes 3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { stringArg } from '../bench/harness';

const OUT = resolve(stringArg('--out', 'bench/.models/mobilenet-224'));
const CLASSES = Number(stringArg('--classes', '3'));

/** (expansion, output channels, repeats, first stride) per stage, MobileNetV2 at alpha 0.35. */
const STAGES: [number, number, number, number][] = [
  [1, 8, 1, 1], [6, 8, 2, 2], [6, 16, 3, 2], [6, 24, 4, 2], [6, 32, 3, 1], [6, 56, 3, 2], [6, 112, 1, 1],
];

let seed = 1;
const init = () => tf.initializers.glorotUniform({ seed: seed++ });

function convBn(x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, name: string, relu = true): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: init(), name }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  return relu ? (tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }).apply(y) as tf.SymbolicTensor) : y;
}

function invertedResidual(x: tf.SymbolicTensor, expand: number, out: number, stride: number, name: string): tf.SymbolicTensor {
  const inChannels = x.shape[3]!;
  let y = expand === 1 ? x : convBn(x, inChannels * expand, 1, 1, `${name}_expand`);
  y = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, depthwiseInitializer: init(), name: `${name}_depthwise` }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: `${name}_depthwise_bn` }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ maxValue: 6, name: `${name}_depthwise_relu` }).apply(y) as tf.SymbolicTensor;
  y = convBn(y, out, 1, 1, `${name}_project`, false);
  return stride === 1 && inChannels === out ? (tf.layers.add({ name: `${name}_add` }).apply([x, y]) as tf.SymbolicTensor) : y;
}

function featureExtractor(): tf.LayersModel {
  const input = tf.input({ shape: [224, 224, 3], name: 'input_1' });
  let x = convBn(input, 16, 3, 2, 'Conv1');
  let block = 0;
  for (const [expand, out, repeats, stride] of STAGES) {
    for (let r = 0; r < repeats; r++) x = invertedResidual(x, expand, out, r === 0 ? stride : 1, `block_${block++}`);
  }
  x = convBn(x, 1280, 1, 1, 'Conv_1');
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'mobilenetv2_0.35_224' });
}

async function main() {
  await tf.setBackend('cpu');
  const features = featureExtractor();
  const model = tf.sequential({ name: 'teachable-machine-style' });
  model.add(features);
  model.add(tf.layers.dense({ units: 100, activation: 'relu', kernelInitializer: init(), name: 'dense_Dense1' }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: init(), name: 'dense_Dense2' }));
  mkdirSync(OUT, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = 'weights.bin';
    writeFileSync(join(OUT, weights), new Uint8Array(artifacts.weightData as ArrayBuffer));
    writeFileSync(join(OUT, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'secateur scripts/make-mobilenet-class.ts', convertedBy: null,
      modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [weights], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  writeFileSync(join(OUT, 'metadata.json'), JSON.stringify({ labels: Array.from({ length: CLASSES }, (_, i) => `Class ${i + 1}`), imageSize: 224 }));
  console.log(`wrote ${OUT}: ${model.countParams().toLocaleString('en-US')} params, ${features.layers.length} layers in the feature extractor`);
}

await main();
