// DepthwiseConv2D: the same channels as its producer, each widened by the depth multiplier m
// (channel c of the producer owns outputs c*m .. c*m+m-1). Its kernel [kh, kw, in, m] and bias are
// sliced with the producer's channel; it never is a source of its own.
import { activationFn } from './activations';
import { kernelTaps, sumToAxes } from '../axisSlices';
import { isFlat, layoutLength } from '../channelLayout';
import { perOutputPosition } from './macUses';
import { DEPTHWISE_NM, notNM } from './weightAxes';
import type { LayerRule } from './types';

export const DEPTHWISE_RULE: LayerRule = {
  className: 'DepthwiseConv2D',
  // Group lasso: one norm per output (input channel x multiplier).
  prunable: [{ name: 'depthwise_kernel', nm: notNM(DEPTHWISE_NM), outAxes: (rank) => [rank - 2, rank - 1] }],
  macs: perOutputPosition,
  channels: {
    kind: 'follow',
    analyse: (_node, ctx) => {
      const L = ctx.input;
      const k = ctx.shapes.get('depthwise_kernel');
      if (!k || k[2] !== layoutLength(L) || !isFlat(L)) {
        ctx.opaque(`${ctx.feeds}: its channels do not line up with the producers'`);
        ctx.lockLayer('depthwise channels do not line up with the producer');
        return;
      }
      const mult = k[3];
      ctx.slice('depthwise_kernel', 2, 1, 'through');
      if (ctx.shapes.has('bias')) ctx.slice('bias', 0, mult, 'through');
      ctx.setOutput(L.map((b) => ({ repeat: b.repeat, segs: b.segs.map((s) => ({ ...s, width: s.width * mult })) })));
    },
    // A constant input channel gives act(c x tap sum + bias) on each of its m outputs; an output whose
    // taps are all zero gives act(bias). Zero padding breaks a nonzero constant at the borders.
    constant: (node, ctx) => {
      const inC = ctx.inputs[0];
      const inA = ctx.inputApprox[0];
      const k = ctx.weight('depthwise_kernel');
      const act = activationFn(node.config.activation);
      if (!k || !act || !inC || !inA) return;
      const mult = k.shape[3];
      const sums = sumToAxes(k.values, k.shape, 2, 3);
      const abs = sumToAxes(Array.from(k.values, Math.abs), k.shape, 2, 3);
      const bias = ctx.weight('bias');
      const padded = node.config.padding !== 'valid' && kernelTaps(k.shape, 2) > 1;
      for (let e = 0; e < inC.length; e++) {
        for (let j = 0; j < mult; j++) {
          const o = e * mult + j;
          const b = bias ? bias.values[o] : 0;
          if (abs[o] === 0) ctx.out[o] = act(b);
          else if (Number.isFinite(inC[e])) {
            ctx.out[o] = act(inC[e] * sums[o] + b);
            ctx.outApprox[o] = inA[e] | (padded && inC[e] !== 0 ? 1 : 0);
          }
        }
      }
    },
  },
};
