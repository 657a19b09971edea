// The prune command's flags as engine requests, and the usage errors (exit code 2) for flags that
// do not fit together.
import { describe, expect, it } from 'vitest';
import { checkExportFlags, parseFraction, parseLayerTargets, parsePlan, pruneJob, type PruneFlags } from './pruneFlags';
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

  it('reads --data and --label-column as the data loader\'s choices', () => {
    expect(pruneJob(flags({ sparsity: 0.5, data: 'd.csv' })).data).toEqual({ path: 'd.csv', choices: {} });
    expect(pruneJob(flags({ sparsity: 0.5, data: 'd.csv', labelColumn: 'species' })).data).toEqual({ path: 'd.csv', choices: { labelColumn: 'species' } });
    expect(pruneJob(flags({ sparsity: 0.5, data: 'd.csv', labelColumn: 'none' })).data).toEqual({ path: 'd.csv', choices: { labelColumn: null } });
  });

  it('reads a schedule as the studio\'s scheduled fine-tune: no one-shot prune, the final sparsity from --sparsity', () => {
    const job = pruneJob(flags({ sparsity: 0.8, epochs: 2, schedule: 'agp', rounds: 5, criterion: 'random', seed: 9 }));
    expect(job.settings).toBeNull();
    expect(job.finetune).toEqual({
      epochs: 2, learningRate: 0.001, optimizer: 'adam', batchSize: 64, targets: 'labels',
      schedule: { kind: 'agp', final: 0.8, rounds: 5, granularity: 'unstructured', criterion: 'random' },
    });
    expect(pruneJob(flags({ granularity: '2:4', epochs: 1, schedule: 'iterative' })).finetune!.schedule).toEqual({ kind: 'iterative', final: 0.5, rounds: 10, granularity: '2:4', criterion: 'magnitude' });
  });

  it('reads clustering as the studio\'s request, per-layer k and 0 (left alone) included', () => {
    expect(pruneJob(flags({ sparsity: 0.5, clusterK: 16 })).cluster).toEqual({ k: 16, init: 'kmeans++' });
    expect(pruneJob(flags({ sparsity: 0.5, clusterK: 8, clusterInit: 'density', cluster: ['conv1=4', 'fc2=0'] })).cluster)
      .toEqual({ k: 8, init: 'density', perLayer: { conv1: 4, fc2: 0 } });
  });

  it('gives the random criterion --seed, and leaves the studio\'s default alone without it', () => {
    expect(pruneJob(flags({ sparsity: 0.5, criterion: 'random', seed: 7 })).settings!.seed).toBe(7);
    expect(pruneJob(flags({ sparsity: 0.5, criterion: 'random' })).settings).not.toHaveProperty('seed');
    expect(pruneJob(flags({ sparsity: 0.5, seed: 7 })).settings).not.toHaveProperty('seed');
  });

  it.each<[Partial<PruneFlags>, string]>([
    [{ sparsity: 0.5, labelColumn: 'y' }, '--label-column needs --data: it names the label column of your CSV'],
    [{ sparsity: 0.5, data: 'd.csv', labelColumn: ' ' }, '--label-column takes a column name of the CSV, or none for a table without labels'],
    [{ sparsity: 0.5, schedule: 'agp' }, '--schedule needs --epochs: it prunes while fine-tuning'],
    [{ sparsity: 0.5, epochs: 1, schedule: 'cubic' }, '--schedule must be one of agp, iterative, got "cubic"'],
    [{ sparsity: 0.5, epochs: 1, rounds: 3 }, '--rounds needs --schedule: it is the number of pruning events while fine-tuning'],
    [{ sparsity: 0.5, epochs: 1, schedule: 'agp', rounds: 0 }, '--rounds must be a whole number from 1 to 100, got 0'],
    [{ sparsity: 1, epochs: 1, schedule: 'agp' }, '--schedule needs a final --sparsity between 0 and 1 (not either end), got 1'],
    [{ granularity: 'channels', sparsity: 0.5, epochs: 1, schedule: 'agp' }, '--schedule prunes weights (unstructured, 2:4 or 4:8), not channels: remove channels in one step, then fine-tune'],
    [{ layer: ['fc1=0.5'], epochs: 1, schedule: 'iterative' }, '--schedule prunes to one global target (--sparsity), not --layer'],
    [{ sparsity: 0.5, cluster: ['conv1=4'] }, '--cluster needs --cluster-k: the number of shared values of every other layer (--cluster <layer>=0 leaves a layer as it is)'],
    [{ sparsity: 0.5, clusterInit: 'linear' }, '--cluster-init needs --cluster-k: the number of shared values per kernel'],
    [{ sparsity: 0.5, clusterK: 1 }, '--cluster-k must be a whole number from 2 to 256, got "1"'],
    [{ sparsity: 0.5, clusterK: 300 }, '--cluster-k must be a whole number from 2 to 256, got "300"'],
    [{ sparsity: 0.5, clusterK: 16, cluster: ['conv1=1.5'] }, '--cluster conv1 must be a whole number from 2 to 256 (0 leaves the layer as it is), got "1.5"'],
    [{ sparsity: 0.5, clusterK: 16, cluster: ['conv1'] }, '--cluster takes <layer>=<k>, e.g. conv1=16, got "conv1"'],
    [{ sparsity: 0.5, clusterK: 16, cluster: ['conv1=4', 'conv1=8'] }, '--cluster conv1 is given twice'],
    [{ sparsity: 0.5, criterion: 'merge' }, '--criterion merge merges similar channels: it needs --granularity channels'],
  ])('refuses %j', (f, message) => {
    expect(() => pruneJob(flags(f))).toThrow(new UsageError(message));
  });

  it('refuses a packed export at another precision', () => {
    expect(() => checkExportFlags('packed', 'uint8')).toThrow(new UsageError('--format packed holds float32 weights (shared values exactly, then entropy-coded): --precision uint8 does not apply'));
    expect(() => checkExportFlags('packed', 'float32')).not.toThrow();
    expect(() => checkExportFlags('zip', 'uint8')).not.toThrow();
  });
});
