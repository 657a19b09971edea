// A studio session as bytes and back, bit for bit: what autosave writes to IndexedDB and restore
// reads. The container layout is in binaryContainer.ts; this file says what goes in it.
//
//   const bytes = serializeSession(snapshot);          // one Uint8Array (an ArrayBuffer for IndexedDB)
//   const again = deserializeSession(bytes);           // deep-equal, typed arrays byte-identical
//   sessionSize(snapshot)                              // bytes.length, without writing them
//   serializeModelState(state) / deserializeModelState(bytes)   one starting point on its own, for
//                                                      spilling it out of memory or saving it once
//
// Masks and channel plans are stored as bitsets (a keep value is 0 or 1: 8 to a byte); weights as
// their float32 bytes; everything else (history views, metrics, settings, undo stacks) as plain JSON
// with NaN, ±Infinity and -0 kept. A step may leave out its model state (`state` absent, stateless
// true) when the caller stores the states apart (sessionStore.ts does: a state never changes, so it
// is written once, not after every step).
import type { ChannelPlan } from '../graph/dependencyGraph';
import type { ModelState } from '../model/modelState';
import type { MaskSet, WeightMask } from '../prune/masks';
import type { WeightSnapshot } from '../prune/weightSnapshot';
import { Bits, ContainerError, containerSize, readContainer, writeContainer, type ContainerMessages } from './binaryContainer';

export const SESSION_MAGIC = 'SCTR-SES';
export const SESSION_VERSION = 1;
export const STATE_MAGIC = 'SCTR-MDL';
export const STATE_VERSION = 1;
export const MASKS_MAGIC = 'SCTR-MSK';
export const MASKS_VERSION = 1;

/** Plain data: numbers (NaN and -0 too), strings, booleans, null, arrays, plain objects, typed arrays. */
export type PlainData = unknown;

export interface SessionStep {
  id: number;
  /** The starting point later prunes start from while this step is current (itself for a starting point). */
  baseId: number;
  /** The step as the page shows it (the engine's HistoryPoint: metrics, counts, label, settings). */
  view: PlainData;
  /** Starting points (the original, a fine-tuned model): the whole model. */
  state?: ModelState;
  /** Unstructured and N:M prune steps: what they cut from their base. */
  masks?: MaskSet;
  /** Channel prune steps: the channels kept, per dependency group. */
  channelPlan?: ChannelPlan;
  /** True when the state of this starting point is stored apart and was left out here. */
  stateless?: boolean;
  /** Plain data the engine keeps with a step beyond these (units merged before a removal, shared values), stored as it is. */
  extras?: PlainData;
}

export interface SessionSnapshot {
  /** What the sessions list shows (name, model, saved at) and whatever else restore needs. */
  meta: PlainData;
  /** The page's side: slider targets, options, undo/redo stacks, chart views. */
  settings: PlainData;
  currentId: number;
  /** In history order: the original first. */
  steps: SessionStep[];
  /** The user's dataset, when one is loaded: how to read it, and its bytes. */
  dataset?: { meta: PlainData; bytes: Uint8Array } | null;
}

export const sessionMessages = {
  notSession: 'The saved session is not a Secateur session (it does not begin with "SCTR-SES").',
  cutShort: 'The saved session is cut short; it cannot be restored. Delete it from the Sessions list.',
  unknownVersion: (version: number) =>
    `The saved session is in format version ${version}, which this studio cannot read (it reads version ${SESSION_VERSION}). Open it with a newer Secateur, or delete it.`,
  damaged: 'The saved session is damaged; it cannot be restored. Delete it from the Sessions list.',
  notState: 'A saved model state is not a Secateur model state (it does not begin with "SCTR-MDL").',
  stateCutShort: 'A saved model state is cut short; the history step it belongs to cannot be restored.',
  stateVersion: (version: number) => `A saved model state is in format version ${version}, which this studio cannot read (it reads version ${STATE_VERSION}).`,
  stateDamaged: 'A saved model state is damaged; the history step it belongs to cannot be restored.',
  notMasks: 'Saved masks are not Secateur masks (they do not begin with "SCTR-MSK").',
  masksCutShort: 'Saved masks are cut short; the history step they belong to cannot be restored.',
  masksVersion: (version: number) => `Saved masks are in format version ${version}, which this studio cannot read (it reads version ${MASKS_VERSION}).`,
  masksDamaged: 'Saved masks are damaged; the history step they belong to cannot be restored.',
};

