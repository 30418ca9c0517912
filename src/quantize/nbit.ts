// The int4 / int3 / int2 / mixed transforms: every MatMul, Gemm, Conv, Gather (embedding)
// and LM-head weight quantized block-wise along its reduction axis at the bits its policy
// gives it. Block scales come from GPTQ (calibration Hessians; MatMul/Gemm weights) or the
// clipping search (others), or plain round-to-nearest when asked. Storage per weight
// (nbit-storage.ts): MatMulNBits for MatMul/Gemm at 2/4/8 bits with format 'matmulnbits';
// block-wise DequantizeLinear for format 'qdq' and for Conv/Gather/tied heads at 2/4 bits
// when the model's opset can be raised; bit-packed bytes with a standard-op unpack subgraph
// otherwise (always for 3 bits); float16 storage + Cast for fp16.
//   const { model, assignments } = await quantizeNBit(context, { bits: 4 });

import path from 'node:path';
import { cloneModel } from '../onnx/clone.js';
import { Graph, opsetVersion } from '../onnx/graph.js';
import { canUpgradeOpset, upgradeOpset } from '../onnx/opset-upgrade.js';
import {
  int64ToNumber,
  onnx,
  type GraphProto,
  type ModelProto,
  type NodeProto,
} from '../onnx/proto/index.js';
import { numberToFloat16Bits, tensorByteLength, tensorFromProto } from '../onnx/tensor.js';
import { quantizeAlongAxis, type BlockQuantized } from './blockwise.js';
import { collectHessians, type HessianStats } from './calibrate.js';
import { quantizeGptq } from './gptq.js';
import {
  addBlockwiseDequantize,
  addFloat16Weight,
  addPackedUnpack,
  blockwiseDqOpset,
  matMulNBitsInitializers,
  matMulNBitsNode,
  type GraphEdits,
} from './nbit-storage.js';
import {
  DEFAULT_MIXED_POLICY,
  defaultBitsFor,
  policyBitsFor,
  precisionOfBits,
  type BitsForWeight,
} from './policy.js';
import { detectLayerRoles, type LayerRole } from './roles.js';
import type { LayerAssignment, QuantizeSettings, TransformContext, TransformResult } from './types.js';
import { findQuantizableWeights, type QuantizableWeight } from './weights.js';

function attrNumber(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  if (!a) return fallback;
  return a.type === onnx.AttributeProto.AttributeType.FLOAT ? (a.f ?? fallback) : int64ToNumber(a.i);
}

/** Row-major K×N view of a 2-D weight for GPTQ (rows = the reduction axis). */
function rowMajorKxN(data: Float32Array, dims: number[], axis: number): Float32Array {
  if (axis === 0) return data;
  const [N, K] = dims;
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) out[k * N + n] = data[n * K + k];
  return out;
}

/**
 * The matrix a weight is quantized as: its own dims, except convolutions, whose whole
 * reduction (in-channels × kernel) is one axis: [O, I·kh·kw], blocks along axis 1.
 */
export function quantizationMatrix(weight: QuantizableWeight): { dims: number[]; axis: number } {
  if (weight.sites.every((s) => s.use === 'conv') && weight.dims.length > 2) {
    return { dims: [weight.dims[0], weight.dims.slice(1).reduce((a, b) => a * b, 1)], axis: 1 };
  }
  return { dims: weight.dims, axis: weight.reductionAxis };
}

export function quantizeWeightValues(
  weight: QuantizableWeight,
  data: Float32Array,
  bits: number,
  settings: QuantizeSettings,
  hessian: HessianStats | undefined,
): BlockQuantized {
  const { dims, axis } = quantizationMatrix(weight);
  const K = dims[axis];
  const N = data.length / K;
  const options = {
    K,
    N,
    bits,
    blockSize: settings.blockSize,
    symmetric: settings.symmetric,
    search: settings.method !== 'rtn',
  };
  if (settings.method === 'gptq' && hessian && hessian.K === K && dims.length === 2) {
    const q = quantizeGptq(rowMajorKxN(data, dims, axis), hessian.sum, options);
    if (q) return q;
  }
  return quantizeAlongAxis(data, dims, axis, options);
}

/** Values whose Hessians GPTQ needs: the activation input of each MatMul/Gemm use (not tied heads). */
function hessianInputs(weights: QuantizableWeight[]): Map<string, string> {
  const inputs = new Map<string, string>();
  for (const w of weights) {
    if (w.dims.length !== 2 || w.sites.length !== 1) continue;
    const site = w.sites[0];
    if ((site.use === 'matmul' && !site.transposed) || site.use === 'gemm')
      inputs.set(w.name, site.node.input[0]);
  }
  return inputs;
}

export interface SessionOptions {
  /**
   * Keep every weight's quantized codes (one byte per value) for the next build: auto's
   * search builds the model many times. Off, each weight's codes are released once its
   * initializers are written, so memory stays near one weight's worth.
   */
  cacheQuantized?: boolean;
}

