// The prune command's flags as the engine's requests: the user's data and its label column, the
// pruning settings (granularity, criterion, a global or per-layer target, the random criterion's
// seed), a plan target, fine-tuning options (a pruning schedule among them), clustering, and the
// export. Anything inconsistent is a UsageError (exit code 2) before a model is read.
import {
  CRITERIA, GRANULARITIES, type ChannelNorm, type ClusterInit, type ClusterRequest, type Criterion, type DataChoices, type ExportFormat, type ExportPrecision,
  type FinetuneOptions, type Granularity, type PlanRequest, type PruneSettings,
} from '../engine/api';
import { CLUSTER_INITS, MAX_CLUSTERS, MIN_CLUSTERS } from '../core/compress/kmeans1d';
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
  schedule?: string;
  rounds?: number;
  clusterK?: number;
  clusterInit?: string;
  cluster: string[];
  data?: string;
  labelColumn?: string;
  seed?: number;
}

/** The user's data and the choices it is read with; null: what the studio measures the model on by itself. */
export type DataJob = { path: string; choices: DataChoices } | null;

/**
 * What `prune` will do: read the data (or not), plan (or not), prune once, cluster, fine-tune. With a
 * schedule there is no one-shot prune: the fine-tune prunes while it trains, and clustering comes after it.
 */
export interface PruneJob {
  data: DataJob;
  /** The settings to prune with once; with a plan, its per-layer target is filled in from the plan. Null with a schedule. */
  settings: PruneSettings | null;
  plan: PlanRequest | null;
  finetune: FinetuneOptions | null;
  cluster: ClusterRequest | null;
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
  if (criterion === 'merge' && granularity !== 'channels') throw new UsageError('--criterion merge merges similar channels: it needs --granularity channels');
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
  // The random criterion draws from --seed when one is given; otherwise from the studio's seed (1).
  const seed = criterion === 'random' && f.seed !== undefined ? { seed: f.seed } : {};
  const settings: PruneSettings = { granularity, criterion, target, ...(channelNorm ? { channelNorm } : {}), ...seed };
  const finetune = finetuneOptions(f, settings);
  return { data: dataJob(f), settings: finetune?.schedule ? null : settings, plan, finetune, cluster: clusterRequest(f) };
}

/** `--data <path> [--label-column <name>|none]`. */
export function dataJob(f: Pick<PruneFlags, 'data' | 'labelColumn'>): DataJob {
  if (f.data === undefined) {
    if (f.labelColumn !== undefined) throw new UsageError('--label-column needs --data: it names the label column of your CSV');
    return null;
  }
  if (f.labelColumn === undefined) return { path: f.data, choices: {} };
  if (f.labelColumn.trim() === '') throw new UsageError('--label-column takes a column name of the CSV, or none for a table without labels');
  return { path: f.data, choices: { labelColumn: f.labelColumn === 'none' ? null : f.labelColumn } };
}

/** `--cluster-k 16 [--cluster-init kmeans++] [--cluster conv1=8 ...]` as the studio's clustering request. */
function clusterRequest(f: PruneFlags): ClusterRequest | null {
  if (f.clusterK === undefined) {
    if (f.cluster.length) throw new UsageError('--cluster needs --cluster-k: the number of shared values of every other layer (--cluster <layer>=0 leaves a layer as it is)');
    if (f.clusterInit !== undefined) throw new UsageError('--cluster-init needs --cluster-k: the number of shared values per kernel');
    return null;
  }
  const k = clusterK(f.clusterK, '--cluster-k', false);
  const init = oneOf<ClusterInit>(CLUSTER_INITS, f.clusterInit ?? 'kmeans++', '--cluster-init');
  const perLayer: Record<string, number> = {};
  for (const v of f.cluster) {
    const at = v.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`--cluster takes <layer>=<k>, e.g. conv1=16, got "${v}"`);
    const name = v.slice(0, at);
    if (name in perLayer) throw new UsageError(`--cluster ${name} is given twice`);
    perLayer[name] = clusterK(Number(v.slice(at + 1)), `--cluster ${name}`, true, v.slice(at + 1));
  }
  return { k, init, ...(f.cluster.length ? { perLayer } : {}) };
}

