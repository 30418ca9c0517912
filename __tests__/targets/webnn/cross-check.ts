// Test helper: builds a tiny ONNX model (usually one node), runs it on ONNX Runtime and,
// converted by the webnn target, as a generated model.js on the reference WebNN runtime,
// and compares the outputs (rel_l2 for floats, exact for integers and bools).
//   const r = await crossCheck({ op: 'Relu', inputs: [input('x', 'float32', [2, 3])] });
//   expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  allocateData,
  elementCount,
  isFloatDType,
  ONNX_DTYPE_CODE,
  type DType,
  type HostTensor,
  type TensorMap,
} from '../../../src/onnx/dtype.js';
import { readModel, writeModel } from '../../../src/onnx/model-io.js';
import { onnx, type ModelProto } from '../../../src/onnx/proto/index.js';
import { tensorToProto } from '../../../src/onnx/tensor.js';
import { loadOnnxRuntime } from '../../../src/pipeline/native-backends.js';
import type { Precision } from '../../../src/pipeline/types.js';
import type { Target } from '../../../src/targets/types.js';
import { webnnTarget } from '../../../src/targets/webnn/index.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { SeededRandom } from '../../../src/verify/random.js';

const AT = onnx.AttributeProto.AttributeType;

export interface TensorSpec {
  name: string;
  dtype: DType;
  /** Declared dims (strings are symbolic); `shape` gives the concrete ones fed. */
  dims: (number | string)[];
  shape?: number[];
  /** Values; default: N(0,1) for floats, small ints in [low, high) for integers. */
  data?: ArrayLike<number | bigint>;
  /** Make it an initializer (a constant) rather than a graph input. */
  constant?: boolean;
  low?: number;
  high?: number;
}

export type AttrValue =
  number | number[] | string | { float: number } | { floats: number[] } | { tensor: TensorSpec };

export interface NodeSpec {
  op: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  name?: string;
}

export interface ModelSpec {
  nodes: NodeSpec[];
  tensors: TensorSpec[];
  outputs: { name: string; dtype: DType; dims: (number | string)[] }[];
  opset?: number;
  extraOpsets?: Record<string, number>;
}

export function tensor(
  name: string,
  dtype: DType,
  dims: (number | string)[],
  more: Partial<TensorSpec> = {},
): TensorSpec {
  return { name, dtype, dims, ...more };
}

/** Concrete values for a tensor spec (deterministic from its name). */
export function valuesFor(t: TensorSpec): HostTensor {
  const dims = t.shape ?? t.dims.map((d) => (typeof d === 'number' ? d : 3));
  const count = elementCount(dims);
  const data = allocateData(t.dtype, count) as Exclude<HostTensor['data'], string[]>;
  const seed = [...t.name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const rng = new SeededRandom(seed);
  for (let i = 0; i < count; i++) {
    const given = t.data?.[i];
    let v: number;
    if (given !== undefined) v = Number(given);
    else if (isFloatDType(t.dtype)) v = rng.normal();
    else if (t.dtype === 'bool') v = rng.next() < 0.5 ? 1 : 0;
    else v = (t.low ?? 0) + Math.floor(rng.next() * ((t.high ?? 5) - (t.low ?? 0)));
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v) as never;
    else data[i] = v;
  }
  return { dtype: t.dtype, dims, data };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  if (typeof value === 'number') return { name, type: AT.INT, i: value };
  if (typeof value === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AT.INTS, ints: value };
  if ('float' in value) return { name, type: AT.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AT.FLOATS, floats: value.floats };
  return { name, type: AT.TENSOR, t: tensorToProto(value.tensor.name, valuesFor(value.tensor)) };
}

function valueInfo(name: string, dtype: DType, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE_CODE[dtype],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function buildModel(spec: ModelSpec): ModelProto {
  const opsets = [
    { domain: '', version: spec.opset ?? 17 },
    ...Object.entries(spec.extraOpsets ?? {}).map(([domain, version]) => ({ domain, version })),
  ];
  return new onnx.ModelProto({
    irVersion: 10,
    opsetImport: opsets,
    producerName: 'webnn-cross-check',
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: spec.tensors.filter((t) => t.constant).map((t) => tensorToProto(t.name, valuesFor(t))),
      input: spec.tensors.filter((t) => !t.constant).map((t) => valueInfo(t.name, t.dtype, t.dims)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.dtype, o.dims)),
    },
  }) as ModelProto;
}