/** Work shared by repeated quantizations of one model (auto's search): Hessians and, when asked, results per weight × bits. */
export class QuantizationSession {
  private hessians?: Promise<Map<string, HessianStats>>;
  private readonly quantized = new Map<string, BlockQuantized>();
  readonly graph: Graph;
  readonly weights: QuantizableWeight[];
  readonly roles: Map<string, LayerRole>;

  constructor(
    readonly context: TransformContext,
    private readonly options: SessionOptions = {},
  ) {
    this.graph = new Graph(context.source.proto.graph as GraphProto, path.basename(context.source.path));
    this.weights = findQuantizableWeights(this.graph);
    this.roles = detectLayerRoles(this.graph, this.weights);
  }

  hessiansFor(): Promise<Map<string, HessianStats>> {
    this.hessians ??= (async () => {
      const inputs = hessianInputs(this.weights);
      if (this.context.settings.method !== 'gptq' || inputs.size === 0)
        return new Map<string, HessianStats>();
      const byValue = await collectHessians(
        this.context.source.proto,
        [...new Set(inputs.values())],
        await this.context.calibration(),
      );
      const out = new Map<string, HessianStats>();
      for (const [w, v] of inputs) {
        const h = byValue.get(v);
        if (h) out.set(w, h);
      }
      return out;
    })();
    return this.hessians;
  }

  quantize(weight: QuantizableWeight, bits: number, hessian: HessianStats | undefined): BlockQuantized {
    const key = `${weight.name}\n${bits}`;
    let q = this.quantized.get(key);
    if (!q) {
      // The float values (read from disk for lazily loaded models) live only for this call.
      q = quantizeWeightValues(
        weight,
        tensorFromProto(weight.tensor, this.graph.where).data as Float32Array,
        bits,
        this.context.settings,
        hessian,
      );
      if (this.options.cacheQuantized) this.quantized.set(key, q);
    }
    return q;
  }

  /** Builds the model with each weight at bitsFor(weight). */
  async build(bitsFor: BitsForWeight): Promise<TransformResult> {
    return buildQuantizedModel(this, bitsFor);
  }
}

export interface NBitOptions {
  bits: number;
}

/**
 * `mixed`: the policy from convert.yml (first matching rule wins; weights no rule matches
 * stay fp32), or DEFAULT_MIXED_POLICY when none is given.
 */
export async function quantizeMixed(context: TransformContext): Promise<TransformResult> {
  const session = new QuantizationSession(context);
  const rules = context.settings.policy.length > 0 ? context.settings.policy : DEFAULT_MIXED_POLICY;
  return session.build(policyBitsFor(rules, session.roles, () => undefined));
}

/** A pure n-bit precision (int4/int3/int2): the policy's rules, then the default recipe. */
export async function quantizeNBit(
  context: TransformContext,
  options: NBitOptions,
): Promise<TransformResult> {
  const session = new QuantizationSession(context);
  const fallback = defaultBitsFor(options.bits, session.graph, session.roles);
  return session.build(policyBitsFor(context.settings.policy, session.roles, fallback));
}

