// Test oracles for the WebNN reference runtime: one-node (or few-node) ONNX models run on
// onnxruntime-node, the same computation run on the runtime, seeded random data and a
// tolerance check that reports the worst element.
//   const expected = await runOnnx([{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], { x }, { y: 'float32' });
//   const actual = await runWebnn((b, i) => b.relu(i.x), { x });
//   expectClose(actual.data, expected.y.data, { atol: 0 });

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ONNX_DTYPE_CODE, type DType, type HostTensor } from '../../../../src/onnx/dtype.js';
import { writeModel } from '../../../../src/onnx/model-io.js';
import { onnx, type ModelProto } from '../../../../src/onnx/proto/index.js';
import { float16BitsToNumber, numberToFloat16Bits, tensorToProto } from '../../../../src/onnx/tensor.js';
import { createOrtRunner } from '../../../../src/verify/ort-runner.js';
import { ml, MLGraphBuilder } from '../../../../src/webnn.js';
import type { MLContext, MLOperand, MLOperandDataType } from '../../../../src/webnn.js';

const A = onnx.AttributeProto.AttributeType;

/** An ONNX attribute value, tagged with its type. */
export type Attr =
  { int: number } | { float: number } | { ints: number[] } | { floats: number[] } | { string: string };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, Attr>;
}

function attribute(name: string, value: Attr): onnx.IAttributeProto {
  if ('int' in value) return { name, type: A.INT, i: value.int };
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: A.INTS, ints: value.ints };
  if ('floats' in value) return { name, type: A.FLOATS, floats: value.floats };
  return { name, type: A.STRING, s: new TextEncoder().encode(value.string) };
}

function valueInfo(name: string, dtype: DType, dims?: number[]): onnx.IValueInfoProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType: ONNX_DTYPE_CODE[dtype] };
  if (dims) tensorType.shape = { dim: dims.map((d) => ({ dimValue: d })) };
  return { name, type: { tensorType } };
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'webnn-oracle-'));
let modelCounter = 0;

/**
 * Runs `nodes` on ONNX Runtime (CPU). `inputs` become graph inputs, `initializers` constant
 * tensors; `outputs` names the results and their element types.
 */
