// Every request from the page is checked here, before any tensor work: a bad value gets a message a
// user can act on, never a tfjs error halfway through a job. The page's controls only send valid
// values; these checks guard scripts, the CLI and stale clients that call the engine directly.
import type * as tf from '@tensorflow/tfjs';
import { walkLayers } from '../core/graph/layerPaths';
import { MERGE_NEEDS_CHANNELS } from '../core/prune/importance';
import { MERGE_HAS_NO_SCAN } from '../core/plan/sensitivity';
import {
  CRITERIA, GRANULARITIES, type ChannelNorm, type ExportRequest, type FinetuneOptions, type PlanRequest, type PruneSettings, type ScanRequest,
} from './api';

const PRECISIONS = ['float32', 'float16', 'uint8'] as const;
const FORMATS = ['zip', 'files', 'packed'] as const;
const REGULARIZERS = ['l1', 'groupLasso', 'bnGamma'] as const;
const SCHEDULE_GRANULARITIES = ['unstructured', '2:4', '4:8'] as const;

const percent = (v: number) => `${Math.round(v * 1000) / 10}%`;
const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => (list as readonly unknown[]).includes(v);

function fraction(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new Error(`${what} must be a fraction between 0 and 1, got ${String(v)}`);
  }
  return v;
}

function checkCriterion(criterion: unknown): void {
  if (!oneOf(CRITERIA, criterion)) throw new Error(`Unknown importance criterion "${String(criterion)}" (use ${CRITERIA.join(', ')})`);
}

function checkChannelNorm(norm: ChannelNorm | undefined): void {
  if (norm !== undefined && norm !== 'l1' && norm !== 'l2') throw new Error(`Unknown channel norm "${String(norm)}" (use l1 or l2)`);
}

function checkBatchSize(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`The batch size must be a whole number from 1 to 1024, got ${n}`);
}

/** One-shot pruning settings; returns a copy with the targets checked. */
export function validatePruneSettings(s: PruneSettings): PruneSettings {
  if (!oneOf(GRANULARITIES, s.granularity)) throw new Error(`Unknown pruning granularity "${String(s.granularity)}" (use ${GRANULARITIES.join(', ')})`);
  checkCriterion(s.criterion);
  if (s.criterion === 'merge' && s.granularity !== 'channels') throw new Error(MERGE_NEEDS_CHANNELS);
  checkChannelNorm(s.channelNorm);
  if (s.seed !== undefined && !(Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= 0xffffffff)) {
    throw new Error(`The random criterion's seed must be a whole number from 0 to 4294967295, got ${String(s.seed)}`);
  }
  if (s.target.kind === 'global') return { ...s, target: { kind: 'global', sparsity: fraction(s.target.sparsity, 'The global sparsity') } };
  const sparsity: Record<string, number> = {};
  for (const [layer, v] of Object.entries(s.target.sparsity)) sparsity[layer] = fraction(v, `The sparsity of ${layer}`);
  return { ...s, target: { kind: 'perLayer', sparsity } };
}

