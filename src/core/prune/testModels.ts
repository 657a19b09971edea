// Tiny models for the pruning tests: the demo models' shapes in miniature (same layer names), and
// the structures structured pruning must handle (BatchNorm, residual Add, Concatenate, depthwise,
// Teachable-Machine nesting). Weights are seeded, so every run sees the same numbers.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import { walkLayers, weightSuffix } from '../graph/layerPaths';

type ST = tf.SymbolicTensor;

/** Sets every weight to seeded values: N(0, 0.5)-ish kernels, nonzero biases, BN variances in [0.5, 1.5]. */
export function randomizeWeights(model: tf.LayersModel, seed = 7): void {
  const rnd = mulberry32(seed);
  for (const { layer } of walkLayers(model)) {
    const values = layer.weights.map((v) => {
      const n = v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const suffix = weightSuffix(layer, v);
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const u = rnd();
        a[i] = suffix.endsWith('moving_variance') ? 0.5 + u : suffix.endsWith('gamma') ? 0.5 + u : (u - 0.5) * 1.2;
      }
      return tf.tensor(a, v.shape.map((d) => d ?? 1));
    });
    layer.setWeights(values);
    values.forEach((t) => t.dispose());
  }
}

/** fashion-cnn in miniature: conv1 -> bn1 -> relu1 -> pool1 -> conv2 -> bn2 -> relu2 -> pool2 -> flatten -> fc1 -> dropout -> fc2. */
export function fashionCnn(size = 8, filters: [number, number] = [4, 6], units = 8, classes = 3): tf.Sequential {
  const m = tf.sequential({ name: 'fashion_cnn' });
  m.add(tf.layers.conv2d({ inputShape: [size, size, 1], filters: filters[0], kernelSize: 3, padding: 'same', name: 'conv1' }));
  m.add(tf.layers.batchNormalization({ name: 'bn1' }));
  m.add(tf.layers.activation({ activation: 'relu', name: 'relu1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tf.layers.conv2d({ filters: filters[1], kernelSize: 3, padding: 'same', name: 'conv2' }));
  m.add(tf.layers.batchNormalization({ name: 'bn2' }));
  m.add(tf.layers.activation({ activation: 'relu', name: 'relu2' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units, activation: 'relu', name: 'fc1' }));
  m.add(tf.layers.dropout({ rate: 0.25, name: 'dropout' }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax', name: 'fc2' }));
  return m;
}

/** fashion-mlp in miniature: flatten -> fc1 -> fc2 -> fc3. */
export function fashionMlp(size = 4, units: [number, number] = [12, 8], classes = 3): tf.Sequential {
  const m = tf.sequential({ name: 'fashion_mlp' });
  m.add(tf.layers.flatten({ inputShape: [size, size, 1], name: 'flatten' }));
  m.add(tf.layers.dense({ units: units[0], activation: 'relu', name: 'fc1' }));
  m.add(tf.layers.dense({ units: units[1], activation: 'relu', name: 'fc2' }));
  m.add(tf.layers.dense({ units: classes, activation: 'softmax', name: 'fc3' }));
  return m;
}

/** Residual block: stem and the block's last conv are coupled by Add. */
export function residualNet(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2], name: 'image' });
  const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'stem' }).apply(input) as ST;
  const stemAct = tf.layers.activation({ activation: 'relu', name: 'stem_relu' }).apply(stem) as ST;
  let b = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'block_a' }).apply(stemAct) as ST;
  b = tf.layers.batchNormalization({ name: 'block_bn' }).apply(b) as ST;
  b = tf.layers.activation({ activation: 'relu', name: 'block_relu' }).apply(b) as ST;
  b = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'block_b' }).apply(b) as ST;
  const sum = tf.layers.add({ name: 'residual' }).apply([stemAct, b]) as ST;
  const act = tf.layers.activation({ activation: 'relu', name: 'sum_relu' }).apply(sum) as ST;
  const head = tf.layers.conv2d({ filters: 6, kernelSize: 3, name: 'head_conv' }).apply(act) as ST;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(head) as ST;
  const out = tf.layers.dense({ units: 3, name: 'logits' }).apply(pooled) as ST;
  return tf.model({ inputs: input, outputs: out, name: 'residual_net' });
}

/** Two branches joined by Concatenate (channel offsets), then BatchNorm over the joined channels. */
export function concatNet(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2], name: 'image' });
  const a = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'branch_a' }).apply(input) as ST;
  const b = tf.layers.conv2d({ filters: 5, kernelSize: 1, activation: 'relu', name: 'branch_b' }).apply(input) as ST;
  const joined = tf.layers.concatenate({ name: 'joined' }).apply([a, b]) as ST;
  const bn = tf.layers.batchNormalization({ name: 'joined_bn' }).apply(joined) as ST;
  const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'merge_conv' }).apply(bn) as ST;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(c) as ST;
  const out = tf.layers.dense({ units: 2, name: 'logits' }).apply(flat) as ST;
  return tf.model({ inputs: input, outputs: out, name: 'concat_net' });
}

