// Seeded weights for the compression tests.
import { mulberry32 } from '../data/seededRandom';

/** Seeded N(0, sd) weights with a fraction `sparsity` set to exactly 0. */
export function gaussianWeights(n: number, seed = 1, sparsity = 0, sd = 0.05): Float32Array {
  const rnd = mulberry32(seed);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - rnd())) * sd;
    w[i] = r * Math.cos(2 * Math.PI * rnd());
    if (rnd() < sparsity) w[i] = 0;
  }
  return w;
}
