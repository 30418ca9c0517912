// The WebNN code generator: an ONNX graph → model.js (a standalone ES module, no imports,
// for browsers and Node) + model.weights.bin. model.js holds the weight table, the run-time
// core (WebnnBuildContext, WebnnSession), the lowerings of the ops this model uses and one
// buildGraph(g, inputs) function with a line per ONNX node, labelled with the node's name.
//
// Symbolic dims: the module accepts any dims the model's inputs allow. For each distinct
// input-shape signature it builds one MLGraph at first use and caches it; shape arithmetic
// (Shape → Gather → Concat → Reshape chains, Range, ConstantOfShape, Equal/Where on shapes)
// is folded in JavaScript while that graph is built. Input-independent subgraphs are
// folded before this, at generation time (fold-constants.ts).
//   const { code, weights } = generateWebnnModule(model, { source: 'bert.onnx', precision: 'fp32', float32Compute: 'float32' });

import { printable, UserError } from '../../errors.js';
import { Graph } from '../../onnx/graph.js';
import type { ModelProto, TensorProto } from '../../onnx/proto/index.js';
import { encodeRawData, tensorFromProto } from '../../onnx/tensor.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import { moduleRuntimeSource } from '../module-runtime.js';
import { moduleIoList } from '../web-module-graph.js';
import { WebnnBuildContext } from './module-build-context.js';
import { WebnnSession, type ModuleIO } from './module-session.js';
import { elementTypeOf, findLowering, modelOpsets } from './op-registry.js';
import type { WeightEntry } from './ops/types.js';
import { Identifiers, jsString, liveNodes, literal, OpLibrary } from '../module-source.js';

export interface GenerateOptions {
  /** Source model file name, for the header and messages. */
  source: string;
  precision: string;
  /** 'float16': float32 weights are stored and computed as float16 where the context can. */
  float32Compute: 'float32' | 'float16';
}

export interface GeneratedModule {
  code: string;
  /** model.weights.bin, as chunks to write in order. */
  weights: Uint8Array[];
  weightsBytes: number;
  /** Nodes emitted (constants and unused nodes excluded). */
  nodeCount: number;
}

const WEIGHT_ALIGNMENT = 16;
/** Constants with at most this many elements are written into model.js as literals. */
const INLINE_MAX_ELEMENTS = 16;

/** Weight bytes in their stored layout: float32 as float16 when computing in float16. */
function storedWeight(
  t: TensorProto,
  where: string,
  float32Compute: string,
): { entry: Omit<WeightEntry, 'offset'>; bytes: Uint8Array } {
  const dtype = elementTypeOf(t.dataType);
  if (!dtype) throw new UserError(`${where}: tensor "${t.name}" has an element type WebNN cannot hold.`);
  const host = tensorFromProto(t, where);
  if (dtype === 'float32' && float32Compute === 'float16') {
    // Saturate to float16's range, as ONNX's float16 converters do, rather than overflow to ∞.
    const bits = WebnnBuildContext.typedArray('float16', host.data as Float32Array) as Uint16Array;
    return {
      entry: { dtype, storage: 'float16', dims: host.dims, bytes: bits.byteLength },
      bytes: new Uint8Array(bits.buffer),
    };
  }
  const bytes = encodeRawData(host);
  return { entry: { dtype, storage: dtype, dims: host.dims, bytes: bytes.byteLength }, bytes };
}

function inlineValues(t: TensorProto, where: string): number[] | undefined {
  const dtype = elementTypeOf(t.dataType);
  const count = (t.dims ?? []).reduce<number>((p, d) => p * Number(d), 1);
  if (!dtype || dtype === 'float16' || count > INLINE_MAX_ELEMENTS) return undefined;
  const host = tensorFromProto(t, where);
  return Array.from(host.data as ArrayLike<number | bigint>, (v) => Number(v));
}

