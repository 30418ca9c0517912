// Runs the W3C web-platform-tests WebNN conformance data (../shared/webnn-conformance) on the
// reference runtime: reads the JSON with its quirks, maps options of the older API the data
// was written for onto the current spec, builds and dispatches one graph per case, and
// compares with the tolerances of WPT's webnn/resources/utils.js (PrecisionMetrics).
//   const cases = loadConformanceCases(dir);
//   const result = await runConformanceCase(cases[0]);

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { float16BitsToNumber, numberToFloat16Bits } from '../../../../src/onnx/tensor.js';
import { ml, MLGraphBuilder } from '../../../../src/webnn.js';
import type { MLContext, MLOperand, MLOperandDataType } from '../../../../src/webnn.js';

export interface WptTensor {
  name?: string;
  shape: number[];
  data: (number | string)[];
  type: MLOperandDataType;
  constant?: boolean;
}

export interface ConformanceCase {
  /** WebNN operator under test (file arg_max.json → argMax, copy.json → identity, not.json → logicalNot). */
  op: string;
  file: string;
  name: string;
  inputs: Record<string, WptTensor>;
  options: Record<string, unknown>;
  /** Top-level extras of older layouts: type, newShape, outputShape, axis. */
  extra: Record<string, unknown>;
  expected: WptTensor;
}

export interface CaseResult {
  pass: boolean;
  detail: string;
  tolerance: string;
}

const FILE_TO_OPERATOR: Record<string, string> = {
  arg_max: 'argMax',
  arg_min: 'argMin',
  cast: 'cast',
  concat: 'concat',
  constant: 'constant',
  conv_transpose2d: 'convTranspose2d',
  copy: 'identity',
  div: 'div',
  expand: 'expand',
  layer_normalization: 'layerNormalization',
  max: 'max',
  min: 'min',
  mul: 'mul',
  not: 'logicalNot',
  pow: 'pow',
  prelu: 'prelu',
  resample2d: 'resample2d',
  reshape: 'reshape',
  sub: 'sub',
  where: 'where',
};

/** JSON.parse after removing `//` and block comments outside strings (concat, prelu, … carry them). */
export function parseJsonWithComments(text: string): unknown {
  const stripped = text.replace(/"(?:\\.|[^"\\])*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match) =>
    match.startsWith('"') ? match : '',
  );
  return JSON.parse(stripped);
}

interface RawFile {
  tests: Record<string, unknown>[];
  inputsData?: Record<string, number[]>;
  expectedData?: Record<string, number[]>;
}

export function loadConformanceCases(dir: string): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const key = file.replace(/\.json$/, '');
    const op = FILE_TO_OPERATOR[key];
    if (!op) throw new Error(`no operator mapping for ${file}`);
    const raw = parseJsonWithComments(readFileSync(path.join(dir, file), 'utf8')) as RawFile;
    for (const test of raw.tests) {
      const { name, inputs, options, expected, ...extra } = test as {
        name: string;
        inputs: Record<string, unknown>;
        options?: Record<string, unknown>;
        expected: Record<string, unknown>;
      };
      const c: ConformanceCase =
        key === 'concat'
          ? concatCase(op, file, name, inputs, extra, expected, raw)
          : {
              op,
              file,
              name,
              inputs: inputs as Record<string, WptTensor>,
              options: options ?? {},
              extra,
              // div, max, min, mul, prelu and sub spell the expected key "ouput"; only one output exists.
              expected: expected as unknown as WptTensor,
            };
      cases.push(c);
    }
  }
  return cases;
}

/** concat.json's older layout: shapes in inputs.shape, data sliced from inputsData, expected in expectedData. */
function concatCase(
  op: string,
  file: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Record<string, unknown>,
  expected: Record<string, unknown>,
  raw: RawFile,
): ConformanceCase {
  const type = extra.type as MLOperandDataType;
  const shapes = inputs.shape as number[][];
  const source = raw.inputsData![inputs.data as string];
  const tensors: Record<string, WptTensor> = {};
  let offset = 0;
  shapes.forEach((shape, i) => {
    const count = shape.reduce((p, d) => p * d, 1);
    tensors[`input${i}`] = { shape, type, data: source.slice(offset, offset + count) };
    offset += count;
  });
  return {
    op,
    file,
    name,
    inputs: tensors,
    options: {},
    extra,
    expected: { shape: expected.shape as number[], type, data: raw.expectedData![expected.data as string] },
  };
}

// ---- typed data ----

type Typed =
  | Float32Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Int8Array
  | Uint8Array;

