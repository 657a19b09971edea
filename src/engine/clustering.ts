// The studio's clustering step, between the page's request and the core's clusterModel: the request
// checked (k, initialisation, per-layer k), turned into clusterModel options for this model's
// kernels, and the label its history step gets ("clustered: 16 shared values per kernel, k-means++").
import type * as tf from '@tensorflow/tfjs';
import type { ClusterRequest } from './api';
import { CLUSTER_INITS, MAX_CLUSTERS, MIN_CLUSTERS, type ClusterInit } from '../core/compress/kmeans1d';
import { clusterTargets, type ClusterModelOptions, type ClusterSet } from '../core/compress/clusterModel';

const INIT_LABEL: Record<ClusterInit, string> = { linear: 'linear init', 'kmeans++': 'k-means++ init', density: 'density init' };

function checkK(k: unknown, what: string, allowZero: boolean): number {
  const ok = typeof k === 'number' && Number.isInteger(k) && ((k >= MIN_CLUSTERS && k <= MAX_CLUSTERS) || (allowZero && k === 0));
  if (!ok) throw new Error(`${what} must be a whole number from ${MIN_CLUSTERS} to ${MAX_CLUSTERS}${allowZero ? ' (0 leaves the layer as it is)' : ''}, got ${String(k)}`);
  return k as number;
}

/** Checks a clustering request against the model; a bad value gets a message a user can act on. */
export function validateClusterRequest(r: ClusterRequest, model: tf.LayersModel): ClusterRequest {
  checkK(r.k, 'The number of shared values (k)', false);
  if (!(CLUSTER_INITS as readonly unknown[]).includes(r.init)) {
    throw new Error(`Unknown initialisation "${String(r.init)}" (use ${CLUSTER_INITS.join(', ')})`);
  }
  const layers = new Set(clusterTargets(model).map((t) => t.layerPath));
  for (const [layer, k] of Object.entries(r.perLayer ?? {})) {
    if (!layers.has(layer)) throw new Error(`${layer} has no kernel to cluster (biases and BatchNorm stay as they are)`);
    checkK(k, `The number of shared values of ${layer}`, true);
  }
  const clustered = [...layers].filter((l) => (r.perLayer?.[l] ?? r.k) > 0);
  if (clustered.length === 0) throw new Error('Every layer is set to 0 (left as it is): there is nothing to cluster');
  return r;
}

/** clusterModel options for a checked request: one codebook per kernel, per-layer k where given. */
export function clusterOptions(r: ClusterRequest, model: tf.LayersModel): ClusterModelOptions {
  const targets = clusterTargets(model).filter((t) => (r.perLayer?.[t.layerPath] ?? r.k) > 0);
  const perKey: Record<string, { k: number }> = {};
  for (const t of targets) {
    const k = r.perLayer?.[t.layerPath];
    if (k !== undefined && k !== r.k) perKey[t.key] = { k };
  }
  return { k: r.k, init: r.init, scope: 'perLayer', zeros: 'fixed', keys: targets.map((t) => t.key), perKey };
}

/** "clustered: 16 shared values per kernel (conv1 8), k-means++ init" */
export function describeClustering(r: ClusterRequest, clusters: ClusterSet): string {
  const layers = [...new Set(Object.values(clusters).map((c) => c.layerPath))];
  const own = layers.filter((l) => r.perLayer?.[l] !== undefined && r.perLayer[l] !== r.k).map((l) => `${l} ${r.perLayer![l]}`);
  const skipped = Object.entries(r.perLayer ?? {}).filter(([, k]) => k === 0).length;
  const rest = [...own, ...(skipped ? [`${skipped} layer${skipped === 1 ? '' : 's'} left as they are`] : [])];
  return `clustered: ${r.k} shared values per kernel${rest.length ? ` (${rest.join(', ')})` : ''}, ${INIT_LABEL[r.init]}`;
}
