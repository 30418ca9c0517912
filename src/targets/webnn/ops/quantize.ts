/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Quantized ops: ONNX DequantizeLinear (per-tensor, per-axis, block-wise) and ONNX
// Runtime's com.microsoft MatMulNBits for quantized weights; QuantizeLinear,
// DynamicQuantizeLinear, MatMulInteger and ConvInteger for quantized activations (int8
// static and dynamic). Where the context has dequantizeLinear for the data type
// (int8/uint8, int4/uint4 — or 4-bit widened to 8-bit constants) and WebNN's block rule
// fits (each dim a multiple of the scale's), the graph dequantizes; otherwise the weight is
// dequantized in JavaScript into a float constant ("dequantized constants"). 2-bit codes
// have no WebNN type and widen to int8/uint8. WebNN has no integer matmul/conv: the
// integer ops subtract zero points and compute in float32 (exact while |sums| < 2^24).
//   quantizeOps['com.microsoft::MatMulNBits'][0].lower(g, [a, b, scales], { K: 128, N: 64, bits: 4, blockSize: 32 }, 'MatMulNBits_0')

import { convAttributes, lowerConv, type ConvAttrs } from './conv.js';
import { notExpressible, type BuildContext, type ElementType, type OpTable, type Value } from './types.js';

type DequantizeAttrs = { axis: number; blockSize: number };
type NBitsAttrs = { K: number; N: number; bits: number; blockSize: number };
type QuantizeAttrs = { axis: number; blockSize: number; outputType: ElementType | null };

/** Scale (and zero point) reshaped to the input's rank, as WebNN's block rule reads them. */
function scaleDims(
  g: BuildContext,
  inputDims: number[],
  dims: number[],
  a: DequantizeAttrs,
): number[] | null {
  const rank = inputDims.length;
  if (dims.length === 0) return new Array<number>(rank).fill(1);
  if (dims.length === rank) return inputDims.every((d, i) => d % dims[i] === 0) ? dims : null;
  if (dims.length === 1) {
    const out = new Array<number>(rank).fill(1);
    out[g.axis(a.axis, rank)] = dims[0];
    return out;
  }
  return null;
}

/** (q − zp) · scale in JavaScript, scale/zp indexed per element by the block rule. */
function dequantizeOnHost(
  g: BuildContext,
  q: Value,
  scale: Value,
  zero: Value | undefined,
  a: DequantizeAttrs,
  dtype: ElementType,
): Value {
  const dims = q.dims;
  const rank = dims.length;
  const codes = g.numbers(q, 'the quantized weight');
  const scales = g.numbers(scale, 'the scale');
  const zeros = zero === undefined ? null : g.numbers(zero, 'the zero point');
  const axis = rank === 0 ? 0 : g.axis(a.axis, rank);
  // Per element: the index into scale of its (block of its) position.
  let sDims: number[];
  if (scale.dims.length === 0) sDims = new Array<number>(rank).fill(1);
  else if (scale.dims.length === rank) sDims = scale.dims;
  else {
    sDims = new Array<number>(rank).fill(1);
    sDims[axis] = scale.dims[0];
  }
  const block = dims.map((d, i) =>
    sDims[i] === 1
      ? d
      : sDims[i] === d
        ? 1
        : a.blockSize > 0 && i === axis
          ? a.blockSize
          : Math.ceil(d / sDims[i]),
  );
  const out = new Float32Array(codes.length);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < codes.length; i++) {
    let s = 0;
    for (let k = 0; k < rank; k++) s = s * sDims[k] + (sDims[k] === 1 ? 0 : Math.floor(index[k] / block[k]));
    out[i] = (codes[i] - (zeros ? zeros[s] : 0)) * scales[s];
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) break;
      index[k] = 0;
    }
  }
  return g.host(dtype, dims, out);
}

