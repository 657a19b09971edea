import type { ReactNode } from 'react';
import { GRAPH_CANNOT_TRAIN } from '../../engine/api';
import { useStudio } from '../store';

/** Whether the loaded model is a TF.js graph model (pruned and exported here, never trained). */
export const useGraphModel = () => useStudio((s) => s.summary?.modelKind === 'graph');

/**
 * Controls that need a Layers model (training, weight sharing): on a graph model they are disabled
 * (one disabled fieldset) under the plain reason and the way to a Layers model.
 */
export function GraphLock({ children }: { children: ReactNode }) {
  const graph = useGraphModel();
  if (!graph) return <>{children}</>;
  return (
    <>
      <p className="small graph-lock-note" data-testid="graph-no-training">{GRAPH_CANNOT_TRAIN}</p>
      <fieldset className="graph-lock" disabled aria-label="Unavailable for a graph model">{children}</fieldset>
    </>
  );
}
