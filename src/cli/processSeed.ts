// tfjs draws the seed of every random op called without one (Dropout's masks while fine-tuning,
// among others) from Math.random. Seeding Math.random for the command line's process makes a
// fine-tune repeatable on the same backend; nothing else in the process depends on it.
import { mulberry32 } from '../core/data/seededRandom';

export function seedProcessRandom(seed: number): void {
  Math.random = mulberry32(seed);
}
