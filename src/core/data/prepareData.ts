// A user's data set, ready to measure and fine-tune on, from the files they dropped and the model
// they loaded. What the engine calls; every step is a module of its own:
//
//   const data = await prepareData(files, { model, classNames, metadata, decoder, control });
//   // images: data.set (uint8 pixels), data.preprocess, data.labels, data.split, data.live
//   const xs = dataInputs(data, data.live);            // one batch of float inputs
//
// 1. read the drop (dataSource.ts), refuse data the model cannot take (images for a table model...);
// 2. images: infer the preprocessing (preprocess.ts), check the memory budget and decode
//    (imageSet.ts); tables: features and labels (tableData.ts);
// 3. with labels: measure the scaling (chooseScaling.ts), then map folders (or label names) to the
//    model's classes by name, or by the original model's predictions (classMapping.ts);
// 4. split, seeded and stratified (split.ts).
// Throws DataError with the user's message; warnings name what was skipped or left out.
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, progressBetween, type JobControl } from '../job';
import type { InputFile } from '../model/importFiles';
import { predictOutputs, predictedClasses } from '../metrics/predictions';
import { balancedSample, chooseScaling, type ScalingTrial } from './chooseScaling';
import { mapByName, mapByPredictions, predictionCounts, type ClassMapping } from './classMapping';
import { DataError, dataMessages, formatCount } from './dataMessages';
import { readDataSource } from './dataSource';
import type { ImageDecoder } from './imageDecoder';
import type { ImageLayout } from './imageLayout';
import { decodeImageSet, type ImageSet } from './imageSet';
import type { ModelMetadata } from './modelMetadata';
import { modelSpecOf, shapeText, type ModelSpec } from './modelSpec';
import { imageBatch, inferPreprocess, type Preprocess, type Scaling } from './preprocess';
import type { Fit } from './resample';
import { liveSubset, stratifiedSplit, type Split } from './split';
import { tableData, type TableData } from './tableData';

/** Images per folder the original model is run on to map folders to classes. */
export const MAPPING_IMAGES_PER_FOLDER = 100;

export interface DataContext {
  /** The original model: it maps folders to classes and picks the scaling. */
  model: tf.LayersModel;
  /** The model's class names when known (import labels, the demo's classes); ignored unless one per class. */
  classNames?: readonly string[] | null;
  /** Metadata that came with the model (Teachable Machine's metadata.json); one in the data drop wins. */
  metadata?: ModelMetadata | null;
  decoder: ImageDecoder;
  control?: JobControl;
  /** Pixel bytes an image set may hold (pixelStore.ts DEFAULT_DATA_BUDGET). */
  budget?: number;
}

/** What the user may change in the Data panel; each is otherwise inferred or measured. */
export interface DataChoices {
  /** undefined: guessed; null: no labels; a name: that column. */
  labelColumn?: string | null;
  testFraction?: number;
  seed?: number;
  scaling?: Scaling;
  fit?: Fit;
  /** Per folder (or table label name): the model's class, or -1 to leave it out. */
  mapping?: readonly number[];
}

interface Common {
  spec: ModelSpec;
  /** The model's classes by name: given, or taken from the folders mapped to them, or "class 3". */
  classNames: string[];
  /** Folder names (images) or label names (a table) in sorted order; [] when there are none to map. */
  groups: string[];
  mapping: ClassMapping | null;
  /** Per example: the model's class (-1: left out) or, for regression, the target; null: unlabelled. */
  labels: Int32Array | Float32Array | null;
  split: Split;
  /** The first 500 held-out examples: what every live step is measured on. */
  live: Int32Array;
  warnings: string[];
  skipped: number;
  /** Dropped files that are not data (the model's files, a README). */
  ignored: string[];
}

export interface PreparedImages extends Common {
  kind: 'images' | 'tm' | 'unlabelled';
  set: ImageSet;
  /** Each group's folder path, for messages and the class table. */
  groupPaths: string[];
  preprocess: Preprocess;
  /** Why the preprocessing is what it is (and how the scaling was measured). */
  reasons: string[];
  scalingTrials: ScalingTrial[] | null;
}

export interface PreparedTable extends Common {
  kind: 'csv';
  table: TableData;
}

