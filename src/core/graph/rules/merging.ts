// Layers with several inputs.
// - Add, Multiply, Average, Maximum, Minimum: the inputs are combined channel by channel, so their
//   sources are coupled: one group, pruned together. Inputs that do not line up (broadcasting,
//   different concatenations) make the layer opaque.
// - Concatenate on the last axis: the layouts are joined, each input keeping its offset. On another
//   axis channel c of every input lands on channel c: coupled like Add.
// A constant goes through the layer's combination of the input constants.
import { sameStructure, type Layout } from '../channelLayout';
import { singleNumber } from '../../model/kerasJson';
import { noMacs } from './macUses';
import type { AnalyseContext, ConstantContext, LayerRule } from './types';
import type { GraphNode } from '../layerGraph';

function coupleInputs(_node: GraphNode, ctx: AnalyseContext): void {
  const ins = ctx.inputs;
  if (!ins.every((l) => sameStructure(l, ins[0]))) {
    ctx.opaque(`${ctx.feeds}: its inputs do not line up channel by channel (broadcast or different concatenations)`);
    return;
  }
  for (const l of ins.slice(1)) {
    l.forEach((b, i) => b.segs.forEach((s, j) => ctx.couple(ins[0][i].segs[j].src, s.src)));
  }
  ctx.setOutput(ins[0]);
}

/** Constants combined entry by entry; `zeroWins`: a zero input gives zero whatever the others (Multiply). */
function combinedConstant(combine: (xs: number[]) => number, zeroWins = false) {
  return (_node: GraphNode, ctx: ConstantContext): void => {
    const ins = ctx.inputs;
    const ias = ctx.inputApprox;
    const out = ctx.out;
    if (ins.some((c) => !c || c.length !== out.length)) return;
    for (let e = 0; e < out.length; e++) {
      const xs = ins.map((c) => (c as Float64Array)[e]);
      const a = ias.reduce((m, x) => m | (x as Uint8Array)[e], 0);
      if (zeroWins && xs.some((x) => x === 0)) {
        out[e] = 0;
        continue;
      }
      if (xs.some((x) => !Number.isFinite(x))) continue;
      out[e] = combine(xs);
      ctx.outApprox[e] = a;
    }
  };
}

function merge(className: string, combine: (xs: number[]) => number, zeroWins = false): LayerRule {
  return { className, prunable: [], macs: noMacs, channels: { kind: 'merge', analyse: coupleInputs, constant: combinedConstant(combine, zeroWins) } };
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const sameOrNaN = combinedConstant((xs) => (xs.every((x) => x === xs[0]) ? xs[0] : NaN));

function joinsLastAxis(node: GraphNode, rank: number): boolean {
  const axis = singleNumber(node.config.axis) ?? -1;
  return axis === -1 || axis === rank - 1;
}

const CONCATENATE_RULE: LayerRule = {
  className: 'Concatenate',
  prunable: [],
  macs: noMacs,
  channels: {
    kind: 'merge',
    analyse: (node, ctx) => {
      if (!joinsLastAxis(node, ctx.outputShape?.length ?? 0)) {
        coupleInputs(node, ctx);
        return;
      }
      const joined: Layout = [];
      for (const l of ctx.inputs) {
        for (const b of l) {
          const prev = joined[joined.length - 1];
          if (prev && prev.repeat === 1 && b.repeat === 1) prev.segs = [...prev.segs, ...b.segs];
          else joined.push({ repeat: b.repeat, segs: [...b.segs] });
        }
      }
      ctx.setOutput(joined);
    },
    constant: (node, ctx) => {
      // Joined along the channel axis: the inputs' constants side by side.
      if (ctx.out.length === ctx.inputs.reduce((n, c) => n + (c?.length ?? -1e9), 0)) {
        let o = 0;
        ctx.inputs.forEach((c, i) => {
          ctx.out.set(c as Float64Array, o);
          ctx.outApprox.set(ctx.inputApprox[i] as Uint8Array, o);
          o += (c as Float64Array).length;
        });
        return;
      }
      sameOrNaN(node, ctx);
    },
  },
};

export const MERGING_RULES: readonly LayerRule[] = [
  merge('Add', sum),
  merge('Multiply', (xs) => xs.reduce((s, x) => s * x, 1), true),
  merge('Average', (xs) => sum(xs) / xs.length),
  merge('Maximum', (xs) => Math.max(...xs)),
  merge('Minimum', (xs) => Math.min(...xs)),
  CONCATENATE_RULE,
];