export function generateWebnnModule(model: ModelProto, options: GenerateOptions): GeneratedModule {
  const where = options.source;
  const graph = new Graph(model.graph as NonNullable<ModelProto['graph']> as Graph['proto'], where);
  const opsets = modelOpsets(model);
  const nodes = liveNodes(graph).filter((n) => !(n.opType === 'Constant' && (n.domain ?? '') === ''));
  const constants = graph.constants();
  const ids = new Identifiers();
  const inputs = moduleIoList(graph.inputs, where, 'webnn', 'WebNN');
  const outputs = moduleIoList(graph.outputs, where, 'webnn', 'WebNN');

  const weights: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const declarations: string[] = [];
  const declared = new Set<string>();
  const declareConstant = (name: string): void => {
    if (declared.has(name)) return;
    declared.add(name);
    const t = constants.get(name)!;
    const id = ids.get(name);
    const inline = inlineValues(t, where);
    const dtype = elementTypeOf(t.dataType);
    const dims = (t.dims ?? []).map(Number);
    if (inline && dtype) {
      declarations.push(`  const ${id} = g.host(${literal(dtype)}, ${literal(dims)}, ${literal(inline)});`);
      return;
    }
    const { entry, bytes } = storedWeight(t, where, options.float32Compute);
    const pad = (WEIGHT_ALIGNMENT - (offset % WEIGHT_ALIGNMENT)) % WEIGHT_ALIGNMENT;
    if (pad > 0) chunks.push(new Uint8Array(pad));
    offset += pad;
    weights.push({ ...entry, offset });
    chunks.push(bytes);
    offset += bytes.byteLength;
    declarations.push(`  const ${id} = g.weight(${weights.length - 1}); // ${jsString(name)}`);
  };

  const library = new OpLibrary();

  const body: string[] = [];
  for (const i of inputs) body.push(`  const ${ids.get(i.name)} = inputs[${jsString(i.name)}];`);
  const labels = new Set<string>();
  nodes.forEach((node, index) => {
    const found = findLowering(node, graph, opsets);
    const label0 = node.name || `${node.opType}_${index}`;
    let label = label0;
    for (let i = 2; labels.has(label); i++) label = `${label0}_${i}`;
    labels.add(label);
    if ('reason' in found) throw new UserError(`${where}: node "${label}" (${node.opType}) ${found.reason}.`);
    for (const input of node.input) if (input && constants.has(input)) declareConstant(input);
    const entry = library.add(found.entry, node.opType);
    const args = node.input.map((input) => (input ? ids.get(input) : 'undefined'));
    const outs = node.output.map((o, k) => (o ? ids.get(o) : `_unused${index}_${k}`));
    body.push(
      `  const [${outs.join(', ')}] = g.node(${entry}, [${args.join(', ')}], ${literal(found.attrs)}, ${jsString(label)});`,
    );
  });
  for (const o of outputs) if (constants.has(o.name)) declareConstant(o.name);
  const returned = outputs.map((o) => `${jsString(o.name)}: ${ids.get(o.name)}`).join(', ');

  const code = [
    header(options, model, inputs, outputs, nodes.length),
    `const WEIGHTS = ${literal(weights.map((w) => ({ ...w })))};`,
    `const WEIGHTS_BYTES = ${offset};`,
    `const INPUTS = ${literal(inputs)};`,
    `const OUTPUTS = ${literal(outputs)};`,
    '',
    `// ---- run-time core (model-convert ${TOOL_VERSION}) ----`,
    moduleRuntimeSource(),
    '',
    WebnnBuildContext.toString(),
    '',
    WebnnSession.toString(),
    '',
    '// ---- lowerings of the ops this model uses ----',
    library.source(),
    '',
    '// ---- the graph: one line per ONNX node, labelled with its name ----',
    'function buildGraph(g, inputs) {',
    ...declarations,
    ...body,
    `  return { ${returned} };`,
    '}',
    '',
    '/** createSession({ weights, ml, MLGraphBuilder, context }) — see the header. */',
    'export async function createSession(options = {}) {',
    `  return ${WebnnSession.name}.create(options, {`,
    `    source: ${jsString(options.source)},`,
    `    precision: ${JSON.stringify(options.precision)},`,
    `    float32Compute: ${JSON.stringify(options.float32Compute)},`,
    '    inputs: INPUTS,',
    '    outputs: OUTPUTS,',
    '    weights: WEIGHTS,',
    '    weightsBytes: WEIGHTS_BYTES,',
    '    buildGraph,',
    `    BuildContext: ${WebnnBuildContext.name},`,
    '    moduleUrl: () => import.meta.url,',
    '  });',
    '}',
    '',
  ].join('\n');
  return { code, weights: chunks, weightsBytes: offset, nodeCount: nodes.length };
}

function header(
  options: GenerateOptions,
  model: ModelProto,
  inputs: ModuleIO[],
  outputs: ModuleIO[],
  nodeCount: number,
): string {
  const opset = modelOpsets(model).get('') ?? '?';
  const io = (list: ModuleIO[]) => list.map((i) => `${i.name}: ${i.dtype}[${i.dims.join(', ')}]`).join('; ');
  return [
    `// ${options.source} as a WebNN module — generated by ${TOOL_NAME} ${TOOL_VERSION}, precision ${options.precision},`,
    `// ONNX opset ${opset}, ${nodeCount} nodes. Standalone ES module (no imports) for browsers and Node;`,
    '// needs the current W3C WebNN API (ml.createContext, MLGraphBuilder, MLTensor, dispatch).',
    '//',
    "//   import { createSession } from './model.js';",
    '//   const session = await createSession({ ml, MLGraphBuilder });  // defaults: navigator.ml, globalThis.MLGraphBuilder',
    '//   const out = await session.run({ x: { data: Float32Array, dims: [...] } });  // { [output]: { data, dims } }',
    '//   session.dispose();',
    '//',
    '// weights: model.weights.bin next to this file by default (fetch; in Node read with node:fs),',
    '// or pass { weights: ArrayBuffer | Uint8Array | URL string }.',
    `// inputs:  ${io(inputs)}`,
    `// outputs: ${io(outputs)}`,
    '// Symbolic dims take any value: one MLGraph is built and cached per distinct input shape,',
    "// with shape arithmetic folded in JavaScript for those dims. The context's opSupportLimits()",
    '// is checked as the graph is built; a missing op or data type fails naming the node, op and',
    '// type. int64 tensors use int64 where the context supports it, else int32.',
    ...(options.float32Compute === 'float16'
      ? [
          '// float32 tensors compute in float16 (weights stored as float16) where the context supports',
          '// it, else in float32; inputs and outputs stay float32.',
        ]
      : []),
    '',
  ]
    .map(printable) // file and value names in // comments: a line break in one would end the comment
    .join('\n');
}
