// Checks scan and plan requests from the page before any tensor work, and turns a core scan into the
// plain view the page draws.
import { CRITERIA, type PlanRequest, type ScanRequest, type SensitivityView } from './api';
import type { SensitivityScan } from '../core/plan';

export function validateScanRequest(r: ScanRequest): ScanRequest {
  if (r.granularity !== 'unstructured' && r.granularity !== 'channels') {
    throw new Error(`A sensitivity scan prunes weights or channels, not "${String(r.granularity)}" (2:4 and 4:8 have no sparsity to choose)`);
  }
  if (!CRITERIA.includes(r.criterion)) throw new Error(`Unknown criterion "${String(r.criterion)}"`);
  return r;
}

export function validatePlanRequest(r: PlanRequest): PlanRequest {
  const v = r.value;
  switch (r.kind) {
    case 'sparsity':
      if (!(v > 0 && v < 1)) throw new Error(`The target sparsity must be between 0% and 100%, got ${Math.round(v * 1000) / 10}%`);
      break;
    case 'maxDrop':
      if (!(v >= 0 && v < 1)) throw new Error(`The largest drop must be from 0 to 100 points, got ${Math.round(v * 1000) / 10}`);
      break;
    case 'gzipBytes':
    case 'macs':
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`The target ${r.kind === 'macs' ? 'MACs' : 'size'} must be a positive number, got ${v}`);
      break;
    default:
      throw new Error(`Unknown plan target "${String((r as { kind: unknown }).kind)}"`);
  }
  return r;
}

export function scanView(scan: SensitivityScan, baseId: number, metric: 'accuracy' | 'fidelity'): SensitivityView {
  return {
    baseId, metric,
    granularity: scan.granularity,
    criterion: scan.criterion,
    baseline: scan.baseline,
    ladder: [...scan.ladder],
    units: scan.units.map((u) => ({
      id: u.id, layers: [...u.layers], params: u.params,
      curve: u.curve.map((c) => ({ sparsity: c.sparsity, metric: c.metric, ...(c.estimated ? { estimated: true } : {}) })),
      robustness: { ...u.robustness },
    })),
    ranking: [...scan.ranking],
    skipped: scan.skipped.map((x) => ({ ...x, layers: [...x.layers] })),
    evaluations: scan.evaluations,
    ms: scan.ms,
  };
}
