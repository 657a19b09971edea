// BatchNormalization over the last axis: the same channels as its producer; gamma, beta and the
// moving statistics are sliced with each channel. Over another axis it mixes what channel pruning
// slices, so it is opaque. Its gamma is what network slimming (bnGammaL1) drives to zero.
import { configNum } from './activations';
import { isFlat } from '../channelLayout';
import { singleNumber } from '../../model/kerasJson';
import { outputShapeOf, product } from './macUses';
import type { LayerRule } from './types';

const PER_CHANNEL = ['gamma', 'beta', 'moving_mean', 'moving_variance'];

export const BATCH_NORM_RULE: LayerRule = {
  className: 'BatchNormalization',
  prunable: [],
  // One MAC per output element (y = a*x + b at inference; 0 once folded into the previous conv,
  // which the studio does not do).
  macs: (node, g) => {
    const out = outputShapeOf(node, g);
    return { uses: 0, extra: out ? product(out.slice(1)) : null };
  },
  scales: ['gamma'],
  channels: {
    kind: 'follow',
    analyse: (node, ctx) => {
      const rank = ctx.inputShape?.length ?? 0;
      const axis = singleNumber(node.config.axis) ?? -1;
      if ((axis !== -1 && axis !== rank - 1) || !isFlat(ctx.input)) {
        ctx.opaque(`${ctx.feeds}: normalizes axis ${axis}, not the channel axis`);
        return;
      }
      for (const w of PER_CHANNEL) if (ctx.shapes.has(w)) ctx.slice(w, 0, 1, 'through');
      ctx.setOutput(ctx.input);
    },
    // BN(x) = gamma * (x - mean) / sqrt(var + eps) + beta: a constant stays one; gamma = 0 gives beta.
    constant: (node, ctx) => {
      const inC = ctx.inputs[0];
      const inA = ctx.inputApprox[0];
      const out = ctx.out;
      if (!inC || !inA || inC.length !== out.length) return;
      const eps = configNum(node.config.epsilon, 1e-3);
      const gamma = ctx.weight('gamma');
      const beta = ctx.weight('beta');
      const mean = ctx.weight('moving_mean');
      const variance = ctx.weight('moving_variance');
      if (!mean || !variance) return;
      for (let e = 0; e < out.length; e++) {
        const gm = gamma ? gamma.values[e] : 1;
        const bt = beta ? beta.values[e] : 0;
        if (gm === 0) out[e] = bt;
        else if (Number.isFinite(inC[e])) {
          out[e] = (gm * (inC[e] - mean.values[e])) / Math.sqrt(variance.values[e] + eps) + bt;
          ctx.outApprox[e] = inA[e];
        }
      }
    },
  },
};
