// The WebGPU code generator: an ONNX graph → model.js (a standalone ES module, no imports,
// for browsers and Node) + model.weights.bin. model.js holds the weight table, the run-time
// core (WebgpuPlanContext, WebgpuSession), the lowerings of the ops this model uses (each
// writes WGSL specialised for concrete dims) and one buildGraph(g, inputs) function with a
// line per ONNX node, labelled with the node's name.
//
// Weights go to the GPU once, in the layout their consumers read: float16 and 8/4/2-bit
// codes stay packed in u32 words where every consumer's lowering reads them packed
// (`packedInputs`: MatMul/Gemm weights, Gather tables, DequantizeLinear and MatMulNBits
// codes); other consumers get them as plain f32/i32 words.
//   const { code, weights } = generateWebgpuModule(model, { source: 'bert.onnx', precision: 'fp32' });

import { printable, UserError } from '../../errors.js';
import { Graph } from '../../onnx/graph.js';
import type { ModelProto, TensorProto } from '../../onnx/proto/index.js';
import { encodeRawData, tensorFromProto } from '../../onnx/tensor.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import { moduleRuntimeSource } from '../module-runtime.js';
import { moduleIoList } from '../web-module-graph.js';
import { Identifiers, jsString, liveNodes, literal, OpLibrary, type LibraryEntry } from '../module-source.js';
import { elementTypeOf, modelOpsets } from '../webnn/op-registry.js';
import { WebgpuSession, type ModuleIO } from './module-session.js';
import { fuseElementwise, fuseMatMulBias, fuseRmsNorm, type PlannedNode } from './fuse-nodes.js';
import { findGpuLowering } from './op-registry.js';
import type { ElementType, GpuLayout, GpuWeightEntry } from './ops/types.js';
import { WebgpuPlanContext } from './plan-context.js';

export interface GenerateOptions {
  /** Source model file name, for the header and messages. */
  source: string;
  precision: string;
}

export interface GeneratedModule {
  code: string;
  /** model.weights.bin, as chunks to write in order. */
  weights: Uint8Array[];
  weightsBytes: number;
  nodeCount: number;
  /** Nodes after elementwise fusion. */
  kernelNodes: number;
}

const WEIGHT_ALIGNMENT = 16;
const INLINE_MAX_ELEMENTS = 16;

/** GPU layout of a weight: packed where every consumer reads it packed, else one element per word. */
export function gpuLayout(dtype: ElementType, packed: boolean): GpuLayout {
  if (packed && dtype === 'float16') return 'f16';
  if (packed && (dtype === 'int8' || dtype === 'uint8')) return 'raw';
  if (dtype === 'float32' || dtype === 'float16') return 'f32';
  return dtype === 'bool' ? 'u32' : 'i32';
}

