// `secateur prune <model> --out <dir>`: the studio's steps without the screen. Import the model (the
// studio's checks and messages), optionally scan and plan per-layer targets, prune once from the
// original, optionally fine-tune with every pruned weight held at 0, and write the studio's export.
import type { BaselineResult, HistoryPoint, MetricKind, ModelSummary, PlanResult, PruneSettings } from '../engine/api';
import { commandLineRecord } from './commandLineRecord';
import { readModelPath } from './modelPaths';
import type { NodeStudio } from './nodeStudio';
import type { PruneJob } from './pruneFlags';
import { writeExport, type WrittenExport } from './writeExport';

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

export interface PruneOutcome {
  model: string;
  backend: string;
  metric: { kind: MetricKind; description: string; original: number; final: number };
  plan: PlanResult | null;
  steps: StepOutcome[];
  export: Omit<WrittenExport, 'report'>;
}

export const stepOutcome = (p: HistoryPoint): StepOutcome => ({
  kind: p.kind, label: p.label, settings: p.settings, metric: p.metric.value, params: p.params, nonzero: p.nonzero,
  prunableSparsity: p.prunableSparsity, skipped: p.skipped,
});

/** Reads and measures the model at `path` in the engine, as a drop on the studio does. */
export async function importModelAt(studio: NodeStudio, path: string): Promise<BaselineResult> {
  const files = await readModelPath(path);
  return studio.job('import', (id, p) => studio.engine.importModel(id, files, p));
}

/**
 * Per-layer targets must name prunable layers (or, for channels, layers whose channels can go): the
 * engine would otherwise ignore a misspelt name.
 */
export function checkLayerTargets(settings: PruneSettings, summary: ModelSummary): void {
  if (settings.target.kind !== 'perLayer') return;
  const prunable = new Map(summary.prunable.map((p) => [p.path, p]));
  for (const name of Object.keys(settings.target.sparsity)) {
    const layer = prunable.get(name) ?? summary.prunable.find((p) => p.group?.id === name);
    if (!layer) throw new Error(`${summary.name} has no prunable layer "${name}" (prunable: ${[...prunable.keys()].join(', ')})`);
    if (settings.granularity === 'channels' && !layer.group) throw new Error(`The channels of ${name} cannot be removed: ${layer.channelLock}`);
  }
}

export async function runPrune(studio: NodeStudio, modelPath: string, job: PruneJob, out: { dir: string; precision: WrittenExport['precision']; format: WrittenExport['format'] }, seed = 1): Promise<PruneOutcome> {
  const { engine } = studio;
  const imported = await importModelAt(studio, modelPath);
  let settings = job.settings;
  checkLayerTargets(settings, imported.summary);
  let plan: PlanResult | null = null;
  if (job.plan) {
    const granularity = settings.granularity;
    if (granularity !== 'unstructured' && granularity !== 'channels') throw new Error('unreachable: a plan is for unstructured or channels');
    await studio.job('scan', (id, p) => engine.scanSensitivity(id, { granularity, criterion: settings.criterion, channelNorm: settings.channelNorm }, p));
    plan = await studio.job('plan', (id, p) => engine.planAllocation(id, job.plan!, p));
    settings = { ...settings, target: { kind: 'perLayer', sparsity: plan.sparsity } };
  }
  const steps: StepOutcome[] = [stepOutcome(imported.point)];
  let point = (await studio.job('prune', (id, p) => engine.prune(id, settings, p))).point;
  steps.push(stepOutcome(point));
  if (job.finetune) {
    point = (await studio.job('fine-tune', (id, p) => engine.finetune(id, job.finetune!, p))).point;
    steps.push(stepOutcome(point));
  }
  const record = job.finetune ? commandLineRecord(studio.backend.active, seed, { [steps.length - 1]: job.finetune }) : null;
  const written = await writeExport(studio, out.dir, out.precision, out.format, record);
  const { report, ...exported } = written;
  return {
    model: imported.summary.name,
    backend: studio.backend.active,
    metric: { kind: report.metric.kind, description: report.metric.description, original: imported.point.metric.value, final: point.metric.value },
    plan,
    steps,
    export: exported,
  };
}
