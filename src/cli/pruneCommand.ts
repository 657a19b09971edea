// `secateur prune <model> --out <dir>`: the studio's steps without the screen. Import the model (the
// studio's checks and messages), read the user's data when given (the model is then measured and
// fine-tuned on it, as the studio's Data panel makes it), optionally scan and plan per-layer targets,
// prune once from the original, cluster, fine-tune with every pruned weight held at 0 (a schedule
// prunes while it trains instead), and write the studio's export.
import type { BaselineResult, DataSummary, MetricKind, ModelSummary, PlanResult, PruneSettings } from '../engine/api';
import { recordOfRun } from './commandLineRecord';
import { readDataPath, readModelPath } from './modelPaths';
import type { NodeStudio } from './nodeStudio';
import type { PruneJob } from './pruneFlags';
import { runSteps, type Action, type StepOutcome } from './stepRunner';
import { writeExport, type ExportChoice, type WrittenExport } from './writeExport';

export type { StepOutcome } from './stepRunner';

/** The user's data as the Data panel shows it, without the preview images. */
export interface DataOutcome {
  kind: DataSummary['kind'];
  name: string;
  count: number;
  classes: number;
  train: number;
  test: number;
  metric: MetricKind;
  note: string;
  /** Folders (or a table's labels) and the model's class each was mapped to (null: left out), and how. */
  mapping: { by: NonNullable<DataSummary['mapping']>['by']; groups: { name: string; class: string | null; agreement: number | null }[] } | null;
  scaling: string | null;
  labelColumn: string | null;
  warnings: string[];
  skipped: number;
}

export interface PruneOutcome {
  model: string;
  backend: string;
  data: DataOutcome | null;
  /** The metric of the original and the last step on the live examples every step is measured on. */
  metric: { kind: MetricKind; description: string; original: number; final: number };
  /** The original model on the whole held-out set (the studio's Original card). */
  baseline: { value: number; examples: number };
  plan: PlanResult | null;
  steps: StepOutcome[];
  export: Omit<WrittenExport, 'report'>;
}

/** Reads and measures the model at `path` in the engine, as a drop on the studio does. */
export async function importModelAt(studio: NodeStudio, path: string): Promise<BaselineResult> {
  const files = await readModelPath(path);
  return studio.job('import', (id, p) => studio.engine.importModel(id, files, p));
}

export function dataOutcome(d: DataSummary): DataOutcome {
  const m = d.mapping;
  return {
    kind: d.kind, name: d.name, count: d.count, classes: d.classes, train: d.train, test: d.test, metric: d.metric, note: d.note,
    mapping: m ? { by: m.by, groups: m.groups.map((name, i) => ({ name, class: m.classOf[i] >= 0 ? d.classNames[m.classOf[i]] ?? `class ${m.classOf[i]}` : null, agreement: m.agreement[i] })) } : null,
    scaling: d.preprocess?.scaling ?? null,
    labelColumn: d.table?.labelColumn ?? null,
    warnings: d.warnings,
    skipped: d.skipped,
  };
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

/** The model at `modelPath`, measured on the user's data when the job has some (the studio's messages for bad data). */
export async function startingPoint(studio: NodeStudio, modelPath: string, data: PruneJob['data']): Promise<BaselineResult & { data: DataSummary | null }> {
  const imported = await importModelAt(studio, modelPath);
  if (!data) return { ...imported, data: null };
  const files = await readDataPath(data.path);
  return studio.job('data', (id, p) => studio.engine.loadData(id, files, data.choices, p));
}

export async function runPrune(studio: NodeStudio, modelPath: string, job: PruneJob, out: ExportChoice, seed = 1): Promise<PruneOutcome> {
  const { engine } = studio;
  const start = await startingPoint(studio, modelPath, job.data);
  let settings = job.settings;
  if (settings) checkLayerTargets(settings, start.summary);
  let plan: PlanResult | null = null;
  if (job.plan && settings) {
    const { granularity, criterion, channelNorm } = settings;
    if (granularity !== 'unstructured' && granularity !== 'channels') throw new Error('unreachable: a plan is for unstructured or channels');
    await studio.job('scan', (id, p) => engine.scanSensitivity(id, { granularity, criterion, channelNorm }, p));
    plan = await studio.job('plan', (id, p) => engine.planAllocation(id, job.plan!, p));
    settings = { ...settings, target: { kind: 'perLayer', sparsity: plan.sparsity } };
  }
  // Deep Compression's order: prune, share values, then train what is left (the shared values train,
  // every weight stays in its cluster). A schedule prunes while training, so clustering comes last.
  const prune: Action[] = settings ? [{ kind: 'prune', settings }] : [];
  const cluster: Action[] = job.cluster ? [{ kind: 'cluster', request: job.cluster }] : [];
  const finetune: Action[] = job.finetune ? [{ kind: 'finetune', options: job.finetune }] : [];
  const run = await runSteps(studio, start.point, job.finetune?.schedule ? [...finetune, ...cluster] : [...prune, ...cluster, ...finetune]);
  const data = start.data && job.data ? { name: start.data.name, choices: job.data.choices } : undefined;
  const record = recordOfRun(studio.backend.active, seed, { ...run, data });
  const { report, ...exported } = await writeExport(studio, out, record);
  return {
    model: start.summary.name,
    backend: studio.backend.active,
    data: start.data ? dataOutcome(start.data) : null,
    metric: { kind: report.metric.kind, description: report.metric.description, original: start.point.metric.value, final: run.last.metric.value },
    baseline: { value: start.baseline.value, examples: start.baseline.count },
    plan,
    steps: run.steps,
    export: exported,
  };
}
