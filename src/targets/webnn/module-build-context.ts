/* istanbul ignore file -- copied into generated model.js as source text; instrumenting it would break that copy */
// WebnnBuildContext: what op lowerings build the WebNN graph with, inside a generated
// model.js. It holds the MLGraphBuilder, the context's opSupportLimits() and the data-type
// mode, and turns values into operands: host data (constants and shape arithmetic folded
// in JavaScript) into typed constants, weights into constants straight from
// model.weights.bin, graph inputs into builder.input() on first use. Every WebNN call goes
// through call(), which checks the operand data types and ranks against the limits first
// and fails naming the node, the op and the data type.
//
// The class is copied into model.js with Function.prototype.toString(): it must not use
// anything imported or defined at module level (type imports are erased and fine).
//   const g = new WebnnBuildContext(builder, context.opSupportLimits(), mode, weightBytes, weightTable);
//   const y = g.call('relu', { input: x }, x, g.opts('Relu_3'));

import { broadcastShape, decodeModuleWeight, float16Value, mapBroadcast } from '../module-runtime.js';
import type { MLDataType, MLGraphBuilderLike, MLOperandLike, MLOpSupportLimitsLike } from './webnn-api.js';
import type {
  Attrs,
  BuildContext,
  BuildMode,
  ElementType,
  OperandRoles,
  OpVersion,
  Value,
  WeightEntry,
} from './ops/types.js';

interface RoleLimits {
  dataTypes?: MLDataType[];
  rankRange?: { min: number; max: number };
}

type Callable = (...args: unknown[]) => unknown;

export class WebnnBuildContext implements BuildContext {
  readonly b: MLGraphBuilderLike;
  readonly limits: MLOpSupportLimitsLike;
  readonly mode: BuildMode;
  /** Graph inputs made so far: name → the data type the input is declared with. */
  readonly inputTypes = new Map<string, MLDataType>();
  /** Label of the node being lowered, for messages. */
  at = '';
  private readonly weightBytes: Uint8Array;
  private readonly weightTable: WeightEntry[];
  private readonly weightValues = new Map<number, Value>();

  constructor(
    builder: MLGraphBuilderLike,
    limits: MLOpSupportLimitsLike,
    mode: BuildMode,
    weightBytes: Uint8Array,
    weightTable: WeightEntry[],
  ) {
    this.b = builder;
    this.limits = limits;
    this.mode = mode;
    this.weightBytes = weightBytes;
    this.weightTable = weightTable;
  }

  // ---- values ----

  input(name: string, dtype: ElementType, dims: number[]): Value {
    return { dtype, dims: dims.slice(), input: name };
  }

  weight(index: number): Value {
    let v = this.weightValues.get(index);
    if (!v) {
      const entry = this.weightTable[index];
      v = { dtype: entry.dtype, dims: entry.dims.slice(), weight: index };
      this.weightValues.set(index, v);
    }
    return v;
  }

  isHost(v: Value): boolean {
    return v.data !== undefined || v.weight !== undefined;
  }

  host(dtype: ElementType, dims: number[], data: ArrayLike<number>): Value {
    let count = 1;
    for (const d of dims) count *= d;
    if (data.length !== count) this.fail(`internal: ${data.length} values for shape [${dims.join(', ')}]`);
    let out: Float32Array | Float64Array | Uint8Array;
    if (dtype === 'float32') out = Float32Array.from(data);
    else if (dtype === 'float16')
      out = Float32Array.from(WebnnBuildContext.float16Array(data), WebnnBuildContext.float16Value);
    else if (dtype === 'bool') out = Uint8Array.from(data, (x) => (x ? 1 : 0));
    else out = Float64Array.from(data, (x) => (Number.isNaN(x) ? 0 : Math.trunc(x)));
    return { dtype, dims: dims.slice(), data: out };
  }

  numbers(v: Value, what: string): ArrayLike<number> {
    if (v.data !== undefined) return v.data;
    if (v.weight !== undefined) {
      v.data = this.decodeWeight(this.weightTable[v.weight]);
      return v.data;
    }
    return this.fail(`${what} must be known when the graph is built, but it depends on the input values`);
  }

  ints(v: Value, what: string): number[] {
    return Array.from(this.numbers(v, what), (x) => Number(x));
  }

