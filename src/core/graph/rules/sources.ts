// Channel sources: layers whose filters or units are channels the studio can remove. Each one reads
// its input channels through slices of its kernel (which belong to the producers' groups) and starts
// a new source of its own.
//
//   class            out channels (kernel axis)          input slices                  MAC uses per weight
//   Dense            kernel [in, out]: last               kernel axis 0 (also flattened) leading output dims
//   Conv1D/2D/3D     kernel [..., in, out]: last          kernel axis rank-2             output positions
//   Conv2DTranspose  kernel [kh, kw, out, in]: rank-2     kernel axis rank-1             input positions
//   SeparableConv2D  pointwise_kernel [1, 1, in*m, out]   depthwise_kernel axis 2, and   output positions
//                                                        pointwise axis 2 (m per input)
//
// A removed channel whose kernel slice is all zero still outputs act(bias): `constant` says so, and
// `fold` says how a kept consumer's bias absorbs a constant input entry.
import { activationFn } from './activations';
import { kernelTaps, reduceAlongAxis, sumToAxes } from '../axisSlices';
import { isFlat, layoutLength, singleLayout, sourcesOf } from '../channelLayout';
import { singleNumber } from '../../model/kerasJson';
import { perInputPosition, perOutputPosition } from './macUses';
import { DEPTHWISE_NM, kernelWeight, lastAxis, notNM } from './weightAxes';
import type { AnalyseContext, ChannelRule, ConstantContext, LayerRule, SourceRule } from './types';
import type { GraphNode } from '../layerGraph';

function paddingReason(node: GraphNode, kernelShape: readonly number[], spatialAxes: number): string {
  return node.config.padding !== 'valid' && kernelTaps(kernelShape, spatialAxes) > 1 ? `'${String(node.config.padding)}' padding: exact away from the borders only` : '';
}

function analyseSource(spec: SourceRule) {
  return (node: GraphNode, ctx: AnalyseContext): void => {
    const L = ctx.input;
    const kernel = ctx.shapes.get(spec.kernel);
    const rank = kernel?.length ?? 0;
    const groups = singleNumber(node.config.groups) ?? 1;
    const first = ctx.shapes.get(spec.inputs[0].weight);
    const inDim = first ? first[spec.inputs[0].axis(first.length)] : null;
    const count = kernel ? kernel[spec.outAxis(rank)] : null;
    if (!kernel || count === null || inDim === null || groups !== 1) {
      ctx.opaque(`${ctx.feeds}: unexpected weights or grouped convolution`);
      ctx.lockLayer(groups !== 1 ? 'grouped convolution' : 'unexpected weights');
      return;
    }
    if (layoutLength(L) !== inDim || (!spec.readsFlattened && !isFlat(L))) {
      for (const s of sourcesOf(L)) ctx.lockSource(s, `${ctx.feeds}: its ${inDim} input channels do not line up with the producers'`);
    } else {
      for (const u of spec.inputs) ctx.slice(u.weight, u.axis(ctx.shapes.get(u.weight)?.length ?? rank), u.stride?.(ctx.shapes) ?? 1, 'in');
    }
    const src = ctx.newSource(count);
    if (node.config.activation === 'softmax') ctx.lockSource(src, `${node.path} applies softmax across its channels`);
    ctx.setOutput(singleLayout(count, src));
  };
}

/** A removed channel whose kernel slice is all zero outputs act(bias). */
function sourceConstant(spec: SourceRule) {
  return (node: GraphNode, ctx: ConstantContext): void => {
    const k = ctx.weight(spec.kernel);
    const act = activationFn(node.config.activation);
    if (!k || !act) return;
    const abs = reduceAlongAxis(k.values, k.shape, spec.outAxis(k.shape.length), Math.abs);
    const bias = ctx.weight('bias');
    for (let c = 0; c < ctx.out.length && c < abs.length; c++) if (abs[c] === 0) ctx.out[c] = act(bias ? bias.values[c] : 0);
  };
}

function sourceRule(className: string, spec: SourceRule, rest: Omit<LayerRule, 'className' | 'channels'>): LayerRule {
  const channels: ChannelRule = { kind: 'source', analyse: analyseSource(spec), constant: sourceConstant(spec), source: spec };
  return { className, channels, ...rest };
}

const secondLast = (rank: number) => rank - 2;

