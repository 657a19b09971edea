// Layers that move positions around the channels without mixing them.
// - Flatten: a channel maps to H*W positions, NHWC order: flattened index = (h*W + w)*C + c.
// - Reshape that keeps the last dim: the same channels; its target_shape repeats the channel
//   count, so the surgery edits it.
// A constant goes through both unchanged (the layouts share channel entries across positions).
import { isFlat, lastDim } from '../channelLayout';
import { noMacs } from './macUses';
import { elementwiseConstant } from './passThrough';
import type { LayerRule } from './types';

const unchanged = elementwiseConstant(() => (x) => x);

export const RESHAPING_RULES: readonly LayerRule[] = [
  {
    className: 'Flatten',
    prunable: [],
    macs: noMacs,
    channels: {
      kind: 'follow',
      analyse: (_node, ctx) => {
        const inShape = ctx.inputShape;
        if (!inShape || inShape.length <= 2) {
          ctx.setOutput(ctx.input);
          return;
        }
        const positions = inShape.slice(1, -1).reduce<number | null>((p, d) => (p === null || d === null ? null : p * d), 1);
        if (positions === null || !isFlat(ctx.input)) {
          ctx.opaque(`${ctx.feeds}: unknown spatial size`);
          return;
        }
        ctx.setOutput([{ repeat: positions, segs: ctx.input.flatMap((b) => b.segs) }]);
      },
      constant: unchanged,
    },
  },
  {
    className: 'Reshape',
    prunable: [],
    macs: noMacs,
    channels: {
      kind: 'follow',
      analyse: (_node, ctx) => {
        const a = lastDim(ctx.inputShape);
        const b = lastDim(ctx.outputShape);
        if (a === null || a !== b || !isFlat(ctx.input) || (ctx.inputShape?.length ?? 0) < 2) {
          ctx.opaque(`${ctx.feeds}: it changes the last axis`);
          return;
        }
        ctx.repeatsChannelCount();
        ctx.setOutput(ctx.input);
      },
      constant: unchanged,
    },
  },
];
