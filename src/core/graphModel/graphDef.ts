// The graph of a TF.js graph model as the converter writes it (a TensorFlow GraphDef in protobuf JSON:
// `modelTopology.node`, `modelTopology.library.function`), and the small readers the rest of
// graphModel/ needs: input references, attribute values, and an index of nodes and their consumers.
//
// Protobuf JSON conventions that matter here:
// - 64-bit integers are strings ("strides": {"list": {"i": ["1", "2", "2", "1"]}}, "size": "-1");
// - strings are base64 ("padding": {"s": "U0FNRQ=="} is "SAME");
// - default values are left out (a dim without "size" is 0, a shape without "dim" is a scalar);
// - an input is "node", "node:1" (output 1), "^node" (a control dependency, no data), and inside a
//   library function "node:output_name:0" or the name of one of the function's arguments.

export interface AttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TensorShapeJson;
  tensor?: { dtype?: string; tensorShape?: TensorShapeJson };
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: TensorShapeJson[] };
  func?: { name?: string };
}

export interface TensorShapeJson {
  dim?: { size?: string | number }[];
  unknownRank?: boolean;
}

export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
  device?: string;
}

export interface FunctionDef {
  signature: { name: string; inputArg?: { name: string; type?: string }[]; outputArg?: { name: string; type?: string }[] };
  nodeDef?: NodeDef[];
  ret?: Record<string, string>;
}

export interface GraphDef {
  node: NodeDef[];
  library?: { function?: FunctionDef[] };
  versions?: Record<string, unknown>;
}

/** One entry of a signature's inputs or outputs. */
export interface SignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: TensorShapeJson;
}

export interface SignatureDef {
  inputs?: Record<string, SignatureEntry>;
  outputs?: Record<string, SignatureEntry>;
}

export interface InputRef {
  /** The node the data comes from (for a function argument: the argument's name). */
  node: string;
  /** Output index: the number after the last ':' (0 when there is none). */
  index: number;
  /** "^node": ordering only, no data flows. */
  control: boolean;
}

export function parseInputRef(ref: string): InputRef {
  const control = ref.startsWith('^');
  const body = control ? ref.slice(1) : ref;
  const parts = body.split(':');
  if (parts.length === 1) return { node: body, index: 0, control };
  const last = Number(parts[parts.length - 1]);
  return { node: parts[0], index: Number.isInteger(last) ? last : 0, control };
}

/** A node name without an output suffix: "conv/BiasAdd:0" -> "conv/BiasAdd". */
export function nodeNameOf(tensorName: string): string {
  return parseInputRef(tensorName).node;
}

function decodeBase64(s: string): string {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

export function attrString(node: NodeDef, name: string): string | null {
  const v = node.attr?.[name]?.s;
  return typeof v === 'string' ? decodeBase64(v) : null;
}

export function attrStrings(node: NodeDef, name: string): string[] {
  return (node.attr?.[name]?.list?.s ?? []).map(decodeBase64);
}

export function attrInt(node: NodeDef, name: string): number | null {
  const v = node.attr?.[name]?.i;
  return v === undefined ? null : Number(v);
}

export function attrInts(node: NodeDef, name: string): number[] {
  return (node.attr?.[name]?.list?.i ?? []).map(Number);
}

export function attrBool(node: NodeDef, name: string): boolean {
  return node.attr?.[name]?.b === true;
}

export function attrType(node: NodeDef, name: string): string | null {
  return node.attr?.[name]?.type ?? null;
}

/** Dims of a shape; -1 for an unknown size; null for an unknown rank. */
export function shapeDims(shape: TensorShapeJson | undefined): number[] | null {
  if (!shape || shape.unknownRank) return shape ? null : [];
  return (shape.dim ?? []).map((d) => Number(d.size ?? 0));
}

/** TensorFlow dtype enum name -> tfjs dtype, or null when tfjs has no such dtype. */
export function tfjsDtype(dt: string | null | undefined): 'float32' | 'int32' | 'bool' | 'string' | null {
  switch (dt) {
    case 'DT_FLOAT':
    case 'DT_HALF':
    case 'DT_DOUBLE':
    case 'DT_BFLOAT16':
      return 'float32';
    case 'DT_INT32':
    case 'DT_INT64':
    case 'DT_INT16':
    case 'DT_INT8':
    case 'DT_UINT8':
    case 'DT_UINT16':
      return 'int32';
    case 'DT_BOOL':
      return 'bool';
    case 'DT_STRING':
      return 'string';
    default:
      return null;
  }
}

export interface Consumer {
  node: NodeDef;
  /** Position among the consumer's inputs. */
  slot: number;
  /** Which output of the producer it reads. */
  index: number;
}

/** The top-level graph, indexed: nodes by name and, for each node, the nodes that read its outputs. */
export interface GraphIndex {
  nodes: Map<string, NodeDef>;
  /** Data consumers of each node (control dependencies left out). */
  consumers: Map<string, Consumer[]>;
  /** The nodes in file order. */
  order: NodeDef[];
}

export function indexGraph(def: GraphDef): GraphIndex {
  const nodes = new Map<string, NodeDef>();
  const consumers = new Map<string, Consumer[]>();
  for (const n of def.node) {
    nodes.set(n.name, n);
    consumers.set(n.name, []);
  }
  for (const n of def.node) {
    (n.input ?? []).forEach((ref, slot) => {
      const r = parseInputRef(ref);
      if (r.control) return;
      consumers.get(r.node)?.push({ node: n, slot, index: r.index });
    });
  }
  return { nodes, consumers, order: def.node };
}

/** The data inputs of a node, parsed (control dependencies left out, positions kept). */
export function dataInputs(node: NodeDef): InputRef[] {
  return (node.input ?? []).map(parseInputRef).filter((r) => !r.control);
}

/** The node behind `ref`, looking through Identity nodes (the converter leaves some around constants). */
export function throughIdentity(index: GraphIndex, name: string): NodeDef | undefined {
  let node = index.nodes.get(name);
  for (let hops = 0; node && node.op === 'Identity' && hops < 16; hops++) {
    const inputs = dataInputs(node);
    if (inputs.length !== 1) break;
    node = index.nodes.get(inputs[0].node);
  }
  return node;
}

/** Every node of the graph and of its library functions. */
export function allNodes(def: GraphDef): NodeDef[] {
  return [...def.node, ...(def.library?.function ?? []).flatMap((f) => f.nodeDef ?? [])];
}
