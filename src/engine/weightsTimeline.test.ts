// The timeline's data: every step on the original's bins, read once, the live model left as the
// current step describes it.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PruningSession } from './pruningSession';
import { liveStepWeights, prepareTimeline, weightsTimeline } from './weightsTimeline';
import { timelineRows } from '../core/graph/histogramTimeline';
import { UNCONTROLLED } from '../core/job';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';
import { captureWeights } from '../core/prune';
import type { EvalResult, PruneSettings } from './api';

const metric: EvalResult = { metric: 'accuracy', subset: true, value: 1, count: 10, ms: 1 };
const global = (granularity: PruneSettings['granularity'], sparsity: number): PruneSettings => ({ granularity, criterion: 'magnitude', target: { kind: 'global', sparsity } });

describe('weightsTimeline', () => {
  let s: PruningSession | null = null;
  afterEach(() => s?.dispose());

  it('reads every step on the original range and leaves the live model at the current step', async () => {
    const model = fashionCnn();
    randomizeWeights(model);
    s = await PruningSession.start(model, { evaluate: async () => metric }, metric);
    const p1 = await s.prune(global('unstructured', 0.5), UNCONTROLLED);
    const p2 = await s.prune(global('channels', 0.5), UNCONTROLLED);
    const before = await captureWeights(s.model);
    const t = await weightsTimeline(s, [0, p1.id, p2.id], UNCONTROLLED);
    expect(t.steps.map((x) => x.pointId)).toEqual([0, p1.id, p2.id]);
    const rows = timelineRows(t.steps, 'conv2');
    expect(rows).toHaveLength(3);
    expect(rows[0].zeros).toBe(0);
    expect(rows[1].sparsity).toBeGreaterThan(0.2);
    // Channels removed: fewer weights, not more zeros.
    expect(rows[2].params).toBeLessThan(rows[0].params);
    for (const x of t.steps) expect([x.overview.edges[0], x.overview.edges.at(-1)]).toEqual(t.range);
    expect(s.current.id).toBe(p2.id);
    const after = await captureWeights(s.model);
    for (const k of Object.keys(before)) expect(after[k].values).toEqual(before[k].values);
    // Read once: the same objects come back.
    const again = await weightsTimeline(s, [p1.id], UNCONTROLLED);
    expect(again.steps[0].overview).toBe(t.steps[1].overview);
  });

  it('reads a step on the live model as a schedule makes it, and names a missing step', async () => {
    const model = fashionCnn();
    randomizeWeights(model);
    s = await PruningSession.start(model, { evaluate: async () => metric }, metric);
    await expect(liveStepWeights(s, 0)).rejects.toThrow('internal: the timeline range is read before a schedule starts');
    const range = await prepareTimeline(s);
    const live = await liveStepWeights(s, 0);
    expect([live.edges[0], live.edges.at(-1)]).toEqual(range);
    await expect(weightsTimeline(s, [0, 9], UNCONTROLLED)).rejects.toThrow('There is no history step 9');
    await expect(weightsTimeline(s, [-1], UNCONTROLLED)).rejects.toThrow('There is no history step -1');
    tf.tidy(() => undefined);
  });
});