  result(operand: MLOperandLike, dtype: ElementType): Value {
    return { dtype, dims: Array.from(operand.shape), operand };
  }

  // ---- data types ----

  type(dtype: ElementType): MLDataType {
    switch (dtype) {
      case 'float32':
        return this.mode.float32;
      case 'float16':
        return this.mode.float16;
      case 'int64':
        return this.mode.int64;
      case 'bool':
        return 'uint8';
      case 'int16':
        return 'int32';
      case 'uint16':
        return 'uint32';
      case 'int4':
      case 'uint4':
        return this.supports('constant', 'dataTypes', dtype) ? dtype : dtype === 'int4' ? 'int8' : 'uint8';
      case 'int2':
        return 'int8';
      case 'uint2':
        return 'uint8';
      default:
        return dtype;
    }
  }

  /** Data type a graph input or output of `dtype` is declared with (float32 stays float32). */
  ioType(dtype: ElementType): MLDataType {
    return dtype === 'float32' ? 'float32' : this.type(dtype);
  }

  /** Whether the builder has `op` (its data types are checked by call()). */
  has(op: string): boolean {
    return typeof (this.b as unknown as Record<string, unknown>)[op] === 'function';
  }

  supports(op: string, role: string, dataType: MLDataType): boolean {
    const entry = this.limits[op] as Record<string, RoleLimits | MLDataType[]> | undefined;
    if (!entry) return this.has(op);
    const types = role === 'dataTypes' ? entry.dataTypes : (entry[role] as RoleLimits | undefined)?.dataTypes;
    return !Array.isArray(types) || types.includes(dataType);
  }

  // ---- operands ----

  operand(v: Value): MLOperandLike {
    if (v.operand) return v.operand;
    if (v.input !== undefined) {
      const ioType = this.ioType(v.dtype);
      this.check('input', 'dataTypes', ioType, v.dims.length);
      let op = this.b.input(v.input, { dataType: ioType, shape: v.dims.slice() });
      this.inputTypes.set(v.input, ioType);
      if (ioType !== this.type(v.dtype)) op = this.cast(op, this.type(v.dtype), `${v.input}#cast`);
      v.operand = op;
    } else if (v.weight !== undefined) {
      v.operand = this.weightConstant(this.weightTable[v.weight]);
    } else if (v.data !== undefined) {
      v.operand = this.constant(v.dtype, v.dims, v.data);
    } else {
      this.fail('internal: a value with neither data nor operand');
    }
    return v.operand!;
  }

  operandAs(v: Value, dtype: ElementType, label: string): MLOperandLike {
    if (this.isHost(v) && v.operand === undefined && this.type(v.dtype) !== this.type(dtype)) {
      return this.constant(dtype, v.dims, this.numbers(v, 'a constant'));
    }
    const op = this.operand(v);
    return op.dataType === this.type(dtype) ? op : this.cast(op, this.type(dtype), label);
  }

  /** The operand a graph output is read from, declared in its I/O data type. */
  outputOperand(v: Value, label: string): MLOperandLike {
    let op = this.operand(v);
    const ioType = this.ioType(v.dtype);
    if (op.dataType !== ioType) op = this.cast(op, ioType, `${label}#cast`);
    else if (v.input !== undefined || v.weight !== undefined || v.data !== undefined)
      op = this.call('identity', { input: op }, op, this.opts(`${label}#identity`));
    this.check('output', 'dataTypes', op.dataType, op.shape.length);
    return op;
  }

  constant(dtype: ElementType, dims: number[], data: ArrayLike<number>): MLOperandLike {
    const dataType = this.type(dtype);
    this.check('constant', 'dataTypes', dataType, dims.length);
    return this.b.constant({ dataType, shape: dims.slice() }, WebnnBuildContext.typedArray(dataType, data));
  }

  scalar(dtype: ElementType, value: number): MLOperandLike {
    return this.constant(dtype, [], [value]);
  }

  // ---- calls ----

  opts(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
    out.label = label;
    return out;
  }

  call(op: string, roles: OperandRoles, ...args: unknown[]): MLOperandLike {
    return this.invoke(op, roles, args) as MLOperandLike;
  }

  callMany(op: string, roles: OperandRoles, ...args: unknown[]): MLOperandLike[] {
    return this.invoke(op, roles, args) as MLOperandLike[];
  }

