// Layers that leave the channel axis alone and have no weights: activations, dropout and noise,
// pooling, padding, cropping, upsampling, RepeatVector. Their output has their input's channels,
// and being weightless they may be shared. A removed channel's constant goes through the layer's
// scalar function (identity for all but the activations); zero padding keeps a nonzero constant
// only away from the borders.
import { activationFn, configNum } from './activations';
import { noMacs } from './macUses';
import type { KerasLayerConfig } from '../../model/kerasJson';
import type { ChannelRule, ConstantContext, LayerRule } from './types';
import type { GraphNode } from '../layerGraph';

type Scalar = (x: number) => number;
const identity: Scalar = (x) => x;

/** Constants through an element-wise function of the config (null: unknown, nothing propagates). */
export function elementwiseConstant(fnOf: (config: KerasLayerConfig) => Scalar | null, padding = false) {
  return (node: GraphNode, ctx: ConstantContext): void => {
    const f = fnOf(node.config);
    const inC = ctx.inputs[0];
    const inA = ctx.inputApprox[0];
    if (!f || !inC || !inA || inC.length !== ctx.out.length) return;
    for (let e = 0; e < ctx.out.length; e++) {
      if (!Number.isFinite(inC[e])) continue;
      ctx.out[e] = f(inC[e]);
      ctx.outApprox[e] = inA[e] | (padding && inC[e] !== 0 ? 1 : 0);
    }
  };
}

interface PassThroughOptions {
  /** The scalar function a constant goes through (identity when absent). */
  fn?: (config: KerasLayerConfig) => Scalar | null;
  /** Pads with zeros: a nonzero constant is exact only away from the borders. */
  padding?: boolean;
  /** Why this config mixes the channels (then the layer is opaque), or null. */
  mixes?: (config: KerasLayerConfig) => string | null;
}

function passThrough(className: string, options: PassThroughOptions = {}): LayerRule {
  const channels: ChannelRule = {
    kind: 'follow',
    shareable: true,
    analyse: (node, ctx) => {
      const mixes = options.mixes?.(node.config) ?? null;
      if (mixes) ctx.opaque(`${ctx.feeds}: ${mixes}`);
      else ctx.setOutput(ctx.input);
    },
    constant: elementwiseConstant(options.fn ?? (() => identity), options.padding),
  };
  return { className, prunable: [], macs: noMacs, channels };
}

export const PASS_THROUGH_RULES: readonly LayerRule[] = [
  passThrough('Activation', {
    fn: (cfg) => activationFn(cfg.activation),
    mixes: (cfg) => (cfg.activation === 'softmax' ? 'softmax mixes the channels' : null),
  }),
  passThrough('ReLU', {
    fn: (cfg) => {
      const max = typeof cfg.max_value === 'number' ? cfg.max_value : Infinity;
      return (x) => Math.min(max, Math.max(0, x));
    },
  }),
  passThrough('LeakyReLU', {
    fn: (cfg) => {
      const alpha = configNum(cfg.alpha, 0.3);
      return (x) => (x >= 0 ? x : alpha * x);
    },
  }),
  passThrough('ELU', {
    fn: (cfg) => {
      const alpha = configNum(cfg.alpha, 1);
      return (x) => (x > 0 ? x : alpha * Math.expm1(x));
    },
  }),
  passThrough('ThresholdedReLU', {
    fn: (cfg) => {
      const theta = configNum(cfg.theta, 1);
      return (x) => (x > theta ? x : 0);
    },
  }),
  ...['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'].map((c) => passThrough(c)),
  ...['MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D'].map((c) => passThrough(c)),
  ...['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D'].map((c) => passThrough(c)),
  passThrough('ZeroPadding2D', { padding: true }),
  passThrough('Cropping2D'),
  passThrough('UpSampling2D'),
  passThrough('RepeatVector'),
];