export function validateFinetuneOptions(o: FinetuneOptions): FinetuneOptions {
  if (!Number.isFinite(o.epochs) || o.epochs <= 0 || o.epochs > 50) throw new Error(`Epochs must be more than 0 and at most 50, got ${o.epochs}`);
  if (!Number.isFinite(o.learningRate) || o.learningRate <= 0 || o.learningRate > 1) {
    throw new Error(`The learning rate must be more than 0 and at most 1, got ${o.learningRate}`);
  }
  if (o.optimizer !== 'adam' && o.optimizer !== 'sgd') throw new Error(`Unknown optimizer "${String(o.optimizer)}" (use adam or sgd)`);
  checkBatchSize(o.batchSize);
  if (o.targets !== undefined && o.targets !== 'labels' && o.targets !== 'distill') throw new Error(`Unknown targets "${String(o.targets)}" (use labels or distill)`);
  if (o.regularizer) {
    const { kind, strength } = o.regularizer;
    if (!oneOf(REGULARIZERS, kind)) throw new Error(`Unknown regulariser "${String(kind)}" (use ${REGULARIZERS.join(', ')})`);
    if (!(Number.isFinite(strength) && strength >= 0 && strength <= 1)) throw new Error(`The regulariser's strength must be from 0 to 1, got ${strength}`);
  }
  if (o.schedule) {
    const { kind, final, rounds, granularity, criterion } = o.schedule;
    if (kind !== 'iterative' && kind !== 'agp') throw new Error(`Unknown schedule "${String(kind)}" (use iterative or agp)`);
    if (!(final > 0 && final < 1)) throw new Error(`The schedule's final sparsity must be between 0% and 100%, got ${percent(final)}`);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error(`The schedule needs 1 to 100 pruning rounds, got ${rounds}`);
    if (!oneOf(SCHEDULE_GRANULARITIES, granularity)) {
      throw new Error(`A schedule prunes weights (unstructured, 2:4 or 4:8), not ${String(granularity)}: remove channels first, then fine-tune`);
    }
    checkCriterion(criterion);
    if (criterion === 'merge') throw new Error(MERGE_NEEDS_CHANNELS);
  }
  return o;
}

export function validateScanRequest(r: ScanRequest): ScanRequest {
  if (r.granularity !== 'unstructured' && r.granularity !== 'channels') {
    throw new Error(`A sensitivity scan prunes weights or channels, not "${String(r.granularity)}" (2:4 and 4:8 have no sparsity to choose)`);
  }
  if (!oneOf(CRITERIA, r.criterion)) throw new Error(`Unknown criterion "${String(r.criterion)}"`);
  if (r.criterion === 'merge') throw new Error(MERGE_HAS_NO_SCAN);
  checkChannelNorm(r.channelNorm);
  return r;
}

export function validatePlanRequest(r: PlanRequest): PlanRequest {
  const v = r.value;
  switch (r.kind) {
    case 'sparsity':
      if (!(v > 0 && v < 1)) throw new Error(`The target sparsity must be between 0% and 100%, got ${percent(v)}`);
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

export function validateExportRequest(r: ExportRequest): ExportRequest {
  if (!oneOf(PRECISIONS, r.precision)) throw new Error(`Unknown precision "${String(r.precision)}" (use float32, float16 or uint8)`);
  if (!oneOf(FORMATS, r.format)) throw new Error(`Unknown format "${String(r.format)}" (use zip, files or packed)`);
  if (r.encrypt !== undefined && (typeof r.encrypt !== 'object' || r.encrypt === null || typeof r.encrypt.passphrase !== 'string')) {
    throw new Error('An encrypted export needs a passphrase (a string)');
  }
  return r;
}

/** A history point id: the session then says whether that point exists. */
export function validatePointId(id: number): number {
  if (!Number.isInteger(id) || id < 0) throw new Error(`There is no history step ${String(id)}`);
  return id;
}

/** The masked-step benchmark's run lengths. */
export function validateBenchOptions(o: { steps: number; warmup: number; batchSize: number }): typeof o {
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > 10_000) throw new Error(`The benchmark needs 1 to 10,000 steps, got ${o.steps}`);
  if (!Number.isInteger(o.warmup) || o.warmup < 0 || o.warmup > 1000) throw new Error(`The benchmark's warm-up must be 0 to 1,000 steps, got ${o.warmup}`);
  checkBatchSize(o.batchSize);
  return o;
}

/** BatchNorm recalibration needs a BatchNormalization layer (nested models count). */
export function validateRecalibration(model: tf.LayersModel): void {
  if (!walkLayers(model).some(({ layer }) => layer.getClassName() === 'BatchNormalization')) {
    throw new Error('This model has no BatchNormalization layer to recalibrate');
  }
}
