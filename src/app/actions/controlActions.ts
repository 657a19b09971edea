// The pruning controls the user moves (sliders, criterion, granularity): each updates what was asked
// for in the store and tells the pump when a new step is needed.
import type { ChannelNorm, Criterion, Granularity } from '../../engine/api';
import { asksForNothing, coupledWith, isNM, layerLock, sliderValue } from '../pruneControls';
import type { PruneControls } from '../store';
import type { StudioStore } from './actionContext';
import type { PrunePump } from './prunePump';

/** 'debounced': a slider drag; 'now': a discrete choice; 'no': nothing to prune for. */
export type Apply = 'debounced' | 'now' | 'no';

export interface ControlActions {
  updateControls(next: Partial<PruneControls>, apply: Apply): void;
  setGlobalSparsity(fraction: number): void;
  /** Moves one layer's slider; in channels mode the layers of its dependency group move with it. */
  setLayerSparsity(path: string, fraction: number): void;
  setCriterion(criterion: Criterion): void;
  setChannelNorm(channelNorm: ChannelNorm): void;
  setGranularity(granularity: Granularity): void;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function controlActions(store: StudioStore, pump: Pick<PrunePump, 'request'>): ControlActions {
  function updateControls(next: Partial<PruneControls>, apply: Apply) {
    store.set((s) => ({ controls: { ...s.controls, ...next }, error: null }));
    if (apply !== 'no') pump.request(apply === 'now');
  }

  /** A change of how to prune re-prunes at once, unless nothing is asked for. */
  const setMethod = (next: Partial<PruneControls>) => updateControls(next, asksForNothing(store.get().controls) ? 'no' : 'now');

  return {
    updateControls,
    setGlobalSparsity: (fraction) => updateControls({ mode: 'global', global: fraction, perLayer: {} }, 'debounced'),
    setLayerSparsity(path, fraction) {
      const { controls, summary } = store.get();
      if (!summary) return;
      const layers = summary.prunable;
      const perLayer: Record<string, number> = {};
      // From the global slider: every free layer starts at the sparsity it has now.
      if (controls.mode === 'global') {
        for (const l of layers) if (!layerLock(l, controls.granularity)) perLayer[l.path] = round2(sliderValue(controls, l));
      } else Object.assign(perLayer, controls.perLayer);
      const moved = controls.granularity === 'channels' ? coupledWith(layers, path) : [path];
      for (const p of moved) perLayer[p] = fraction;
      updateControls({ mode: 'perLayer', perLayer }, 'debounced');
    },
    setCriterion: (criterion) => setMethod({ criterion }),
    setChannelNorm: (channelNorm) => setMethod({ channelNorm }),
    setGranularity(granularity) {
      const { controls } = store.get();
      // Targets mean something else per granularity (weights vs channels): start the new one from the global slider.
      const next: Partial<PruneControls> = { granularity, mode: 'global', perLayer: {} };
      // Merging is a channel criterion: other granularities rank weights by magnitude instead.
      if (granularity !== 'channels' && controls.criterion === 'merge') next.criterion = 'magnitude';
      updateControls(next, isNM(granularity) || !asksForNothing({ ...controls, ...next }) ? 'now' : 'no');
    },
  };
}
