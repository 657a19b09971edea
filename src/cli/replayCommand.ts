// `secateur replay <report> <model> --out <dir>`: re-runs the steps an export's report.json records
// (its recipe) on the same model, through the same engine, and checks the result against the report.
// Prune steps carry their settings, and each prunes the step's starting point (the original model
// until a fine-tune), so replaying them in order gives the studio's zeros and float32 weights bit for
// bit. BatchNorm recalibration is re-run from its label. A fine-tune's options are not in the studio's
// report (only its label), so such a recipe is refused rather than guessed; a report the command line
// wrote records them (commandLineRecord.ts), and those fine-tunes are re-run on this backend.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { FinetuneOptions, PruneSettings } from '../engine/api';
import type { ExportReport } from '../engine/exportReport';
import { commandLineRecord, recordOf } from './commandLineRecord';
import type { NodeStudio } from './nodeStudio';
import { importModelAt, stepOutcome, type PruneOutcome, type StepOutcome } from './pruneCommand';
import { writeExport, type WrittenExport } from './writeExport';

type RecipeStep = ExportReport['recipe'][number];

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** The report.json at `path`, or inside the studio's exported .zip at `path`. */
export async function readReport(path: string): Promise<ExportReport> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    throw new Error(`${path}: no such file`);
  }
  const name = basename(path);
  let text: string;
  if (isZip(bytes)) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes, { filter: (f) => f.name === 'report.json' });
    } catch (e) {
      throw new Error(`${name}: not a readable zip archive (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!entries['report.json']) throw new Error(`${name}: no report.json inside; replay takes a Secateur export's report.json or its .zip`);
    text = strFromU8(entries['report.json']);
  } else {
    text = strFromU8(bytes);
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = report as Partial<ExportReport> | null;
  if (!r || typeof r !== 'object' || r.generator !== 'Secateur' || !Array.isArray(r.recipe)) {
    throw new Error(`${name}: not a Secateur export report (no "generator": "Secateur" and "recipe" list)`);
  }
  return r as ExportReport;
}

type Action = { kind: 'prune'; settings: PruneSettings } | { kind: 'recalibrate' } | { kind: 'finetune'; options: FinetuneOptions };

/** What each recipe step after the original is, or a message saying why it cannot be replayed. */
export function replayActions(report: ExportReport, name: string): Action[] {
  const actions: Action[] = [];
  const recorded = recordOf(report);
  report.recipe.forEach((step: RecipeStep, i) => {
    if (i === 0 && step.kind === 'original') return;
    const where = `${name}: step ${i} ("${step.label}")`;
    if (step.kind === 'prune' && step.settings) actions.push({ kind: 'prune', settings: step.settings });
    else if (step.kind === 'finetune' && recorded?.finetune[String(i)]) actions.push({ kind: 'finetune', options: recorded.finetune[String(i)] });
    else if (step.kind === 'finetune' && /^BatchNorm recalibrated on \d+ inputs$/.test(step.label)) actions.push({ kind: 'recalibrate' });
    else if (step.kind === 'prune') throw new Error(`${where} is a pruning event of a fine-tuning schedule; the report does not record the schedule's options, so it cannot be replayed`);
    else if (step.kind === 'finetune') throw new Error(`${where} is a fine-tune; the report does not record its options (batch size, data order), so it cannot be replayed bit for bit. Re-run it with \`secateur prune … --epochs\``);
    else throw new Error(`${where}: unknown step kind "${String(step.kind)}"`);
  });
  return actions;
}

export interface ReplayOutcome extends Omit<PruneOutcome, 'plan'> {
  /** Whether the replayed model has the report's parameter and nonzero counts, overall and per layer. */
  matches: boolean;
  mismatches: string[];
  /** What the reader should know about how far the replay can match (fine-tuning on another backend). */
  notes: string[];
}

/** The replayed export against the report it came from: parameter and nonzero counts, overall and per layer. */
export function compareWithReport(replayed: ExportReport, recorded: ExportReport): string[] {
  const out: string[] = [];
  for (const k of ['params', 'nonzero'] as const) {
    if (replayed.totals[k] !== recorded.totals[k]) out.push(`${k}: ${replayed.totals[k]} replayed, ${recorded.totals[k]} in the report`);
  }
  const byPath = new Map(replayed.layers.map((l) => [l.path, l]));
  for (const l of recorded.layers) {
    const r = byPath.get(l.path);
    if (!r) out.push(`${l.path}: in the report, not in the replayed model`);
    else if (r.params !== l.params || r.nonzero !== l.nonzero) out.push(`${l.path}: ${r.nonzero}/${r.params} nonzero replayed, ${l.nonzero}/${l.params} in the report`);
  }
  return out;
}

export async function runReplay(
  studio: NodeStudio, report: ExportReport, reportPath: string, modelPath: string,
  out: { dir: string; precision?: WrittenExport['precision']; format: WrittenExport['format'] }, seed: number,
): Promise<ReplayOutcome> {
  const actions = replayActions(report, basename(reportPath));
  const recorded = recordOf(report);
  const notes = recorded && Object.keys(recorded.finetune).length && recorded.backend !== studio.backend.active
    ? [`The report's fine-tuning ran on ${recorded.backend}, this replay on ${studio.backend.active}: the fine-tuned weights will differ by rounding (use --backend ${recorded.backend})`]
    : [];
  if (recorded && Object.keys(recorded.finetune).length && recorded.seed !== seed) {
    notes.push(`The report's fine-tuning ran with seed ${recorded.seed}, this replay with ${seed}: Dropout draws other masks, so the weights will differ`);
  }
  const { engine } = studio;
  const imported = await importModelAt(studio, modelPath);
  const steps: StepOutcome[] = [stepOutcome(imported.point)];
  const finetuned: Record<string, FinetuneOptions> = {};
  let point = imported.point;
  for (const a of actions) {
    if (a.kind === 'prune') point = (await studio.job('prune', (id, p) => engine.prune(id, a.settings, p))).point;
    else if (a.kind === 'recalibrate') point = (await studio.job('recalibrate', (id, p) => engine.recalibrateBatchNorm(id, p))).point;
    else {
      point = (await studio.job('fine-tune', (id, p) => engine.finetune(id, a.options, p))).point;
      finetuned[steps.length] = a.options;
    }
    steps.push(stepOutcome(point));
  }
  const record = Object.keys(finetuned).length ? commandLineRecord(studio.backend.active, seed, finetuned) : null;
  const written = await writeExport(studio, out.dir, out.precision ?? report.precision, out.format, record);
  const { report: replayed, ...exported } = written;
  const mismatches = compareWithReport(replayed, report);
  return {
    model: imported.summary.name,
    backend: studio.backend.active,
    metric: { kind: replayed.metric.kind, description: replayed.metric.description, original: imported.point.metric.value, final: point.metric.value },
    steps,
    export: exported,
    matches: mismatches.length === 0,
    mismatches,
    notes,
  };
}