export type PreparedData = PreparedImages | PreparedTable;

export async function prepareData(files: InputFile[], context: DataContext, choices: DataChoices = {}): Promise<PreparedData> {
  const spec = modelSpecOf(context.model);
  if (!spec) throw new DataError(dataMessages.modelNotSupported(shapeText(context.model.inputs[0]?.shape ?? [])));
  const classNames = context.classNames && context.classNames.length === spec.classes ? [...context.classNames] : null;
  const source = readDataSource(files);
  const metadata = source.metadata ?? context.metadata ?? null;
  const names = classNames ?? (metadata?.labels?.length === spec.classes ? metadata.labels : null);
  if (source.kind === 'csv') {
    if (spec.input.kind !== 'table') throw new DataError(dataMessages.tableForImageModel(source.table.path, shapeText(context.model.inputs[0].shape.slice(1))));
    return prepareTable(source.table, spec, names, source.ignored, context, choices);
  }
  if (spec.input.kind !== 'image') {
    const where = source.layout.root || source.layout.images[0]?.path || 'The drop';
    const inputs = spec.input.kind === 'table' ? `rows of ${formatCount(spec.input.features)} numbers` : `inputs of shape ${shapeText(spec.input.shape)}`;
    throw new DataError(dataMessages.imagesForTabularModel(where, inputs));
  }
  return prepareImages(source.layout, spec, names, metadata, source.ignored, context, choices);
}

function displayNames(spec: ModelSpec, names: readonly string[] | null, groups: string[], mapping: ClassMapping | null): string[] {
  if (names) return [...names];
  return Array.from({ length: spec.classes }, (_, c) => {
    const f = mapping ? mapping.classOf.indexOf(c) : -1;
    return f >= 0 ? groups[f] : `class ${c}`;
  });
}

function givenMapping(mapping: readonly number[], groups: number, classes: number): ClassMapping {
  if (mapping.length !== groups || mapping.some((c) => !Number.isInteger(c) || c < -1 || c >= classes)) {
    throw new Error(`prepareData: a mapping needs one class (-1..${classes - 1}) per group, got ${JSON.stringify(mapping)} for ${groups}`);
  }
  return { classOf: Int32Array.from(mapping), by: 'user', agreement: mapping.map(() => null), measured: mapping.map(() => null) };
}

