// The prune command's flags as engine requests, and the usage errors (exit code 2) for flags that
// do not fit together.
import { describe, expect, it } from 'vitest';
import { parseFraction, parseLayerTargets, parsePlan, pruneJob, type PruneFlags } from './pruneFlags';
import { UsageError } from './usage';

const flags = (f: Partial<PruneFlags>): PruneFlags => ({
  out: 'x', granularity: 'unstructured', criterion: 'magnitude', layer: [], precision: 'float32', format: 'files', lr: 0.001, optimizer: 'adam', batch: 64, cluster: [], ...f,
});

describe('prune flags', () => {
  it('reads fractions and percentages', () => {
    expect(parseFraction('0.8', '--sparsity')).toBe(0.8);
    expect(parseFraction('80%', '--sparsity')).toBe(0.8);
    expect(parseFraction('.5', '--sparsity')).toBe(0.5);
    expect(() => parseFraction('1.2', '--sparsity')).toThrow(new UsageError('--sparsity must be a fraction from 0 to 1 (or a percentage), got "1.2"'));
    expect(() => parseFraction('abc', '--sparsity')).toThrow(UsageError);
  });

  it('reads per-layer targets, nested layer paths included', () => {
    expect(parseLayerTargets(['conv1=0.3', 'features/conv_1=50%'])).toEqual({ conv1: 0.3, 'features/conv_1': 0.5 });
    expect(() => parseLayerTargets(['conv1'])).toThrow(new UsageError('--layer takes <layer>=<fraction>, e.g. conv1=0.3, got "conv1"'));
    expect(() => parseLayerTargets(['conv1=0.3', 'conv1=0.4'])).toThrow(new UsageError('--layer conv1 is given twice'));
  });

  it('reads plan targets as the engine\'s plan requests', () => {
    expect(parsePlan('sparsity=0.9')).toEqual({ kind: 'sparsity', value: 0.9 });
    expect(parsePlan('0.9')).toEqual({ kind: 'sparsity', value: 0.9 });
    expect(parsePlan('gzip-bytes=60000')).toEqual({ kind: 'gzipBytes', value: 60000 });
    expect(parsePlan('macs=4e5')).toEqual({ kind: 'macs', value: 400000 });
    expect(parsePlan('max-drop=1%')).toEqual({ kind: 'maxDrop', value: 0.01 });
    expect(() => parsePlan('size=3')).toThrow(new UsageError('--plan takes sparsity=<value>, gzip-bytes=<value>, macs=<value>, max-drop=<value>; got "size=3"'));
  });

  it('makes the studio\'s prune settings and fine-tune options', () => {
    expect(pruneJob(flags({ sparsity: 0.8 }))).toEqual({
      data: null, settings: { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.8 } }, plan: null, finetune: null, cluster: null,
    });
    expect(pruneJob(flags({ granularity: 'channels', layer: ['conv2=0.5'], channelNorm: 'l2', epochs: 2, distill: true })).settings!)
      .toEqual({ granularity: 'channels', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { conv2: 0.5 } }, channelNorm: 'l2' });
    expect(pruneJob(flags({ sparsity: 0.5, epochs: 2, distill: true, optimizer: 'sgd', lr: 0.01, batch: 32 })).finetune)
      .toEqual({ epochs: 2, learningRate: 0.01, optimizer: 'sgd', batchSize: 32, targets: 'distill' });
    expect(pruneJob(flags({ granularity: '4:8' })).settings!.granularity).toBe('4:8');
  });

  it.each<[Partial<PruneFlags>, string]>([
    [{ sparsity: 0.5, layer: ['conv1=0.2'] }, '--sparsity and --layer cannot be used together'],
    [{ sparsity: 0.5, plan: '0.9' }, '--sparsity and --plan cannot be used together'],
    [{ granularity: '2:4', plan: '0.9' }, '--plan has no effect with --granularity 2:4: it always keeps 2 of every 4 weights'],
    [{ sparsity: 0.5, channelNorm: 'l2' }, '--channel-norm applies to --granularity channels with --criterion magnitude'],
    [{ sparsity: 0.5, distill: true }, '--distill needs --epochs: it chooses what fine-tuning learns'],
    [{ sparsity: 0.5, epochs: 0 }, '--epochs must be more than 0 and at most 50, got 0'],
    [{ sparsity: 0.5, epochs: 1, batch: 0.5 }, '--batch must be a whole number from 1 to 1024, got 0.5'],
    [{ sparsity: 0.5, epochs: 1, lr: 2 }, '--lr must be more than 0 and at most 1, got 2'],
  ])('refuses %j', (f, message) => {
    expect(() => pruneJob(flags(f))).toThrow(new UsageError(message));
  });
});
