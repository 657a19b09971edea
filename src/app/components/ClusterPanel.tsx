import { useState } from 'react';
import type { ClusterInit, ClusterRequest, PrunableLayer } from '../../engine/api';
import { canAct, currentPoint, useStudio } from '../store';
import { clusterWeights } from '../studioActions';
import { GraphLock } from './GraphLock';

const INITS: { value: ClusterInit; label: string }[] = [
  { value: 'kmeans++', label: 'k-means++' },
  { value: 'linear', label: 'Linear (evenly spaced)' },
  { value: 'density', label: 'Density (quantiles)' },
];

const NO_LAYERS: readonly PrunableLayer[] = [];

const validK = (k: number, allowZero = false) => Number.isInteger(k) && ((k >= 2 && k <= 256) || (allowZero && k === 0));

/**
 * Weight sharing: every kernel keeps k shared values (the pruned zeros stay exactly 0, one of them),
 * found by 1-D k-means; per-layer k overrides. The result is a history step of its own kind.
 */
export function ClusterPanel() {
  const [k, setK] = useState(16);
  const [init, setInit] = useState<ClusterInit>('kmeans++');
  const [perLayer, setPerLayer] = useState<Record<string, string>>({});
  const layers = useStudio((s) => s.summary?.prunable ?? NO_LAYERS);
  const point = useStudio(currentPoint);
  const free = useStudio(canAct);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const own = Object.entries(perLayer).filter(([path, v]) => v.trim() !== '' && layers.some((l) => l.path === path));
  const ownValid = own.every(([, v]) => validK(Number(v), true));
  const valid = validK(k) && ownValid;
  const request = (): ClusterRequest => ({ k, init, ...(own.length ? { perLayer: Object.fromEntries(own.map(([p, v]) => [p, Number(v)])) } : {}) });
  const clustered = point?.kind === 'cluster';
  return (
    <section className="panel cluster-panel" aria-labelledby="cluster-title">
      <div className="panel-head">
        <h2 id="cluster-title">Share weights</h2>
        <span className="muted small">weight clustering: each kernel keeps k values; pruned weights stay exactly 0</span>
      </div>
      <GraphLock>
      <div className="cluster-grid">
        <label className="stacked">
          <span className="field-label">Shared values per kernel (k)</span>
          <input type="number" data-testid="cluster-k" min={2} max={256} step={1} value={Number.isNaN(k) ? '' : k} disabled={!ready}
            aria-invalid={!validK(k)} onChange={(e) => setK(e.target.value === '' ? NaN : Number(e.target.value))} />
        </label>
        <label className="stacked">
          <span className="field-label">Initialisation</span>
          <select data-testid="cluster-init" value={init} disabled={!ready} onChange={(e) => setInit(e.target.value as ClusterInit)}>
            {INITS.map((i) => <option key={i.value} value={i.value}>{i.label}</option>)}
          </select>
        </label>
        <button type="button" className="button primary" data-testid="cluster" disabled={!free || !ready || !valid}
          onClick={() => void clusterWeights(request())}>
          Cluster
        </button>
      </div>
      {layers.length > 0 && (
        <details className="cluster-layers">
          <summary>k per layer{own.length ? ` (${own.length} set)` : ''}</summary>
          <div className="cluster-layer-grid">
            {layers.map((l) => {
              const v = perLayer[l.path] ?? '';
              return (
                <label key={l.path} className="cluster-layer">
                  <span className="mono">{l.path}</span>
                  <input type="number" data-testid="cluster-layer-k" data-layer={l.path} min={0} max={256} step={1} placeholder={String(Number.isNaN(k) ? '' : k)}
                    value={v} aria-invalid={v.trim() !== '' && !validK(Number(v), true)} aria-label={`${l.path}: shared values (blank: k above, 0: leave as it is)`}
                    onChange={(e) => setPerLayer((p) => ({ ...p, [l.path]: e.target.value }))} />
                  <span className="muted small">{l.distinct === null ? 'over 1,024 values now' : `${l.distinct.toLocaleString('en-US')} values now`}</span>
                </label>
              );
            })}
          </div>
          <p className="muted small">Blank: the k above. 0: leave the layer as it is.</p>
        </details>
      )}
      </GraphLock>
      <p className="muted small explain">
        1-D k-means on each kernel's weights, starting from the chosen initialisation; biases and BatchNorm stay as they are.
        Sharing alone keeps the file's size until it is packed: export as <em>packed</em> to store each weight as a short index.
        {clustered ? ' This step is clustered: fine-tuning it trains the shared values, and every weight stays in its cluster.' : ' Fine-tuning a clustered step trains the shared values.'}
      </p>
    </section>
  );
}
