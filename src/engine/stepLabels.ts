// The label a history point gets from its pruning settings: "unstructured 50% global, magnitude",
// "channels 30% of every layer, L2 norm", "2:4 semi-structured, taylor".
import type { PruneSettings } from './api';

const NM_LABEL: Record<string, string> = { '2:4': '2:4 semi-structured', '4:8': '4:8 semi-structured' };

export function describeSettings(s: PruneSettings): string {
  const how = s.granularity === 'channels' ? 'channels' : (NM_LABEL[s.granularity] ?? 'unstructured');
  // A seed the random criterion was given is named (the studio's default, 1, is not).
  const seeded = s.criterion === 'random' && s.seed !== undefined ? `random, seed ${s.seed}` : s.criterion;
  if (s.granularity === '2:4' || s.granularity === '4:8') return `${how}, ${seeded}`;
  const criterion = s.criterion === 'merge' ? 'similar units merged' : s.granularity === 'channels' && s.criterion === 'magnitude' ? `${(s.channelNorm ?? 'l1').toUpperCase()} norm` : seeded;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const values = s.target.kind === 'perLayer' ? Object.values(s.target.sparsity) : [];
  const target = s.target.kind === 'global'
    ? `${pct(s.target.sparsity)} global`
    : values.length > 1 && values.every((v) => v === values[0])
      ? `${pct(values[0])} of every layer`
      : Object.entries(s.target.sparsity).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${pct(v)}`).join(', ') || 'nothing';
  return `${how} ${target}, ${criterion}`;
}
