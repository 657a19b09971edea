// The steps of a run, in order, through the engine: prune once (from the step's starting point, as
// the studio does), recalibrate BatchNorm, cluster, fine-tune (a schedule's pruning events arrive as
// points while it trains). `prune` builds its steps from flags, `replay` from a report's recipe; both
// run them here, so a replay takes the same path as the run it repeats.
import type { ClusterRequest, FinetuneOptions, HistoryPoint, PruneSettings } from '../engine/api';
import type { NodeStudio } from './nodeStudio';

export type Action =
  | { kind: 'prune'; settings: PruneSettings }
  | { kind: 'recalibrate' }
  | { kind: 'cluster'; request: ClusterRequest }
  | { kind: 'finetune'; options: FinetuneOptions };

export interface StepOutcome {
  kind: HistoryPoint['kind'];
  label: string;
  settings: PruneSettings | null;
  metric: number;
  params: number;
  nonzero: number;
  prunableSparsity: number;
  skipped: HistoryPoint['skipped'];
}

export const stepOutcome = (p: HistoryPoint): StepOutcome => ({
  kind: p.kind, label: p.label, settings: p.settings, metric: p.metric.value, params: p.params, nonzero: p.nonzero,
  prunableSparsity: p.prunableSparsity, skipped: p.skipped,
});

export interface StepsRun {
  /** The starting point first, then every point the steps made (a schedule's pruning events included): the recipe's order. */
  steps: StepOutcome[];
  last: HistoryPoint;
  /** The options of each fine-tune and clustering, by recipe step index (what a report cannot hold). */
  finetune: Record<string, FinetuneOptions>;
  cluster: Record<string, ClusterRequest>;
}

export async function runSteps(studio: NodeStudio, start: HistoryPoint, actions: readonly Action[]): Promise<StepsRun> {
  const { engine } = studio;
  const run: StepsRun = { steps: [stepOutcome(start)], last: start, finetune: {}, cluster: {} };
  const add = (p: HistoryPoint) => {
    run.steps.push(stepOutcome(p));
    run.last = p;
  };
  for (const a of actions) {
    if (a.kind === 'prune') add((await studio.job('prune', (id, p) => engine.prune(id, a.settings, p))).point);
    else if (a.kind === 'recalibrate') add((await studio.job('recalibrate', (id, p) => engine.recalibrateBatchNorm(id, p))).point);
    else if (a.kind === 'cluster') {
      add((await studio.job('cluster', (id, p) => engine.cluster(id, a.request, p))).point);
      run.cluster[run.steps.length - 1] = a.request;
    } else {
      const point = (await studio.job('fine-tune', (id, p) => engine.finetune(id, a.options, (q) => {
        // A schedule's pruning event: a point of the recipe before the fine-tuned one.
        if (q.point) add(q.point);
        p(q);
      }))).point;
      add(point);
      run.finetune[run.steps.length - 1] = a.options;
    }
  }
  return run;
}