async function prepareImages(
  layout: ImageLayout,
  spec: ModelSpec,
  names: readonly string[] | null,
  metadata: ModelMetadata | null,
  ignored: string[],
  context: DataContext,
  choices: DataChoices,
): Promise<PreparedImages> {
  const control = context.control ?? UNCONTROLLED;
  const inferred = inferPreprocess(spec.input as Extract<ModelSpec['input'], { kind: 'image' }>, metadata, context.model);
  const preprocess: Preprocess = { ...inferred.preprocess, ...(choices.fit ? { fit: choices.fit } : {}), ...(choices.scaling ? { scaling: choices.scaling } : {}) };
  const reasons = [...inferred.reasons];
  if (choices.fit) reasons.push(`${choices.fit === 'crop' ? 'centre crop' : 'stretched'}: your choice`);
  const set = await decodeImageSet(layout, preprocess, context.decoder, { control: progressBetween(control, 0, 0.8), budget: context.budget });
  const warnings = [...set.warnings];
  const groups = layout.kind === 'unlabelled' ? [] : layout.classes;
  let mapping: ClassMapping | null = null;
  let scalingTrials: ScalingTrial[] | null = null;

  if (groups.length > 0) {
    mapping = choices.mapping ? givenMapping(choices.mapping, groups.length, spec.classes) : mapByName(groups, names, spec.classes);
    if (!choices.scaling) {
      const sample = balancedSample(set.folder);
      const truth = mapping
        ? { kind: 'classes' as const, labels: Int32Array.from(sample, (i) => mapping!.classOf[set.folder[i]]) }
        : { kind: 'folders' as const, folders: Int32Array.from(sample, (i) => set.folder[i]), folderCount: groups.length };
      // A sample image in a folder that matches no class cannot be right under any scaling: leave it to the other images.
      const keep = truth.kind === 'classes' ? Array.from(sample.keys()).filter((k) => truth.labels[k] >= 0) : Array.from(sample.keys());
      const choice = await chooseScaling(
        context.model,
        set.pixels,
        Int32Array.from(keep, (k) => sample[k]),
        truth.kind === 'classes' ? { kind: 'classes', labels: Int32Array.from(keep, (k) => truth.labels[k]) } : truth,
        inferred.candidates,
        spec.classes,
        progressBetween(control, 0.8, 0.9),
      );
      preprocess.scaling = choice.scaling;
      scalingTrials = choice.trials;
      reasons.push(choice.reason);
    } else reasons.push(`${preprocess.scaling} scaling: your choice`);
    // The original model's predictions per folder: the mapping when names give none, and the
    // agreement per folder the class table shows either way.
    const counts = await folderPredictionCounts(context.model, set, preprocess.scaling, groups.length, spec.classes, progressBetween(control, 0.9, 1));
    if (mapping) mapping = withAgreement(mapping, counts);
    else {
      if (names) warnings.push(dataMessages.namesMatchNone(names));
      mapping = mapByPredictions(counts);
    }
  } else if (choices.scaling === undefined) {
    reasons.push('no labels, so the inferred scaling is kept (agreement with the original model is what is measured)');
  }

  let labels: Int32Array | null = null;
  if (mapping) {
    const classOf = mapping.classOf;
    labels = Int32Array.from(set.folder, (f) => classOf[f]);
    const unmatched = groups.map((_, f) => f).filter((f) => classOf[f] < 0);
    if (unmatched.length === groups.length) throw new DataError(dataMessages.noFolderMatches(layout.classPaths, names ?? displayNames(spec, null, [], null)));
    if (unmatched.length > 0) {
      const images = labels.reduce((n, c) => n + (c < 0 ? 1 : 0), 0);
      const paths = unmatched.map((f) => layout.classPaths[f]);
      warnings.push(mapping.by === 'prediction' ? dataMessages.unmatchedByPrediction(paths, images) : dataMessages.unmatchedFolders(paths, images, names ?? []));
    }
  }
  const split = stratifiedSplit(labels ?? new Int32Array(set.count), { testFraction: choices.testFraction, seed: choices.seed });
  return {
    kind: layout.kind,
    spec,
    classNames: displayNames(spec, names, groups, mapping),
    groups,
    groupPaths: layout.kind === 'unlabelled' ? [] : layout.classPaths,
    mapping,
    labels,
    split,
    live: liveSubset(split),
    warnings,
    skipped: set.skipped,
    ignored,
    set,
    preprocess,
    reasons,
    scalingTrials,
  };
}

/** Predictions of the original model on the first MAPPING_IMAGES_PER_FOLDER images of each folder, counted per folder and class. */
async function folderPredictionCounts(model: tf.LayersModel, set: ImageSet, scaling: Scaling, folders: number, classes: number, control: JobControl): Promise<number[][]> {
  const taken = new Int32Array(folders);
  const sample: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const f = set.folder[i];
    if (f >= 0 && taken[f] < MAPPING_IMAGES_PER_FOLDER) {
      taken[f]++;
      sample.push(i);
    }
  }
  const indices = Int32Array.from(sample);
  const outputs = await predictOutputs(model, indices.length, (s, e) => imageBatch(set.pixels, indices.subarray(s, e), scaling), control, 64, 'Matching folders to classes:');
  return predictionCounts(Int32Array.from(indices, (i) => set.folder[i]), predictedClasses(outputs), folders, classes);
}

/** A mapping found without predictions, with each group's measured agreement filled in. */
function withAgreement(mapping: ClassMapping, counts: readonly (readonly number[])[]): ClassMapping {
  const measured = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const agreement = counts.map((row, g) => (measured[g] > 0 && mapping.classOf[g] >= 0 ? row[mapping.classOf[g]] / measured[g] : null));
  return { ...mapping, agreement, measured };
}

