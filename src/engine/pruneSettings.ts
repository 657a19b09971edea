// Checks settings that arrive from the page before any tensor work: a bad value gets a message a
// user can act on, never a tfjs error halfway through a job.
import { CRITERIA, GRANULARITIES, type PruneSettings } from './api';

function fraction(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new Error(`${what} must be a fraction between 0 and 1, got ${String(v)}`);
  }
  return v;
}

export function validatePruneSettings(s: PruneSettings): PruneSettings {
  if (!GRANULARITIES.includes(s.granularity)) throw new Error(`Unknown pruning granularity "${s.granularity}" (use ${GRANULARITIES.join(', ')})`);
  if (!CRITERIA.includes(s.criterion)) throw new Error(`Unknown importance criterion "${s.criterion}" (use ${CRITERIA.join(', ')})`);
  if (s.channelNorm !== undefined && s.channelNorm !== 'l1' && s.channelNorm !== 'l2') throw new Error(`Unknown channel norm "${String(s.channelNorm)}" (use l1 or l2)`);
  if (s.target.kind === 'global') return { ...s, target: { kind: 'global', sparsity: fraction(s.target.sparsity, 'The global sparsity') } };
  const sparsity: Record<string, number> = {};
  for (const [layer, v] of Object.entries(s.target.sparsity)) sparsity[layer] = fraction(v, `The sparsity of ${layer}`);
  return { ...s, target: { kind: 'perLayer', sparsity } };
}
