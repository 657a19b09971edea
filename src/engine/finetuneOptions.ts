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
  return o;
}