async function buildQuantizedModel(
  session: QuantizationSession,
  bitsFor: BitsForWeight,
): Promise<TransformResult> {
  const { context } = session;
  const { settings } = context;
  const model = cloneModel(context.source.proto);
  const where = path.basename(context.source.path);
  const graph = new Graph(model.graph as GraphProto, where);
  // Same weights, found again on the copy (its nodes are new objects).
  const weights = findQuantizableWeights(graph).filter((w) => bitsFor(w) !== undefined);
  if (weights.length === 0) {
    context.warn(`${where}: no MatMul/Gemm/Conv/Gather weights to quantize; the variant equals fp32.`);
    return { model, assignments: [] };
  }
  if (settings.blockSize % 8 !== 0)
    throw new Error(`block size ${settings.blockSize} must be a multiple of 8`);
  const hessians = weights.some((w) => (bitsFor(w) ?? 16) < 16)
    ? await session.hessiansFor()
    : new Map<string, HessianStats>();

  const used = new Set<string>([
    ...graph.nodes.flatMap((n) => [...n.input, ...n.output, n.name]),
    ...graph.initializers.map((t) => t.name),
  ]);
  const edits: GraphEdits = {
    initializers: [],
    nodes: [],
    unique(base: string): string {
      const clean = base.replace(/[^A-Za-z0-9_.:/-]/g, '_');
      let name = clean;
      for (let i = 1; used.has(name); i++) name = `${clean}_${i}`;
      used.add(name);
      return name;
    },
  };
  const opset = opsetVersion(model) ?? 0;
  let neededOpset = opset;
  let needsContribDomain = false;
  const replaced = new Set<string>();
  const rewired = new Map<NodeProto, NodeProto[]>();
  const assignments: LayerAssignment[] = [];

  for (const w of weights) {
    const bits = bitsFor(w)!;
    const base = w.name.replace(/^onnx::/, '');
    const before = edits.initializers.length;
    const role = session.roles.get(w.name);
    const redirect = (value: string): void => {
      for (const site of w.sites) {
        if (site.transposed) graph.producers().get(site.node.input[site.inputIndex])!.input[0] = value;
        else site.node.input[site.inputIndex] = value;
      }
    };
    if (bits === 16) {
      const data = tensorFromProto(w.tensor, where).data as Float32Array;
      redirect(
        addFloat16Weight(
          edits,
          base,
          Uint16Array.from(data, (v) => numberToFloat16Bits(v)),
          w.dims,
        ),
      );
    } else {
      const q = session.quantize(w, bits, hessians.get(w.name));
      const nbitsSites = w.sites.every((s) => (s.use === 'matmul' && !s.transposed) || s.use === 'gemm');
      const dqOpset = blockwiseDqOpset(bits);
      if (
        settings.format === 'matmulnbits' &&
        nbitsSites &&
        (bits === 2 || bits === 4 || bits === 8) &&
        w.dims.length === 2
      ) {
        // One set of initializers per weight (per Gemm alpha, which folds into the scales).
        const byAlpha = new Map<number, string[]>();
        for (const site of w.sites) {
          const alpha = site.use === 'gemm' ? attrNumber(site.node, 'alpha', 1) : 1;
          if (!byAlpha.has(alpha)) byAlpha.set(alpha, matMulNBitsInitializers(edits, base, q, alpha));
          rewired.set(
            site.node,
            matMulNBitsReplacement(edits, base, site.node, site.use === 'gemm', q, byAlpha.get(alpha)!),
          );
        }
        needsContribDomain = true;
      } else {
        const matrix = quantizationMatrix(w);
        if (dqOpset !== undefined && canUpgradeOpset(model)) {
          redirect(addBlockwiseDequantize(edits, base, q, matrix.dims, matrix.axis, w.dims));
          neededOpset = Math.max(neededOpset, dqOpset);
        } else {
          redirect(addPackedUnpack(edits, base, q, matrix.dims, matrix.axis, w.dims));
        }
      }
    }
    replaced.add(w.name);
    const bytes = edits.initializers.slice(before).reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
    assignments.push({
      node: role?.node ?? w.name,
      role: role?.role ?? 'linear',
      precision: precisionOfBits(bits),
      bytes,
      fp32Bytes: tensorByteLength(w.tensor),
    });
  }

  // New producer nodes first (they read only initializers), then the original nodes with
  // MatMul/Gemm replacements; drop Constant nodes and initializers no longer read.
  const nodes: NodeProto[] = [...edits.nodes];
  for (const node of graph.nodes) nodes.push(...(rewired.get(node) ?? [node]));
  const read = new Set(nodes.flatMap((n) => n.input));
  for (const o of graph.outputs) read.add(o.name);
  const g = model.graph!;
  g.node = nodes.filter(
    (n) => !(n.opType === 'Constant' && replaced.has(n.output[0]) && !read.has(n.output[0])),
  );
  g.initializer = [
    ...graph.initializers.filter((t) => !(replaced.has(t.name) && !read.has(t.name))),
    ...edits.initializers,
  ];
  g.input = (g.input ?? []).filter((i) => !(replaced.has(i.name ?? '') && !read.has(i.name ?? '')));
  if (neededOpset > opset) upgradeOpset(model, neededOpset);
  if (needsContribDomain && !(model.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')) {
    model.opsetImport!.push({ domain: 'com.microsoft', version: 1 });
  }
  return { model: model as ModelProto, assignments };
}

/** MatMulNBits (+ bias Add) replacing a MatMul or Gemm (Gemm's alpha is already in `inputs`' scales; beta scales the bias). */
function matMulNBitsReplacement(
  edits: GraphEdits,
  base: string,
  node: NodeProto,
  gemm: boolean,
  q: BlockQuantized,
  inputs: string[],
): NodeProto[] {
  const beta = gemm ? attrNumber(node, 'beta', 1) : 1;
  const hasBias = gemm && Boolean(node.input[2]);
  const out = hasBias ? edits.unique(`${node.output[0]}_nobias`) : node.output[0];
  const replacement = [
    matMulNBitsNode(edits.unique(`${node.name || base}_MatMulNBits`), node.input[0], inputs, out, q),
  ];
  if (hasBias) {
    let bias = node.input[2];
    if (beta !== 1) {
      const betaName = edits.unique(`${base}_beta`);
      edits.initializers.push(
        new onnx.TensorProto({ name: betaName, dataType: 1, dims: [], floatData: [beta] }),
      );
      const scaled = edits.unique(`${base}_scaled_bias`);
      replacement.push(
        new onnx.NodeProto({
          name: edits.unique(`${base}_bias_scale`),
          opType: 'Mul',
          input: [bias, betaName],
          output: [scaled],
        }),
      );
      bias = scaled;
    }
    replacement.push(
      new onnx.NodeProto({
        name: edits.unique(`${node.name || base}_bias`),
        opType: 'Add',
        input: [out, bias],
        output: [node.output[0]],
      }),
    );
  }
  return replacement;
}