export function typedData(type: MLOperandDataType, data: readonly (number | string)[]): Typed {
  switch (type) {
    case 'float32':
      return Float32Array.from(data, Number);
    case 'float16':
      return Uint16Array.from(data, (v) => numberToFloat16Bits(Number(v)));
    case 'int64':
      return BigInt64Array.from(data, (v) => BigInt(v));
    case 'uint64':
      return BigUint64Array.from(data, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(data, Number);
    case 'uint32':
      return Uint32Array.from(data, Number);
    case 'int8':
      return Int8Array.from(data, Number);
    case 'uint8':
      return Uint8Array.from(data, Number);
    default:
      throw new Error(`conformance data never uses ${type}`);
  }
}

function viewOf(type: MLOperandDataType, buffer: ArrayBuffer): Typed {
  switch (type) {
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
    case 'uint8':
      return new Uint8Array(buffer);
    default:
      throw new Error(`conformance data never produces ${type}`);
  }
}

// ---- graph construction per operator ----

interface GraphParts {
  builder: MLGraphBuilder;
  operands: Record<string, MLOperand>;
}

function tensorOperand(builder: MLGraphBuilder, t: WptTensor): MLOperand {
  return builder.constant({ dataType: t.type, shape: t.shape }, typedData(t.type, t.data));
}

/**
 * Old argMin/argMax options (axes: reduce several axes to one flat index; selectLastIndex) on
 * the current argMin/argMax(input, axis, {keepDimensions, outputDataType}): transpose the
 * reduced axes last, merge them with reshape, reverse for selectLastIndex, then reshape.
 */
function argMinMaxCompat(
  builder: MLGraphBuilder,
  kind: 'argMin' | 'argMax',
  x: MLOperand,
  options: Record<string, unknown>,
): MLOperand {
  const shape = x.shape;
  const axes = ((options.axes as number[] | undefined) ?? shape.map((_, i) => i))
    .slice()
    .sort((a, b) => a - b);
  const keep = Boolean(options.keepDimensions);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptDims = kept.map((i) => shape[i]);
  const reducedCount = axes.reduce((p, a) => p * shape[a], 1);
  const permutation = [...kept, ...axes];
  let y = permutation.every((p, i) => p === i) ? x : builder.transpose(x, { permutation });
  y = builder.reshape(y, [...keptDims, reducedCount]);
  const selectLast = Boolean(options.selectLastIndex) && reducedCount > 1;
  if (selectLast) y = builder.reverse(y, { axes: [keptDims.length] });
  let index = builder[kind](y, keptDims.length, { outputDataType: 'int64' });
  if (selectLast) index = builder.sub(builder.constant('int64', BigInt(reducedCount - 1)), index);
  const finalShape =
    axes.length === 0 ? shape.slice() : keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptDims;
  return finalShape.length === index.shape.length && finalShape.every((d, i) => d === index.shape[i])
    ? index
    : builder.reshape(index, finalShape);
}

/**
 * Old convTranspose2d options: autoPad (removed from the spec) becomes explicit padding for
 * an output of input × stride (+ outputPadding), "same-upper" putting the odd pixel at the end
 * and "same-lower" at the beginning; the fused `activation: "relu"` becomes relu().
 */
function convTransposeCompat(
  builder: MLGraphBuilder,
  x: MLOperand,
  w: MLOperand,
  options: Record<string, unknown>,
): MLOperand {
  const { autoPad, activation, bias, ...rest } = options;
  const mapped: Record<string, unknown> = { ...rest };
  if (bias) mapped.bias = tensorOperand(builder, bias as WptTensor);
  if (autoPad === 'same-upper' || autoPad === 'same-lower') {
    const nhwc = rest.inputLayout === 'nhwc';
    const layout = (rest.filterLayout as string | undefined) ?? 'iohw';
    const inSizes = nhwc ? [x.shape[1], x.shape[2]] : [x.shape[2], x.shape[3]];
    const hw =
      layout === 'iohw'
        ? [w.shape[2], w.shape[3]]
        : layout === 'hwoi'
          ? [w.shape[0], w.shape[1]]
          : [w.shape[1], w.shape[2]];
    const strides = (rest.strides as number[] | undefined) ?? [1, 1];
    const dilations = (rest.dilations as number[] | undefined) ?? [1, 1];
    const outputPadding = (rest.outputPadding as number[] | undefined) ?? [0, 0];
    const padding: number[] = [];
    for (let i = 0; i < 2; i++) {
      const total =
        (inSizes[i] - 1) * strides[i] +
        (hw[i] - 1) * dilations[i] +
        1 +
        outputPadding[i] -
        inSizes[i] * strides[i];
      const small = Math.floor(total / 2);
      padding.push(...(autoPad === 'same-upper' ? [small, total - small] : [total - small, small]));
    }
    mapped.padding = padding;
  }
  const y = builder.convTranspose2d(x, w, mapped);
  return activation === 'relu' ? builder.relu(y) : y;
}

function buildOperator(parts: GraphParts, c: ConformanceCase): MLOperand {
  const { builder, operands: o } = parts;
  const names = Object.keys(c.inputs);
  const first = o[names[0]];
  switch (c.op) {
    case 'argMax':
    case 'argMin':
      return argMinMaxCompat(builder, c.op, first, c.options);
    case 'cast':
      return builder.cast(first, c.extra.type as MLOperandDataType);
    case 'concat':
      return builder.concat(
        names.map((n) => o[n]),
        c.extra.axis as number,
      );
    case 'constant': {
      // The old constant(start, step, outputShape, type) fill-sequence overload is gone: the
      // sequence start + i·step becomes a float32 constant(descriptor, buffer), cast to `type`.
      const shape = c.extra.outputShape as number[];
      const start = Number((c.inputs.start as unknown as { data: number }).data);
      const step = Number((c.inputs.step as unknown as { data: number }).data);
      const count = shape.reduce((p, d) => p * d, 1);
      const values = Float32Array.from({ length: count }, (_, i) => start + i * step);
      const constant = builder.constant({ dataType: 'float32', shape }, values);
      const type = (c.extra.type as MLOperandDataType | undefined) ?? 'float32';
      return type === 'float32' ? builder.identity(constant) : builder.cast(constant, type);
    }
    case 'convTranspose2d':
      return convTransposeCompat(builder, o.input, o.filter, c.options);
    case 'identity':
      return builder.identity(first);
    case 'div':
    case 'max':
    case 'min':
    case 'mul':
    case 'pow':
    case 'sub':
      return builder[c.op](o.a, o.b);
    case 'expand':
      return builder.expand(first, c.extra.newShape as number[]);
    case 'layerNormalization': {
      const { scale, bias, ...rest } = c.options;
      return builder.layerNormalization(first, {
        ...rest,
        ...(scale ? { scale: tensorOperand(builder, scale as WptTensor) } : {}),
        ...(bias ? { bias: tensorOperand(builder, bias as WptTensor) } : {}),
      });
    }
    case 'logicalNot':
      return builder.logicalNot(first);
    case 'prelu':
      return builder.prelu(o.x, o.slope);
    case 'resample2d':
      return builder.resample2d(first, c.options);
    case 'reshape':
      return builder.reshape(first, c.extra.newShape as number[]);
    case 'where':
      // Old option names trueValues/falseValues are the current trueValue/falseValue.
      return builder.where(o.condition, o.trueValues, o.falseValues);
    default:
      throw new Error(`no graph builder for ${c.op}`);
  }
}

// ---- tolerances (WPT webnn/resources/utils.js PrecisionMetrics) ----

interface Tolerance {
  metric: 'ULP' | 'ATOL';
  value: number;
}

function convTransposeUlp(c: ConformanceCase): number {
  const input = c.inputs.input.shape;
  const filter = c.inputs.filter.shape;
  const options = c.options;
  const groups = (options.groups as number | undefined) ?? 1;
  const inputChannels = options.inputLayout === 'nhwc' ? input[3] : input[1];
  let [height, width] = [filter[2], filter[3]];
  if (options.filterLayout === 'hwoi') [height, width] = [filter[0], filter[1]];
  if (options.filterLayout === 'ohwi') [height, width] = [filter[1], filter[2]];
  return width * height * (inputChannels / groups) * 2;
}

export function toleranceFor(c: ConformanceCase): Tolerance {
  const type = c.expected.type;
  const float = type === 'float32' || type === 'float16';
  switch (c.op) {
    case 'cast':
      return { metric: 'ULP', value: float ? 1 : 0 };
    case 'constant':
      return { metric: 'ULP', value: float ? 2 : 0 };
    case 'convTranspose2d':
      return { metric: 'ULP', value: convTransposeUlp(c) };
    case 'div':
      return { metric: 'ULP', value: 2 };
    case 'mul':
    case 'sub':
    case 'prelu':
      return { metric: 'ULP', value: 1 };
    case 'pow':
      return { metric: 'ULP', value: type === 'float16' ? 2 : 32 };
    case 'layerNormalization':
      return { metric: 'ATOL', value: type === 'float16' ? 1 / 512 : 1 / 1024 };
    case 'resample2d':
      return { metric: 'ULP', value: c.options.mode === 'linear' ? (type === 'float16' ? 10 : 84) : 0 };
    default:
      // argMax/argMin (int64), concat, expand, identity, logicalNot, max, min, reshape, where: exact.
      return { metric: 'ULP', value: 0 };
  }
}

/** WPT's ULP distance: float32 bit patterns (sign-extended to 64 bits), float16 bits, int64 difference. */
function ulpDistance(actual: number | bigint, expected: number | string, type: MLOperandDataType): number {
  if (type === 'float32') {
    const bits = (v: number): bigint => {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, v, true);
      const u = BigInt(view.getUint32(0, true));
      return v < 0 ? u - 2n ** 32n : u;
    };
    const d = bits(Number(actual)) - bits(Number(expected));
    return Number(d < 0n ? -d : d);
  }
  if (type === 'float16') return Math.abs(Number(actual) - numberToFloat16Bits(Number(expected)));
  if (type === 'int64' || type === 'uint64') {
    const d = BigInt(actual) - BigInt(expected);
    return Number(d < 0n ? -d : d);
  }
  return Number(actual) === Number(expected) ? 0 : Infinity;
}

