// Axis rules shared by the prunable weights of several layer classes: where N:M groups run (the
// input dimension) and which axes index the output channels (group lasso).
import type { NMAxis, PrunableWeightRule } from './types';

/** Dense [in, out], Conv [..., in, out], recurrent kernels [in, gates x units]: the second-to-last axis. */
export function inputAxisNM(rank: number): NMAxis {
  return rank >= 2 ? { axis: rank - 2 } : { reason: 'kernel has fewer than 2 dimensions' };
}

export const DEPTHWISE_NM = 'a depthwise kernel has one input channel per filter: N:M along the input dimension does not apply';

export const notNM = (reason: string) => (): NMAxis => ({ reason });

/** The last axis. */
export const lastAxis = (rank: number) => rank - 1;

/** A kernel whose input dimension is the second-to-last axis and whose outputs are `out(rank)`. */
export function kernelWeight(name: string, out: (rank: number) => number = lastAxis): PrunableWeightRule {
  return { name, nm: inputAxisNM, outAxes: (rank) => [out(rank)] };
}