/**
 * conv -> BN -> relu -> depthwise (multiplier 2) -> BN -> relu -> pointwise conv -> separable conv -> GAP -> dense.
 * The separable conv's multiplier defaults to 1: tfjs 4.22 drops a SeparableConv2D's depth_multiplier
 * when it saves a model, so larger values do not survive save + load (with or without pruning).
 */
export function depthwiseNet(separableMultiplier = 1): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2], name: 'image' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'expand' }).apply(input) as ST;
  x = tf.layers.batchNormalization({ name: 'expand_bn' }).apply(x) as ST;
  x = tf.layers.reLU({ name: 'expand_relu' }).apply(x) as ST;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }).apply(x) as ST;
  x = tf.layers.batchNormalization({ name: 'dw_bn' }).apply(x) as ST;
  x = tf.layers.reLU({ name: 'dw_relu' }).apply(x) as ST;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 1, name: 'project' }).apply(x) as ST;
  x = tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: separableMultiplier, padding: 'valid', activation: 'relu', name: 'sep' }).apply(x) as ST;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as ST;
  const out = tf.layers.dense({ units: 3, name: 'logits' }).apply(x) as ST;
  return tf.model({ inputs: input, outputs: out, name: 'depthwise_net' });
}

/** Teachable Machine style: a Sequential holding a feature Sequential and a head Sequential. */
export function teachableMachineNet(): tf.Sequential {
  const features = tf.sequential({ name: 'features' });
  features.add(tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, name: 'conv_1' }));
  features.add(tf.layers.batchNormalization({ name: 'conv_1_bn' }));
  features.add(tf.layers.activation({ activation: 'relu', name: 'conv_1_relu' }));
  features.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'conv_2' }));
  features.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  const head = tf.sequential({ name: 'head' });
  head.add(tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu', name: 'dense_1' }));
  head.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_2' }));
  const outer = tf.sequential({ name: 'tm_model' });
  outer.add(features);
  outer.add(head);
  return outer;
}

/** Conv1D over a short sequence. */
export function conv1dNet(): tf.Sequential {
  const m = tf.sequential({ name: 'conv1d_net' });
  m.add(tf.layers.conv1d({ inputShape: [10, 3], filters: 5, kernelSize: 3, name: 'c1d' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  return m;
}

/** Every 2-D convolution kind: Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose. */
export function convKindsNet(): tf.Sequential {
  const m = tf.sequential({ name: 'conv_kinds' });
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, name: 'conv' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'depthwise' }));
  m.add(tf.layers.separableConv2d({ filters: 6, kernelSize: 1, name: 'separable' }));
  m.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, name: 'transpose' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  return m;
}

/** Embedding and every recurrent kind (LSTM, GRU, SimpleRNN, Bidirectional LSTM). */
export function recurrentNet(): tf.Sequential {
  const m = tf.sequential({ name: 'recurrent_net' });
  m.add(tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 5, name: 'emb' }));
  m.add(tf.layers.lstm({ units: 4, returnSequences: true, name: 'lstm' }));
  m.add(tf.layers.gru({ units: 4, returnSequences: true, name: 'gru' }));
  m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, name: 'inner' }) as tf.RNN, name: 'bilstm' }));
  m.add(tf.layers.simpleRNN({ units: 3, name: 'rnn' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  return m;
}

/**
 * As a Teachable Machine image export nests MobileNet: conv -> BN -> depthwise -> conv with a residual
 * Add, as a functional model, inside a Sequential, followed by a Sequential head, inside a Sequential.
 */
export function teachableMachineStyle(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  const c1 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'Conv1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as ST;
  const bn = tf.layers.batchNormalization({ name: 'Conv1_bn' }).apply(c1) as ST;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'block_depthwise', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(bn) as ST;
  const pr = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: 'block_project', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(dw) as ST;
  const add = tf.layers.add({ name: 'block_add' }).apply([bn, pr]) as ST;
  const pool = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(add) as ST;
  const mobilenet = tf.model({ inputs: input, outputs: pool, name: 'model1' });
  const body = tf.sequential({ name: 'sequential_1', layers: [mobilenet] });
  const head = tf.sequential({ name: 'sequential_3', layers: [tf.layers.dense({ inputShape: [8], units: 3, activation: 'softmax', name: 'dense_Dense1' })] });
  return tf.sequential({ name: 'outer', layers: [body, head] });
}