function compare(actual: Typed, c: ConformanceCase, tolerance: Tolerance): string | undefined {
  const expected = c.expected.data;
  if (actual.length !== expected.length) return `length ${actual.length} != expected ${expected.length}`;
  const type = c.expected.type;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    if (tolerance.metric === 'ATOL') {
      const value = type === 'float16' ? float16BitsToNumber(Number(a)) : Number(a);
      if (!(Math.abs(value - Number(expected[i])) <= tolerance.value)) {
        return `element ${i}: ${value} vs expected ${expected[i]} (atol ${tolerance.value})`;
      }
      continue;
    }
    const exactlyEqual =
      type === 'float16'
        ? false
        : typeof a === 'bigint'
          ? a === BigInt(expected[i])
          : a === Number(expected[i]);
    if (exactlyEqual) continue;
    const distance = ulpDistance(a, expected[i], type);
    if (!(distance <= tolerance.value)) {
      return `element ${i}: ${String(a)} vs expected ${expected[i]} (${distance} ULP > ${tolerance.value})`;
    }
  }
  return undefined;
}

let sharedContext: Promise<MLContext> | undefined;

/** Builds, dispatches and checks one case. */
export async function runConformanceCase(c: ConformanceCase): Promise<CaseResult> {
  sharedContext ??= ml.createContext();
  const context = await sharedContext;
  const builder = new MLGraphBuilder(context);
  const operands: Record<string, MLOperand> = {};
  const feeds: [string, WptTensor][] = [];
  if (c.op !== 'constant') {
    for (const [name, t] of Object.entries(c.inputs)) {
      if (t.constant) operands[name] = tensorOperand(builder, t);
      else {
        operands[name] = builder.input(name, { dataType: t.type, shape: t.shape });
        feeds.push([name, t]);
      }
    }
  }
  const output = buildOperator({ builder, operands }, c);
  const graph = await builder.build({ output });
  const inputs: Record<string, Awaited<ReturnType<MLContext['createTensor']>>> = {};
  for (const [name, t] of feeds) {
    inputs[name] = await context.createTensor({ dataType: t.type, shape: t.shape, writable: true });
    context.writeTensor(inputs[name], typedData(t.type, t.data));
  }
  const outTensor = await context.createTensor({
    dataType: output.dataType,
    shape: output.shape,
    readable: true,
  });
  context.dispatch(graph, inputs, { output: outTensor });
  const actual = viewOf(output.dataType, await context.readTensor(outTensor));
  const tolerance = toleranceFor(c);
  const toleranceText = `${tolerance.metric} ${tolerance.metric === 'ATOL' ? tolerance.value.toPrecision(3) : tolerance.value}`;
  if (output.dataType !== c.expected.type) {
    return {
      pass: false,
      detail: `data type ${output.dataType} != expected ${c.expected.type}`,
      tolerance: toleranceText,
    };
  }
  const expectedShape = c.expected.shape ?? [];
  const shapeMatches =
    expectedShape.length === output.shape.length && expectedShape.every((d, i) => d === output.shape[i]);
  if (!shapeMatches && !SHAPE_QUIRKS.has(c.name)) {
    return {
      pass: false,
      detail: `shape [${output.shape}] != expected [${expectedShape}]`,
      tolerance: toleranceText,
    };
  }
  const mismatch = compare(actual, c, tolerance);
  return { pass: mismatch === undefined, detail: mismatch ?? 'ok', tolerance: toleranceText };
}

/**
 * Cases whose expected shape contradicts their own options in the source data: "argMax/argMin
 * … options.keepDimensions=false" set keepDimensions: true yet expect shape []. They run as their
 * options say (shape [1,1,1,1]) and are checked on values and element count.
 */
export const SHAPE_QUIRKS = new Set([
  'argMax float32 4D tensor options.keepDimensions=false',
  'argMin float32 4D tensor options.keepDimensions=false',
]);