function lowerDequantize(g: BuildContext, x: Value[], a: DequantizeAttrs, label: string): Value {
  const [q, scale, zero] = x;
  const dtype = scale.dtype;
  const dims = scaleDims(g, q.dims, scale.dims, a);
  const qType = g.type(q.dtype);
  const webnn =
    dims !== null &&
    g.has('dequantizeLinear') &&
    g.supports('dequantizeLinear', 'input', qType) &&
    g.supports('dequantizeLinear', 'scale', g.type(dtype));
  if (webnn) {
    const input = g.operand(q);
    const scaleOp = g.reshape(g.operand(scale), dims, `${label}#scale`);
    const count = dims.reduce((p, d) => p * d, 1);
    const zeroOp =
      zero === undefined
        ? g.constant(q.dtype, dims, new Uint8Array(count))
        : g.reshape(g.operandAs(zero, q.dtype, `${label}#zero`), dims, `${label}#zeroPoint`);
    const roles = { input, scale: scaleOp, zeroPoint: zeroOp };
    return g.result(g.call('dequantizeLinear', roles, input, scaleOp, zeroOp, g.opts(label)), dtype);
  }
  if (g.isHost(q) && g.isHost(scale) && (zero === undefined || g.isHost(zero)))
    return dequantizeOnHost(g, q, scale, zero, a, dtype);
  // Activations quantized at run time: (cast(q) − cast(zp)) · scale.
  const asFloat = (v: Value, name: string) => g.operandAs(v, dtype, `${label}#${name}`);
  let out = asFloat(q, 'cast');
  if (zero !== undefined) {
    const zp = asFloat(zero, 'zeroPoint');
    out = g.call('sub', { a: out, b: zp }, out, zp, g.opts(`${label}#sub`));
  }
  const s = g.operand(scale);
  const sb = g.reshape(s, dims ?? scale.dims, `${label}#scale`);
  return g.result(g.call('mul', { a: out, b: sb }, out, sb, g.opts(label)), dtype);
}

