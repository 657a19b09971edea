// Checks of a graph model's topology that must pass before tf.loadGraphModel sees it, and what they
// learn on the way: the model's inputs and outputs, the ops it uses, whether it needs executeAsync.
//
// Why each check, in the order they run:
// - nodes without a name or op, duplicate names: the converter's OperationMapper indexes nodes by
//   name, so a duplicate silently replaces another node;
// - an input naming a node that does not exist: tfjs crashes while loading, with a TypeError;
// - an op tfjs cannot run: tfjs loads the model and fails only when the node runs ("Unknown op"),
//   so the import names it first. The op list is the installed converter's own (tfjsOps.ts);
// - a constant whose values the weightsManifest does not list: tfjs loads, then fails at run time;
// - inputs and outputs: from the signature (the model JSON's, or userDefinedMetadata.signature,
//   which wins, as in tfjs), else Placeholder nodes and the nodes nobody reads, as tfjs does. A
//   signature naming a node that does not exist, or a graph with no inputs at all, is refused.
import { TFJS_CONVERTER_VERSION, TFJS_OPS_BY_CATEGORY } from './tfjsOps';
import {
  allNodes,
  attrType,
  nodeNameOf,
  parseInputRef,
  shapeDims,
  tfjsDtype,
  type GraphDef,
  type NodeDef,
  type SignatureDef,
  type SignatureEntry,
} from './graphDef';

/** Thrown with a finished user message; importFiles turns it into an ImportError. */
export class GraphModelProblem extends Error {}

const OPS = new Map<string, string>(Object.entries(TFJS_OPS_BY_CATEGORY).flatMap(([c, ops]) => ops.map((op) => [op, c] as [string, string])));

/** The converter category of an op ('convolution', 'control', ...), or null when tfjs cannot run it. */
export function opCategory(op: string): string | null {
  return OPS.get(op) ?? null;
}

// The ops for which GraphModel.execute refuses to run and asks for executeAsync (tfjs-converter
// executor/model_analysis.ts: control flow, dynamic shapes, hash tables).
const ASYNC_OPS = new Set([
  'Switch', 'Merge', 'Enter', 'Exit', 'NextIteration', 'StatelessIf', 'StatelessWhile', 'If', 'While',
  'NonMaxSuppressionV2', 'NonMaxSuppressionV3', 'NonMaxSuppressionV5', 'Where',
  'HashTable', 'HashTableV2', 'LookupTableImport', 'LookupTableImportV2', 'LookupTableFind', 'LookupTableFindV2',
  'LookupTableSize', 'LookupTableSizeV2',
]);

/** Ops that hold or steer control flow (loops, conditionals, tensor lists and arrays). */
export function isControlFlowOp(op: string): boolean {
  return ASYNC_OPS.has(op) || OPS.get(op) === 'control';
}

export interface GraphTensorInfo {
  /** The name tfjs knows it by: the signature key when there is a signature, else the node name. */
  name: string;
  node: string;
  dtype: 'float32' | 'int32' | 'bool' | 'string' | null;
  /** -1 for a size left open; null when unknown. */
  shape: number[] | null;
}

export interface GraphModelInfo {
  inputs: GraphTensorInfo[];
  outputs: GraphTensorInfo[];
  /** Op -> number of nodes using it, in the graph and its library functions. */
  ops: Record<string, number>;
  /** The graph has ops GraphModel.execute refuses (loops, conditionals, dynamic shapes): run it with executeAsync. */
  async: boolean;
  /** The signature tfjs will use, or null. */
  signature: SignatureDef | null;
  /** What loads but deserves a word (signature entries tfjs ignores). */
  warnings: string[];
  nodes: number;
  functions: number;
}

