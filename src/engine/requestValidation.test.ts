// Every kind of request, good and bad: a good one passes unchanged, a bad one gets the exact message
// the page shows.
import { describe, expect, it } from 'vitest';
import {
  validateBenchOptions, validateExportRequest, validateFinetuneOptions, validatePlanRequest, validatePointId, validatePruneSettings, validateRecalibration, validateScanRequest,
} from './requestValidation';
import type { ExportRequest, FinetuneOptions, PlanRequest, PruneSettings, ScanRequest } from './api';
import { fashionCnn, fashionMlp } from '../core/prune/testModels';

const bad = <T>(v: unknown) => v as T;

describe('validatePruneSettings', () => {
  const ok: PruneSettings = { granularity: 'channels', criterion: 'magnitude', channelNorm: 'l2', target: { kind: 'perLayer', sparsity: { conv1: 0.5, fc1: 0 } } };

  it('passes good settings through', () => {
    expect(validatePruneSettings(ok)).toEqual(ok);
    expect(validatePruneSettings({ granularity: '2:4', criterion: 'taylor', target: { kind: 'global', sparsity: 1 } }).target).toEqual({ kind: 'global', sparsity: 1 });
    expect(validatePruneSettings({ granularity: 'unstructured', criterion: 'random', seed: 7, target: { kind: 'global', sparsity: 0.5 } }).seed).toBe(7);
  });

  it.each([
    [{ ...ok, granularity: '3:9' }, 'Unknown pruning granularity "3:9" (use unstructured, 2:4, 4:8, channels)'],
    [{ ...ok, criterion: 'vibes' }, 'Unknown importance criterion "vibes" (use magnitude, random, taylor, merge)'],
    [{ ...ok, granularity: 'unstructured', criterion: 'merge' }, 'The merge criterion merges whole units: choose the channels granularity'],
    [{ ...ok, channelNorm: 'l3' }, 'Unknown channel norm "l3" (use l1 or l2)'],
    [{ ...ok, target: { kind: 'global', sparsity: -0.1 } }, 'The global sparsity must be a fraction between 0 and 1, got -0.1'],
    [{ ...ok, target: { kind: 'global', sparsity: NaN } }, 'The global sparsity must be a fraction between 0 and 1, got NaN'],
    [{ ...ok, target: { kind: 'perLayer', sparsity: { conv1: '0.5' } } }, 'The sparsity of conv1 must be a fraction between 0 and 1, got 0.5'],
    [{ ...ok, criterion: 'random', seed: 1.5 }, "The random criterion's seed must be a whole number from 0 to 4294967295, got 1.5"],
    [{ ...ok, criterion: 'random', seed: -1 }, "The random criterion's seed must be a whole number from 0 to 4294967295, got -1"],
  ])('refuses %j', (s, message) => {
    expect(() => validatePruneSettings(bad(s))).toThrow(message);
  });
});

describe('validateFinetuneOptions', () => {
  const ok: FinetuneOptions = {
    epochs: 0.5, learningRate: 0.001, optimizer: 'adam', batchSize: 64, targets: 'distill', regularizer: { kind: 'groupLasso', strength: 1e-4 },
    schedule: { kind: 'agp', final: 0.9, rounds: 10, granularity: '4:8', criterion: 'taylor' },
  };

  it('passes good options through', () => {
    expect(validateFinetuneOptions(ok)).toBe(ok);
    expect(validateFinetuneOptions({ epochs: 1, learningRate: 1, optimizer: 'sgd', batchSize: 1, regularizer: null, schedule: null })).toBeTruthy();
  });

  it.each([
    [{ ...ok, epochs: 0 }, 'Epochs must be more than 0 and at most 50, got 0'],
    [{ ...ok, epochs: 51 }, 'Epochs must be more than 0 and at most 50, got 51'],
    [{ ...ok, learningRate: 2 }, 'The learning rate must be more than 0 and at most 1, got 2'],
    [{ ...ok, optimizer: 'rmsprop' }, 'Unknown optimizer "rmsprop" (use adam or sgd)'],
    [{ ...ok, batchSize: 2.5 }, 'The batch size must be a whole number from 1 to 1024, got 2.5'],
    [{ ...ok, targets: 'both' }, 'Unknown targets "both" (use labels or distill)'],
    [{ ...ok, regularizer: { kind: 'l2', strength: 1e-4 } }, 'Unknown regulariser "l2" (use l1, groupLasso, bnGamma)'],
    [{ ...ok, regularizer: { kind: 'l1', strength: -1 } }, 'The regulariser\'s strength must be from 0 to 1, got -1'],
    [{ ...ok, schedule: { ...ok.schedule!, kind: 'cosine' } }, 'Unknown schedule "cosine" (use iterative or agp)'],
    [{ ...ok, schedule: { ...ok.schedule!, final: 1 } }, 'The schedule\'s final sparsity must be between 0% and 100%, got 100%'],
    [{ ...ok, schedule: { ...ok.schedule!, rounds: 0 } }, 'The schedule needs 1 to 100 pruning rounds, got 0'],
    [{ ...ok, schedule: { ...ok.schedule!, granularity: 'channels' } }, 'A schedule prunes weights (unstructured, 2:4 or 4:8), not channels: remove channels first, then fine-tune'],
    [{ ...ok, schedule: { ...ok.schedule!, criterion: 'merge' } }, 'The merge criterion merges whole units: choose the channels granularity'],
  ])('refuses %j', (o, message) => {
    expect(() => validateFinetuneOptions(bad(o))).toThrow(message);
  });
});