export function generateWebgpuModule(model: ModelProto, options: GenerateOptions): GeneratedModule {
  const where = options.source;
  const graph = new Graph(model.graph as NonNullable<ModelProto['graph']> as Graph['proto'], where);
  const opsets = modelOpsets(model);
  const nodes = liveNodes(graph).filter((n) => !(n.opType === 'Constant' && (n.domain ?? '') === ''));
  const constants = graph.constants();
  const ids = new Identifiers();
  const inputs = moduleIoList(graph.inputs, where, 'webgpu', 'the webgpu target');
  const outputs = moduleIoList(graph.outputs, where, 'webgpu', 'the webgpu target');

  const labels = new Set<string>();
  const planned: PlannedNode[] = nodes.map((node, index) => {
    const label0 = node.name || `${node.opType}_${index}`;
    let label = label0;
    for (let i = 2; labels.has(label); i++) label = `${label0}_${i}`;
    labels.add(label);
    const f = findGpuLowering(node, graph, opsets);
    if ('reason' in f) throw new UserError(`${where}: node "${label}" (${node.opType}) ${f.reason}.`);
    return {
      inputs: [...node.input],
      outputs: [...node.output],
      entry: f.entry,
      attrs: f.attrs,
      label,
      opType: node.opType,
    };
  });
  const graphOutputs = new Set(outputs.map((o) => o.name));
  const constantDims = (name: string) => constants.get(name)?.dims?.map(Number);
  const constantValues = (name: string): number[] | undefined => {
    const t = constants.get(name);
    const count = (t?.dims ?? []).reduce<number>((p, d) => p * Number(d), 1);
    if (!t || count > INLINE_MAX_ELEMENTS || elementTypeOf(t.dataType) === 'float16') return undefined;
    return Array.from(tensorFromProto(t as TensorProto, where).data as ArrayLike<number | bigint>, Number);
  };
  const lookup = { dims: constantDims, values: constantValues };
  const items = fuseElementwise(
    fuseRmsNorm(fuseMatMulBias(planned, graphOutputs, constantDims), graphOutputs, lookup),
    graphOutputs,
  );
  // A weight is packed when every consumer's lowering reads that input packed.
  const packed = new Map<string, boolean>();
  for (const item of items)
    item.inputs.forEach((input, i) => {
      if (!input || !constants.has(input)) return;
      const reads = item.entry.packedInputs?.includes(i) ?? false;
      packed.set(input, (packed.get(input) ?? true) && reads);
    });

  const weights: GpuWeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const declarations: string[] = [];
  const declared = new Set<string>();
  const declareConstant = (name: string): void => {
    if (declared.has(name)) return;
    declared.add(name);
    const t = constants.get(name)! as TensorProto;
    const id = ids.get(name);
    const dtype = elementTypeOf(t.dataType);
    if (!dtype)
      throw new UserError(`${where}: tensor "${name}" has an element type the webgpu target cannot hold.`);
    const dims = (t.dims ?? []).map(Number);
    const count = dims.reduce((p, d) => p * d, 1);
    const host = tensorFromProto(t, where);
    if (count <= INLINE_MAX_ELEMENTS && dtype !== 'float16' && !packed.get(name)) {
      const values = Array.from(host.data as ArrayLike<number | bigint>, (v) => Number(v));
      declarations.push(`  const ${id} = g.host(${literal(dtype)}, ${literal(dims)}, ${literal(values)});`);
      return;
    }
    const bytes = encodeRawData(host);
    const pad = (WEIGHT_ALIGNMENT - (offset % WEIGHT_ALIGNMENT)) % WEIGHT_ALIGNMENT;
    if (pad > 0) chunks.push(new Uint8Array(pad));
    offset += pad;
    weights.push({
      dtype,
      storage: dtype,
      dims,
      offset,
      bytes: bytes.byteLength,
      gpu: gpuLayout(dtype, packed.get(name) ?? false),
    });
    chunks.push(bytes);
    offset += bytes.byteLength;
    declarations.push(`  const ${id} = g.weight(${weights.length - 1}); // ${jsString(name)}`);
  };

  const library = new OpLibrary();
  const body: string[] = [];
  for (const i of inputs) body.push(`  const ${ids.get(i.name)} = inputs[${jsString(i.name)}];`);
  items.forEach((item, index) => {
    for (const input of item.inputs) if (input && constants.has(input)) declareConstant(input);
    const entry = library.add(item.entry as unknown as LibraryEntry, item.opType);
    const args = item.inputs.map((input) => (input ? ids.get(input) : 'undefined'));
    const outs = item.outputs.map((o, k) => (o ? ids.get(o) : `_unused${index}_${k}`));
    if (item.fused) body.push(`  // fused: ${jsString(item.fused.join(' → ')).slice(1, -1)}`);
    body.push(
      `  const [${outs.join(', ')}] = g.node(${entry}, [${args.join(', ')}], ${literal(item.attrs)}, ${jsString(item.label)});`,
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
    `// ---- run-time core (${TOOL_NAME} ${TOOL_VERSION}) ----`,
    moduleRuntimeSource(),
    '',
    WebgpuPlanContext.toString(),
    '',
    WebgpuSession.toString(),
    '',
    '// ---- lowerings of the ops this model uses: each writes WGSL for concrete dims ----',
    library.source(),
    '',
    '// ---- the graph: one line per ONNX node, labelled with its name ----',
    'function buildGraph(g, inputs) {',
    ...declarations,
    ...body,
    `  return { ${returned} };`,
    '}',
    '',
    '/** createSession({ weights, gpu, device }) — see the header. */',
    'export async function createSession(options = {}) {',
    `  return ${WebgpuSession.name}.create(options, {`,
    `    source: ${jsString(options.source)},`,
    `    precision: ${JSON.stringify(options.precision)},`,
    '    inputs: INPUTS,',
    '    outputs: OUTPUTS,',
    '    weights: WEIGHTS,',
    '    weightsBytes: WEIGHTS_BYTES,',
    '    buildGraph,',
    `    PlanContext: ${WebgpuPlanContext.name},`,
    '    moduleUrl: () => import.meta.url,',
    '  });',
    '}',
    '',
  ].join('\n');
  return { code, weights: chunks, weightsBytes: offset, nodeCount: nodes.length, kernelNodes: items.length };
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
    `// ${options.source} as a WebGPU module — generated by ${TOOL_NAME} ${TOOL_VERSION}, precision ${options.precision},`,
    `// ONNX opset ${opset}, ${nodeCount} nodes. Standalone ES module (no imports) for browsers and Node.`,
    '//',
    "//   import { createSession } from './model.js';",
    '//   const session = await createSession({ gpu });  // default navigator.gpu; or { device: GPUDevice }',
    '//   const out = await session.run({ x: { data: Float32Array, dims: [...] } });  // { [output]: { data, dims } }',
    '//   session.dispose();',
    '//',
    '// weights: model.weights.bin next to this file by default (fetch; in Node read with node:fs),',
    '// or pass { weights: ArrayBuffer | Uint8Array | URL string }.',
    `// inputs:  ${io(inputs)}`,
    `// outputs: ${io(outputs)}`,
    '// Symbolic dims take any value: one plan (WGSL kernels specialised for those dims, buffers',
    '// reused by liveness) is made and cached per distinct input shape. int64 tensors compute as',
    '// i32 on the GPU; float16 tensors as f32, with float16 weights kept packed in GPU memory.',
    '// session.memory: { weightBytes, peakIntermediateBytes, kernels, dispatches }.',
    '',
  ]
    .map(printable)
    .join('\n');
}