function clusterK(k: number, flag: string, allowZero: boolean, text = String(k)): number {
  const ok = Number.isInteger(k) && ((k >= MIN_CLUSTERS && k <= MAX_CLUSTERS) || (allowZero && k === 0));
  if (!ok) throw new UsageError(`${flag} must be a whole number from ${MIN_CLUSTERS} to ${MAX_CLUSTERS}${allowZero ? ' (0 leaves the layer as it is)' : ''}, got "${text}"`);
  return k;
}

function finetuneOptions(f: PruneFlags, settings: PruneSettings): FinetuneOptions | null {
  if (f.epochs === undefined) {
    if (f.distill) throw new UsageError('--distill needs --epochs: it chooses what fine-tuning learns');
    if (f.schedule !== undefined) throw new UsageError('--schedule needs --epochs: it prunes while fine-tuning');
    return null;
  }
  if (!(f.epochs > 0 && f.epochs <= 50)) throw new UsageError(`--epochs must be more than 0 and at most 50, got ${f.epochs}`);
  if (!(f.lr > 0 && f.lr <= 1)) throw new UsageError(`--lr must be more than 0 and at most 1, got ${f.lr}`);
  if (!(Number.isInteger(f.batch) && f.batch >= 1 && f.batch <= 1024)) throw new UsageError(`--batch must be a whole number from 1 to 1024, got ${f.batch}`);
  const optimizer = oneOf(['adam', 'sgd'] as const, f.optimizer, '--optimizer');
  const options: FinetuneOptions = { epochs: f.epochs, learningRate: f.lr, optimizer, batchSize: f.batch, targets: f.distill ? 'distill' : 'labels' };
  const schedule = scheduleOf(f, settings);
  return schedule ? { ...options, schedule } : options;
}

/** `--schedule agp|iterative [--rounds n]`: prune while fine-tuning, up to --sparsity (2:4 and 4:8 at the first event). */
function scheduleOf(f: PruneFlags, s: PruneSettings): FinetuneOptions['schedule'] {
  if (f.schedule === undefined) {
    if (f.rounds !== undefined) throw new UsageError('--rounds needs --schedule: it is the number of pruning events while fine-tuning');
    return null;
  }
  const kind = oneOf(['agp', 'iterative'] as const, f.schedule, '--schedule');
  if (s.granularity === 'channels') throw new UsageError('--schedule prunes weights (unstructured, 2:4 or 4:8), not channels: remove channels in one step, then fine-tune');
  if (f.layer.length || f.plan !== undefined) throw new UsageError(`--schedule prunes to one global target (--sparsity), not ${f.layer.length ? '--layer' : '--plan'}`);
  const rounds = f.rounds ?? 10;
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 100)) throw new UsageError(`--rounds must be a whole number from 1 to 100, got ${rounds}`);
  // N:M prunes its fixed half at the first event; the studio still sends a final fraction.
  const final = s.target.kind === 'global' && s.granularity === 'unstructured' ? s.target.sparsity : 0.5;
  if (!(final > 0 && final < 1)) throw new UsageError(`--schedule needs a final --sparsity between 0 and 1 (not either end), got ${final}`);
  return { kind, final, rounds, granularity: s.granularity, criterion: s.criterion };
}

/** The packed format holds float32 weights (its shared values exactly): another --precision is a usage error. */
export function checkExportFlags(format: ExportFormat | undefined, precision: ExportPrecision | undefined): void {
  if (format === 'packed' && precision !== undefined && precision !== 'float32') {
    throw new UsageError(`--format packed holds float32 weights (shared values exactly, then entropy-coded): --precision ${precision} does not apply`);
  }
}

/** A number flag's value, or a UsageError naming the flag. */
export const numberFlag = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got "${value}"`);
  return n;
};