describe('scan, plan, export, restore', () => {
  it('scan requests', () => {
    const ok: ScanRequest = { granularity: 'channels', criterion: 'random', channelNorm: 'l1' };
    expect(validateScanRequest(ok)).toBe(ok);
    expect(() => validateScanRequest(bad({ ...ok, granularity: '2:4' }))).toThrow('A sensitivity scan prunes weights or channels, not "2:4" (2:4 and 4:8 have no sparsity to choose)');
    expect(() => validateScanRequest(bad({ ...ok, criterion: 'x' }))).toThrow('Unknown criterion "x"');
    expect(() => validateScanRequest({ ...ok, criterion: 'merge' })).toThrow('The merge criterion has no sensitivity scan (it pairs units instead of ranking them): scan with magnitude, then merge');
    expect(() => validateScanRequest(bad({ ...ok, channelNorm: 'max' }))).toThrow('Unknown channel norm "max" (use l1 or l2)');
  });

  it('plan requests', () => {
    for (const ok of [{ kind: 'sparsity', value: 0.9 }, { kind: 'maxDrop', value: 0 }, { kind: 'gzipBytes', value: 60_000 }, { kind: 'macs', value: 1e5 }] as PlanRequest[]) {
      expect(validatePlanRequest(ok)).toBe(ok);
    }
    expect(() => validatePlanRequest({ kind: 'sparsity', value: 0 })).toThrow('The target sparsity must be between 0% and 100%, got 0%');
    expect(() => validatePlanRequest({ kind: 'maxDrop', value: 1 })).toThrow('The largest drop must be from 0 to 100 points, got 100');
    expect(() => validatePlanRequest({ kind: 'gzipBytes', value: -5 })).toThrow('The target size must be a positive number, got -5');
    expect(() => validatePlanRequest({ kind: 'macs', value: Infinity })).toThrow('The target MACs must be a positive number, got Infinity');
    expect(() => validatePlanRequest(bad({ kind: 'latency', value: 1 }))).toThrow('Unknown plan target "latency"');
  });

  it('export requests', () => {
    const ok: ExportRequest = { precision: 'uint8', format: 'files' };
    expect(validateExportRequest(ok)).toBe(ok);
    expect(() => validateExportRequest(bad({ ...ok, precision: 'int4' }))).toThrow('Unknown precision "int4" (use float32, float16 or uint8)');
    expect(() => validateExportRequest(bad({ ...ok, format: 'tar' }))).toThrow('Unknown format "tar" (use zip, files or packed)');
  });

  it('history point ids', () => {
    expect(validatePointId(3)).toBe(3);
    expect(() => validatePointId(1.5)).toThrow('There is no history step 1.5');
    expect(() => validatePointId(-1)).toThrow('There is no history step -1');
  });

  it('benchmark run lengths', () => {
    const ok = { steps: 30, warmup: 5, batchSize: 64 };
    expect(validateBenchOptions(ok)).toBe(ok);
    expect(() => validateBenchOptions({ ...ok, steps: 0 })).toThrow('The benchmark needs 1 to 10,000 steps, got 0');
    expect(() => validateBenchOptions({ ...ok, warmup: -1 })).toThrow('The benchmark\'s warm-up must be 0 to 1,000 steps, got -1');
    expect(() => validateBenchOptions({ ...ok, batchSize: 4096 })).toThrow('The batch size must be a whole number from 1 to 1024, got 4096');
  });

  it('BatchNorm recalibration needs a BatchNormalization layer', () => {
    const [cnn, mlp] = [fashionCnn(), fashionMlp()];
    expect(() => validateRecalibration(cnn)).not.toThrow();
    expect(() => validateRecalibration(mlp)).toThrow('This model has no BatchNormalization layer to recalibrate');
    cnn.dispose();
    mlp.dispose();
  });
});