/** Dense: each constant input entry (flattened positions included) adds k x its kernel row. */
const dense: SourceRule = {
  kernel: 'kernel',
  outAxis: lastAxis,
  countField: 'units',
  inputs: [{ weight: 'kernel', axis: secondLast }],
  readsFlattened: true,
  fold: (_node, _weight, kernel) => {
    const outCount = kernel.shape[kernel.shape.length - 1];
    return {
      add: (fold, e, k) => {
        for (let o = 0; o < outCount; o++) fold[o] += k * kernel.values[e * outCount + o];
      },
      inexact: '',
    };
  },
};

/** Conv1D/2D/3D: a constant input channel adds k x the sum of its taps; zero padding breaks that at the borders. */
const conv: SourceRule = {
  kernel: 'kernel',
  outAxis: lastAxis,
  countField: 'filters',
  inputs: [{ weight: 'kernel', axis: secondLast }],
  readsFlattened: false,
  fold: (node, _weight, kernel) => {
    const rank = kernel.shape.length;
    const outCount = kernel.shape[rank - 1];
    const tapSums = sumToAxes(kernel.values, kernel.shape, rank - 2, rank - 1);
    return {
      add: (fold, e, k) => {
        for (let o = 0; o < outCount; o++) fold[o] += k * tapSums[e * outCount + o];
      },
      inexact: paddingReason(node, kernel.shape, rank - 2),
    };
  },
};

/** Conv2DTranspose: the constant's contribution depends on the output position; the mean (tap sum / stride area) is folded. */
const transpose: SourceRule = {
  kernel: 'kernel',
  outAxis: secondLast,
  countField: 'filters',
  inputs: [{ weight: 'kernel', axis: lastAxis }],
  readsFlattened: false,
  fold: (node, _weight, kernel) => {
    const rank = kernel.shape.length;
    const outCount = kernel.shape[rank - 2];
    const tapSums = sumToAxes(kernel.values, kernel.shape, rank - 1, rank - 2);
    const strides = Array.isArray(node.config.strides) ? node.config.strides : [1, 1];
    const area = strides.reduce((x, y) => x * y, 1);
    return {
      add: (fold, e, k) => {
        for (let o = 0; o < outCount; o++) fold[o] += (k * tapSums[e * outCount + o]) / area;
      },
      inexact: kernelTaps(kernel.shape, rank - 2) > 1 || area > 1 ? 'transposed convolution: the constant contributes unevenly; the mean is folded' : '',
    };
  },
};

/** SeparableConv2D: a constant input channel goes through its depthwise taps (m outputs), then the pointwise kernel. */
const separable: SourceRule = {
  kernel: 'pointwise_kernel',
  outAxis: lastAxis,
  countField: 'filters',
  inputs: [
    { weight: 'depthwise_kernel', axis: secondLast },
    { weight: 'pointwise_kernel', axis: secondLast, stride: (shapes) => shapes.get('depthwise_kernel')?.[3] ?? 1 },
  ],
  readsFlattened: false,
  fold: (node, weight, kernel) => {
    const outCount = kernel.shape[kernel.shape.length - 1];
    const dw = weight('depthwise_kernel')!;
    const mult = dw.shape[3];
    const dwSums = sumToAxes(dw.values, dw.shape, 2, 3);
    return {
      add: (fold, e, k) => {
        for (let j = 0; j < mult; j++) {
          const row = e * mult + j;
          for (let o = 0; o < outCount; o++) fold[o] += k * dwSums[row] * kernel.values[row * outCount + o];
        }
      },
      inexact: paddingReason(node, dw.shape, 2),
    };
  },
};

const convKernel = { prunable: [kernelWeight('kernel')], macs: perOutputPosition };

export const SOURCE_RULES: readonly LayerRule[] = [
  sourceRule('Dense', dense, convKernel),
  sourceRule('Conv1D', conv, convKernel),
  sourceRule('Conv2D', conv, convKernel),
  sourceRule('Conv3D', conv, convKernel),
  sourceRule('Conv2DTranspose', transpose, {
    prunable: [{ name: 'kernel', nm: (rank) => ({ axis: rank - 1 }), outAxes: (rank) => [rank - 2] }],
    macs: perInputPosition,
  }),
  sourceRule('SeparableConv2D', separable, {
    prunable: [{ name: 'depthwise_kernel', nm: notNM(DEPTHWISE_NM) }, kernelWeight('pointwise_kernel')],
    macs: perOutputPosition,
    // TF.js 4.22 leaves depth_multiplier out of SeparableConv2D's config: restore it from the weights.
    repairConfig: (config, weight) => {
      const dw = weight('depthwise_kernel');
      if (config.depth_multiplier === undefined && dw) config.depth_multiplier = dw.shape[3];
    },
  }),
];