const SESSION_MESSAGES: ContainerMessages = {
  notContainer: sessionMessages.notSession,
  cutShort: sessionMessages.cutShort,
  unknownVersion: sessionMessages.unknownVersion,
  damaged: sessionMessages.damaged,
};
const STATE_MESSAGES: ContainerMessages = {
  notContainer: sessionMessages.notState,
  cutShort: sessionMessages.stateCutShort,
  unknownVersion: sessionMessages.stateVersion,
  damaged: sessionMessages.stateDamaged,
};
const MASKS_MESSAGES: ContainerMessages = {
  notContainer: sessionMessages.notMasks,
  cutShort: sessionMessages.masksCutShort,
  unknownVersion: sessionMessages.masksVersion,
  damaged: sessionMessages.masksDamaged,
};

// --- to plain data (bitsets marked) and back ------------------------------------------------

function plainMasks(masks: MaskSet) {
  return Object.values(masks).map((m) => ({ key: m.key, layerPath: m.layerPath, weight: m.weight, shape: m.shape, keep: new Bits(m.keep) }));
}

function plainPlan(plan: ChannelPlan) {
  return Object.entries(plan).map(([group, keep]) => ({ group, keep: new Bits(keep) }));
}

function plainState(state: ModelState) {
  return { topology: state.topology, weights: Object.entries(state.weights).map(([key, w]) => ({ key, ...w })) };
}

function plainSession(s: SessionSnapshot, omitStates: boolean) {
  return {
    meta: s.meta,
    settings: s.settings,
    currentId: s.currentId,
    dataset: s.dataset ?? null,
    steps: s.steps.map((step) => ({
      id: step.id,
      baseId: step.baseId,
      view: step.view,
      ...(step.state && !omitStates ? { state: plainState(step.state) } : {}),
      ...((step.state && omitStates) || step.stateless ? { stateless: true } : {}),
      ...(step.masks ? { masks: plainMasks(step.masks) } : {}),
      ...(step.channelPlan ? { channelPlan: plainPlan(step.channelPlan) } : {}),
      ...(step.extras !== undefined ? { extras: step.extras } : {}),
    })),
  };
}

/** A record keyed by names from the file: no prototype, so "__proto__" or "constructor" are just keys. */
function keyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

class Shape {
  constructor(private readonly damaged: () => never) {}
  object(v: unknown): Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) ? (v as Record<string, unknown>) : this.damaged();
  }
  array(v: unknown): unknown[] {
    return Array.isArray(v) ? v : this.damaged();
  }
  string(v: unknown): string {
    return typeof v === 'string' ? v : this.damaged();
  }
  int(v: unknown): number {
    return typeof v === 'number' && Number.isInteger(v) ? v : this.damaged();
  }
  shape(v: unknown): number[] {
    return this.array(v).map((d) => this.int(d));
  }
  u8(v: unknown): Uint8Array {
    return v instanceof Uint8Array ? v : this.damaged();
  }
}

function readMasks(v: unknown, s: Shape): MaskSet {
  const out = keyed<WeightMask>();
  for (const m of s.array(v)) {
    const o = s.object(m);
    const key = s.string(o.key);
    out[key] = { key, layerPath: s.string(o.layerPath), weight: s.string(o.weight), shape: s.shape(o.shape), keep: s.u8(o.keep) };
  }
  return out;
}

function readPlan(v: unknown, s: Shape): ChannelPlan {
  const out = keyed<Uint8Array>();
  for (const g of s.array(v)) {
    const o = s.object(g);
    out[s.string(o.group)] = s.u8(o.keep);
  }
  return out;
}