  reshape(x: MLOperandLike, dims: number[], label: string): MLOperandLike {
    if (x.shape.length === dims.length && x.shape.every((d, i) => d === dims[i])) return x;
    return this.call('reshape', { input: x }, x, dims, this.opts(label));
  }

  cast(x: MLOperandLike, dataType: MLDataType, label: string): MLOperandLike {
    if (x.dataType === dataType) return x;
    this.check('cast', 'output', dataType, x.shape.length);
    return this.call('cast', { input: x }, x, dataType, this.opts(label));
  }

  /** Lowers one ONNX node: in JavaScript when every input is host data and the op can, else in WebNN. */
  node(entry: OpVersion, x: Value[], a: Attrs, label: string): Value[] {
    this.at = label;
    const onHost = entry.host !== undefined && x.every((v) => v === undefined || this.isHost(v));
    const out = onHost ? entry.host!(this, x, a) : entry.lower(this, x, a, label);
    return Array.isArray(out) ? out : [out];
  }

  // ---- host arithmetic ----

  broadcastDims(a: number[], b: number[]): number[] {
    return (
      broadcastShape(a, b) ?? this.fail(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`)
    );
  }

  hostMap(inputs: Value[], dtype: ElementType, fn: (...xs: number[]) => number): Value {
    const dims = inputs.reduce<number[]>((d, v) => this.broadcastDims(d, v.dims), []);
    const data = inputs.map((v) => this.numbers(v, 'an input'));
    return this.host(
      dtype,
      dims,
      mapBroadcast(
        data,
        inputs.map((v) => v.dims),
        dims,
        fn,
      ),
    );
  }

  axis(axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis;
    if (!(a >= 0 && a < Math.max(rank, 1))) this.fail(`axis ${axis} is out of range for rank ${rank}`);
    return a;
  }

  fail(message: string): never {
    throw new Error(`node "${this.at}": ${message}`);
  }

  // ---- internals ----

  private invoke(op: string, roles: OperandRoles, args: unknown[]): unknown {
    const method = (this.b as unknown as Record<string, Callable>)[op];
    if (typeof method !== 'function') {
      this.unsupported(`this WebNN context has no ${op}() operation`, undefined);
    }
    for (const [role, operands] of Object.entries(roles)) {
      if (operands === undefined) continue;
      for (const o of Array.isArray(operands) ? operands : [operands])
        this.check(op, role, o.dataType, o.shape.length);
    }
    return method.apply(this.b, args);
  }

  private check(op: string, role: string, dataType: MLDataType, rank: number): void {
    const entry = this.limits[op] as Record<string, RoleLimits | MLDataType[]> | undefined;
    const limits = (role === 'dataTypes' ? entry : entry?.[role]) as RoleLimits | undefined;
    if (!limits) return;
    if (Array.isArray(limits.dataTypes) && !limits.dataTypes.includes(dataType)) {
      const what = role === 'dataTypes' ? `${op} tensors` : `${op}() ${role}`;
      this.unsupported(
        `this WebNN context does not support ${what} of data type ${dataType} (it supports ${limits.dataTypes.join(', ') || 'none'})`,
        dataType,
      );
    }
    const range = limits.rankRange;
    if (range && (rank < range.min || rank > range.max)) {
      this.unsupported(
        `this WebNN context supports ${op}() ${role} of rank ${range.min}..${range.max}, not ${rank}`,
        undefined,
      );
    }
  }

  private unsupported(message: string, dataType: MLDataType | undefined): never {
    const error = new Error(`node "${this.at}": ${message}.`) as Error & { webnnDataType?: MLDataType };
    error.webnnDataType = dataType;
    throw error;
  }

  private weightConstant(entry: WeightEntry): MLOperandLike {
    const dataType = this.type(entry.dtype);
    const natural: Partial<Record<ElementType, MLDataType>> = {
      bool: 'uint8',
      int16: undefined,
      uint16: undefined,
      int2: undefined,
      uint2: undefined,
    };
    const stored = entry.storage in natural ? natural[entry.storage] : (entry.storage as MLDataType);
    this.check('constant', 'dataTypes', dataType, entry.dims.length);
    const descriptor = { dataType, shape: entry.dims.slice() };
    if (stored === dataType) {
      const bytes = this.weightBytes.subarray(entry.offset, entry.offset + entry.bytes);
      return this.b.constant(descriptor, bytes);
    }
    return this.b.constant(descriptor, WebnnBuildContext.typedArray(dataType, this.decodeWeight(entry)));
  }

  private decodeWeight(entry: WeightEntry): ArrayLike<number> {
    return decodeModuleWeight(this.weightBytes, entry);
  }

  // ---- static data conversions (also used by the session) ----

  /** Numbers → the typed array WebNN expects for `dataType` (ints saturate, float16 as bits, 4-bit packed). */
  static typedArray(dataType: MLDataType, data: ArrayLike<number>): ArrayBufferView {
    const n = data.length;
    const clampInt = (x: number, lo: number, hi: number): number =>
      Number.isNaN(x) ? 0 : Math.min(hi, Math.max(lo, Math.trunc(x)));
    switch (dataType) {
      case 'float32':
        return data instanceof Float32Array ? data : Float32Array.from(data);
      case 'float16': {
        // Finite values saturate at ±65504 (as ONNX float16 converters do); ±∞ and NaN stay.
        // Plain comparisons: Math.min/max per element are slow in some embedders.
        const clamped = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const x = data[i];
          clamped[i] = x > 65504 && x !== Infinity ? 65504 : x < -65504 && x !== -Infinity ? -65504 : x;
        }
        return WebnnBuildContext.float16Array(clamped);
      }
      case 'int64': {
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) {
          const x = data[i];
          out[i] =
            x >= 2 ** 63
              ? 9223372036854775807n
              : x <= -(2 ** 63)
                ? -9223372036854775808n
                : BigInt(Number.isNaN(x) ? 0 : Math.trunc(x));
        }
        return out;
      }
      case 'uint64': {
        const out = new BigUint64Array(n);
        for (let i = 0; i < n; i++) out[i] = BigInt(clampInt(data[i], 0, Number.MAX_SAFE_INTEGER));
        return out;
      }
      case 'int32':
        return Int32Array.from(data, (x) => clampInt(x, -2147483648, 2147483647));
      case 'uint32':
        return Uint32Array.from(data, (x) => clampInt(x, 0, 4294967295));
      case 'int8':
        return Int8Array.from(data, (x) => clampInt(x, -128, 127));
      case 'uint8':
        return Uint8Array.from(data, (x) => clampInt(x, 0, 255));
      case 'int4':
      case 'uint4': {
        const out = new Uint8Array((n + 1) >> 1);
        const [lo, hi] = dataType === 'int4' ? [-8, 7] : [0, 15];
        for (let i = 0; i < n; i++) out[i >> 1] |= (clampInt(data[i], lo, hi) & 15) << ((i & 1) * 4);
        return out;
      }
    }
  }

  /** float32 value → IEEE half bits, round to nearest even (overflow → infinity). */
  static float16Bits(value: number): number {
    return WebnnBuildContext.float16Array([value])[0];
  }

  /** Numbers → IEEE half bits (via float32), round to nearest even; one pass, no per-value allocation. */
  static float16Array(values: ArrayLike<number>): Uint16Array {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    const words = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
    const out = new Uint16Array(f32.length);
    for (let i = 0; i < words.length; i++) {
      const x = words[i];
      const sign = (x >>> 16) & 0x8000;
      const exponent = (x >>> 23) & 0xff;
      let mantissa = x & 0x7fffff;
      if (exponent === 0xff) {
        out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
        continue;
      }
      const e = exponent - 112;
      if (e >= 31) {
        out[i] = sign | 0x7c00;
        continue;
      }
      if (e <= 0) {
        if (e < -10) {
          out[i] = sign;
          continue;
        }
        mantissa |= 0x800000;
        const shift = 14 - e;
        let half = mantissa >>> shift;
        const rest = mantissa & ((1 << shift) - 1);
        const middle = 1 << (shift - 1);
        if (rest > middle || (rest === middle && half & 1)) half++;
        out[i] = sign | half;
        continue;
      }
      let half = (e << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
      out[i] = sign | half;
    }
    return out;
  }

  static float16Value(bits: number): number {
    return float16Value(bits);
  }
}
