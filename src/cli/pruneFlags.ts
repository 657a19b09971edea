// The prune command's flags as the engine's requests: the pruning settings (granularity, criterion,
// a global or per-layer target), a plan target, and fine-tuning options. Anything inconsistent is a
// UsageError (exit code 2) before a model is read.
import { CRITERIA, GRANULARITIES, type ChannelNorm, type Criterion, type ExportFormat, type ExportPrecision, type FinetuneOptions, type Granularity, type PlanRequest, type PruneSettings } from '../engine/api';
import { UsageError } from './usage';

export interface PruneFlags {
  out: string;
  granularity: string;
  criterion: string;
  sparsity?: number;
  layer: string[];
  channelNorm?: string;
  plan?: string;
  precision: ExportPrecision;
  format: ExportFormat;
  epochs?: number;
  lr: number;
  optimizer: string;
  batch: number;
  distill?: boolean;
}

/** What `prune` will do: plan or not, then prune, then maybe fine-tune. */
export interface PruneJob {
  /** The settings to prune with; with a plan, its per-layer target is filled in from the plan. */
  settings: PruneSettings;
  plan: PlanRequest | null;
  finetune: FinetuneOptions | null;
}

/** A fraction 0..1 from a flag value ("0.8", or "80%"). */
export function parseFraction(value: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(value);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v >= 0 && v <= 1)) throw new UsageError(`${what} must be a fraction from 0 to 1 (or a percentage), got "${value}"`);
  return v;
}

/** `--layer conv1=0.3` (repeatable) as layer -> fraction. */
export function parseLayerTargets(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const at = v.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`--layer takes <layer>=<fraction>, e.g. conv1=0.3, got "${v}"`);
    const name = v.slice(0, at);
    if (name in out) throw new UsageError(`--layer ${name} is given twice`);
    out[name] = parseFraction(v.slice(at + 1), `--layer ${name}`);
  }
  return out;
}

const PLAN_KINDS: Record<string, PlanRequest['kind']> = { sparsity: 'sparsity', 'gzip-bytes': 'gzipBytes', macs: 'macs', 'max-drop': 'maxDrop' };

/** `--plan sparsity=0.9 | gzip-bytes=60000 | macs=400000 | max-drop=0.01` (a bare number is a sparsity). */
export function parsePlan(value: string): PlanRequest {
  const [k, v] = value.includes('=') ? value.split('=', 2) : ['sparsity', value];
  const kind = PLAN_KINDS[k.trim()];
  if (!kind) throw new UsageError(`--plan takes ${Object.keys(PLAN_KINDS).map((x) => `${x}=<value>`).join(', ')}; got "${value}"`);
  if (kind === 'sparsity' || kind === 'maxDrop') return { kind, value: parseFraction(v, `--plan ${k}`) };
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`--plan ${k} must be a positive number, got "${v}"`);
  return { kind, value: n };
}

function oneOf<T extends string>(list: readonly T[], v: string, flag: string): T {
  if (!(list as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${list.join(', ')}, got "${v}"`);
  return v as T;
}

export function pruneJob(f: PruneFlags): PruneJob {
  const granularity = oneOf<Granularity>(GRANULARITIES, f.granularity, '--granularity');
  const criterion = oneOf<Criterion>(CRITERIA, f.criterion, '--criterion');
  const channelNorm = f.channelNorm === undefined ? undefined : oneOf<ChannelNorm>(['l1', 'l2'], f.channelNorm, '--channel-norm');
  if (channelNorm && !(granularity === 'channels' && criterion === 'magnitude')) throw new UsageError('--channel-norm applies to --granularity channels with --criterion magnitude');
  const targets = [f.sparsity !== undefined && '--sparsity', f.layer.length > 0 && '--layer', f.plan !== undefined && '--plan'].filter(Boolean);
  const nm = granularity === '2:4' || granularity === '4:8';
  if (nm && targets.length) throw new UsageError(`${targets[0]} has no effect with --granularity ${granularity}: it always keeps ${granularity.split(':')[0]} of every ${granularity.split(':')[1]} weights`);
  if (!nm && targets.length === 0) throw new UsageError(`--granularity ${granularity} needs a target: --sparsity <fraction>, --layer <layer>=<fraction> (repeatable) or --plan <target>`);
  if (targets.length > 1) throw new UsageError(`${targets[0]} and ${targets[1]} cannot be used together`);
  const plan = f.plan === undefined ? null : parsePlan(f.plan);
  const target: PruneSettings['target'] = f.layer.length
    ? { kind: 'perLayer', sparsity: parseLayerTargets(f.layer) }
    : { kind: 'global', sparsity: f.sparsity ?? 0.5 };
  const finetune = finetuneOptions(f);
  return { settings: { granularity, criterion, target, ...(channelNorm ? { channelNorm } : {}) }, plan, finetune };
}

function finetuneOptions(f: PruneFlags): FinetuneOptions | null {
  if (f.epochs === undefined) {
    if (f.distill) throw new UsageError('--distill needs --epochs: it chooses what fine-tuning learns');
    return null;
  }
  if (!(f.epochs > 0 && f.epochs <= 50)) throw new UsageError(`--epochs must be more than 0 and at most 50, got ${f.epochs}`);
  if (!(f.lr > 0 && f.lr <= 1)) throw new UsageError(`--lr must be more than 0 and at most 1, got ${f.lr}`);
  if (!(Number.isInteger(f.batch) && f.batch >= 1 && f.batch <= 1024)) throw new UsageError(`--batch must be a whole number from 1 to 1024, got ${f.batch}`);
  const optimizer = oneOf(['adam', 'sgd'] as const, f.optimizer, '--optimizer');
  return { epochs: f.epochs, learningRate: f.lr, optimizer, batchSize: f.batch, targets: f.distill ? 'distill' : 'labels' };
}

/** A number flag's value, or a UsageError naming the flag. */
export const numberFlag = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${value}"`);
  return n;
};
