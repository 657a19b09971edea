// Scalar versions of the Keras / TF.js activations, for the constants a removed channel carries
// through a layer (channel surgery). Unknown names give null: nothing is folded through them.
import type { JsonValue } from '../../model/kerasJson';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(x));

/** Scalar version of a Keras/tfjs activation, or null when unknown (no fold then). */
export function activationFn(name: JsonValue | undefined): ((x: number) => number) | null {
  switch (name ?? 'linear') {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => Math.max(0, x);
    case 'relu6':
      return (x) => Math.min(6, Math.max(0, x));
    case 'elu':
      return (x) => (x > 0 ? x : Math.expm1(x));
    case 'selu':
      return (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'sigmoid':
      return sigmoid;
    case 'hard_sigmoid':
    case 'hardSigmoid':
      return (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'tanh':
      return Math.tanh;
    case 'softplus':
      return softplus;
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'swish':
      return (x) => x * sigmoid(x);
    case 'mish':
      return (x) => x * Math.tanh(softplus(x));
    default:
      return null;
  }
}

/** A number from a layer config, or the fallback. */
export function configNum(v: JsonValue | undefined, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}
