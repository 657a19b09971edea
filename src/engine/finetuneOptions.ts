// Checks fine-tuning options from the page before any tensor work, with messages a user can act on.
import type { FinetuneOptions } from './api';

export function validateFinetuneOptions(o: FinetuneOptions): FinetuneOptions {
  if (!Number.isFinite(o.epochs) || o.epochs <= 0 || o.epochs > 50) throw new Error(`Epochs must be more than 0 and at most 50, got ${o.epochs}`);
  if (!Number.isFinite(o.learningRate) || o.learningRate <= 0 || o.learningRate > 1) {
    throw new Error(`The learning rate must be more than 0 and at most 1, got ${o.learningRate}`);
  }
  if (o.optimizer !== 'adam' && o.optimizer !== 'sgd') throw new Error(`Unknown optimizer "${String(o.optimizer)}" (use adam or sgd)`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 1024) throw new Error(`The batch size must be a whole number from 1 to 1024, got ${o.batchSize}`);
  if (o.targets !== undefined && o.targets !== 'labels' && o.targets !== 'distill') throw new Error(`Unknown targets "${String(o.targets)}" (use labels or distill)`);
  if (o.schedule) {
    const { kind, final, rounds, granularity } = o.schedule;
    if (kind !== 'iterative' && kind !== 'agp') throw new Error(`Unknown schedule "${String(kind)}" (use iterative or agp)`);
    if (!(final > 0 && final < 1)) throw new Error(`The schedule's final sparsity must be between 0% and 100%, got ${Math.round(final * 1000) / 10}%`);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error(`The schedule needs 1 to 100 pruning rounds, got ${rounds}`);
    if (!['unstructured', '2:4', '4:8'].includes(granularity)) throw new Error(`A schedule prunes weights (unstructured, 2:4 or 4:8), not ${String(granularity)}: remove channels first, then fine-tune`);
  }
  return o;
}