export async function runOnnx(
  nodes: OnnxNode[],
  inputs: Record<string, HostTensor>,
  outputs: Record<string, DType>,
  options: { initializers?: Record<string, HostTensor>; opset?: number } = {},
): Promise<Record<string, HostTensor>> {
  const model = new onnx.ModelProto({
    irVersion: 10,
    producerName: 'webnn runtime tests',
    opsetImport: [{ domain: '', version: options.opset ?? 21 }],
    graph: {
      name: 'oracle',
      input: Object.entries(inputs).map(([name, t]) => valueInfo(name, t.dtype, t.dims)),
      output: Object.entries(outputs).map(([name, dtype]) => valueInfo(name, dtype)),
      initializer: Object.entries(options.initializers ?? {}).map(([name, t]) => tensorToProto(name, t)),
      node: nodes.map((n, i) => ({
        name: `n${i}`,
        opType: n.op,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  }) as ModelProto;
  const file = path.join(tmpRoot, `m${modelCounter++}.onnx`);
  writeModel(model, file, { externalData: 'never' });
  const runner = await createOrtRunner(file, { intraOpThreads: 1 });
  try {
    return await runner.run(inputs);
  } finally {
    await runner.dispose();
    fs.rmSync(file, { force: true });
  }
}

// ---- the runtime side ----

export type Typed =
  | Float32Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Int8Array
  | Uint8Array;

export interface Value {
  dataType: MLOperandDataType;
  shape: number[];
  /** Storage as the runtime reads/writes it (float16: Uint16Array bits; int4/uint4: packed bytes). */
  data: Typed;
}

let context: Promise<MLContext> | undefined;
export function sharedContext(): Promise<MLContext> {
  context ??= ml.createContext();
  return context;
}

function arrayFor(dataType: MLOperandDataType, buffer: ArrayBuffer): Typed {
  switch (dataType) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float16':
      return new Uint16Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'uint64':
      return new BigUint64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'uint32':
      return new Uint32Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

/**
 * Builds a graph whose inputs are `inputs` (as graph inputs, or constants when listed in
 * `constants`), dispatches it and reads every output back.
 */
export async function runWebnn(
  build: (
    builder: MLGraphBuilder,
    operands: Record<string, MLOperand>,
  ) => MLOperand | Record<string, MLOperand>,
  inputs: Record<string, Value>,
  constants: readonly string[] = [],
): Promise<Record<string, Value> & Value> {
  const ctx = await sharedContext();
  const builder = new MLGraphBuilder(ctx);
  const operands: Record<string, MLOperand> = {};
  for (const [name, v] of Object.entries(inputs)) {
    const desc = { dataType: v.dataType, shape: v.shape };
    operands[name] = constants.includes(name) ? builder.constant(desc, v.data) : builder.input(name, desc);
  }
  const built = build(builder, operands);
  const outputs =
    'dataType' in built && typeof built.dataType === 'string'
      ? { output: built as MLOperand }
      : (built as Record<string, MLOperand>);
  const graph = await builder.build(outputs);
  const feeds: Record<string, Awaited<ReturnType<MLContext['createTensor']>>> = {};
  for (const [name, v] of Object.entries(inputs)) {
    if (constants.includes(name)) continue;
    feeds[name] = await ctx.createTensor({ dataType: v.dataType, shape: v.shape, writable: true });
    ctx.writeTensor(feeds[name], v.data);
  }
  const targets: Record<string, Awaited<ReturnType<MLContext['createTensor']>>> = {};
  for (const [name, operand] of Object.entries(outputs)) {
    targets[name] = await ctx.createTensor({
      dataType: operand.dataType,
      shape: operand.shape,
      readable: true,
    });
  }
  ctx.dispatch(graph, feeds, targets);
  const result: Record<string, Value> = {};
  for (const [name, operand] of Object.entries(outputs)) {
    result[name] = {
      dataType: operand.dataType,
      shape: [...operand.shape],
      data: arrayFor(operand.dataType, await ctx.readTensor(targets[name])),
    };
  }
  const first = Object.values(result)[0];
  return Object.assign(result, { data: first.data, shape: first.shape, dataType: first.dataType });
}

// ---- data ----

/** Deterministic uniform numbers in [min, max) (mulberry32). */
export function randomValues(count: number, seed: number, min = -2, max = 2): number[] {
  let state = seed >>> 0;
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = min + unit * (max - min);
  }
  return out;
}

export function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** A float32 runtime value and the matching ONNX host tensor. */
export function floats(shape: number[], seed: number, min = -2, max = 2): { value: Value; host: HostTensor } {
  const data = Float32Array.from(randomValues(count(shape), seed, min, max));
  return { value: { dataType: 'float32', shape, data }, host: { dtype: 'float32', dims: shape, data } };
}

/** Integer data of a type as both a runtime value and an ONNX host tensor. */
export function integers(
  dataType: 'int32' | 'int64' | 'uint8' | 'int8' | 'uint32',
  shape: number[],
  seed: number,
  min: number,
  max: number,
): { value: Value; host: HostTensor } {
  const numbers = randomValues(count(shape), seed, min, max + 1).map(Math.floor);
  const data: Typed =
    dataType === 'int64'
      ? BigInt64Array.from(numbers, BigInt)
      : dataType === 'int32'
        ? Int32Array.from(numbers)
        : dataType === 'uint32'
          ? Uint32Array.from(numbers)
          : dataType === 'int8'
            ? Int8Array.from(numbers)
            : Uint8Array.from(numbers);
  return { value: { dataType, shape, data }, host: { dtype: dataType, dims: shape, data } as HostTensor };
}

/** float16 bits of `values` (rounded to nearest) and the float32 of those same float16 values. */
export function halves(values: readonly number[]): { bits: Uint16Array; widened: Float32Array } {
  const bits = Uint16Array.from(values, (v) => numberToFloat16Bits(v));
  return { bits, widened: Float32Array.from(bits, (b) => float16BitsToNumber(b)) };
}

export function fromHalfBits(bits: Uint16Array): Float32Array {
  return Float32Array.from(bits, (b) => float16BitsToNumber(b));
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise (NaN must match NaN). */
export function expectClose(
  actual: ArrayLike<number | bigint>,
  expected: ArrayLike<number | bigint>,
  tolerance: { atol?: number; rtol?: number } = {},
): void {
  const { atol = 0, rtol = 0 } = tolerance;
  expect(actual.length).toBe(expected.length);
  let worst = { index: -1, excess: 0, actual: 0, expected: 0 };
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worst.excess) || Number.isNaN(excess))
      worst = { index: i, excess, actual: a, expected: e };
  }
  expect(
    worst.index === -1
      ? 'all within tolerance'
      : `element ${worst.index}: ${worst.actual} vs ${worst.expected}`,
  ).toBe('all within tolerance');
}

afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
