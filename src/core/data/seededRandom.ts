// Seeded pseudo-random numbers for reproducible subsets and shuffles (not for cryptography).

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state PRNG returning floats in [0, 1).
 * The same seed gives the same sequence on every JS engine.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place, drawing from `random` (from the last element down). */
export function shuffleInPlace<A extends { length: number; [index: number]: unknown }>(array: A, random: () => number): A {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