function readState(v: unknown, s: Shape): ModelState {
  const o = s.object(v);
  const weights: WeightSnapshot = keyed();
  for (const w of s.array(o.weights)) {
    const x = s.object(w);
    if (!(x.values instanceof Float32Array)) s.object(null);
    const shape = s.shape(x.shape);
    const values = x.values as Float32Array;
    if (values.length !== shape.reduce((a, b) => a * b, 1)) s.object(null);
    weights[s.string(x.key)] = { layerPath: s.string(x.layerPath), weight: s.string(x.weight), shape, values };
  }
  return { topology: s.string(o.topology), weights };
}

function readSession(v: unknown, s: Shape): SessionSnapshot {
  const o = s.object(v);
  const dataset = o.dataset === null || o.dataset === undefined ? null : s.object(o.dataset);
  return {
    meta: o.meta,
    settings: o.settings,
    currentId: s.int(o.currentId),
    ...(dataset ? { dataset: { meta: dataset.meta, bytes: s.u8(dataset.bytes) } } : { dataset: null }),
    steps: s.array(o.steps).map((x) => {
      const step = s.object(x);
      return {
        id: s.int(step.id),
        baseId: s.int(step.baseId),
        view: step.view,
        ...(step.state !== undefined ? { state: readState(step.state, s) } : {}),
        ...(step.stateless === true ? { stateless: true } : {}),
        ...(step.masks !== undefined ? { masks: readMasks(step.masks, s) } : {}),
        ...(step.channelPlan !== undefined ? { channelPlan: readPlan(step.channelPlan, s) } : {}),
        ...(step.extras !== undefined ? { extras: step.extras } : {}),
      };
    }),
  };
}

/** Reads a container and its shape, turning every failure into one of `messages` as a ContainerError. */
function read<T>(bytes: Uint8Array, magic: string, version: number, messages: ContainerMessages, shape: (v: unknown, s: Shape) => T): T {
  const value = readContainer(bytes, magic, version, messages);
  return shape(value, new Shape(() => {
    throw new ContainerError(messages.damaged);
  }));
}

// --- the API ---------------------------------------------------------------------------------

export interface SerializeOptions {
  /** Leave the starting points' model states out (marked stateless), for a caller that stores them apart. */
  omitStates?: boolean;
}

export function serializeSession(snapshot: SessionSnapshot, options: SerializeOptions = {}): Uint8Array<ArrayBuffer> {
  return writeContainer(SESSION_MAGIC, SESSION_VERSION, plainSession(snapshot, options.omitStates ?? false));
}

/** Throws ContainerError with one of sessionMessages. */
export function deserializeSession(bytes: Uint8Array): SessionSnapshot {
  return read(bytes, SESSION_MAGIC, SESSION_VERSION, SESSION_MESSAGES, readSession);
}

/** serializeSession(snapshot, options).length, without copying the arrays. */
export function sessionSize(snapshot: SessionSnapshot, options: SerializeOptions = {}): number {
  return containerSize(plainSession(snapshot, options.omitStates ?? false));
}

export function serializeModelState(state: ModelState): Uint8Array<ArrayBuffer> {
  return writeContainer(STATE_MAGIC, STATE_VERSION, plainState(state));
}

/** Throws ContainerError with one of sessionMessages (the state ones). */
export function deserializeModelState(bytes: Uint8Array): ModelState {
  return read(bytes, STATE_MAGIC, STATE_VERSION, STATE_MESSAGES, readState);
}

/** serializeModelState(state).length, without copying the weights. */
export function modelStateSize(state: ModelState): number {
  return containerSize(plainState(state));
}

/** A prune step's masks on their own (as bitsets), for spilling them out of memory. */
export function serializeMasks(masks: MaskSet): Uint8Array<ArrayBuffer> {
  return writeContainer(MASKS_MAGIC, MASKS_VERSION, plainMasks(masks));
}

/** Throws ContainerError with one of sessionMessages (the masks ones). */
export function deserializeMasks(bytes: Uint8Array): MaskSet {
  return read(bytes, MASKS_MAGIC, MASKS_VERSION, MASKS_MESSAGES, readMasks);
}