export interface GraphModelJson {
  modelTopology: unknown;
  signature?: unknown;
  userDefinedMetadata?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function listNames(names: string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

const AGAIN = 'Export the model again.';

function checkNodes(file: string, def: Record<string, unknown>): GraphDef {
  if (!Array.isArray(def.node)) throw new GraphModelProblem(`${file}: the modelTopology has no "node" list, so there is no graph to run. ${AGAIN}`);
  const functions = isObject(def.library) && Array.isArray(def.library.function) ? def.library.function : [];
  const scopes: { where: string; nodes: unknown[] }[] = [{ where: 'the graph', nodes: def.node }];
  functions.forEach((f, k) => {
    const name = isObject(f) && isObject(f.signature) && typeof f.signature.name === 'string' ? f.signature.name : null;
    if (name === null) throw new GraphModelProblem(`${file}: library function ${k + 1} has no signature name, so no node can call it. ${AGAIN}`);
    scopes.push({ where: `function "${name}"`, nodes: Array.isArray((f as Record<string, unknown>).nodeDef) ? ((f as Record<string, unknown>).nodeDef as unknown[]) : [] });
  });
  for (const { where, nodes } of scopes) {
    const seen = new Set<string>();
    nodes.forEach((n, k) => {
      if (!isObject(n) || typeof n.name !== 'string' || n.name === '' || typeof n.op !== 'string' || n.op === '') {
        throw new GraphModelProblem(`${file}: node ${k + 1} of ${where} has no name or op. ${AGAIN}`);
      }
      if (n.input !== undefined && (!Array.isArray(n.input) || !n.input.every((i) => typeof i === 'string'))) {
        throw new GraphModelProblem(`${file}: node "${n.name}" has a malformed input list. ${AGAIN}`);
      }
      if (seen.has(n.name)) throw new GraphModelProblem(`${file}: two nodes of ${where} are named "${n.name}"; node names must be unique. ${AGAIN}`);
      seen.add(n.name);
    });
  }
  return def as unknown as GraphDef;
}

function checkInputsExist(file: string, def: GraphDef): void {
  const names = new Set(def.node.map((n) => n.name));
  for (const n of def.node) {
    for (const ref of n.input ?? []) {
      const from = parseInputRef(ref).node;
      if (!names.has(from)) {
        throw new GraphModelProblem(`${file}: node "${n.name}" takes its input from "${from}", which is not in the graph. The graph is damaged: export the model again.`);
      }
    }
  }
}

function checkOps(file: string, nodes: NodeDef[]): Record<string, number> {
  const ops: Record<string, number> = {};
  const unsupported = new Map<string, string[]>();
  for (const n of nodes) {
    ops[n.op] = (ops[n.op] ?? 0) + 1;
    if (!OPS.has(n.op)) unsupported.set(n.op, [...(unsupported.get(n.op) ?? []), n.name]);
  }
  if (unsupported.size > 0) {
    const [[op, where], ...rest] = [...unsupported];
    const also = rest.map(([o, w]) => (w.length === 1 ? `${o} in node "${w[0]}"` : `${o} in ${w.length} nodes`));
    const others = [...(where.length > 1 ? [`${where.length - 1} more node${where.length > 2 ? 's' : ''} with ${op}`] : []), ...also];
    throw new GraphModelProblem(
      `${file}: node "${where[0]}" uses the op ${op}, which TF.js ${TFJS_CONVERTER_VERSION} cannot run${others.length ? ` (also: ${others.join('; ')})` : ''}. ` +
        'Convert the model again without it (tensorflowjs_converter refuses such ops unless --skip_op_check is given), or replace it in the TensorFlow model.',
    );
  }
  return ops;
}

function checkConstants(file: string, nodes: NodeDef[], weightNames: ReadonlySet<string>): void {
  const missing = nodes.filter((n) => n.op === 'Const' && !weightNames.has(n.name)).map((n) => n.name);
  if (missing.length === 0) return;
  const more = missing.length > 1 ? ` (${missing.length - 1} more: ${listNames(missing.slice(1))})` : '';
  throw new GraphModelProblem(
    `${file}: node "${missing[0]}" is a constant whose values the weightsManifest does not list${more}. The weight files belong to another model, or the export is incomplete: export the model again.`,
  );
}

/** The signature tfjs uses: userDefinedMetadata.signature when present, else the model JSON's. */
function signatureOf(json: GraphModelJson): SignatureDef | null {
  const meta = json.userDefinedMetadata;
  if (isObject(meta) && isObject(meta.signature)) return meta.signature as SignatureDef;
  return isObject(json.signature) ? (json.signature as SignatureDef) : null;
}

function placeholderInfo(node: NodeDef, name = node.name): GraphTensorInfo {
  return { name, node: node.name, dtype: tfjsDtype(attrType(node, 'dtype')), shape: shapeDims(node.attr?.shape?.shape) };
}

/**
 * The signature's inputs or outputs that name nodes of the graph. tfjs ignores the others (a
 * converter that fused a node away can leave its name in the signature): they become warnings, and
 * a signature none of whose entries exist is refused, since tfjs would then have nothing to run.
 */
function signatureTensors(file: string, def: GraphDef, entries: Record<string, SignatureEntry>, what: 'input' | 'output', warnings: string[]): GraphTensorInfo[] {
  const byName = new Map(def.node.map((n) => [n.name, n]));
  const found: GraphTensorInfo[] = [];
  const missing: string[] = [];
  for (const [key, entry] of Object.entries(entries)) {
    const tensor = isObject(entry) && typeof entry.name === 'string' ? entry.name : key;
    const node = byName.get(nodeNameOf(tensor));
    if (!node) {
      missing.push(tensor);
      continue;
    }
    const shape = isObject(entry) && entry.tensorShape ? shapeDims(entry.tensorShape) : what === 'input' ? shapeDims(node.attr?.shape?.shape) : null;
    const dtype = tfjsDtype(isObject(entry) ? entry.dtype : undefined) ?? (what === 'input' ? tfjsDtype(attrType(node, 'dtype')) : null);
    found.push({ name: tensor, node: node.name, dtype, shape });
  }
  if (missing.length > 0 && found.length === 0) {
    throw new GraphModelProblem(`${file}: the signature names the ${what} "${missing[0]}", which is not a node of the graph${missing.length > 1 ? `, and none of its other ${what}s are either` : ''}. ${AGAIN}`);
  }
  for (const m of missing) warnings.push(`${file}: the signature names the ${what} "${m}", which is not a node of the graph; TF.js ignores it, and so does the studio.`);
  return found;
}

/**
 * What the import changes so that tfjs can load the graph: a GraphDef without "versions" (hand-written
 * or trimmed) makes tf.loadGraphModel fail with a TypeError, since it reads versions.producer.
 */
export function fixGraphTopology(topology: unknown): { topology: unknown; fixes: string[] } {
  if (!isObject(topology) || isObject(topology.versions)) return { topology, fixes: [] };
  return { topology: { ...topology, versions: {} }, fixes: ['Graph model: added the "versions" entry TF.js expects in the graph'] };
}

/**
 * Checks a graph model JSON against the names of the weights its manifest lists. Throws a
 * GraphModelProblem with the user's message; returns what the checks learnt.
 */
export function checkGraphTopology(file: string, json: GraphModelJson, weightNames: ReadonlySet<string>): GraphModelInfo {
  if (!isObject(json.modelTopology)) {
    throw new GraphModelProblem(`${file}: the modelTopology is not a JSON object, so there is no graph to run. ${AGAIN}`);
  }
  const def = checkNodes(file, json.modelTopology);
  if (def.node.length === 0) throw new GraphModelProblem(`${file}: the graph has no nodes. ${AGAIN}`);
  checkInputsExist(file, def);
  const nodes = allNodes(def);
  const ops = checkOps(file, nodes);
  checkConstants(file, nodes, weightNames);

  const signature = signatureOf(json);
  const sigInputs = signature && isObject(signature.inputs) ? signature.inputs : {};
  const sigOutputs = signature && isObject(signature.outputs) ? signature.outputs : {};
  const warnings: string[] = [];
  let inputs = signatureTensors(file, def, sigInputs, 'input', warnings);
  if (inputs.length === 0) inputs = def.node.filter((n) => n.op.startsWith('Placeholder')).map((n) => placeholderInfo(n));
  if (inputs.length === 0) {
    throw new GraphModelProblem(
      `${file}: the graph has no inputs: no signature lists them and there is no Placeholder node. Export the model again with its serving signature (tensorflowjs_converter --signature_name serving_default).`,
    );
  }
  let outputs = signatureTensors(file, def, sigOutputs, 'output', warnings);
  if (outputs.length === 0) {
    // As tfjs does without a signature: every node that no other node reads (control inputs included).
    const read = new Set(def.node.flatMap((n) => (n.input ?? []).map((r) => parseInputRef(r).node)));
    outputs = def.node.filter((n) => !read.has(n.name)).map((n) => ({ name: n.name, node: n.name, dtype: null, shape: null }));
  }
  if (outputs.length === 0) {
    throw new GraphModelProblem(`${file}: the graph has no outputs: no signature lists them and every node feeds another one (a damaged, circular graph). ${AGAIN}`);
  }
  return {
    inputs,
    outputs,
    ops,
    async: Object.keys(ops).some((op) => ASYNC_OPS.has(op)),
    signature,
    warnings,
    nodes: def.node.length,
    functions: def.library?.function?.length ?? 0,
  };
}
