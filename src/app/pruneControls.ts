// Pure rules between the pruning controls and the engine's settings; no React, no engine calls.
import type { HistoryPoint, PrunableLayer, PruneSettings } from '../engine/api';
import { DEFAULT_CONTROLS, type PruneControls } from './store';

export const isNM = (g: PruneControls['granularity']) => g === '2:4' || g === '4:8';

/** Whether a layer's slider can move under this granularity, and if not, why. */
export function layerLock(layer: PrunableLayer, granularity: PruneControls['granularity']): string | null {
  if (granularity === 'channels') return layer.channelLock;
  if (isNM(granularity)) return layer.nmSkip ?? `${granularity} always prunes 2 of every 4 (or 4 of 8) weights: 50%`;
  return null;
}

/** Layers whose channels are removed together with `path`'s (itself included). */
export function coupledWith(layers: readonly PrunableLayer[], path: string): string[] {
  const g = layers.find((l) => l.path === path)?.group;
  return g ? layers.filter((l) => l.group?.id === g.id).map((l) => l.path) : [path];
}

/**
 * The engine settings for the controls. The global slider in channels mode removes the same fraction
 * of every group (a single ranking across groups tends to empty one layer), so it becomes per layer.
 */
export function settingsFrom(c: PruneControls, layers: readonly PrunableLayer[]): PruneSettings {
  const uniformChannels = c.granularity === 'channels' && c.mode === 'global';
  if (!uniformChannels && (c.mode === 'global' || isNM(c.granularity))) {
    return { granularity: c.granularity, criterion: c.criterion, target: { kind: 'global', sparsity: c.global } };
  }
  const channelNorm = c.granularity === 'channels' ? { channelNorm: c.channelNorm } : {};
  const sparsity: Record<string, number> = {};
  for (const l of layers) {
    if (layerLock(l, c.granularity)) continue;
    sparsity[l.path] = uniformChannels ? c.global : (c.perLayer[l.path] ?? 0);
  }
  return { granularity: c.granularity, criterion: c.criterion, ...channelNorm, target: { kind: 'perLayer', sparsity } };
}

/** True when the controls ask for no pruning at all. */
export function asksForNothing(c: PruneControls): boolean {
  if (isNM(c.granularity)) return false;
  return c.mode === 'global' ? c.global === 0 : Object.values(c.perLayer).every((v) => v === 0);
}

/** The controls that produced a point (what the sliders show after a restore). */
export function controlsOf(point: HistoryPoint, previous: PruneControls): PruneControls {
  // A fine-tuned model keeps the zeros it was trained with: the sliders stay where they were.
  // A clustered one keeps them too (clustering is sparsity-preserving).
  if (point.kind === 'finetune' || point.kind === 'cluster') return previous;
  const s = point.settings;
  if (!s) return { ...DEFAULT_CONTROLS, granularity: previous.granularity, criterion: previous.criterion, channelNorm: previous.channelNorm };
  const base = { granularity: s.granularity, criterion: s.criterion, channelNorm: s.channelNorm ?? previous.channelNorm };
  if (s.target.kind === 'global') return { ...base, mode: 'global', global: s.target.sparsity, perLayer: {} };
  const values = Object.values(s.target.sparsity);
  if (s.granularity === 'channels' && values.length > 0 && values.every((v) => v === values[0])) {
    return { ...base, mode: 'global', global: values[0], perLayer: {} };
  }
  return { ...base, mode: 'perLayer', global: 0, perLayer: { ...s.target.sparsity } };
}

/**
 * The value a layer's slider shows: its own target in per-layer mode; in global unstructured mode the
 * sparsity the global threshold gave it; in channels mode the fraction of its group's channels removed.
 */
export function sliderValue(c: PruneControls, layer: PrunableLayer): number {
  if (isNM(c.granularity)) return layer.nmSkip ? 0 : 0.5;
  if (c.mode === 'perLayer') return c.perLayer[layer.path] ?? 0;
  if (c.granularity === 'channels') return layer.group ? 1 - layer.group.kept / layer.group.channels : 0;
  return layer.sparsity;
}
