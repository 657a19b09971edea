// `secateur replay <report> <model> --out <dir>`: re-runs the steps an export's report.json records
// (its recipe) on the same model, through the same engine, and checks the result against the report.
// Prune steps carry their settings, and each prunes the step's starting point (the original model
// until a fine-tune), so replaying them in order gives the studio's zeros and float32 weights bit for
// bit. BatchNorm recalibration and clustering are re-run from their labels (k-means is seeded, so the
// shared values come out the same), and a packed export's report is written packed again. A
// fine-tune's options are not in the studio's report (only its label), so such a recipe is refused
// rather than guessed; a report the command line wrote records them (commandLineRecord.ts), and those
// fine-tunes (a pruning schedule among them) are re-run on this backend.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { ClusterInit, ClusterRequest, ExportFormat, ExportPrecision } from '../engine/api';
import type { ExportReport } from '../engine/exportReport';
import { recordOf, recordOfRun } from './commandLineRecord';
import type { NodeStudio } from './nodeStudio';
import { startingPoint, type PruneOutcome } from './pruneCommand';
import type { DataJob } from './pruneFlags';
import { runSteps, type Action } from './stepRunner';
import { writeExport } from './writeExport';

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

const INITS: Record<string, ClusterInit> = { linear: 'linear', 'k-means++': 'kmeans++', density: 'density' };

/**
 * The clustering request a cluster step's label names (engine/clustering.ts describeClustering):
 * "clustered: 16 shared values per kernel (conv1 8), k-means++ init". A label that counts layers left
 * as they are without naming them cannot be replayed.
 */
export function clusterRequestOf(label: string, where: string): ClusterRequest {
  const m = /^clustered: (\d+) shared values per kernel(?: \((.*)\))?, (linear|k-means\+\+|density) init$/.exec(label);
  if (!m) throw new Error(`${where} is a clustering the label does not describe in full, so it cannot be replayed`);
  const request: ClusterRequest = { k: Number(m[1]), init: INITS[m[3]] };
  const perLayer: Record<string, number> = {};
  for (const part of m[2] ? m[2].split(', ') : []) {
    if (/^\d+ layers? left as they are$/.test(part)) {
      throw new Error(`${where} leaves ${part.split(' ')[0]} of the layers as they are without naming them, so it cannot be replayed. Re-run it with \`secateur prune … --cluster-k ${request.k} --cluster <layer>=0\``);
    }
    const own = /^(.+) (\d+)$/.exec(part);
    if (!own) throw new Error(`${where} is a clustering the label does not describe in full, so it cannot be replayed`);
    perLayer[own[1]] = Number(own[2]);
  }
  return Object.keys(perLayer).length ? { ...request, perLayer } : request;
}

/** What each recipe step after the original is, or a message saying why it cannot be replayed. */
export function replayActions(report: ExportReport, name: string): Action[] {
  const actions: Action[] = [];
  const recorded = recordOf(report);
  // The pruning events of a recorded schedule: its fine-tune makes them again.
  const madeBySchedule = new Set<number>();
  for (const [at, options] of Object.entries(recorded?.finetune ?? {})) {
    if (!options.schedule) continue;
    for (let j = Number(at) - 1; j > 0 && report.recipe[j]?.kind === 'prune' && !report.recipe[j].settings; j--) madeBySchedule.add(j);
  }
  report.recipe.forEach((step: RecipeStep, i) => {
    if ((i === 0 && step.kind === 'original') || madeBySchedule.has(i)) return;
    const where = `${name}: step ${i} ("${step.label}")`;
    if (step.kind === 'prune' && step.settings) actions.push({ kind: 'prune', settings: step.settings });
    else if (step.kind === 'finetune' && recorded?.finetune[String(i)]) actions.push({ kind: 'finetune', options: recorded.finetune[String(i)] });
    else if (step.kind === 'finetune' && /^BatchNorm recalibrated on \d+ inputs$/.test(step.label)) actions.push({ kind: 'recalibrate' });
    else if (step.kind === 'cluster') actions.push({ kind: 'cluster', request: recorded?.cluster?.[String(i)] ?? clusterRequestOf(step.label, where) });
    else if (step.kind === 'prune') throw new Error(`${where} is a pruning event of a fine-tuning schedule; the report does not record the schedule's options, so it cannot be replayed`);
    else if (step.kind === 'finetune') throw new Error(`${where} is a fine-tune; the report does not record its options (batch size, data order), so it cannot be replayed bit for bit. Re-run it with \`secateur prune … --epochs\``);
    else throw new Error(`${where}: unknown step kind "${String(step.kind)}"`);
  });
  return actions;
}

export interface ReplayOutcome extends Omit<PruneOutcome, 'plan' | 'data' | 'baseline'> {
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

/** The format a replay writes unless told: packed for a packed export's report, else loose files. */
export const reportFormat = (report: ExportReport): ExportFormat => ((report as ExportReport & { format?: string }).format === 'packed' ? 'packed' : 'files');

export async function runReplay(
  studio: NodeStudio, report: ExportReport, reportPath: string, modelPath: string,
  out: { dir: string; precision?: ExportPrecision; format?: ExportFormat }, seed: number, data: DataJob = null,
): Promise<ReplayOutcome> {
  const actions = replayActions(report, basename(reportPath));
  const recorded = recordOf(report);
  if (recorded?.data && !data) {
    throw new Error(`${basename(reportPath)}: the run was measured and fine-tuned on ${recorded.data.name}; replay it on the same data with --data <path>`);
  }
  // The choices the run read its data with, unless the replay gives its own.
  const dataJob = data && recorded?.data && Object.keys(data.choices).length === 0 ? { ...data, choices: recorded.data.choices } : data;
  const notes = recorded && Object.keys(recorded.finetune).length && recorded.backend !== studio.backend.active
    ? [`The report's fine-tuning ran on ${recorded.backend}, this replay on ${studio.backend.active}: the fine-tuned weights will differ by rounding (use --backend ${recorded.backend})`]
    : [];
  if (recorded && Object.keys(recorded.finetune).length && recorded.seed !== seed) {
    notes.push(`The report's fine-tuning ran with seed ${recorded.seed}, this replay with ${seed}: Dropout draws other masks, so the weights will differ`);
  }
  const start = await startingPoint(studio, modelPath, dataJob);
  const run = await runSteps(studio, start.point, actions);
  const record = recordOfRun(studio.backend.active, seed, { ...run, data: start.data && dataJob ? { name: start.data.name, choices: dataJob.choices } : undefined });
  const written = await writeExport(studio, { dir: out.dir, precision: out.precision ?? report.precision, format: out.format ?? reportFormat(report) }, record);
  const { report: replayed, ...exported } = written;
  const mismatches = compareWithReport(replayed, report);
  return {
    model: start.summary.name,
    backend: studio.backend.active,
    metric: { kind: replayed.metric.kind, description: replayed.metric.description, original: start.point.metric.value, final: run.last.metric.value },
    steps: run.steps,
    export: exported,
    matches: mismatches.length === 0,
    mismatches,
    notes,
  };
}