/** One node over `tensors`, with outputs declared as given. */
export function oneOp(
  op: string,
  tensors: TensorSpec[],
  outputs: { name: string; dtype: DType; dims: (number | string)[] }[],
  attrs: Record<string, AttrValue> = {},
  more: Partial<ModelSpec> & { domain?: string; inputNames?: string[] } = {},
): ModelSpec {
  return {
    nodes: [
      {
        op,
        domain: more.domain,
        inputs: more.inputNames ?? tensors.map((t) => t.name),
        outputs: outputs.map((o) => o.name),
        attrs,
      },
    ],
    tensors,
    outputs,
    ...more,
  };
}

export interface CrossCheckResult {
  /** Worst rel_l2 over float outputs (0 when all outputs are exact integers). */
  worstRelL2: number;
  /** Integer/bool outputs that differ anywhere. */
  mismatched: string[];
  dims: Record<string, number[]>;
  code: string;
}

async function runOrt(file: string, feeds: TensorMap): Promise<TensorMap> {
  const ort = await createOrtRunner(file);
  try {
    return await ort.run(feeds);
  } finally {
    await ort.dispose();
  }
}

/**
 * ONNX Runtime with graph optimizations off: its fusions replace DequantizeLinear → MatMul
 * by integer kernels that also quantize the activations, which is not the ONNX semantics.
 */
async function runUnoptimized(file: string, feeds: TensorMap): Promise<TensorMap> {
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(file, {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  try {
    const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, t] of Object.entries(feeds))
      inputs[name] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims);
    const results = await session.run(inputs);
    const out: TensorMap = {};
    for (const name of session.outputNames) {
      const r = results[name];
      out[name] = { dtype: r.type as DType, dims: [...r.dims], data: (r.data as Float32Array).slice() };
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Runs `spec` on ONNX Runtime and as a generated module (webnn, or options.target); compares every output. */
export async function crossCheck(
  spec: ModelSpec,
  options: {
    precision?: Precision;
    feeds?: TensorMap;
    unoptimizedReference?: boolean;
    /** The target whose generated module is checked (default: webnn). */
    target?: Target;
  } = {},
): Promise<CrossCheckResult> {
  const target = options.target ?? webnnTarget;
  const dir = mkdtempSync(path.join(os.tmpdir(), `${target.name}-op-`));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModel(buildModel(spec), file);
    const feeds: TensorMap = options.feeds ?? {};
    for (const t of spec.tensors) if (!t.constant && !feeds[t.name]) feeds[t.name] = valuesFor(t);
    const reference = options.unoptimizedReference
      ? await runUnoptimized(file, feeds)
      : await runOrt(file, feeds);
    const source = readModel(file);
    const outDir = path.join(dir, target.name);
    mkdirSync(outDir);
    const variant = await target.emit({
      source,
      model: source.proto,
      precision: options.precision ?? 'fp32',
      dir: outDir,
      warn: () => {},
    });
    const code = readFileSync(variant.files[0], 'utf8');
    const runner = await target.runner(variant);
    let candidate: TensorMap;
    try {
      candidate = await runner.run(feeds);
    } finally {
      await runner.dispose();
    }
    let worstRelL2 = 0;
    const mismatched: string[] = [];
    const dims: Record<string, number[]> = {};
    for (const [name, ref] of Object.entries(reference)) {
      const got = candidate[name];
      dims[name] = got.dims;
      if (isFloatDType(ref.dtype)) {
        const m = compareTensors(ref, got);
        worstRelL2 = Math.max(
          worstRelL2,
          Number.isFinite(m.rel_l2) ? m.rel_l2 : Infinity,
          m.nan > 0 ? Infinity : 0,
        );
      } else {
        const m = compareTensors(ref, got);
        if (m.max_abs !== 0) mismatched.push(name);
      }
    }
    if (process.env.WEBNN_OP_REPORT) {
      const title = spec.nodes.map((n) => n.op).join('+');
      (await import('node:fs')).appendFileSync(
        process.env.WEBNN_OP_REPORT,
        `${title}\t${worstRelL2}\t${mismatched.length}\n`,
      );
    }
    return { worstRelL2, mismatched, dims, code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