async function prepareTable(
  source: Parameters<typeof tableData>[0],
  spec: ModelSpec,
  names: readonly string[] | null,
  ignored: string[],
  context: DataContext,
  choices: DataChoices,
): Promise<PreparedTable> {
  const features = (spec.input as Extract<ModelSpec['input'], { kind: 'table' }>).features;
  const table = tableData(source, { features, task: spec.task, classes: spec.classes, classNames: names ? [...names] : null }, choices.labelColumn);
  const warnings: string[] = [];
  let mapping: ClassMapping | null = null;
  let labels: Int32Array | Float32Array | null = table.labels;
  const groups = table.labelNames ?? [];
  if (table.labelNames && table.labels) {
    const outputs = await predictOutputs(context.model, table.count, (s, e) => tableRows(table, s, e), context.control ?? UNCONTROLLED, 256, 'Matching labels to classes:');
    const counts = predictionCounts(table.labels, predictedClasses(outputs), groups.length, spec.classes);
    mapping = choices.mapping ? withAgreement(givenMapping(choices.mapping, groups.length, spec.classes), counts) : mapByPredictions(counts);
    const classOf = mapping.classOf;
    const byName = Int32Array.from(table.labels, (l) => classOf[l]);
    const unmatched = groups.filter((_, g) => classOf[g] < 0);
    if (unmatched.length === groups.length) throw new DataError(dataMessages.tableLabelCount(table.path, groups, spec.classes));
    if (unmatched.length > 0) warnings.push(dataMessages.tableUnmatchedLabels(table.path, unmatched, byName.reduce((n, c) => n + (c < 0 ? 1 : 0), 0)));
    labels = byName;
  }
  const groupOf = spec.task === 'classification' && labels instanceof Int32Array ? labels : new Int32Array(table.count);
  const split = stratifiedSplit(groupOf, { testFraction: choices.testFraction, seed: choices.seed });
  return {
    kind: 'csv',
    spec,
    classNames: spec.task === 'classification' ? displayNames(spec, names, groups, mapping) : [],
    groups,
    mapping,
    labels,
    split,
    live: liveSubset(split),
    warnings,
    skipped: 0,
    ignored,
    table,
  };
}

/** Rows start..end-1 of a table's features as float32 [n, features]. */
function tableRows(table: TableData, start: number, end: number): tf.Tensor2D {
  const f = table.featureColumns.length;
  return tf.tensor2d(table.features.subarray(start * f, end * f), [end - start, f], 'float32');
}

/** The model's inputs for examples `indices`: float32, one batch. The caller disposes it. */
export function dataInputs(data: PreparedData, indices: ArrayLike<number>): tf.Tensor {
  if (data.kind !== 'csv') return imageBatch(data.set.pixels, indices, data.preprocess.scaling);
  const f = data.table.featureColumns.length;
  const x = new Float32Array(indices.length * f);
  for (let j = 0; j < indices.length; j++) x.set(data.table.features.subarray(indices[j] * f, (indices[j] + 1) * f), j * f);
  return tf.tensor2d(x, [indices.length, f], 'float32');
}

/**
 * Inputs and targets for training on examples `indices` (labelled data only; examples left out
 * must not be among them): one-hot classes (a single 0/1 column for one sigmoid unit), or the
 * regression targets as [n, 1]. The caller disposes both.
 */
export function dataTrainingBatch(data: PreparedData, indices: ArrayLike<number>): { xs: tf.Tensor; ys: tf.Tensor } {
  const labels = data.labels;
  if (!labels) throw new Error('dataTrainingBatch: the data set has no labels (fine-tune by distillation instead)');
  const n = indices.length;
  if (data.spec.task === 'regression') {
    const ys = tf.tensor2d(Float32Array.from({ length: n }, (_, j) => labels[indices[j]]), [n, 1], 'float32');
    return { xs: dataInputs(data, indices), ys };
  }
  const y = Int32Array.from({ length: n }, (_, j) => labels[indices[j]]);
  const left = y.findIndex((c) => c < 0);
  if (left >= 0) throw new Error(`dataTrainingBatch: example ${indices[left]} is left out (it matches no class)`);
  const ys = data.spec.binarySigmoid
    ? tf.tensor2d(Float32Array.from(y), [n, 1], 'float32')
    : tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), data.spec.classes).toFloat());
  return { xs: dataInputs(data, indices), ys };
}