function lowerMatMulNBits(g: BuildContext, x: Value[], a: NBitsAttrs, label: string): Value {
  const [input, packed, scaleValue, zeroValue] = x;
  const dtype = input.dtype;
  const { K, N, bits, blockSize } = a;
  const blocks = Math.ceil(K / blockSize);
  const width = blocks * blockSize;
  const bytes = g.numbers(packed, 'the packed weight');
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  const codes = new Uint8Array(N * width);
  for (let i = 0; i < codes.length; i++)
    codes[i] = (bytes[Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
  const zeros = new Uint8Array(N * blocks).fill(1 << (bits - 1));
  if (zeroValue !== undefined) {
    const zp = g.numbers(zeroValue, 'the zero points');
    const perColumn = Math.ceil((blocks * bits) / 8);
    for (let n = 0; n < N; n++)
      for (let b = 0; b < blocks; b++)
        zeros[n * blocks + b] =
          (zp[n * perColumn + Math.floor(b / perByte)] >> ((b % perByte) * bits)) & mask;
  }
  const codeType: ElementType = bits === 4 ? 'uint4' : 'uint8';
  const scaleHost = g.host(scaleValue.dtype, [N, blocks], g.numbers(scaleValue, 'the scales'));
  let weight: ReturnType<BuildContext['operand']>;
  if (g.has('dequantizeLinear') && g.supports('dequantizeLinear', 'input', g.type(codeType))) {
    const q = g.constant(codeType, [N, width], codes);
    const zp = g.constant(codeType, [N, blocks], zeros);
    const scale = g.operandAs(scaleHost, dtype, `${label}#scales`);
    weight = g.call(
      'dequantizeLinear',
      { input: q, scale, zeroPoint: zp },
      q,
      scale,
      zp,
      g.opts(`${label}#dequantize`),
    );
    if (width !== K)
      weight = g.call('slice', { input: weight }, weight, [0, 0], [N, K], g.opts(`${label}#trim`));
  } else {
    const values = new Float32Array(N * K);
    const scales = g.numbers(scaleHost, 'the scales');
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++) {
        const b = n * blocks + Math.floor(k / blockSize);
        values[n * K + k] = (codes[n * width + k] - zeros[b]) * scales[b];
      }
    weight = g.constant(dtype, [N, K], values);
  }
  const lhs = g.operand(input);
  const bias = x[5] === undefined ? undefined : g.operandAs(x[5], dtype, `${label}#bias`);
  if (lhs.shape.length === 2) {
    const options = { bTranspose: true, c: bias };
    return g.result(
      g.call('gemm', { a: lhs, b: weight, c: bias }, lhs, weight, g.opts(label, options)),
      dtype,
    );
  }
  const transposed = g.call(
    'transpose',
    { input: weight },
    weight,
    g.opts(`${label}#transpose`, { permutation: [1, 0] }),
  );
  let out = g.call(
    'matmul',
    { a: lhs, b: transposed },
    lhs,
    transposed,
    g.opts(bias ? `${label}#matmul` : label),
  );
  if (bias) out = g.call('add', { a: out, b: bias }, out, bias, g.opts(label));
  return g.result(out, dtype);
}

function lowerQuantize(g: BuildContext, x: Value[], a: QuantizeAttrs, label: string): Value {
  const [input, scale, zero] = x;
  const outType: ElementType = zero?.dtype ?? a.outputType ?? 'uint8';
  const dims = scaleDims(g, input.dims, scale.dims, a);
  if (dims === null)
    g.fail(
      `scale of shape [${scale.dims.join(', ')}] does not fit WebNN's block rule for [${input.dims.join(', ')}]`,
    );
  const inputOp = g.operand(input);
  const scaleOp = g.reshape(g.operandAs(scale, input.dtype, `${label}#scale`), dims, `${label}#scaleShape`);
  const count = dims.reduce((p, d) => p * d, 1);
  const zeroOp =
    zero === undefined
      ? g.constant(outType, dims, new Uint8Array(count))
      : g.reshape(g.operandAs(zero, outType, `${label}#zero`), dims, `${label}#zeroShape`);
  const roles = { input: inputOp, scale: scaleOp, zeroPoint: zeroOp };
  return g.result(g.call('quantizeLinear', roles, inputOp, scaleOp, zeroOp, g.opts(label)), outType);
}

/** ONNX DynamicQuantizeLinear: uint8 with scale (max(0,x) − min(0,x)) / 255 and a rounded zero point. */
function lowerDynamicQuantize(g: BuildContext, x: Value[], _a: unknown, label: string): Value[] {
  const dtype = x[0].dtype;
  const input = g.operand(x[0]);
  const rank = input.shape.length;
  const all = { axes: Array.from(input.shape.keys()), keepDimensions: false };
  const step = (op: string, p: typeof input, q: typeof input, name: string) =>
    g.call(op, { a: p, b: q }, p, q, g.opts(`${label}#${name}`));
  const zero = g.scalar(dtype, 0);
  const low = step('min', g.call('reduceMin', { input }, input, g.opts(`${label}#min`, all)), zero, 'low');
  const high = step('max', g.call('reduceMax', { input }, input, g.opts(`${label}#max`, all)), zero, 'high');
  const scale = step('div', step('sub', high, low, 'range'), g.scalar(dtype, 255), 'scale');
  const negLow = g.call('neg', { input: low }, low, g.opts(`${label}#negLow`));
  const ratio = step('div', negLow, scale, 'ratio');
  const rounded = g.call('roundEven', { input: ratio }, ratio, g.opts(`${label}#round`));
  const clamped = g.call(
    'clamp',
    { input: rounded },
    rounded,
    g.opts(`${label}#clamp`, { minValue: 0, maxValue: 255 }),
  );
  const zeroPoint = g.cast(clamped, g.type('uint8'), `${label}#zeroPoint`);
  const ones = new Array<number>(rank).fill(1);
  const scaleNd = g.reshape(scale, ones, `${label}#scaleNd`);
  const zeroNd = g.reshape(zeroPoint, ones, `${label}#zeroPointNd`);
  const quantized = g.call(
    'quantizeLinear',
    { input, scale: scaleNd, zeroPoint: zeroNd },
    input,
    scaleNd,
    zeroNd,
    g.opts(label),
  );
  return [g.result(quantized, 'uint8'), g.result(scale, dtype), g.result(zeroPoint, 'uint8')];
}

/** (q − zero point) as float32 operands, for integer ops WebNN computes in floating point. */
function integerAsFloat(
  g: BuildContext,
  q: Value,
  zero: Value | undefined,
  zeroShape: number[] | null,
  label: string,
) {
  let op = g.cast(g.operand(q), 'float32', `${label}#float`);
  if (zero === undefined) return op;
  let z = g.cast(g.operand(zero), 'float32', `${label}#zeroFloat`);
  if (zeroShape) z = g.reshape(z, zeroShape, `${label}#zeroShape`);
  op = g.call('sub', { a: op, b: z }, op, z, g.opts(`${label}#centered`));
  return op;
}

function lowerMatMulInteger(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const [a, b, aZero, bZero] = x;
  if (a.dims.length < 2 || b.dims.length < 2) g.fail('MatMulInteger on 1-D operands is not handled');
  // A's zero point may be per row ([M]); B's per column ([N]) broadcasts as is.
  const rowZero =
    aZero !== undefined && aZero.dims.length === 1 && aZero.dims[0] > 1 ? [aZero.dims[0], 1] : null;
  const lhs = integerAsFloat(g, a, aZero, rowZero, `${label}#a`);
  const rhs = integerAsFloat(g, b, bZero, null, `${label}#b`);
  const product = g.call('matmul', { a: lhs, b: rhs }, lhs, rhs, g.opts(`${label}#matmul`));
  return g.result(g.cast(product, g.type('int32'), label), 'int32');
}

function lowerConvInteger(g: BuildContext, x: Value[], a: ConvAttrs, label: string): Value {
  const [input, filter, inputZero, filterZero] = x;
  const rank = filter.dims.length;
  // A per-output-channel filter zero point ([M]) broadcasts over [M, C, kH, kW].
  const channelZero =
    filterZero !== undefined && filterZero.dims.length === 1 && filterZero.dims[0] > 1
      ? [filterZero.dims[0], ...new Array<number>(rank - 1).fill(1)]
      : null;
  const xf = integerAsFloat(g, input, inputZero, null, `${label}#x`);
  const wf = integerAsFloat(g, filter, filterZero, channelZero, `${label}#w`);
  const floatOut = lowerConv(g, [g.result(xf, 'float32'), g.result(wf, 'float32')], a, `${label}#conv`);
  return g.result(g.cast(g.operand(floatOut), g.type('int32'), label), 'int32');
}

export const quantizeOps: OpTable = {
  QuantizeLinear: [
    {
      since: 10,
      attributes: (n) => {
        if (n.int('saturate', 1) !== 1)
          return notExpressible('quantizes to float8 without saturation, which WebNN lacks');
        const code = n.int('output_dtype', 0);
        const outputType =
          code === 0
            ? null
            : code === 3
              ? 'int8'
              : code === 2
                ? 'uint8'
                : code === 22
                  ? 'int4'
                  : code === 21
                    ? 'uint4'
                    : undefined;
        if (outputType === undefined)
          return notExpressible(`quantizes to ONNX element type ${code}, which WebNN lacks`);
        return { axis: n.int('axis', 1), blockSize: n.int('block_size', 0), outputType };
      },
      lower: lowerQuantize,
      helpers: [scaleDims],
    },
  ],
  DynamicQuantizeLinear: [{ since: 11, lower: lowerDynamicQuantize }],
  MatMulInteger: [{ since: 10, lower: lowerMatMulInteger, helpers: [integerAsFloat] }],
  ConvInteger: [
    {
      since: 10,
      attributes: convAttributes(false),
      lower: lowerConvInteger,
      helpers: [integerAsFloat, lowerConv],
    },
  ],
  DequantizeLinear: [
    {
      since: 10,
      attributes: (n) => ({ axis: n.int('axis', 1), blockSize: n.int('block_size', 0) }),
      lower: lowerDequantize,
      helpers: [scaleDims, dequantizeOnHost],
    },
  ],
  'com.microsoft::MatMulNBits': [
    {
      since: 1,
      attributes: (n) => {
        const bits = n.int('bits', 4);
        if (bits !== 2 && bits !== 4 && bits !== 8)
          return notExpressible(`packs ${bits}-bit codes; 2, 4 and 8 are handled`);
        if (n.inputs[4]) return notExpressible('has g_idx (act-order), which is not handled');
        if (n.inputType(3) !== undefined && n.inputType(3) !== 'uint8')
          return notExpressible('has non-uint8 zero points, which are not handled');
        return { K: n.int('K', 0), N: n.int('N', 0), bits, blockSize: n.int('block_size', 32) };
      },
      lower: lowerMatMulNBits,
    },
  ],
};
