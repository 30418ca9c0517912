/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  ML: () => (/* reexport */ ML),
  x5: () => (/* reexport */ MLContext),
  Aj: () => (/* reexport */ MLGraph),
  bU: () => (/* reexport */ MLGraphBuilder),
  rt: () => (/* reexport */ MLOperand),
  Xv: () => (/* reexport */ MLTensor),
  ai: () => (/* reexport */ install),
  ml: () => (/* reexport */ ml)
});

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/fast-math.ts
// Math functions bound to module constants for the kernels' inner loops. Inside Node vm
// contexts (jest runs every test module in one) each global lookup of `Math` goes through the
// context's property interceptor and costs ~20× a module binding, so kernels import these.
//   import { exp, max } from './fast-math.js';
const { abs, ceil, cos, exp, expm1, floor, imul, log, log1p, max, min, pow, sign, sin, sqrt, tan, tanh, trunc, } = Math;
const SQRT2 = Math.SQRT2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/data-types.ts
// Operand data types of the WebNN reference runtime: how each type is stored (one typed-array
// element per tensor element; float16 as Uint16Array bits; int4/uint4 unpacked to one byte),
// its packed byte layout (little-endian; 4-bit types two per byte, low nibble first), float16
// rounding, and the spec's numeric conversions: `cast` for MLNumber options (ConvertToFloat /
// ConvertToInt) and the cast() operator's element conversion.
//   const bits = encodeFloat16(Float32Array.of(0.1));   // Uint16Array [0x2e66]
//   castNumber(300, 'uint8');                            // 255 (clamped, spec ConvertToInt)

const ALL_DATA_TYPES = [
    'float32',
    'float16',
    'int64',
    'uint64',
    'int32',
    'uint32',
    'int8',
    'uint8',
    'int4',
    'uint4',
];
function isDataType(value) {
    return typeof value === 'string' && ALL_DATA_TYPES.includes(value);
}
function isFloatType(t) {
    return t === 'float32' || t === 'float16';
}
function isBigIntType(t) {
    return t === 'int64' || t === 'uint64';
}
const BITS = {
    float32: 32,
    float16: 16,
    int64: 64,
    uint64: 64,
    int32: 32,
    uint32: 32,
    int8: 8,
    uint8: 8,
    int4: 4,
    uint4: 4,
};
/** Packed bytes of `elementCount` elements (4-bit types: two per byte, rounded up). */
function byteLengthOf(dataType, elementCount) {
    return Math.ceil((elementCount * BITS[dataType]) / 8);
}
function elementCountOf(shape) {
    let count = 1;
    for (const d of shape)
        count *= d;
    return count;
}
/** Inclusive integer range of an integer type, as numbers (int64/uint64 bounds are approximate). */
function integerRange(t) {
    const bits = BITS[t];
    return t.startsWith('u') ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}
function allocateStorage(dataType, count) {
    switch (dataType) {
        case 'float32':
            return new Float32Array(count);
        case 'float16':
            return new Uint16Array(count);
        case 'int64':
            return new BigInt64Array(count);
        case 'uint64':
            return new BigUint64Array(count);
        case 'int32':
            return new Int32Array(count);
        case 'uint32':
            return new Uint32Array(count);
        case 'int8':
        case 'int4':
            return new Int8Array(count);
        case 'uint8':
        case 'uint4':
            return new Uint8Array(count);
    }
}
/** Decodes packed little-endian bytes into storage of `count` elements. */
function storageFromBytes(dataType, bytes, count) {
    const out = allocateStorage(dataType, count);
    if (dataType === 'int4' || dataType === 'uint4') {
        for (let i = 0; i < count; i++) {
            const nibble = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
            out[i] = dataType === 'int4' && nibble >= 8 ? nibble - 16 : nibble;
        }
        return out;
    }
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, out.byteLength));
    return out;
}
/** Encodes storage as packed little-endian bytes (a fresh copy). */
function storageToBytes(dataType, data) {
    if (dataType === 'int4' || dataType === 'uint4') {
        const out = new Uint8Array(byteLengthOf(dataType, data.length));
        const values = data;
        for (let i = 0; i < values.length; i++)
            out[i >> 1] |= (values[i] & 0xf) << ((i & 1) * 4);
        return out;
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}
// ---- float16 ----
const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);
let float16Table;
function buildFloat16Table() {
    const table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
        const sign = bits & 0x8000 ? -1 : 1;
        const exponent = (bits >> 10) & 0x1f;
        const mantissa = bits & 0x3ff;
        if (exponent === 0)
            table[bits] = sign * mantissa * 2 ** -24;
        else if (exponent === 0x1f)
            table[bits] = mantissa ? NaN : sign * Infinity;
        else
            table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
    }
    return table;
}
function float16BitsToNumber(bits) {
    float16Table ??= buildFloat16Table();
    return float16Table[bits & 0xffff];
}
/** Rounds `value` (via float32) to the nearest float16, ties to even; returns the bits. */
function numberToFloat16Bits(value) {
    scratchFloat[0] = value;
    const x = scratchBits[0];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff)
        return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
    const halfExponent = exponent - 112;
    if (halfExponent >= 0x1f)
        return sign | 0x7c00;
    if (halfExponent <= 0) {
        if (halfExponent < -10)
            return sign;
        mantissa |= 0x800000;
        const shift = 14 - halfExponent;
        let half = mantissa >>> shift;
        const rest = mantissa & ((1 << shift) - 1);
        const halfway = 1 << (shift - 1);
        if (rest > halfway || (rest === halfway && half & 1))
            half++;
        return sign | half;
    }
    let half = (halfExponent << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1))
        half++;
    return sign | half;
}
function decodeFloat16(bits) {
    float16Table ??= buildFloat16Table();
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++)
        out[i] = float16Table[bits[i]];
    return out;
}
function encodeFloat16(values) {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++)
        out[i] = numberToFloat16Bits(values[i]);
    return out;
}
// ---- reading values ----
/** The tensor's values as float32 (the data itself for float32; cached for other types). */
function asFloat32(t) {
    if (t.data instanceof Float32Array)
        return t.data;
    if (t.float32Cache)
        return t.float32Cache;
    let out;
    if (t.dataType === 'float16')
        out = decodeFloat16(t.data);
    else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
        out = new Float32Array(t.data.length);
        for (let i = 0; i < out.length; i++)
            out[i] = Number(t.data[i]);
    }
    else
        out = Float32Array.from(t.data);
    t.float32Cache = out;
    return out;
}
/** The tensor's values as doubles (exact for every type but 64-bit integers beyond 2^53). */
function asFloat64(t) {
    const out = new Float64Array(t.data.length);
    if (t.dataType === 'float16') {
        const values = asFloat32(t);
        for (let i = 0; i < out.length; i++)
            out[i] = values[i];
    }
    else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
        for (let i = 0; i < out.length; i++)
            out[i] = Number(t.data[i]);
    }
    else
        out.set(t.data);
    return out;
}
/** Index-like values (gather indices, …) as plain numbers. */
function asIndices(t) {
    return asFloat64(t);
}
// ---- writing values ----
/**
 * Stores computed numbers as `dataType`: floats round to nearest (float16 via float32),
 * integers truncate toward zero and wrap to the type's width (two's complement), as
 * integer arithmetic does.
 */
function storeNumbers(dataType, values) {
    const count = values.length;
    switch (dataType) {
        case 'float32':
            return values instanceof Float32Array ? values : Float32Array.from(values);
        case 'float16':
            return encodeFloat16(values);
        case 'int64':
        case 'uint64': {
            const out = allocateStorage(dataType, count);
            const bits = 64;
            for (let i = 0; i < count; i++) {
                const v = values[i];
                const whole = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
                out[i] = dataType === 'int64' ? BigInt.asIntN(bits, whole) : BigInt.asUintN(bits, whole);
            }
            return out;
        }
        case 'int4':
        case 'uint4': {
            const out = allocateStorage(dataType, count);
            for (let i = 0; i < count; i++) {
                const v = values[i];
                const nibble = (v - v === 0 ? trunc(v) : 0) & 0xf;
                out[i] = dataType === 'int4' && nibble >= 8 ? nibble - 16 : nibble;
            }
            return out;
        }
        default: {
            const out = allocateStorage(dataType, count);
            // Typed-array stores truncate and wrap modulo 2^bits (ECMAScript ToInt32/ToUint8/…).
            for (let i = 0; i < count; i++)
                out[i] = values[i];
            return out;
        }
    }
}
/**
 * The spec's `cast` of an abstract number to `dataType` (used for MLNumber options and scalar
 * constants): floats round to nearest with overflow to ±Infinity; integers clamp to the
 * type's range, NaN → 0, then round half to even.
 */
function castNumber(value, dataType) {
    if (dataType === 'float32')
        return Math.fround(Number(value));
    if (dataType === 'float16')
        return float16BitsToNumber(numberToFloat16Bits(Number(value)));
    if (isBigIntType(dataType)) {
        const [low, high] = dataType === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
        let whole;
        if (typeof value === 'bigint')
            whole = value;
        else if (Number.isNaN(value))
            return 0n;
        else if (value === Infinity)
            return high;
        else if (value === -Infinity)
            return low;
        else
            whole = BigInt(roundHalfToEven(value));
        return whole < low ? low : whole > high ? high : whole;
    }
    const [low, high] = integerRange(dataType);
    const x = Number(value);
    if (Number.isNaN(x))
        return 0;
    const rounded = roundHalfToEven(Math.min(Math.max(x, low), high));
    return rounded === 0 ? 0 : rounded;
}
/** Rounds to the nearest integer, halves to even; keeps the sign of zero (-0.5 → -0). */
function roundHalfToEven(x) {
    const down = floor(x);
    const diff = x - down;
    const rounded = diff < 0.5 ? down : diff > 0.5 ? down + 1 : down % 2 === 0 ? down : down + 1;
    return rounded === 0 && (x < 0 || 1 / x < 0) ? -0 : rounded;
}
/**
 * The cast() operator's element conversion between storage types (spec table): float → float
 * rounds to nearest; float → integer truncates toward zero (out of range is implementation-
 * defined: this runtime saturates, NaN → 0); integer → float rounds to nearest; integer →
 * integer keeps the value in range and otherwise the lowest bits (two's complement).
 */
function castStorage(source, targetType) {
    const from = source.dataType;
    const count = source.data.length;
    if (isFloatType(targetType))
        return storeNumbers(targetType, asFloat32OrExact(source));
    if (isFloatType(from)) {
        const values = asFloat32(source);
        const out = allocateStorage(targetType, count);
        const [low, high] = integerRange(targetType);
        for (let i = 0; i < count; i++) {
            const v = values[i];
            const t = v !== v ? 0 : trunc(min(max(v, low), high));
            out[i] = isBigIntType(targetType) ? BigInt(t) : t;
        }
        return out;
    }
    // integer → integer: lowest N bits, two's complement.
    const out = allocateStorage(targetType, count);
    if (!isBigIntType(from) && !isBigIntType(targetType) && BITS[targetType] >= 8) {
        // Typed-array stores of integers wrap modulo 2^bits already.
        out.set(source.data);
        return out;
    }
    const bits = BITS[targetType];
    const signed = !targetType.startsWith('u');
    const src = source.data;
    for (let i = 0; i < count; i++) {
        const v = BigInt(src[i]);
        const wrapped = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
        out[i] = isBigIntType(targetType) ? wrapped : Number(wrapped);
    }
    return out;
}
/** Values for conversion to a float type: float32 view for floats, exact doubles otherwise. */
function asFloat32OrExact(t) {
    return isFloatType(t.dataType) ? asFloat32(t) : asFloat64(t);
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/operand.ts
// MLOperand and the graph it belongs to: each operand is a graph input, a constant, or an
// output of one operator node. Internal slots live in a WeakMap so the public object shows
// only the spec's attributes (dataType, shape).
//   const x = builder.input('x', { dataType: 'float32', shape: [2, 3] });
//   x.shape; // [2, 3] (frozen)
const operandSlots = new WeakMap();
const CREATE = Symbol('MLOperand.create');
class MLOperand {
    #shape;
    /** Not constructible by script: operands come from MLGraphBuilder methods. */
    constructor(token, slots) {
        if (token !== CREATE)
            throw new TypeError('Illegal constructor: MLOperand is created by MLGraphBuilder');
        this.#shape = Object.freeze(slots.shape.slice());
        operandSlots.set(this, { ...slots, shape: this.#shape });
    }
    get dataType() {
        return slotsOf(this).dataType;
    }
    get shape() {
        return this.#shape;
    }
    get [Symbol.toStringTag]() {
        return 'MLOperand';
    }
}
function createOperand(slots) {
    return new MLOperand(CREATE, slots);
}
function slotsOf(operand) {
    const slots = operandSlots.get(operand);
    if (!slots)
        throw new TypeError('Illegal invocation: not an MLOperand');
    return slots;
}
/** Slots of `value` if it is an MLOperand, else undefined. */
function operandSlotsOf(value) {
    return typeof value === 'object' && value !== null ? operandSlots.get(value) : undefined;
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/shape-utils.ts
// Shape arithmetic shared by the operators: the spec's broadcasting algorithms, strides,
// broadcast index maps, and the outer/inner offset split used by every reduction-like kernel.
//   broadcastShapes([2, 1], [3]);                 // [2, 3]
//   const { outer, inner } = splitAxes([2, 3, 4], [1]); // reduce axis 1

/** Row-major strides of `shape`. */
function stridesOf(shape) {
    const strides = new Array(shape.length);
    let stride = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
        strides[i] = stride;
        stride *= shape[i];
    }
    return strides;
}
/** Spec "bidirectionally broadcast the shapes"; undefined on failure. */
function broadcastShapes(a, b) {
    const rank = Math.max(a.length, b.length);
    const out = [];
    for (let i = 0; i < rank; i++) {
        const dimA = a[a.length - rank + i] ?? 1;
        const dimB = b[b.length - rank + i] ?? 1;
        if (dimA !== dimB && dimA !== 1 && dimB !== 1)
            return undefined;
        out.push(Math.max(dimA, dimB));
    }
    return out;
}
/** Spec "unidirectionally broadcast the shapes" (from → to); undefined on failure. */
function broadcastTo(from, to) {
    if (from.length > to.length)
        return undefined;
    for (let i = 0; i < to.length; i++) {
        const dim = from[from.length - to.length + i] ?? 1;
        if (dim !== to[i] && dim !== 1)
            return undefined;
    }
    return to.slice();
}
/** Spec "blockwise broadcast the shapes": same rank, every `to` dim a multiple of `from`'s. */
function isBlockwiseBroadcastable(from, to) {
    return from.length === to.length && from.every((d, i) => to[i] % d === 0);
}
function shapesEqual(a, b) {
    return a.length === b.length && a.every((d, i) => d === b[i]);
}
/**
 * For each element of `outShape`, the offset of the element of `inShape` (broadcast to
 * `outShape`, right-aligned) that it reads. Undefined when no mapping is needed (same shape).
 */
function broadcastOffsets(inShape, outShape) {
    if (shapesEqual(inShape, outShape))
        return undefined;
    const rank = outShape.length;
    const inStrides = stridesOf(inShape);
    const strides = new Array(rank).fill(0);
    for (let i = 0; i < inShape.length; i++) {
        const axis = rank - inShape.length + i;
        strides[axis] = inShape[i] === 1 ? 0 : inStrides[i];
    }
    const count = elementCountOf(outShape);
    const offsets = new Int32Array(count);
    if (count === 0)
        return offsets;
    const index = new Array(rank).fill(0);
    let offset = 0;
    for (let i = 0; i < count; i++) {
        offsets[i] = offset;
        for (let axis = rank - 1; axis >= 0; axis--) {
            index[axis]++;
            offset += strides[axis];
            if (index[axis] < outShape[axis])
                break;
            offset -= strides[axis] * outShape[axis];
            index[axis] = 0;
        }
    }
    return offsets;
}
/**
 * Splits `shape` into kept and reduced axes: `outer[o]` is the offset of the first element of
 * the o-th kept position, `inner[r]` the offset of the r-th reduced position (reduced axes in
 * increasing order, row-major), so element (o, r) is at outer[o] + inner[r].
 */
function splitAxes(shape, axes) {
    const strides = stridesOf(shape);
    const reduced = new Set(axes);
    const keptAxes = [];
    const reducedAxes = [];
    for (let axis = 0; axis < shape.length; axis++)
        (reduced.has(axis) ? reducedAxes : keptAxes).push(axis);
    return {
        outer: offsetsOver(shape, strides, keptAxes),
        inner: offsetsOver(shape, strides, reducedAxes),
    };
}
/** Offsets of all positions over `axes` (row-major in axis order) with the given strides. */
function offsetsOver(shape, strides, axes) {
    let count = 1;
    for (const axis of axes)
        count *= shape[axis];
    const offsets = new Int32Array(count);
    if (count === 0)
        return offsets;
    const index = new Array(axes.length).fill(0);
    let offset = 0;
    for (let i = 0; i < count; i++) {
        offsets[i] = offset;
        for (let k = axes.length - 1; k >= 0; k--) {
            const axis = axes[k];
            index[k]++;
            offset += strides[axis];
            if (index[k] < shape[axis])
                break;
            offset -= strides[axis] * shape[axis];
            index[k] = 0;
        }
    }
    return offsets;
}
/** True when `axes` has no duplicates and every item is in [0, rank). */
function axesAreValid(axes, rank) {
    return new Set(axes).size === axes.length && axes.every((a) => Number.isInteger(a) && a >= 0 && a < rank);
}
/** Spec "valid dimension": an integer in [1, 2^31 - 1]. */
function isValidDimension(d) {
    return Number.isInteger(d) && d > 0 && d <= 0x7fffffff;
}
/** Permutes `shape` by `permutation`. */
function permuteShape(shape, permutation) {
    return permutation.map((p) => shape[p]);
}
/** For each output element of transpose(shape, permutation), the input offset it reads. */
function transposeOffsets(shape, permutation) {
    const inStrides = stridesOf(shape);
    const outShape = permuteShape(shape, permutation);
    const permutedStrides = permutation.map((p) => inStrides[p]);
    return offsetsOver(outShape, permutedStrides, outShape.map((_, i) => i));
}
/**
 * Input offsets of each output element, where output coordinate c on axis a reads input
 * coordinate axisMaps[a][c] (-1 marks a padding position: the offset is -1).
 */
function offsetsFromAxisMaps(outShape, inShape, axisMaps) {
    const rank = outShape.length;
    const inStrides = stridesOf(inShape);
    const count = elementCountOf(outShape);
    const offsets = new Int32Array(count);
    const index = new Array(rank).fill(0);
    for (let i = 0; i < count; i++) {
        let offset = 0;
        for (let a = 0; a < rank; a++) {
            const c = axisMaps[a][index[a]];
            if (c < 0) {
                offset = -1;
                break;
            }
            offset += c * inStrides[a];
        }
        offsets[i] = offset;
        for (let a = rank - 1; a >= 0; a--) {
            if (++index[a] < outShape[a])
                break;
            index[a] = 0;
        }
    }
    return offsets;
}
function axisMap(length, map) {
    return Int32Array.from({ length }, (_, c) => map(c));
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/support-limits.ts
// What this runtime supports, per operator and operand: data types and rank ranges. One
// table serves both MLContext.opSupportLimits() (shape as in the spec: per-op dictionaries of
// MLTensorLimits keyed by parameter name) and the builder's validation, so a type the limits
// do not list is always a TypeError at graph-construction time.
//   context.opSupportLimits().matmul.a.dataTypes; // ['float32', 'float16']

/** Highest rank any operand may have. */
const MAX_RANK = 8;
/** Largest tensor, in bytes (typed arrays beyond this are impractical in one JS heap). */
const MAX_TENSOR_BYTE_LENGTH = 2 ** 31;
const ANY = ALL_DATA_TYPES;
const FLOAT = ['float32', 'float16'];
const SIGNED_NUMERIC = ['float32', 'float16', 'int64', 'int32', 'int8'];
const INDICES = ['int32', 'uint32', 'int64'];
const UINT8 = ['uint8'];
const QUANTIZED = ['uint8', 'int8', 'uint32', 'int32', 'int4', 'uint4'];
const SUMMABLE = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64'];
const ORDERED_EXACT = ['float32', 'float16', 'int32', 'uint32', 'int8', 'uint8', 'int4', 'uint4'];
const limit = (types, minRank = 0, maxRank = MAX_RANK) => [types, minRank, maxRank];
const unaryLimits = (types, minRank = 0) => ({
    input: limit(types, minRank),
    output: limit(types, minRank),
});
const binaryLimits = (types, output = types) => ({
    a: limit(types),
    b: limit(types),
    output: limit(output),
});
const reductionLimits = (types) => unaryLimits(types);
const poolLimits = (types) => ({ input: limit(types, 4, 4), output: limit(types, 4, 4) });
const convLimits = {
    input: limit(FLOAT, 4, 4),
    filter: limit(FLOAT, 4, 4),
    bias: limit(FLOAT, 1, 1),
    output: limit(FLOAT, 4, 4),
};
const normalizationLimits = (inputMin, inputMax, paramMin, paramMax) => ({
    input: limit(FLOAT, inputMin, inputMax),
    scale: limit(FLOAT, paramMin, paramMax),
    bias: limit(FLOAT, paramMin, paramMax),
    output: limit(FLOAT, inputMin, inputMax),
});
const gatherLimits = (inputMin, indicesMin) => ({
    input: limit(ANY, inputMin),
    indices: limit(INDICES, indicesMin),
    output: limit(ANY),
});
const scatterLimits = (updatesMin) => ({
    input: limit(ANY, 1),
    indices: limit(INDICES, 1),
    updates: limit(ANY, updatesMin),
    output: limit(ANY, 1),
});
const OPERATOR_TABLE = {
    argMin: { input: limit(ANY, 1), output: limit(['int32', 'int64']) },
    argMax: { input: limit(ANY, 1), output: limit(['int32', 'int64']) },
    batchNormalization: {
        input: limit(FLOAT, 1),
        mean: limit(FLOAT, 1, 1),
        variance: limit(FLOAT, 1, 1),
        scale: limit(FLOAT, 1, 1),
        bias: limit(FLOAT, 1, 1),
        output: limit(FLOAT, 1),
    },
    cast: unaryLimits(ANY),
    clamp: unaryLimits(ANY),
    concat: { inputs: limit(ANY, 1), output: limit(ANY, 1) },
    conv2d: convLimits,
    convTranspose2d: convLimits,
    cumulativeSum: unaryLimits(SUMMABLE, 1),
    add: binaryLimits(ANY),
    sub: binaryLimits(ANY),
    mul: binaryLimits(ANY),
    div: binaryLimits(ANY),
    max: binaryLimits(ANY),
    min: binaryLimits(ANY),
    pow: binaryLimits(ANY),
    equal: binaryLimits(ANY, UINT8),
    notEqual: binaryLimits(ANY, UINT8),
    greater: binaryLimits(ANY, UINT8),
    greaterOrEqual: binaryLimits(ANY, UINT8),
    lesser: binaryLimits(ANY, UINT8),
    lesserOrEqual: binaryLimits(ANY, UINT8),
    logicalNot: { a: limit(UINT8), output: limit(UINT8) },
    logicalAnd: binaryLimits(UINT8),
    logicalOr: binaryLimits(UINT8),
    logicalXor: binaryLimits(UINT8),
    abs: unaryLimits(SIGNED_NUMERIC),
    ceil: unaryLimits(FLOAT),
    cos: unaryLimits(FLOAT),
    erf: unaryLimits(FLOAT),
    exp: unaryLimits(FLOAT),
    floor: unaryLimits(FLOAT),
    identity: unaryLimits(ANY),
    log: unaryLimits(FLOAT),
    neg: unaryLimits(SIGNED_NUMERIC),
    reciprocal: unaryLimits(FLOAT),
    roundEven: unaryLimits(FLOAT),
    sin: unaryLimits(FLOAT),
    sign: unaryLimits(SIGNED_NUMERIC),
    sqrt: unaryLimits(FLOAT),
    tan: unaryLimits(FLOAT),
    dequantizeLinear: {
        input: limit(QUANTIZED),
        scale: limit(FLOAT),
        zeroPoint: limit(QUANTIZED),
        output: limit(FLOAT),
    },
    quantizeLinear: {
        input: limit(FLOAT),
        scale: limit(FLOAT),
        zeroPoint: limit(QUANTIZED),
        output: limit(QUANTIZED),
    },
    elu: unaryLimits(FLOAT),
    expand: unaryLimits(ANY),
    gather: gatherLimits(1, 0),
    gatherElements: gatherLimits(1, 1),
    gatherND: gatherLimits(1, 1),
    gelu: unaryLimits(FLOAT),
    gemm: { a: limit(FLOAT, 2, 2), b: limit(FLOAT, 2, 2), c: limit(FLOAT, 0, 2), output: limit(FLOAT, 2, 2) },
    hardSigmoid: unaryLimits(FLOAT),
    hardSwish: unaryLimits(FLOAT),
    instanceNormalization: normalizationLimits(4, 4, 1, 1),
    layerNormalization: normalizationLimits(0, MAX_RANK, 0, MAX_RANK),
    leakyRelu: unaryLimits(FLOAT),
    linear: unaryLimits(FLOAT),
    matmul: { a: limit(FLOAT, 2), b: limit(FLOAT, 2), output: limit(FLOAT, 2) },
    pad: unaryLimits(ANY, 1),
    averagePool2d: poolLimits(FLOAT),
    l2Pool2d: poolLimits(FLOAT),
    maxPool2d: poolLimits(ORDERED_EXACT),
    prelu: { input: limit(SIGNED_NUMERIC), slope: limit(SIGNED_NUMERIC), output: limit(SIGNED_NUMERIC) },
    reduceL1: reductionLimits(SUMMABLE),
    reduceL2: reductionLimits(FLOAT),
    reduceLogSum: reductionLimits(FLOAT),
    reduceLogSumExp: reductionLimits(FLOAT),
    reduceMax: reductionLimits(ANY),
    reduceMean: reductionLimits(FLOAT),
    reduceMin: reductionLimits(ANY),
    reduceProduct: reductionLimits(SUMMABLE),
    reduceSum: reductionLimits(SUMMABLE),
    reduceSumSquare: reductionLimits(SUMMABLE),
    relu: unaryLimits(SIGNED_NUMERIC),
    resample2d: unaryLimits(FLOAT, 4),
    reshape: unaryLimits(ANY),
    reverse: unaryLimits(ANY),
    scatterElements: scatterLimits(1),
    scatterND: scatterLimits(0),
    sigmoid: unaryLimits(FLOAT),
    slice: unaryLimits(ANY),
    softmax: unaryLimits(FLOAT, 1),
    softplus: unaryLimits(FLOAT),
    softsign: unaryLimits(FLOAT),
    split: { input: limit(ANY, 1), outputs: limit(ANY, 1) },
    tanh: unaryLimits(FLOAT),
    tile: unaryLimits(ANY),
    transpose: unaryLimits(ANY),
    triangular: unaryLimits(ANY, 2),
    where: { condition: limit(UINT8), trueValue: limit(ANY), falseValue: limit(ANY), output: limit(ANY) },
};
const OPERATOR_NAMES = Object.keys(OPERATOR_TABLE);
function tensorLimits([types, min, max]) {
    return { dataTypes: types.slice(), rankRange: { min, max } };
}
/** A fresh MLOpSupportLimits dictionary (callers may mutate their copy). */
function buildOpSupportLimits() {
    const all = limit(ANY);
    const result = {
        preferredInputLayout: 'nchw',
        maxTensorByteLength: MAX_TENSOR_BYTE_LENGTH,
        input: tensorLimits(all),
        constant: tensorLimits(all),
        output: tensorLimits(all),
    };
    for (const name of OPERATOR_NAMES) {
        const perOperand = {};
        for (const [param, spec] of Object.entries(OPERATOR_TABLE[name])) {
            perOperand[param] = tensorLimits(spec);
        }
        result[name] = perOperand;
    }
    return result;
}
/**
 * Throws TypeError unless `operand` (of `kind`'s parameter `param`) has a supported data type
 * and rank.
 */
function checkOperandLimits(kind, param, operand, what) {
    const spec = OPERATOR_TABLE[kind][param];
    if (!spec)
        throw new Error(`support-limits: ${kind} has no parameter ${param}`);
    const [types, min, max] = spec;
    if (!types.includes(operand.dataType)) {
        throw new TypeError(`${what}: ${param} has data type ${operand.dataType}; supported: ${types.join(', ')}`);
    }
    const rank = operand.shape.length;
    if (rank < min || rank > max) {
        throw new TypeError(`${what}: ${param} has rank ${rank}; supported ranks ${min} to ${max}`);
    }
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/webidl.ts
// WebIDL-style argument conversion and the error types the WebNN spec names: TypeError for
// invalid arguments, DOMException "InvalidStateError" / "NotSupportedError" / "OperationError"
// for state and platform failures. Messages name the operator (and its label, if any).
//   const shape = toUnsignedLongSequence(desc.shape, 'input: descriptor.shape');
//   throw domError('InvalidStateError', 'MLGraphBuilder: build() has already been called');

function domError(name, message) {
    return new DOMException(message, name);
}
/** `what` prefix for messages: "conv2d" or "conv2d [label]". */
function describeOperator(kind, options) {
    const label = options?.label;
    return typeof label === 'string' && label !== '' ? `${kind} [${sanitizeLabel(label)}]` : kind;
}
function sanitizeLabel(label) {
    // Drop control and bidirectional-override characters (spec advisement on displaying labels).
    return Array.from(label)
        .filter((ch) => {
        const code = ch.codePointAt(0);
        return (code >= 0x20 &&
            code !== 0x7f &&
            !(code >= 0x202a && code <= 0x202e) &&
            !(code >= 0x2066 && code <= 0x2069));
    })
        .join('');
}
/** WebIDL [EnforceRange] unsigned long. */
function toUnsignedLong(value, what) {
    const x = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(x))
        throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
    const t = Math.trunc(x);
    if (t < 0 || t > 0xffffffff)
        throw new TypeError(`${what} must be in [0, 4294967295], got ${String(value)}`);
    return t;
}
/** WebIDL [EnforceRange] long. */
function toLong(value, what) {
    const x = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(x))
        throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
    const t = Math.trunc(x);
    if (t < -0x80000000 || t > 0x7fffffff)
        throw new TypeError(`${what} is out of the range of long`);
    return t;
}
/** WebIDL sequence<[EnforceRange] unsigned long>. */
function toUnsignedLongSequence(value, what) {
    if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
        throw new TypeError(`${what} must be a sequence of unsigned long`);
    }
    return Array.from(value, (v, i) => toUnsignedLong(v, `${what}[${i}]`));
}
/** WebIDL sequence<float>: finite numbers rounded to float32. */
function toFloatSequence(value, what) {
    if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
        throw new TypeError(`${what} must be a sequence of float`);
    }
    return Array.from(value, (v, i) => {
        const x = Math.fround(Number(v));
        if (!Number.isFinite(x))
            throw new TypeError(`${what}[${i}] must be finite`);
        return x;
    });
}
/** WebIDL restricted double (finite). */
function toDouble(value, what) {
    const x = Number(value);
    if (!Number.isFinite(x))
        throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
    return x;
}
/** WebIDL (bigint or unrestricted double). */
function toMLNumber(value, what) {
    if (typeof value === 'bigint')
        return value;
    if (typeof value === 'number')
        return value;
    if (value === undefined)
        throw new TypeError(`${what} is required`);
    return Number(value);
}
function toEnum(value, allowed, what) {
    const s = String(value);
    if (!allowed.includes(s)) {
        throw new TypeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${s}'`);
    }
    return s;
}
function toDataType(value, what) {
    if (!isDataType(value))
        throw new TypeError(`${what} '${String(value)}' is not a valid MLOperandDataType`);
    return value;
}
/** A dictionary argument: undefined/null → {}, objects as they are, anything else TypeError. */
function toDictionary(value, what) {
    if (value === undefined || value === null)
        return {};
    if (typeof value !== 'object' && typeof value !== 'function') {
        throw new TypeError(`${what} must be a dictionary (object)`);
    }
    return value;
}
/** The bytes of an AllowSharedBufferSource (a view over them, not a copy). */
function bufferSourceBytes(source, what) {
    if (source instanceof ArrayBuffer)
        return new Uint8Array(source);
    if (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer) {
        return new Uint8Array(source);
    }
    if (ArrayBuffer.isView(source))
        return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    throw new TypeError(`${what} must be an ArrayBuffer, SharedArrayBuffer or ArrayBufferView`);
}
/**
 * The spec's "validate buffer with descriptor": byte length must match, and a typed array
 * other than Uint8Array must be the view type of the data type (float16: Uint16Array bits or
 * Float16Array where the platform has it).
 */
function checkBufferMatchesDataType(source, dataType, byteLength, what) {
    const bytes = bufferSourceBytes(source, what);
    if (bytes.byteLength !== byteLength) {
        throw new TypeError(`${what} holds ${bytes.byteLength} bytes but ${dataType} data of this shape needs ${byteLength}`);
    }
    if (ArrayBuffer.isView(source) && !(source instanceof Uint8Array) && !viewMatches(source, dataType)) {
        throw new TypeError(`${what}: a ${source.constructor.name} cannot hold ${dataType} data`);
    }
    return bytes;
}
function viewMatches(view, dataType) {
    const name = view.constructor.name;
    switch (dataType) {
        case 'float32':
            return view instanceof Float32Array;
        case 'float16':
            return view instanceof Uint16Array || name === 'Float16Array';
        case 'int64':
            return view instanceof BigInt64Array;
        case 'uint64':
            return view instanceof BigUint64Array;
        case 'int32':
            return view instanceof Int32Array;
        case 'uint32':
            return view instanceof Uint32Array;
        case 'int8':
            return view instanceof Int8Array;
        case 'uint8':
            return view instanceof Uint8Array;
        default:
            // int4/uint4 have no typed array of their own: packed bytes only.
            return view instanceof Uint8Array || view instanceof Int8Array;
    }
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/build-state.ts
// Graph-construction state of one MLGraphBuilder and the helper every operator uses to
// validate its arguments and add itself to the graph: the spec's "can build" check, "validate
// operand", support-limit checks, output shape checks, and node creation.
//   const op = new OperatorBuild(state, 'relu', options);
//   const x = op.operand(input, 'input');
//   return op.emitOne([x], { dataType: x.dataType, shape: x.shape }, ([v]) => reluKernel(v));





class BuildState {
    context;
    contextIsLost;
    hasBuilt = false;
    inputNames = new Set();
    constructor(context, contextIsLost) {
        this.context = context;
        this.contextIsLost = contextIsLost;
    }
    /** Spec "can build": not yet built and the context is not lost; else InvalidStateError. */
    checkCanBuild(what) {
        if (this.hasBuilt)
            throw domError('InvalidStateError', `${what}: this MLGraphBuilder has already built its graph`);
        if (this.contextIsLost())
            throw domError('InvalidStateError', `${what}: the MLContext is lost`);
    }
    /** Spec "validate operand": an MLOperand created by this builder; else TypeError. */
    validateOperand(value, what) {
        const slots = operandSlotsOf(value);
        if (!slots)
            throw new TypeError(`${what} is not an MLOperand`);
        if (slots.owner !== this)
            throw new TypeError(`${what} belongs to another MLGraphBuilder`);
        return value;
    }
}
/** Throws TypeError unless every dim is a valid dimension and the byte length is supported. */
function checkDescriptorShape(desc, what) {
    for (const d of desc.shape) {
        if (!isValidDimension(d))
            throw new TypeError(`${what}: dimension ${d} is not a valid dimension (1 to 2^31-1)`);
    }
    const bytes = byteLengthOf(desc.dataType, elementCountOf(desc.shape));
    if (bytes > MAX_TENSOR_BYTE_LENGTH) {
        throw new TypeError(`${what}: ${bytes} bytes exceed the maximum tensor byte length ${MAX_TENSOR_BYTE_LENGTH}`);
    }
}
/** Validation and graph connection for one operator call. */
class OperatorBuild {
    state;
    kind;
    what;
    constructor(state, kind, options) {
        this.state = state;
        this.kind = kind;
        this.what = describeOperator(kind, options);
        state.checkCanBuild(this.what);
    }
    /** Validates `value` as an operand of this builder whose type and rank `param` supports. */
    operand(value, param) {
        const operand = this.state.validateOperand(value, `${this.what}: ${param}`);
        checkOperandLimits(this.kind, param, operand, this.what);
        return operand;
    }
    /** Like operand() for an optional operand (undefined stays undefined). */
    optionalOperand(value, param) {
        return value === undefined ? undefined : this.operand(value, param);
    }
    /** TypeError naming the operator. */
    fail(message) {
        throw new TypeError(`${this.what}: ${message}`);
    }
    /** Throws unless `operand`'s data type equals `expected` ("same type as" constraints). */
    requireSameType(operand, param, expected) {
        if (operand.dataType !== expected)
            this.fail(`${param} has data type ${operand.dataType}, expected ${expected}`);
    }
    /** Adds the operator; returns its output operands. */
    emit(inputs, outputs, compute, outputParam = 'output') {
        for (const desc of outputs) {
            checkDescriptorShape(desc, this.what);
            checkOperandLimits(this.kind, outputParam, desc, this.what);
        }
        const node = {
            kind: this.kind,
            description: this.what,
            inputs: inputs.slice(),
            outputs: [],
            compute,
        };
        node.outputs = outputs.map((desc) => createOperand({ owner: this.state, dataType: desc.dataType, shape: desc.shape, operator: node }));
        return node.outputs;
    }
    /** emit() for a single-output operator whose kernel returns one tensor. */
    emitOne(inputs, output, compute) {
        return this.emit(inputs, [output], (values) => [compute(values)])[0];
    }
}
/** Creates a graph input operand. */
function createInputOperand(state, name, desc) {
    return createOperand({ owner: state, dataType: desc.dataType, shape: desc.shape, inputName: name });
}
/** Creates a constant operand holding `value`. */
function createConstantOperand(state, value, isSourceDestroyed) {
    return createOperand({
        owner: state,
        dataType: value.dataType,
        shape: value.shape,
        constant: value,
        isSourceDestroyed,
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/graph.ts
// MLGraph: a compiled graph (operators in topological order, constants captured) and the
// executor that runs it on input tensors, releasing intermediate values after their last use.
//   const plan = compileGraph(outputs);          // at build()
//   const results = runPlan(plan, inputValues);  // at dispatch()


/** Orders the operators reachable from `outputs` and assigns value ids. */
function compileGraph(outputs) {
    const ids = new Map();
    const idOf = (operand) => {
        let id = ids.get(operand);
        if (id === undefined) {
            id = ids.size;
            ids.set(operand, id);
        }
        return id;
    };
    const order = [];
    const visited = new Set();
    const constants = [];
    const inputs = new Map();
    const seenOperands = new Set();
    // Iterative post-order DFS (graphs of large models are deeper than the JS call stack).
    const stack = [...outputs.values()]
        .reverse()
        .map((operand) => ({ operand, expanded: false }));
    while (stack.length > 0) {
        const top = stack.pop();
        const slots = operandSlotsOf(top.operand);
        const node = slots.operator;
        if (!node) {
            if (!seenOperands.has(top.operand)) {
                seenOperands.add(top.operand);
                const id = idOf(top.operand);
                if (slots.constant)
                    constants.push([id, slots.constant]);
                else if (slots.inputName !== undefined) {
                    inputs.set(slots.inputName, { id, descriptor: { dataType: slots.dataType, shape: slots.shape } });
                }
            }
            continue;
        }
        if (visited.has(node))
            continue;
        if (top.expanded) {
            visited.add(node);
            order.push(node);
            continue;
        }
        stack.push({ operand: top.operand, expanded: true });
        for (let i = node.inputs.length - 1; i >= 0; i--) {
            const input = node.inputs[i];
            const inputNode = operandSlotsOf(input).operator;
            if (!inputNode || !visited.has(inputNode))
                stack.push({ operand: input, expanded: false });
        }
    }
    const outputIds = new Map();
    for (const [name, operand] of outputs) {
        outputIds.set(name, {
            id: idOf(operand),
            descriptor: { dataType: operand.dataType, shape: operand.shape },
        });
    }
    const keep = new Set([...outputIds.values()].map((o) => o.id));
    for (const [id] of constants)
        keep.add(id);
    const steps = order.map((node) => ({
        node,
        inputIds: node.inputs.map(idOf),
        outputIds: node.outputs.map(idOf),
    }));
    const lastUse = new Map();
    steps.forEach((step, index) => {
        for (const id of step.inputIds)
            lastUse.set(id, index);
        for (const id of step.outputIds)
            if (!lastUse.has(id))
                lastUse.set(id, index);
    });
    const releaseAt = steps.map(() => []);
    for (const [id, index] of lastUse)
        if (!keep.has(id))
            releaseAt[index].push(id);
    return {
        valueCount: ids.size,
        constants,
        inputs,
        outputs: outputIds,
        steps: steps.map((step, index) => ({ ...step, release: releaseAt[index] })),
    };
}
/** Runs the plan; `inputData` holds each graph input's storage. Returns each output's value. */
function runPlan(plan, inputData) {
    const values = new Array(plan.valueCount);
    for (const [id, value] of plan.constants)
        values[id] = value;
    for (const [name, { id, descriptor }] of plan.inputs) {
        const data = inputData.get(name);
        if (!data || data.length !== elementCountOf(descriptor.shape)) {
            throw new Error(`runPlan: input "${name}" is missing or has the wrong size`);
        }
        values[id] = { dataType: descriptor.dataType, shape: descriptor.shape, data };
    }
    for (const step of plan.steps) {
        const args = step.inputIds.map((id) => values[id]);
        const results = step.node.compute(args);
        step.outputIds.forEach((id, i) => {
            values[id] = results[i];
        });
        for (const id of step.release)
            values[id] = undefined;
    }
    const outputs = new Map();
    for (const [name, { id }] of plan.outputs)
        outputs.set(name, values[id]);
    return outputs;
}
const graphSlots = new WeakMap();
const graph_CREATE = Symbol('MLGraph.create');
class MLGraph {
    /** Not constructible by script: graphs come from MLGraphBuilder.build(). */
    constructor(token, slots) {
        if (token !== graph_CREATE)
            throw new TypeError('Illegal constructor: MLGraph is created by MLGraphBuilder.build()');
        graphSlots.set(this, slots);
    }
    /** Releases the graph; later dispatches throw "InvalidStateError". Idempotent. */
    destroy() {
        const slots = graphSlots.get(this);
        if (!slots)
            throw new TypeError('Illegal invocation: not an MLGraph');
        slots.destroyed = true;
    }
    get [Symbol.toStringTag]() {
        return 'MLGraph';
    }
}
function createGraphObject(slots) {
    return new MLGraph(graph_CREATE, slots);
}
function graphSlotsOf(value) {
    const slots = typeof value === 'object' && value !== null ? graphSlots.get(value) : undefined;
    if (!slots)
        throw new TypeError('dispatch: graph is not an MLGraph');
    return slots;
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/tensor.ts
// MLTensor: a buffer owned by an MLContext, bound to graph inputs and outputs by dispatch()
// and moved to and from script by writeTensor()/readTensor(). Data is kept in storage layout
// (see data-types.ts); slots are hidden in a WeakMap.
//   const t = await context.createTensor({ dataType: 'float32', shape: [2], writable: true });


const tensorSlots = new WeakMap();
const tensor_CREATE = Symbol('MLTensor.create');
class MLTensor {
    #shape;
    /** Not constructible by script: tensors come from MLContext.createTensor(). */
    constructor(token, init) {
        if (token !== tensor_CREATE)
            throw new TypeError('Illegal constructor: MLTensor is created by MLContext');
        this.#shape = Object.freeze(init.shape.slice());
        tensorSlots.set(this, {
            context: init.context,
            dataType: init.dataType,
            shape: this.#shape,
            readable: init.readable,
            writable: init.writable,
            constant: init.constant,
            destroyed: false,
            data: init.data ?? allocateStorage(init.dataType, elementCountOf(init.shape)),
            pendingRejects: new Set(),
        });
    }
    get dataType() {
        return tensor_slotsOf(this).dataType;
    }
    get shape() {
        return this.#shape;
    }
    get readable() {
        return tensor_slotsOf(this).readable;
    }
    get writable() {
        return tensor_slotsOf(this).writable;
    }
    get constant() {
        return tensor_slotsOf(this).constant;
    }
    /** Releases the tensor; pending reads reject with "InvalidStateError". Idempotent. */
    destroy() {
        const slots = tensor_slotsOf(this);
        slots.destroyed = true;
        for (const reject of slots.pendingRejects) {
            reject(domError('InvalidStateError', 'MLTensor.destroy() was called while a read was pending'));
        }
        slots.pendingRejects.clear();
        slots.data = allocateStorage(slots.dataType, 0);
    }
    get [Symbol.toStringTag]() {
        return 'MLTensor';
    }
}
function createTensorObject(init) {
    return new MLTensor(tensor_CREATE, init);
}
function tensor_slotsOf(tensor) {
    const slots = tensorSlots.get(tensor);
    if (!slots)
        throw new TypeError('Illegal invocation: not an MLTensor');
    return slots;
}
/** Slots of `value` if it is an MLTensor; TypeError otherwise. */
function tensorSlotsOf(value, what) {
    const slots = typeof value === 'object' && value !== null ? tensorSlots.get(value) : undefined;
    if (!slots)
        throw new TypeError(`${what} is not an MLTensor`);
    return slots;
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/context.ts
// ML and MLContext: context creation, MLTensor creation/read/write, graph dispatch and
// opSupportLimits(). The context timeline is synchronous: writeTensor() and dispatch() take
// effect in call order before they return, and reads resolve in a microtask (so a tensor
// destroyed in the same task rejects its pending reads, as the spec's queued task would).
//   const context = await ml.createContext();
//   context.dispatch(graph, { x: inputTensor }, { y: outputTensor });
//   const bytes = await context.readTensor(outputTensor);






const contextSlots = new WeakMap();
const context_CREATE = Symbol('MLContext.create');
function context_slotsOf(context) {
    const slots = contextSlots.get(context);
    if (!slots)
        throw new TypeError('Illegal invocation: not an MLContext');
    return slots;
}
/** True when `context` is an MLContext that has been lost (destroyed). */
function contextIsLost(context) {
    return contextSlots.get(context)?.lostInfo !== undefined;
}
function isContext(value) {
    return typeof value === 'object' && value !== null && contextSlots.has(value);
}
/** Converts an MLOperandDescriptor dictionary (WebIDL) and checks its dimensions. */
function toOperandDescriptor(value, what) {
    const dict = toDictionary(value, what);
    if (dict.dataType === undefined)
        throw new TypeError(`${what}.dataType is required`);
    if (dict.shape === undefined)
        throw new TypeError(`${what}.shape is required`);
    const desc = {
        dataType: toDataType(dict.dataType, `${what}.dataType`),
        shape: toUnsignedLongSequence(dict.shape, `${what}.shape`),
    };
    checkDescriptorShape(desc, what);
    return desc;
}
class MLContext {
    /** Not constructible by script: contexts come from ml.createContext(). */
    constructor(token, powerPreference) {
        if (token !== context_CREATE)
            throw new TypeError('Illegal constructor: use navigator.ml.createContext()');
        let resolveLost;
        const lost = new Promise((resolve) => (resolveLost = resolve));
        contextSlots.set(this, { powerPreference, resolveLost, lost });
    }
    /** Resolves when the context is lost, e.g. after destroy(). */
    get lost() {
        return context_slotsOf(this).lost;
    }
    /** Runs `graph` on the input tensors and writes its outputs to the output tensors. */
    dispatch(graph, inputs, outputs) {
        context_slotsOf(this);
        const g = graphSlotsOf(graph);
        if (g.context !== this)
            throw new TypeError('dispatch: the graph was built for another MLContext');
        if (g.destroyed || contextIsLost(this)) {
            throw domError('InvalidStateError', 'dispatch: the graph has been destroyed or its context lost');
        }
        const namedInputs = namedTensors(inputs, 'dispatch: inputs');
        const namedOutputs = namedTensors(outputs, 'dispatch: outputs');
        const all = [...namedInputs.values(), ...namedOutputs.values()];
        if (new Set(all).size !== all.length) {
            throw new TypeError('dispatch: the same MLTensor is bound more than once (inputs and outputs must be distinct)');
        }
        for (const slots of all) {
            if (slots.context !== this)
                throw new TypeError('dispatch: a tensor belongs to another MLContext');
            if (slots.destroyed)
                throw new TypeError('dispatch: a tensor has been destroyed');
        }
        matchDescriptors(namedInputs, g.plan.inputs, 'inputs');
        matchDescriptors(namedOutputs, g.plan.outputs, 'outputs');
        const inputData = new Map([...namedInputs].map(([name, slots]) => [name, slots.data]));
        let results;
        try {
            results = runPlan(g.plan, inputData);
        }
        catch (e) {
            // Execution failures have no reporting mechanism in the spec (issue 778): the context
            // is lost, and the error is rethrown so that it is not silently swallowed.
            loseContext(this, `graph execution failed: ${e instanceof Error ? e.message : String(e)}`);
            throw e;
        }
        for (const [name, slots] of namedOutputs) {
            const value = results.get(name);
            slots.data.set(value.data);
        }
    }
    /** Creates a zero-filled tensor. */
    async createTensor(descriptor) {
        this.#checkNotLost('createTensor');
        const dict = toDictionary(descriptor, 'createTensor: descriptor');
        const desc = toOperandDescriptor(dict, 'createTensor: descriptor');
        return createTensorObject({
            context: this,
            dataType: desc.dataType,
            shape: desc.shape,
            readable: Boolean(dict.readable),
            writable: Boolean(dict.writable),
            constant: false,
        });
    }
    /** Creates a constant tensor holding `inputData`, usable with MLGraphBuilder.constant(tensor). */
    async createConstantTensor(descriptor, inputData) {
        this.#checkNotLost('createConstantTensor');
        const desc = toOperandDescriptor(descriptor, 'createConstantTensor: descriptor');
        const count = elementCountOf(desc.shape);
        const bytes = checkBufferMatchesDataType(inputData, desc.dataType, byteLengthOf(desc.dataType, count), 'createConstantTensor: inputData');
        return createTensorObject({
            context: this,
            dataType: desc.dataType,
            shape: desc.shape,
            readable: false,
            writable: false,
            constant: true,
            data: storageFromBytes(desc.dataType, bytes, count),
        });
    }
    readTensor(tensor, outputData) {
        let slots;
        let bytes;
        let target;
        try {
            slots = tensorSlotsOf(tensor, 'readTensor: tensor');
            if (slots.context !== this)
                throw new TypeError('readTensor: the tensor belongs to another MLContext');
            if (slots.destroyed)
                throw new TypeError('readTensor: the tensor has been destroyed');
            if (!slots.readable)
                throw new TypeError('readTensor: the tensor was not created with readable: true');
            if (outputData !== undefined) {
                target = checkBufferMatchesDataType(outputData, slots.dataType, byteLengthOf(slots.dataType, slots.data.length), 'readTensor: outputData');
            }
            if (contextIsLost(this))
                throw domError('InvalidStateError', 'readTensor: the MLContext is lost');
            bytes = storageToBytes(slots.dataType, slots.data);
        }
        catch (e) {
            return Promise.reject(e);
        }
        return new Promise((resolve, reject) => {
            slots.pendingRejects.add(reject);
            queueMicrotask(() => {
                if (!slots.pendingRejects.delete(reject))
                    return;
                if (target) {
                    target.set(bytes);
                    resolve(undefined);
                }
                else {
                    resolve(bytes.buffer);
                }
            });
        });
    }
    /** Copies `inputData` into a writable tensor. */
    writeTensor(tensor, inputData) {
        const slots = tensorSlotsOf(tensor, 'writeTensor: tensor');
        if (slots.context !== this)
            throw new TypeError('writeTensor: the tensor belongs to another MLContext');
        if (slots.destroyed)
            throw new TypeError('writeTensor: the tensor has been destroyed');
        if (!slots.writable)
            throw new TypeError('writeTensor: the tensor was not created with writable: true');
        const count = slots.data.length;
        const bytes = checkBufferMatchesDataType(inputData, slots.dataType, byteLengthOf(slots.dataType, count), 'writeTensor: inputData');
        if (contextIsLost(this))
            return; // spec: the enqueued write is aborted when the context is lost
        slots.data = storageFromBytes(slots.dataType, bytes, count);
    }
    /** Data types and ranks this runtime supports, per operator (spec MLOpSupportLimits). */
    opSupportLimits() {
        context_slotsOf(this);
        return buildOpSupportLimits();
    }
    /** Loses the context: its graphs and tensors can no longer be used. */
    destroy() {
        if (contextIsLost(this))
            return;
        loseContext(this, 'MLContext.destroy() was called');
    }
    #checkNotLost(what) {
        context_slotsOf(this);
        if (contextIsLost(this))
            throw domError('InvalidStateError', `${what}: the MLContext is lost`);
    }
    get [Symbol.toStringTag]() {
        return 'MLContext';
    }
}
function loseContext(context, message) {
    const slots = context_slotsOf(context);
    if (slots.lostInfo)
        return;
    slots.lostInfo = { message };
    slots.resolveLost(slots.lostInfo);
}
function namedTensors(record, what) {
    const dict = toDictionary(record, what);
    const out = new Map();
    for (const [name, value] of Object.entries(dict))
        out.set(name, tensorSlotsOf(value, `${what}["${name}"]`));
    return out;
}
function matchDescriptors(tensors, expected, which) {
    const names = [...expected.keys()];
    if (tensors.size !== expected.size) {
        throw new TypeError(`dispatch: ${which} must bind exactly ${names.map((n) => `"${n}"`).join(', ')}`);
    }
    for (const [name, slots] of tensors) {
        const entry = expected.get(name);
        if (!entry)
            throw new TypeError(`dispatch: the graph has no ${which.slice(0, -1)} named "${name}"`);
        if (slots.constant)
            throw new TypeError(`dispatch: ${which}["${name}"] is a constant tensor`);
        const want = entry.descriptor;
        if (slots.dataType !== want.dataType ||
            slots.shape.length !== want.shape.length ||
            slots.shape.some((d, i) => d !== want.shape[i])) {
            throw new TypeError(`dispatch: ${which}["${name}"] is ${slots.dataType} [${slots.shape.join(',')}] but the graph expects ` +
                `${want.dataType} [${want.shape.join(',')}]`);
        }
    }
}
class ML {
    /** Creates a context. A GPUDevice argument is not supported by this CPU runtime. */
    async createContext(options) {
        if (isGpuDevice(options)) {
            throw domError('NotSupportedError', 'createContext: this reference runtime has no WebGPU interop (GPUDevice)');
        }
        const dict = toDictionary(options, 'createContext: options');
        const powerPreference = dict.powerPreference === undefined
            ? 'default'
            : toEnum(dict.powerPreference, ['default', 'high-performance', 'low-power'], 'createContext: options.powerPreference');
        return new MLContext(context_CREATE, powerPreference);
    }
    get [Symbol.toStringTag]() {
        return 'ML';
    }
}
function isGpuDevice(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const candidate = value;
    return (candidate.constructor?.name === 'GPUDevice' ||
        (candidate.queue !== undefined && typeof candidate.createBuffer === 'function'));
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/kernel-helpers.ts
// Small helpers shared by the operator kernels: building runtime tensors, expanding broadcast
// operands, turning float32 results into the output type, and per-channel layout shuffles.
//   const y = floatTensor(desc, outValues);   // float32 as is, float16 encoded

function tensorOf(desc, data) {
    return { dataType: desc.dataType, shape: desc.shape, data };
}
/** A runtime tensor of float type `desc.dataType` from float32 results. */
function floatTensor(desc, values) {
    return tensorOf(desc, desc.dataType === 'float16' ? encodeFloat16(values) : values);
}
/** values[offsets[i]] for each i, or `values` itself when there is no offset map. */
function expandFloat32(values, offsets) {
    if (!offsets)
        return values;
    const out = new Float32Array(offsets.length);
    for (let i = 0; i < offsets.length; i++)
        out[i] = values[offsets[i]];
    return out;
}
function expandFloat64(values, offsets) {
    if (!offsets)
        return values;
    const out = new Float64Array(offsets.length);
    for (let i = 0; i < offsets.length; i++)
        out[i] = values[offsets[i]];
    return out;
}
/** New storage of `data`'s type holding data[offsets[i]] (dtype-agnostic gather). */
function gatherElements(data, offsets, dataType) {
    const out = allocateStorage(dataType, offsets.length);
    const src = data;
    const dst = out;
    for (let i = 0; i < offsets.length; i++)
        dst[i] = src[offsets[i]];
    return out;
}
/** Lazily computed value cached for the lifetime of a graph node (index maps, layouts). */
function lazy(make) {
    let value;
    let made = false;
    return () => {
        if (!made) {
            value = make();
            made = true;
        }
        return value;
    };
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/elementwise-unary.ts
// Element-wise unary operators: abs, ceil, cos, erf, exp, floor, identity, log, neg,
// reciprocal, roundEven, sin, sign, sqrt, tan, logicalNot, plus cast and clamp. Floats compute
// in double and round to float32 (float16 rounded back per op); abs/neg/sign also take signed
// integers (BigInt for int64).
//   const y = buildUnary(state, 'exp', x, {});





function buildUnary(state, kind, input, options) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(input, 'input');
    const output = { dataType: x.dataType, shape: x.shape };
    if (kind === 'identity')
        return op.emitOne([x], output, ([v]) => tensorOf(output, v.data));
    return op.emitOne([x], output, ([v]) => {
        if (isFloatType(v.dataType))
            return floatTensor(output, unaryFloat(kind, asFloat32(v)));
        return tensorOf(output, unaryInteger(kind, v));
    });
}
/** Applies a float unary function; shared with the activation kernels. */
function unaryFloat(kind, x) {
    const n = x.length;
    const out = new Float32Array(n);
    switch (kind) {
        case 'abs':
            for (let i = 0; i < n; i++)
                out[i] = abs(x[i]);
            break;
        case 'ceil':
            for (let i = 0; i < n; i++)
                out[i] = ceil(x[i]);
            break;
        case 'cos':
            for (let i = 0; i < n; i++)
                out[i] = cos(x[i]);
            break;
        case 'erf':
            for (let i = 0; i < n; i++)
                out[i] = erf(x[i]);
            break;
        case 'exp':
            for (let i = 0; i < n; i++)
                out[i] = exp(x[i]);
            break;
        case 'floor':
            for (let i = 0; i < n; i++)
                out[i] = floor(x[i]);
            break;
        case 'identity':
            out.set(x);
            break;
        case 'log':
            for (let i = 0; i < n; i++)
                out[i] = log(x[i]);
            break;
        case 'neg':
            for (let i = 0; i < n; i++)
                out[i] = -x[i];
            break;
        case 'reciprocal':
            for (let i = 0; i < n; i++)
                out[i] = 1 / x[i];
            break;
        case 'roundEven':
            for (let i = 0; i < n; i++)
                out[i] = x[i] - x[i] === 0 ? roundHalfToEven(x[i]) : x[i];
            break;
        case 'sin':
            for (let i = 0; i < n; i++)
                out[i] = sin(x[i]);
            break;
        case 'sign':
            for (let i = 0; i < n; i++)
                out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : x[i];
            break;
        case 'sqrt':
            for (let i = 0; i < n; i++)
                out[i] = sqrt(x[i]);
            break;
        case 'tan':
            for (let i = 0; i < n; i++)
                out[i] = tan(x[i]);
            break;
    }
    return out;
}
function unaryInteger(kind, v) {
    if (isBigIntType(v.dataType)) {
        const data = v.data;
        const out = new BigInt64Array(data.length);
        for (let i = 0; i < data.length; i++) {
            const value = data[i];
            out[i] = BigInt.asIntN(64, kind === 'abs'
                ? value < 0n
                    ? -value
                    : value
                : kind === 'neg'
                    ? -value
                    : value > 0n
                        ? 1n
                        : value < 0n
                            ? -1n
                            : 0n);
        }
        return out;
    }
    const x = asFloat64(v);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++)
        out[i] = kind === 'abs' ? abs(x[i]) : kind === 'neg' ? -x[i] : sign(x[i]);
    return storeNumbers(v.dataType, out);
}
/** The error function, accurate to double rounding for float32 purposes. */
function erf(x) {
    if (x !== x)
        return x;
    const ax = abs(x);
    if (ax <= 3) {
        // Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
        const x2 = x * x;
        let term = x;
        let sum = x;
        for (let n = 1; n < 80; n++) {
            term *= -x2 / n;
            const add = term / (2 * n + 1);
            sum += add;
            if (abs(add) < 1e-17 * abs(sum))
                break;
        }
        return TWO_OVER_SQRT_PI * sum;
    }
    const result = 1 - erfcLarge(ax);
    return x < 0 ? -result : result;
}
/** erfc(x) for x > 3 by its asymptotic series (relative error below 1e-6 there). */
function erfcLarge(x) {
    const inv2 = 1 / (2 * x * x);
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 12; k++) {
        const next = -term * (2 * k - 1) * inv2;
        if (abs(next) > abs(term))
            break;
        term = next;
        sum += term;
    }
    return ((exp(-x * x) * ONE_OVER_SQRT_PI) / x) * sum;
}
/** logicalNot: uint8 input, 1 where the input is 0, else 0. */
function buildLogicalNot(state, a, options) {
    const opts = toDictionary(options, 'logicalNot');
    const op = new OperatorBuild(state, 'logicalNot', opts);
    const x = op.operand(a, 'a');
    const output = { dataType: 'uint8', shape: x.shape };
    return op.emitOne([x], output, ([v]) => {
        const data = v.data;
        const out = new Uint8Array(data.length);
        for (let i = 0; i < data.length; i++)
            out[i] = data[i] === 0 ? 1 : 0;
        return tensorOf(output, out);
    });
}
function buildCast(state, input, dataType, options) {
    const opts = toDictionary(options, 'cast');
    const op = new OperatorBuild(state, 'cast', opts);
    const x = op.operand(input, 'input');
    const target = toDataType(dataType, `${op.what}: dataType`);
    const output = { dataType: target, shape: x.shape };
    return op.emitOne([x], output, ([v]) => tensorOf(output, v.dataType === target ? v.data : castStorage(v, target)));
}
function buildClamp(state, input, options) {
    const opts = toDictionary(options, 'clamp');
    const op = new OperatorBuild(state, 'clamp', opts);
    const x = op.operand(input, 'input');
    const minValue = castNumber(opts.minValue === undefined ? -Infinity : toMLNumber(opts.minValue, 'minValue'), x.dataType);
    const maxValue = castNumber(opts.maxValue === undefined ? Infinity : toMLNumber(opts.maxValue, 'maxValue'), x.dataType);
    if (minValue > maxValue)
        op.fail(`minValue ${minValue} is greater than maxValue ${maxValue}`);
    const output = { dataType: x.dataType, shape: x.shape };
    return op.emitOne([x], output, ([v]) => {
        if (isBigIntType(v.dataType)) {
            const data = v.data;
            const out = v.dataType === 'int64' ? new BigInt64Array(data.length) : new BigUint64Array(data.length);
            const low = minValue;
            const high = maxValue;
            for (let i = 0; i < data.length; i++)
                out[i] = data[i] < low ? low : data[i] > high ? high : data[i];
            return tensorOf(output, out);
        }
        const low = Number(minValue);
        const high = Number(maxValue);
        if (isFloatType(v.dataType)) {
            const values = asFloat32(v);
            const out = new Float32Array(values.length);
            for (let i = 0; i < values.length; i++)
                out[i] = min(max(values[i], low), high);
            return floatTensor(output, out);
        }
        const values = asFloat64(v);
        for (let i = 0; i < values.length; i++)
            values[i] = min(max(values[i], low), high);
        return tensorOf(output, storeNumbers(v.dataType, values));
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/activations.ts
// Activation operators: relu, sigmoid, tanh, gelu (erf form), elu, leakyRelu, hardSigmoid,
// hardSwish, softplus, softsign, linear, prelu and softmax(axis). Float math runs in double
// and rounds to float32 (float16 rounded back); alpha/beta options are first cast to the
// input's data type, as the spec says. relu and prelu also accept signed integers.
//   const y = buildActivation(state, 'gelu', x, {});







const DEFAULT_ALPHA = {
    elu: 1,
    leakyRelu: 0.01,
    hardSigmoid: 0.2,
    linear: 1,
};
const DEFAULT_BETA = { hardSigmoid: 0.5, linear: 0 };
function buildActivation(state, kind, input, options) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(input, 'input');
    const param = (value, fallback, name) => fallback === undefined
        ? 0
        : Number(castNumber(value === undefined ? fallback : toDouble(value, `${op.what}: ${name}`), x.dataType));
    const alpha = param(opts.alpha, DEFAULT_ALPHA[kind], 'alpha');
    const beta = param(opts.beta, DEFAULT_BETA[kind], 'beta');
    const output = { dataType: x.dataType, shape: x.shape };
    return op.emitOne([x], output, ([v]) => {
        if (!isFloatType(v.dataType)) {
            // relu on signed integers (the only non-float activation): max(0, x).
            if (isBigIntType(v.dataType)) {
                const data = v.data;
                return tensorOf(output, BigInt64Array.from(data, (e) => (e > 0n ? e : 0n)));
            }
            const values = asFloat64(v);
            for (let i = 0; i < values.length; i++)
                values[i] = max(values[i], 0);
            return tensorOf(output, storeNumbers(v.dataType, values));
        }
        return floatTensor(output, activationFloat(kind, asFloat32(v), alpha, beta));
    });
}
function activationFloat(kind, x, alpha, beta) {
    const n = x.length;
    const out = new Float32Array(n);
    switch (kind) {
        case 'relu':
            for (let i = 0; i < n; i++)
                out[i] = x[i] > 0 ? x[i] : 0;
            break;
        case 'sigmoid':
            for (let i = 0; i < n; i++)
                out[i] = 1 / (1 + exp(-x[i]));
            break;
        case 'tanh':
            for (let i = 0; i < n; i++)
                out[i] = tanh(x[i]);
            break;
        case 'gelu':
            for (let i = 0; i < n; i++)
                out[i] = gelu(x[i]);
            break;
        case 'elu':
            for (let i = 0; i < n; i++)
                out[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i]);
            break;
        case 'leakyRelu':
            for (let i = 0; i < n; i++)
                out[i] = x[i] >= 0 ? x[i] : alpha * x[i];
            break;
        case 'hardSigmoid':
            for (let i = 0; i < n; i++)
                out[i] = max(0, min(1, alpha * x[i] + beta));
            break;
        case 'hardSwish':
            for (let i = 0; i < n; i++)
                out[i] = (x[i] * max(0, min(6, x[i] + 3))) / 6;
            break;
        case 'softplus':
            for (let i = 0; i < n; i++) {
                const v = x[i];
                out[i] = v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
            }
            break;
        case 'softsign':
            for (let i = 0; i < n; i++)
                out[i] = x[i] / (1 + abs(x[i]));
            break;
        case 'linear':
            for (let i = 0; i < n; i++)
                out[i] = alpha * x[i] + beta;
            break;
    }
    return out;
}
/** gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), using erfc for large negative x. */
function gelu(x) {
    const t = x / SQRT2;
    if (t < -3)
        return 0.5 * x * erfcLarge(-t);
    return 0.5 * x * (1 + erf(t));
}
function buildPrelu(state, input, slope, options) {
    const opts = toDictionary(options, 'prelu');
    const op = new OperatorBuild(state, 'prelu', opts);
    const x = op.operand(input, 'input');
    const s = op.operand(slope, 'slope');
    op.requireSameType(s, 'slope', x.dataType);
    const shape = broadcastShapes(s.shape, x.shape) ??
        op.fail(`slope [${s.shape}] is not broadcastable with input [${x.shape}]`);
    const output = { dataType: x.dataType, shape };
    const offsetsX = lazy(() => broadcastOffsets(x.shape, shape));
    const offsetsS = lazy(() => broadcastOffsets(s.shape, shape));
    return op.emitOne([x, s], output, ([vx, vs]) => {
        if (isBigIntType(vx.dataType)) {
            const n = offsetsX()?.length ?? vx.data.length;
            const xs = vx.data;
            const ss = vs.data;
            const out = new BigInt64Array(n);
            for (let i = 0; i < n; i++) {
                const v = xs[offsetsX()?.[i] ?? i];
                out[i] = v >= 0n ? v : BigInt.asIntN(64, v * ss[offsetsS()?.[i] ?? i]);
            }
            return tensorOf(output, out);
        }
        if (isFloatType(vx.dataType)) {
            const xs = expandFloat32(asFloat32(vx), offsetsX());
            const ss = expandFloat32(asFloat32(vs), offsetsS());
            const n = max(xs.length, ss.length);
            const out = new Float32Array(n);
            for (let i = 0; i < n; i++)
                out[i] = xs[i] >= 0 ? xs[i] : ss[i] * xs[i];
            return floatTensor(output, out);
        }
        const xs = expandFloat64(asFloat64(vx), offsetsX());
        const ss = expandFloat64(asFloat64(vs), offsetsS());
        const out = new Float64Array(max(xs.length, ss.length));
        for (let i = 0; i < out.length; i++)
            out[i] = xs[i] >= 0 ? xs[i] : imul(ss[i], xs[i]);
        return tensorOf(output, storeNumbers(vx.dataType, out));
    });
}
function buildSoftmax(state, input, axis, options) {
    const opts = toDictionary(options, 'softmax');
    const op = new OperatorBuild(state, 'softmax', opts);
    const x = op.operand(input, 'input');
    const softmaxAxis = toUnsignedLong(axis, `${op.what}: axis`);
    if (softmaxAxis >= x.shape.length)
        op.fail(`axis ${softmaxAxis} is out of range for rank ${x.shape.length}`);
    const output = { dataType: x.dataType, shape: x.shape };
    const split = lazy(() => splitAxes(x.shape, [softmaxAxis]));
    return op.emitOne([x], output, ([v]) => {
        const values = asFloat32(v);
        const { outer, inner } = split();
        const out = new Float32Array(values.length);
        const exps = new Float64Array(inner.length);
        for (let o = 0; o < outer.length; o++) {
            const base = outer[o];
            let peak = -Infinity;
            for (let r = 0; r < inner.length; r++)
                peak = max(peak, values[base + inner[r]]);
            let sum = 0;
            for (let r = 0; r < inner.length; r++) {
                const e = exp(values[base + inner[r]] - peak);
                exps[r] = e;
                sum += e;
            }
            for (let r = 0; r < inner.length; r++)
                out[base + inner[r]] = exps[r] / sum;
        }
        return floatTensor(output, out);
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/convolution.ts
// conv2d and convTranspose2d with every input layout (nchw, nhwc) and filter layout (conv2d:
// oihw, hwio, ohwi, ihwo; convTranspose2d: iohw, hwoi, ohwi), padding, strides, dilations,
// groups and bias. Kernels run direct (im2col-free) loops on nchw data with oihw / iohw
// filters; other layouts are permuted first (cached for constant filters).
//   const y = buildConv2d(state, x, w, { padding: [1, 1, 1, 1], inputLayout: 'nhwc', filterLayout: 'ohwi' });






/** Permutations from each filter layout to oihw (conv2d) or iohw (convTranspose2d). */
const CONV_FILTER_TO_OIHW = {
    oihw: [0, 1, 2, 3],
    hwio: [3, 2, 0, 1],
    ohwi: [0, 3, 1, 2],
    ihwo: [3, 0, 1, 2],
};
const TRANSPOSED_FILTER_TO_IOHW = {
    iohw: [0, 1, 2, 3],
    hwoi: [3, 2, 0, 1],
    ohwi: [3, 0, 1, 2],
};
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
function readCommonOptions(op, opts) {
    const list = (value, name, length, fallback, nonZero) => {
        if (value === undefined)
            return fallback;
        const items = toUnsignedLongSequence(value, `${op.what}: ${name}`);
        if (items.length !== length)
            op.fail(`${name} must have ${length} items, got ${items.length}`);
        if (nonZero && items.includes(0))
            op.fail(`${name} must not contain 0`);
        return items;
    };
    const groups = opts.groups === undefined ? 1 : toUnsignedLong(opts.groups, `${op.what}: groups`);
    if (groups === 0)
        op.fail('groups must not be 0');
    return {
        padding: list(opts.padding, 'padding', 4, [0, 0, 0, 0], false),
        strides: list(opts.strides, 'strides', 2, [1, 1], true),
        dilations: list(opts.dilations, 'dilations', 2, [1, 1], true),
        groups,
        inputLayout: opts.inputLayout === undefined
            ? 'nchw'
            : toEnum(opts.inputLayout, ['nchw', 'nhwc'], `${op.what}: inputLayout`),
    };
}
/** Input values in nchw order (permuted from nhwc when needed). */
function nchwValues(value, layout, offsets) {
    const values = asFloat32(value);
    return layout === 'nchw' ? values : expandFloat32(values, offsets());
}
/** Filter values in canonical order, cached per constant tensor. */
function canonicalFilter(cache, value, permutation) {
    const values = asFloat32(value);
    if (shapesEqual(permutation, [0, 1, 2, 3]))
        return values;
    let out = cache.get(value);
    if (!out) {
        out = expandFloat32(values, transposeOffsets(value.shape, permutation));
        cache.set(value, out);
    }
    return out;
}
function finishOutput(values, nchwShape, layout) {
    return layout === 'nchw' ? values : expandFloat32(values, transposeOffsets(nchwShape, NCHW_TO_NHWC));
}
function buildConv2d(state, input, filter, options) {
    const opts = toDictionary(options, 'conv2d');
    const op = new OperatorBuild(state, 'conv2d', opts);
    const x = op.operand(input, 'input');
    const w = op.operand(filter, 'filter');
    op.requireSameType(w, 'filter', x.dataType);
    const bias = op.optionalOperand(opts.bias, 'bias');
    const { padding, strides, dilations, groups, inputLayout } = readCommonOptions(op, opts);
    const filterLayout = opts.filterLayout === undefined
        ? 'oihw'
        : toEnum(opts.filterLayout, ['oihw', 'hwio', 'ohwi', 'ihwo'], `${op.what}: filterLayout`);
    const [batches, inChannels, inHeight, inWidth] = inputLayout === 'nchw' ? x.shape : [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
    const filterPermutation = CONV_FILTER_TO_OIHW[filterLayout];
    const [outChannels, filterInChannels, kernelHeight, kernelWidth] = permuteShape(w.shape, filterPermutation);
    if (inChannels % groups !== 0)
        op.fail(`input channels ${inChannels} are not divisible by groups ${groups}`);
    if (inChannels / groups !== filterInChannels) {
        op.fail(`filter has ${filterInChannels} input channels per group, expected ${inChannels / groups}`);
    }
    if (outChannels % groups !== 0)
        op.fail(`output channels ${outChannels} are not divisible by groups ${groups}`);
    if (bias) {
        op.requireSameType(bias, 'bias', x.dataType);
        if (!shapesEqual(bias.shape, [outChannels]))
            op.fail(`bias must have shape [${outChannels}], got [${bias.shape}]`);
    }
    const outHeight = floor((inHeight - (kernelHeight - 1) * dilations[0] - 1 + padding[0] + padding[1]) / strides[0] + 1);
    const outWidth = floor((inWidth - (kernelWidth - 1) * dilations[1] - 1 + padding[2] + padding[3]) / strides[1] + 1);
    if (!isValidDimension(outHeight) || !isValidDimension(outWidth)) {
        op.fail(`the output size ${outHeight}x${outWidth} is not valid (input too small for the filter)`);
    }
    const nchwShape = [batches, outChannels, outHeight, outWidth];
    const output = {
        dataType: x.dataType,
        shape: inputLayout === 'nchw' ? nchwShape : [batches, outHeight, outWidth, outChannels],
    };
    const inputOffsets = lazy(() => transposeOffsets(x.shape, NHWC_TO_NCHW));
    const filterCache = new WeakMap();
    return op.emitOne(bias ? [x, w, bias] : [x, w], output, ([vx, vw, vb]) => {
        const X = nchwValues(vx, inputLayout, inputOffsets);
        const W = canonicalFilter(filterCache, vw, filterPermutation);
        const B = vb ? asFloat32(vb) : undefined;
        const out = new Float32Array(batches * outChannels * outHeight * outWidth);
        const inPerGroup = inChannels / groups;
        const outPerGroup = outChannels / groups;
        const planeSize = outHeight * outWidth;
        const inPlaneSize = inHeight * inWidth;
        // Each output pixel: gather its receptive field (zeros for padding) in filter order, then
        // take one contiguous dot product per output channel of the group.
        const patchSize = inPerGroup * kernelHeight * kernelWidth;
        const patch = new Float64Array(patchSize);
        for (let n = 0; n < batches; n++) {
            for (let group = 0; group < groups; group++) {
                const inBase = (n * inChannels + group * inPerGroup) * inPlaneSize;
                for (let oh = 0; oh < outHeight; oh++) {
                    for (let ow = 0; ow < outWidth; ow++) {
                        let p = 0;
                        for (let icg = 0; icg < inPerGroup; icg++) {
                            const plane = inBase + icg * inPlaneSize;
                            for (let kh = 0; kh < kernelHeight; kh++) {
                                const ih = oh * strides[0] - padding[0] + kh * dilations[0];
                                const rowInside = ih >= 0 && ih < inHeight;
                                const row = plane + ih * inWidth;
                                for (let kw = 0; kw < kernelWidth; kw++) {
                                    const iw = ow * strides[1] - padding[2] + kw * dilations[1];
                                    patch[p++] = rowInside && iw >= 0 && iw < inWidth ? X[row + iw] : 0;
                                }
                            }
                        }
                        const pixel = oh * outWidth + ow;
                        for (let ocg = 0; ocg < outPerGroup; ocg++) {
                            const oc = group * outPerGroup + ocg;
                            out[(n * outChannels + oc) * planeSize + pixel] =
                                dot(patch, W, oc * patchSize, patchSize) + (B ? B[oc] : 0);
                        }
                    }
                }
            }
        }
        return floatTensor(output, finishOutput(out, nchwShape, inputLayout));
    });
}
/** Σ patch[k] · weights[offset + k], four partial sums. */
function dot(patch, weights, offset, length) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 4 <= length; k += 4) {
        s0 += patch[k] * weights[offset + k];
        s1 += patch[k + 1] * weights[offset + k + 1];
        s2 += patch[k + 2] * weights[offset + k + 2];
        s3 += patch[k + 3] * weights[offset + k + 3];
    }
    for (; k < length; k++)
        s0 += patch[k] * weights[offset + k];
    return s0 + s1 + (s2 + s3);
}
function buildConvTranspose2d(state, input, filter, options) {
    const opts = toDictionary(options, 'convTranspose2d');
    const op = new OperatorBuild(state, 'convTranspose2d', opts);
    const x = op.operand(input, 'input');
    const w = op.operand(filter, 'filter');
    op.requireSameType(w, 'filter', x.dataType);
    const bias = op.optionalOperand(opts.bias, 'bias');
    const { padding, strides, dilations, groups, inputLayout } = readCommonOptions(op, opts);
    const filterLayout = opts.filterLayout === undefined
        ? 'iohw'
        : toEnum(opts.filterLayout, ['iohw', 'hwoi', 'ohwi'], `${op.what}: filterLayout`);
    const outputPadding = opts.outputPadding === undefined
        ? [0, 0]
        : toUnsignedLongSequence(opts.outputPadding, `${op.what}: outputPadding`);
    if (outputPadding.length !== 2)
        op.fail('outputPadding must have 2 items');
    const outputSizes = opts.outputSizes === undefined
        ? undefined
        : toUnsignedLongSequence(opts.outputSizes, `${op.what}: outputSizes`);
    if (outputSizes && outputSizes.length !== 2)
        op.fail('outputSizes must have 2 items');
    if (!outputSizes && (outputPadding[0] >= strides[0] || outputPadding[1] >= strides[1])) {
        op.fail(`outputPadding [${outputPadding}] must be smaller than strides [${strides}]`);
    }
    const [batches, inChannels, inHeight, inWidth] = inputLayout === 'nchw' ? x.shape : [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
    const filterPermutation = TRANSPOSED_FILTER_TO_IOHW[filterLayout];
    const [filterInChannels, outPerGroup, kernelHeight, kernelWidth] = permuteShape(w.shape, filterPermutation);
    if (inChannels !== filterInChannels)
        op.fail(`filter has ${filterInChannels} input channels, input has ${inChannels}`);
    if (inChannels % groups !== 0)
        op.fail(`input channels ${inChannels} are not divisible by groups ${groups}`);
    const outChannels = outPerGroup * groups;
    if (bias) {
        op.requireSameType(bias, 'bias', x.dataType);
        if (!shapesEqual(bias.shape, [outChannels]))
            op.fail(`bias must have shape [${outChannels}], got [${bias.shape}]`);
    }
    const calcHeight = (inHeight - 1) * strides[0] + (kernelHeight - 1) * dilations[0] + 1 - padding[0] - padding[1];
    const calcWidth = (inWidth - 1) * strides[1] + (kernelWidth - 1) * dilations[1] + 1 - padding[2] - padding[3];
    let outHeight;
    let outWidth;
    if (outputSizes) {
        [outHeight, outWidth] = outputSizes;
        if (outHeight < calcHeight ||
            outHeight >= calcHeight + strides[0] ||
            outWidth < calcWidth ||
            outWidth >= calcWidth + strides[1]) {
            op.fail(`outputSizes [${outputSizes}] must be within a stride of the computed size [${calcHeight},${calcWidth}]`);
        }
    }
    else {
        outHeight = calcHeight + outputPadding[0];
        outWidth = calcWidth + outputPadding[1];
    }
    if (!isValidDimension(outHeight) || !isValidDimension(outWidth))
        op.fail(`the output size ${outHeight}x${outWidth} is not valid`);
    const nchwShape = [batches, outChannels, outHeight, outWidth];
    const output = {
        dataType: x.dataType,
        shape: inputLayout === 'nchw' ? nchwShape : [batches, outHeight, outWidth, outChannels],
    };
    const inputOffsets = lazy(() => transposeOffsets(x.shape, NHWC_TO_NCHW));
    const filterCache = new WeakMap();
    return op.emitOne(bias ? [x, w, bias] : [x, w], output, ([vx, vw, vb]) => {
        const X = nchwValues(vx, inputLayout, inputOffsets);
        const W = canonicalFilter(filterCache, vw, filterPermutation);
        const B = vb ? asFloat32(vb) : undefined;
        const planeSize = outHeight * outWidth;
        const acc = new Float64Array(batches * outChannels * planeSize);
        for (let n = 0; n < batches; n++) {
            for (let oc = 0; oc < outChannels; oc++)
                acc.fill(B ? B[oc] : 0, (n * outChannels + oc) * planeSize, (n * outChannels + oc + 1) * planeSize);
        }
        const inPerGroup = inChannels / groups;
        for (let n = 0; n < batches; n++) {
            for (let ic = 0; ic < inChannels; ic++) {
                const group = floor(ic / inPerGroup);
                const inPlane = (n * inChannels + ic) * inHeight * inWidth;
                for (let ocg = 0; ocg < outPerGroup; ocg++) {
                    const outPlane = (n * outChannels + group * outPerGroup + ocg) * planeSize;
                    for (let kh = 0; kh < kernelHeight; kh++) {
                        for (let kw = 0; kw < kernelWidth; kw++) {
                            const weight = W[((ic * outPerGroup + ocg) * kernelHeight + kh) * kernelWidth + kw];
                            if (weight === 0)
                                continue;
                            for (let ih = 0; ih < inHeight; ih++) {
                                const oh = ih * strides[0] - padding[0] + kh * dilations[0];
                                if (oh < 0 || oh >= outHeight)
                                    continue;
                                for (let iw = 0; iw < inWidth; iw++) {
                                    const ow = iw * strides[1] - padding[2] + kw * dilations[1];
                                    if (ow < 0 || ow >= outWidth)
                                        continue;
                                    acc[outPlane + oh * outWidth + ow] += weight * X[inPlane + ih * inWidth + iw];
                                }
                            }
                        }
                    }
                }
            }
        }
        return floatTensor(output, finishOutput(Float32Array.from(acc), nchwShape, inputLayout));
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/elementwise-binary.ts
// Element-wise binary operators with numpy broadcasting: arithmetic (add, sub, mul, div, max,
// min, pow), comparisons (equal … lesserOrEqual → uint8 0/1) and logicalAnd/Or/Xor on uint8.
// Floats compute in float32 (float16 rounded back per op); 8/32/4-bit integers compute exactly
// and wrap to the type's width; int64/uint64 compute in BigInt.
//   const y = buildBinary(state, 'add', a, b, {});






/** add/sub/mul/div/max/min/pow: output type = input type. */
function buildArithmetic(state, kind, a, b, options) {
    return buildElementwise(state, kind, a, b, options, undefined);
}
/** equal … lesserOrEqual and logicalAnd/Or/Xor: output uint8. */
function buildComparison(state, kind, a, b, options) {
    return buildElementwise(state, kind, a, b, options, 'uint8');
}
function buildElementwise(state, kind, a, b, options, outputType) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(a, 'a');
    const y = op.operand(b, 'b');
    op.requireSameType(y, 'b', x.dataType);
    const shape = broadcastShapes(x.shape, y.shape) ??
        op.fail(`shapes [${x.shape}] and [${y.shape}] are not bidirectionally broadcastable`);
    const output = { dataType: outputType ?? x.dataType, shape };
    const offsetsA = lazy(() => broadcastOffsets(x.shape, shape));
    const offsetsB = lazy(() => broadcastOffsets(y.shape, shape));
    return op.emitOne([x, y], output, ([va, vb]) => {
        if (outputType)
            return tensorOf(output, compareValues(kind, va, vb, offsetsA(), offsetsB()));
        if (isFloatType(va.dataType)) {
            const values = arithmeticFloat(kind, expandFloat32(asFloat32(va), offsetsA()), expandFloat32(asFloat32(vb), offsetsB()));
            return floatTensor(output, values);
        }
        return tensorOf(output, arithmeticInteger(kind, va, vb, offsetsA(), offsetsB()));
    });
}
function arithmeticFloat(kind, x, y) {
    const n = max(x.length, y.length);
    const out = new Float32Array(n);
    switch (kind) {
        case 'add':
            for (let i = 0; i < n; i++)
                out[i] = x[i] + y[i];
            break;
        case 'sub':
            for (let i = 0; i < n; i++)
                out[i] = x[i] - y[i];
            break;
        case 'mul':
            for (let i = 0; i < n; i++)
                out[i] = x[i] * y[i];
            break;
        case 'div':
            for (let i = 0; i < n; i++)
                out[i] = x[i] / y[i];
            break;
        case 'max':
            for (let i = 0; i < n; i++)
                out[i] = max(x[i], y[i]);
            break;
        case 'min':
            for (let i = 0; i < n; i++)
                out[i] = min(x[i], y[i]);
            break;
        case 'pow':
            for (let i = 0; i < n; i++)
                out[i] = pow(x[i], y[i]);
            break;
    }
    return out;
}
function arithmeticInteger(kind, a, b, offsetsA, offsetsB) {
    if (isBigIntType(a.dataType))
        return arithmeticBigInt(kind, a, b, offsetsA, offsetsB);
    const x = expandFloat64(asFloat64(a), offsetsA);
    const y = expandFloat64(asFloat64(b), offsetsB);
    const n = max(x.length, y.length);
    const out = new Float64Array(n);
    switch (kind) {
        case 'add':
            for (let i = 0; i < n; i++)
                out[i] = x[i] + y[i];
            break;
        case 'sub':
            for (let i = 0; i < n; i++)
                out[i] = x[i] - y[i];
            break;
        case 'mul':
            // Math.imul keeps the low 32 bits exactly (a double product of two 32-bit values may not).
            for (let i = 0; i < n; i++)
                out[i] = imul(x[i], y[i]);
            break;
        case 'div':
            // Integer division truncates toward zero; division by zero yields 0 (implementation-defined).
            for (let i = 0; i < n; i++)
                out[i] = y[i] === 0 ? 0 : trunc(x[i] / y[i]);
            break;
        case 'max':
            for (let i = 0; i < n; i++)
                out[i] = max(x[i], y[i]);
            break;
        case 'min':
            for (let i = 0; i < n; i++)
                out[i] = min(x[i], y[i]);
            break;
        case 'pow':
            for (let i = 0; i < n; i++)
                out[i] = integerPow(x[i], y[i]);
            break;
    }
    return storeNumbers(a.dataType, out);
}
function integerPow(base, exponent) {
    if (exponent < 0)
        return base === 1 ? 1 : base === -1 ? (exponent % 2 === 0 ? 1 : -1) : 0;
    let result = 1;
    let b = base | 0;
    let e = exponent;
    while (e > 0) {
        if (e & 1)
            result = imul(result, b);
        b = imul(b, b);
        e = floor(e / 2);
    }
    return result;
}
function bigIntValues(t, offsets, n) {
    const data = t.data;
    const out = new Array(n);
    for (let i = 0; i < n; i++)
        out[i] = data[offsets ? offsets[i] : i];
    return out;
}
function arithmeticBigInt(kind, a, b, offsetsA, offsetsB) {
    const n = max(offsetsA?.length ?? a.data.length, offsetsB?.length ?? b.data.length);
    const x = bigIntValues(a, offsetsA, n);
    const y = bigIntValues(b, offsetsB, n);
    const signed = a.dataType === 'int64';
    const out = signed ? new BigInt64Array(n) : new BigUint64Array(n);
    const wrap = (v) => (signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v));
    for (let i = 0; i < n; i++) {
        const p = x[i];
        const q = y[i];
        switch (kind) {
            case 'add':
                out[i] = wrap(p + q);
                break;
            case 'sub':
                out[i] = wrap(p - q);
                break;
            case 'mul':
                out[i] = wrap(p * q);
                break;
            case 'div':
                out[i] = q === 0n ? 0n : wrap(p / q);
                break;
            case 'max':
                out[i] = p > q ? p : q;
                break;
            case 'min':
                out[i] = p < q ? p : q;
                break;
            case 'pow':
                out[i] = bigIntPow(p, q, wrap);
                break;
        }
    }
    return out;
}
function bigIntPow(base, exponent, wrap) {
    if (exponent < 0n)
        return base === 1n ? 1n : base === -1n ? (exponent % 2n === 0n ? 1n : -1n) : 0n;
    let result = 1n;
    let b = base;
    let e = exponent;
    while (e > 0n) {
        if (e & 1n)
            result = wrap(result * b);
        b = wrap(b * b);
        e >>= 1n;
    }
    return result;
}
function compareValues(kind, a, b, offsetsA, offsetsB) {
    if (isBigIntType(a.dataType)) {
        const n = max(offsetsA?.length ?? a.data.length, offsetsB?.length ?? b.data.length);
        const x = bigIntValues(a, offsetsA, n);
        const y = bigIntValues(b, offsetsB, n);
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++)
            out[i] = compareOne(kind, x[i], y[i]) ? 1 : 0;
        return out;
    }
    const x = expandFloat64(asFloat64(a), offsetsA);
    const y = expandFloat64(asFloat64(b), offsetsB);
    const n = max(x.length, y.length);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++)
        out[i] = compareOne(kind, x[i], y[i]) ? 1 : 0;
    return out;
}
function compareOne(kind, p, q) {
    switch (kind) {
        case 'equal':
            return p === q;
        case 'notEqual':
            return p !== q;
        case 'greater':
            return p > q;
        case 'greaterOrEqual':
            return p >= q;
        case 'lesser':
            return p < q;
        case 'lesserOrEqual':
            return p <= q;
        case 'logicalAnd':
            return Boolean(p) && Boolean(q);
        case 'logicalOr':
            return Boolean(p) || Boolean(q);
        case 'logicalXor':
            return Boolean(p) !== Boolean(q);
    }
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/gather-scatter.ts
// gather, gatherElements, gatherND, scatterElements and scatterND for every data type, with
// int32/uint32/int64 indices. Negative indices count from the end of their dimension; indices
// outside [-N, N) are clamped into range (the spec lets implementations clamp).
//   const rows = buildGather(state, table, ids, { axis: 0 });





function clampIndex(index, size) {
    const i = index < 0 ? index + size : index;
    return i < 0 ? 0 : i >= size ? size - 1 : i;
}
function copyBlock(dst, dstOffset, src, srcOffset, length) {
    if (length === 1)
        dst[dstOffset] = src[srcOffset];
    else
        dst.set(src.subarray(srcOffset, srcOffset + length), dstOffset);
}
function axisOption(op, value, rank) {
    const axis = value === undefined ? 0 : toUnsignedLong(value, `${op.what}: axis`);
    if (axis >= rank)
        op.fail(`axis ${axis} is out of range for rank ${rank}`);
    return axis;
}
function buildGather(state, input, indices, options) {
    const opts = toDictionary(options, 'gather');
    const op = new OperatorBuild(state, 'gather', opts);
    const x = op.operand(input, 'input');
    const idx = op.operand(indices, 'indices');
    const axis = axisOption(op, opts.axis, x.shape.length);
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    const output = { dataType: x.dataType, shape };
    const outer = elementCountOf(x.shape.slice(0, axis));
    const inner = elementCountOf(x.shape.slice(axis + 1));
    const size = x.shape[axis];
    return op.emitOne([x, idx], output, ([v, vi]) => {
        const ids = asIndices(vi);
        const out = allocateStorage(output.dataType, elementCountOf(shape));
        for (let o = 0; o < outer; o++) {
            for (let j = 0; j < ids.length; j++) {
                const src = (o * size + clampIndex(ids[j], size)) * inner;
                copyBlock(out, (o * ids.length + j) * inner, v.data, src, inner);
            }
        }
        return tensorOf(output, out);
    });
}
/** Offsets of each element of `shape` in a tensor with `strides`, the `axis` coordinate left out. */
function offsetsWithoutAxis(shape, strides, axis) {
    const masked = strides.map((s, a) => (a === axis ? 0 : s));
    return offsetsOver(shape, masked, shape.map((_, a) => a));
}
function buildGatherElements(state, input, indices, options) {
    const opts = toDictionary(options, 'gatherElements');
    const op = new OperatorBuild(state, 'gatherElements', opts);
    const x = op.operand(input, 'input');
    const idx = op.operand(indices, 'indices');
    const axis = axisOption(op, opts.axis, x.shape.length);
    const expected = x.shape.map((d, a) => (a === axis ? idx.shape[axis] : d));
    if (!shapesEqual(idx.shape, expected))
        op.fail(`indices must have shape [${expected}], got [${idx.shape}]`);
    const output = { dataType: x.dataType, shape: idx.shape };
    const strides = stridesOf(x.shape);
    const base = lazy(() => offsetsWithoutAxis(idx.shape, strides, axis));
    return op.emitOne([x, idx], output, ([v, vi]) => {
        const ids = asIndices(vi);
        const bases = base();
        const out = allocateStorage(output.dataType, ids.length);
        const src = v.data;
        const dst = out;
        for (let i = 0; i < ids.length; i++)
            dst[i] = src[bases[i] + clampIndex(ids[i], x.shape[axis]) * strides[axis]];
        return tensorOf(output, out);
    });
}
function buildGatherND(state, input, indices, options) {
    const opts = toDictionary(options, 'gatherND');
    const op = new OperatorBuild(state, 'gatherND', opts);
    const x = op.operand(input, 'input');
    const idx = op.operand(indices, 'indices');
    const coordinateSize = idx.shape[idx.shape.length - 1];
    if (coordinateSize > x.shape.length)
        op.fail(`indices hold ${coordinateSize} coordinates but the input has rank ${x.shape.length}`);
    const shape = [...idx.shape.slice(0, -1), ...x.shape.slice(coordinateSize)];
    const output = { dataType: x.dataType, shape };
    const strides = stridesOf(x.shape);
    const inner = elementCountOf(x.shape.slice(coordinateSize));
    return op.emitOne([x, idx], output, ([v, vi]) => {
        const ids = asIndices(vi);
        const tuples = ids.length / coordinateSize;
        const out = allocateStorage(output.dataType, elementCountOf(shape));
        for (let j = 0; j < tuples; j++) {
            let offset = 0;
            for (let d = 0; d < coordinateSize; d++)
                offset += clampIndex(ids[j * coordinateSize + d], x.shape[d]) * strides[d];
            copyBlock(out, j * inner, v.data, offset, inner);
        }
        return tensorOf(output, out);
    });
}
function buildScatterElements(state, input, indices, updates, options) {
    const opts = toDictionary(options, 'scatterElements');
    const op = new OperatorBuild(state, 'scatterElements', opts);
    const x = op.operand(input, 'input');
    const idx = op.operand(indices, 'indices');
    const u = op.operand(updates, 'updates');
    op.requireSameType(u, 'updates', x.dataType);
    const axis = axisOption(op, opts.axis, x.shape.length);
    const expected = x.shape.map((d, a) => (a === axis ? idx.shape[axis] : d));
    if (!shapesEqual(idx.shape, expected))
        op.fail(`indices must have shape [${expected}], got [${idx.shape}]`);
    if (!shapesEqual(u.shape, idx.shape))
        op.fail(`updates must have the shape of indices [${idx.shape}], got [${u.shape}]`);
    const output = { dataType: x.dataType, shape: x.shape };
    const strides = stridesOf(x.shape);
    const base = lazy(() => offsetsWithoutAxis(idx.shape, strides, axis));
    return op.emitOne([x, idx, u], output, ([v, vi, vu]) => {
        const ids = asIndices(vi);
        const bases = base();
        const out = v.data.slice();
        const dst = out;
        const src = vu.data;
        for (let i = 0; i < ids.length; i++)
            dst[bases[i] + clampIndex(ids[i], x.shape[axis]) * strides[axis]] = src[i];
        return tensorOf(output, out);
    });
}
function buildScatterND(state, input, indices, updates, options) {
    const opts = toDictionary(options, 'scatterND');
    const op = new OperatorBuild(state, 'scatterND', opts);
    const x = op.operand(input, 'input');
    const idx = op.operand(indices, 'indices');
    const u = op.operand(updates, 'updates');
    op.requireSameType(u, 'updates', x.dataType);
    const coordinateSize = idx.shape[idx.shape.length - 1];
    if (coordinateSize > x.shape.length)
        op.fail(`indices hold ${coordinateSize} coordinates but the input has rank ${x.shape.length}`);
    const expected = [...idx.shape.slice(0, -1), ...x.shape.slice(coordinateSize)];
    if (!shapesEqual(u.shape, expected))
        op.fail(`updates must have shape [${expected}], got [${u.shape}]`);
    const output = { dataType: x.dataType, shape: x.shape };
    const strides = stridesOf(x.shape);
    const inner = elementCountOf(x.shape.slice(coordinateSize));
    return op.emitOne([x, idx, u], output, ([v, vi, vu]) => {
        const ids = asIndices(vi);
        const tuples = ids.length / coordinateSize;
        const out = v.data.slice();
        for (let j = 0; j < tuples; j++) {
            let offset = 0;
            for (let d = 0; d < coordinateSize; d++)
                offset += clampIndex(ids[j * coordinateSize + d], x.shape[d]) * strides[d];
            copyBlock(out, offset, vu.data, j * inner, inner);
        }
        return tensorOf(output, out);
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/matmul.ts
// matmul (batched, numpy-broadcast batch dims) and gemm (alpha·A·B + beta·C with optional
// transposes). Kernels loop i-k-j over contiguous rows with a float64 row accumulator; float16
// inputs are widened to float32 and the result rounded back.
//   const y = buildMatmul(state, a, b, {});





function buildMatmul(state, a, b, options) {
    const opts = toDictionary(options, 'matmul');
    const op = new OperatorBuild(state, 'matmul', opts);
    const x = op.operand(a, 'a');
    const y = op.operand(b, 'b');
    op.requireSameType(y, 'b', x.dataType);
    const rankA = x.shape.length;
    const rankB = y.shape.length;
    const [rows, inner] = x.shape.slice(rankA - 2);
    const [innerB, cols] = y.shape.slice(rankB - 2);
    if (inner !== innerB)
        op.fail(`a [${x.shape}] has ${inner} columns but b [${y.shape}] has ${innerB} rows`);
    const batchA = x.shape.slice(0, rankA - 2);
    const batchB = y.shape.slice(0, rankB - 2);
    const batch = broadcastShapes(batchA, batchB) ??
        op.fail(`batch shapes [${batchA}] and [${batchB}] are not broadcastable`);
    const output = { dataType: x.dataType, shape: [...batch, rows, cols] };
    const batchMaps = lazy(() => ({
        a: broadcastOffsets(batchA, batch),
        b: broadcastOffsets(batchB, batch),
        count: batch.reduce((p, d) => p * d, 1),
    }));
    return op.emitOne([x, y], output, ([va, vb]) => {
        const A = asFloat32(va);
        const B = asFloat32(vb);
        const { a: mapA, b: mapB, count } = batchMaps();
        const out = new Float32Array(count * rows * cols);
        const accumulators = [0, 1, 2, 3].map(() => new Float64Array(cols));
        for (let batchIndex = 0; batchIndex < count; batchIndex++) {
            const aBase = (mapA ? mapA[batchIndex] : batchIndex) * rows * inner;
            const bBase = (mapB ? mapB[batchIndex] : batchIndex) * inner * cols;
            multiplyRows(A, aBase, B, bBase, out, batchIndex * rows * cols, rows, inner, cols, accumulators);
        }
        return floatTensor(output, out);
    });
}
/**
 * out[rows×cols] = A[rows×inner] · B[inner×cols] (row-major, at the given offsets), four rows
 * at a time so that each loaded B element feeds four accumulators.
 */
function multiplyRows(A, aBase, B, bBase, out, outBase, rows, inner, cols, [acc0, acc1, acc2, acc3]) {
    let i = 0;
    for (; i + 4 <= rows; i += 4) {
        acc0.fill(0);
        acc1.fill(0);
        acc2.fill(0);
        acc3.fill(0);
        const row0 = aBase + i * inner;
        for (let k = 0; k < inner; k++) {
            const a0 = A[row0 + k];
            const a1 = A[row0 + inner + k];
            const a2 = A[row0 + 2 * inner + k];
            const a3 = A[row0 + 3 * inner + k];
            const bRow = bBase + k * cols;
            for (let j = 0; j < cols; j++) {
                const b = B[bRow + j];
                acc0[j] += a0 * b;
                acc1[j] += a1 * b;
                acc2[j] += a2 * b;
                acc3[j] += a3 * b;
            }
        }
        const outRow = outBase + i * cols;
        out.set(acc0, outRow);
        out.set(acc1, outRow + cols);
        out.set(acc2, outRow + 2 * cols);
        out.set(acc3, outRow + 3 * cols);
    }
    for (; i < rows; i++) {
        acc0.fill(0);
        const aRow = aBase + i * inner;
        for (let k = 0; k < inner; k++) {
            const aik = A[aRow + k];
            const bRow = bBase + k * cols;
            for (let j = 0; j < cols; j++)
                acc0[j] += aik * B[bRow + j];
        }
        out.set(acc0, outBase + i * cols);
    }
}
function buildGemm(state, a, b, options) {
    const opts = toDictionary(options, 'gemm');
    const op = new OperatorBuild(state, 'gemm', opts);
    const x = op.operand(a, 'a');
    const y = op.operand(b, 'b');
    op.requireSameType(y, 'b', x.dataType);
    const c = op.optionalOperand(opts.c, 'c');
    if (c)
        op.requireSameType(c, 'c', x.dataType);
    const alpha = Number(castNumber(opts.alpha === undefined ? 1 : toDouble(opts.alpha, 'alpha'), x.dataType));
    const beta = Number(castNumber(opts.beta === undefined ? 1 : toDouble(opts.beta, 'beta'), x.dataType));
    const aTranspose = Boolean(opts.aTranspose);
    const bTranspose = Boolean(opts.bTranspose);
    const [rows, inner] = aTranspose ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    const [innerB, cols] = bTranspose ? [y.shape[1], y.shape[0]] : [y.shape[0], y.shape[1]];
    if (inner !== innerB)
        op.fail(`inner dimensions differ: ${inner} (a) vs ${innerB} (b)`);
    if (c && !broadcastTo(c.shape, [rows, cols]))
        op.fail(`c [${c.shape}] is not broadcastable to [${rows},${cols}]`);
    const output = { dataType: x.dataType, shape: [rows, cols] };
    const cOffsets = lazy(() => (c ? broadcastOffsets(c.shape, [rows, cols]) : undefined));
    const transposedCache = new WeakMap();
    /** The operand as a row-major matrix, transposed when asked (cached for constants). */
    const rowMajor = (value, transpose) => {
        const values = asFloat32(value);
        if (!transpose)
            return values;
        let cached = transposedCache.get(value);
        if (!cached) {
            const [r, c] = value.shape;
            cached = new Float32Array(values.length);
            for (let i = 0; i < r; i++)
                for (let j = 0; j < c; j++)
                    cached[j * r + i] = values[i * c + j];
            transposedCache.set(value, cached);
        }
        return cached;
    };
    return op.emitOne(c ? [x, y, c] : [x, y], output, ([va, vb, vc]) => {
        const product = new Float32Array(rows * cols);
        const accumulators = [0, 1, 2, 3].map(() => new Float64Array(cols));
        multiplyRows(rowMajor(va, aTranspose), 0, rowMajor(vb, bTranspose), 0, product, 0, rows, inner, cols, accumulators);
        const C = vc ? asFloat32(vc) : undefined;
        const cMap = cOffsets();
        const out = new Float32Array(rows * cols);
        for (let i = 0; i < out.length; i++) {
            out[i] = C ? alpha * product[i] + beta * C[cMap ? cMap[i] : i] : alpha * product[i];
        }
        return floatTensor(output, out);
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/normalization.ts
// batchNormalization (given mean/variance along one axis), instanceNormalization (per sample
// and channel over the spatial axes, nchw or nhwc) and layerNormalization (over any axes, with
// scale/bias shaped by those axes in the order given). Statistics are computed in double with
// a two-pass mean/variance (biased variance, as the spec's emulation).
//   const y = buildLayerNormalization(state, x, { axes: [2], epsilon: 1e-5 });






function epsilonOf(op, value, dataType) {
    return Number(castNumber(value === undefined ? 1e-5 : toDouble(value, `${op.what}: epsilon`), dataType));
}
function buildBatchNormalization(state, input, mean, variance, options) {
    const opts = toDictionary(options, 'batchNormalization');
    const op = new OperatorBuild(state, 'batchNormalization', opts);
    const x = op.operand(input, 'input');
    const m = op.operand(mean, 'mean');
    const v = op.operand(variance, 'variance');
    const scale = op.optionalOperand(opts.scale, 'scale');
    const bias = op.optionalOperand(opts.bias, 'bias');
    const axis = opts.axis === undefined ? 1 : toUnsignedLong(opts.axis, `${op.what}: axis`);
    if (axis >= x.shape.length)
        op.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
    const channels = x.shape[axis];
    for (const [param, operand] of [
        ['mean', m],
        ['variance', v],
        ['scale', scale],
        ['bias', bias],
    ]) {
        if (!operand)
            continue;
        op.requireSameType(operand, param, x.dataType);
        if (!shapesEqual(operand.shape, [channels]))
            op.fail(`${param} must have shape [${channels}], got [${operand.shape}]`);
    }
    const epsilon = epsilonOf(op, opts.epsilon, x.dataType);
    const output = { dataType: x.dataType, shape: x.shape };
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const inputs = [x, m, v, ...(scale ? [scale] : []), ...(bias ? [bias] : [])];
    return op.emitOne(inputs, output, (values) => {
        const X = asFloat32(values[0]);
        const M = asFloat32(values[1]);
        const V = asFloat32(values[2]);
        const S = scale ? asFloat32(values[3]) : undefined;
        const B = bias ? asFloat32(values[scale ? 4 : 3]) : undefined;
        const out = new Float32Array(X.length);
        for (let i = 0; i < X.length; i++) {
            const c = floor(i / inner) % channels;
            const normalized = (X[i] - M[c]) / sqrt(V[c] + epsilon);
            out[i] = (S ? S[c] : 1) * normalized + (B ? B[c] : 0);
        }
        return floatTensor(output, out);
    });
}
/**
 * Normalizes `X` over the `inner` positions of each `outer` position. Scale and bias of
 * element (o, r) are read at paramOuter[o] + paramInner[r].
 */
function normalizeGroups(X, split, epsilon, params) {
    const { outer, inner } = split;
    const { scale, bias, paramOuter, paramInner } = params;
    const out = new Float32Array(X.length);
    const count = inner.length;
    for (let o = 0; o < outer.length; o++) {
        const base = outer[o];
        let sum = 0;
        for (let r = 0; r < count; r++)
            sum += X[base + inner[r]];
        const mean = sum / count;
        let squares = 0;
        for (let r = 0; r < count; r++) {
            const d = X[base + inner[r]] - mean;
            squares += d * d;
        }
        const invStd = 1 / sqrt(squares / count + epsilon);
        const paramBase = paramOuter[o];
        for (let r = 0; r < count; r++) {
            const normalized = (X[base + inner[r]] - mean) * invStd;
            const p = paramBase + paramInner[r];
            out[base + inner[r]] = (scale ? scale[p] : 1) * normalized + (bias ? bias[p] : 0);
        }
    }
    return out;
}
function buildInstanceNormalization(state, input, options) {
    const opts = toDictionary(options, 'instanceNormalization');
    const op = new OperatorBuild(state, 'instanceNormalization', opts);
    const x = op.operand(input, 'input');
    const scale = op.optionalOperand(opts.scale, 'scale');
    const bias = op.optionalOperand(opts.bias, 'bias');
    const layout = opts.layout === undefined ? 'nchw' : toEnum(opts.layout, ['nchw', 'nhwc'], `${op.what}: layout`);
    const channelAxis = layout === 'nchw' ? 1 : 3;
    const channels = x.shape[channelAxis];
    for (const [param, operand] of [
        ['scale', scale],
        ['bias', bias],
    ]) {
        if (!operand)
            continue;
        op.requireSameType(operand, param, x.dataType);
        if (!shapesEqual(operand.shape, [channels]))
            op.fail(`${param} must have shape [${channels}], got [${operand.shape}]`);
    }
    const epsilon = epsilonOf(op, opts.epsilon, x.dataType);
    const output = { dataType: x.dataType, shape: x.shape };
    const spatialAxes = layout === 'nchw' ? [2, 3] : [1, 2];
    const plan = lazy(() => {
        const split = splitAxes(x.shape, spatialAxes);
        // Kept axes are (n, c) in row-major order: outer position o has channel o % channels.
        const paramOuter = Int32Array.from(split.outer, (_, o) => o % channels);
        return { split, paramOuter, paramInner: new Int32Array(split.inner.length) };
    });
    const inputs = [x, ...(scale ? [scale] : []), ...(bias ? [bias] : [])];
    return op.emitOne(inputs, output, (values) => {
        const { split, paramOuter, paramInner } = plan();
        const out = normalizeGroups(asFloat32(values[0]), split, epsilon, {
            scale: scale ? asFloat32(values[1]) : undefined,
            bias: bias ? asFloat32(values[scale ? 2 : 1]) : undefined,
            paramOuter,
            paramInner,
        });
        return floatTensor(output, out);
    });
}
function buildLayerNormalization(state, input, options) {
    const opts = toDictionary(options, 'layerNormalization');
    const op = new OperatorBuild(state, 'layerNormalization', opts);
    const x = op.operand(input, 'input');
    const rank = x.shape.length;
    const axes = opts.axes === undefined
        ? Array.from({ length: rank > 1 ? rank - 1 : 0 }, (_, i) => i + 1)
        : toUnsignedLongSequence(opts.axes, `${op.what}: axes`);
    if (!axesAreValid(axes, rank))
        op.fail(`axes [${axes}] must be distinct and in [0, ${rank})`);
    const scale = op.optionalOperand(opts.scale, 'scale');
    const bias = op.optionalOperand(opts.bias, 'bias');
    for (const [param, operand] of [
        ['scale', scale],
        ['bias', bias],
    ]) {
        if (!operand)
            continue;
        op.requireSameType(operand, param, x.dataType);
        const expected = axes.map((a) => x.shape[a]);
        if (!shapesEqual(operand.shape, expected))
            op.fail(`${param} must have shape [${expected}], got [${operand.shape}]`);
    }
    const epsilon = epsilonOf(op, opts.epsilon, x.dataType);
    const output = { dataType: x.dataType, shape: x.shape };
    const sortedAxes = [...axes].sort((p, q) => p - q);
    const plan = lazy(() => {
        const { outer, inner } = splitAxes(x.shape, sortedAxes);
        // Offset into scale/bias (shaped by `axes` in the given order) for each reduced position.
        const paramStrides = stridesOf(axes.map((a) => x.shape[a]));
        const strideByAxis = new Array(rank).fill(0);
        axes.forEach((axis, k) => (strideByAxis[axis] = paramStrides[k]));
        return {
            split: { outer, inner },
            paramOuter: new Int32Array(outer.length),
            paramInner: offsetsOver(x.shape, strideByAxis, sortedAxes),
        };
    });
    const inputs = [x, ...(scale ? [scale] : []), ...(bias ? [bias] : [])];
    return op.emitOne(inputs, output, (values) => {
        const { split, paramOuter, paramInner } = plan();
        const out = normalizeGroups(asFloat32(values[0]), split, epsilon, {
            scale: scale ? asFloat32(values[1]) : undefined,
            bias: bias ? asFloat32(values[scale ? 2 : 1]) : undefined,
            paramOuter,
            paramInner,
        });
        return floatTensor(output, out);
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/pooling.ts
// averagePool2d, l2Pool2d and maxPool2d over nchw or nhwc input with window dimensions
// (default: the whole spatial extent), padding, strides, dilations, roundingType and
// outputSizes. Padding and positions outside the input are excluded: average divides by the
// number of input elements inside the window.
//   const y = buildPool2d(state, 'averagePool2d', x, { windowDimensions: [3, 3], padding: [1, 1, 1, 1] });






function buildPool2d(state, kind, input, options) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(input, 'input');
    const layout = opts.layout === undefined ? 'nchw' : toEnum(opts.layout, ['nchw', 'nhwc'], `${op.what}: layout`);
    const roundingType = opts.roundingType === undefined
        ? 'floor'
        : toEnum(opts.roundingType, ['floor', 'ceil'], `${op.what}: roundingType`);
    const [batches, channels, inHeight, inWidth] = layout === 'nchw' ? x.shape : [x.shape[0], x.shape[3], x.shape[1], x.shape[2]];
    const list = (value, name, length, fallback, nonZero) => {
        if (value === undefined)
            return fallback;
        const items = toUnsignedLongSequence(value, `${op.what}: ${name}`);
        if (items.length !== length)
            op.fail(`${name} must have ${length} items, got ${items.length}`);
        if (nonZero && items.includes(0))
            op.fail(`${name} must not contain 0`);
        return items;
    };
    const [windowHeight, windowWidth] = list(opts.windowDimensions, 'windowDimensions', 2, [inHeight, inWidth], true);
    const padding = list(opts.padding, 'padding', 4, [0, 0, 0, 0], false);
    const strides = list(opts.strides, 'strides', 2, [1, 1], true);
    const dilations = list(opts.dilations, 'dilations', 2, [1, 1], true);
    const outputSizes = opts.outputSizes === undefined ? undefined : list(opts.outputSizes, 'outputSizes', 2, [], false);
    const calcHeight = (inHeight - (windowHeight - 1) * dilations[0] - 1 + padding[0] + padding[1]) / strides[0] + 1;
    const calcWidth = (inWidth - (windowWidth - 1) * dilations[1] - 1 + padding[2] + padding[3]) / strides[1] + 1;
    let outHeight;
    let outWidth;
    if (outputSizes) {
        [outHeight, outWidth] = outputSizes;
        const floorMatch = outHeight === floor(calcHeight) && outWidth === floor(calcWidth);
        const ceilMatch = outHeight === ceil(calcHeight) && outWidth === ceil(calcWidth);
        if (!floorMatch && !ceilMatch) {
            op.fail(`outputSizes [${outputSizes}] match neither floor nor ceil of the computed size [${calcHeight},${calcWidth}]`);
        }
    }
    else {
        const round = roundingType === 'floor' ? Math.floor : Math.ceil;
        outHeight = round(calcHeight);
        outWidth = round(calcWidth);
    }
    if (!isValidDimension(outHeight) || !isValidDimension(outWidth))
        op.fail(`the output size ${outHeight}x${outWidth} is not valid`);
    const nchwOut = [batches, channels, outHeight, outWidth];
    const output = {
        dataType: x.dataType,
        shape: layout === 'nchw' ? nchwOut : [batches, outHeight, outWidth, channels],
    };
    const toNchw = lazy(() => (layout === 'nchw' ? undefined : transposeOffsets(x.shape, [0, 3, 1, 2])));
    const toNhwc = lazy(() => (layout === 'nchw' ? undefined : transposeOffsets(nchwOut, [0, 2, 3, 1])));
    return op.emitOne([x], output, ([v]) => {
        const X = expandFloat64(asFloat64(v), toNchw());
        const out = new Float64Array(batches * channels * outHeight * outWidth);
        let index = 0;
        for (let plane = 0; plane < batches * channels; plane++) {
            const base = plane * inHeight * inWidth;
            for (let oh = 0; oh < outHeight; oh++) {
                for (let ow = 0; ow < outWidth; ow++) {
                    let sum = 0;
                    let count = 0;
                    let peak = -Infinity;
                    for (let kh = 0; kh < windowHeight; kh++) {
                        const ih = oh * strides[0] - padding[0] + kh * dilations[0];
                        if (ih < 0 || ih >= inHeight)
                            continue;
                        for (let kw = 0; kw < windowWidth; kw++) {
                            const iw = ow * strides[1] - padding[2] + kw * dilations[1];
                            if (iw < 0 || iw >= inWidth)
                                continue;
                            const value = X[base + ih * inWidth + iw];
                            count++;
                            if (kind === 'maxPool2d')
                                peak = value > peak || value !== value ? value : peak;
                            else
                                sum += kind === 'l2Pool2d' ? value * value : value;
                        }
                    }
                    out[index++] =
                        kind === 'maxPool2d' ? peak : kind === 'l2Pool2d' ? sqrt(sum) : count ? sum / count : 0;
                }
            }
        }
        const result = expandFloat64(out, toNhwc());
        if (isFloatType(v.dataType))
            return floatTensor(output, Float32Array.from(result));
        return tensorOf(output, storeNumbers(v.dataType, result));
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/quantization.ts
// quantizeLinear and dequantizeLinear with block-wise broadcast scale and zero point (each
// scale dimension divides the input dimension; a scale element covers a block of
// input/scale elements along each axis). Quantized types: uint8, int8, uint32, int32 and
// the 4-bit int4/uint4.
//   const w = buildDequantizeLinear(state, q, scale, zeroPoint, {}); // (q − zeroPoint) · scale






function buildQuantization(state, kind, input, scale, zeroPoint, options) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(input, 'input');
    const s = op.operand(scale, 'scale');
    const z = op.operand(zeroPoint, 'zeroPoint');
    if (kind === 'dequantizeLinear')
        op.requireSameType(z, 'zeroPoint', x.dataType);
    else
        op.requireSameType(s, 'scale', x.dataType);
    if (s.shape.length !== x.shape.length || z.shape.length !== x.shape.length) {
        op.fail(`scale and zeroPoint must have the input's rank ${x.shape.length}`);
    }
    if (!shapesEqual(s.shape, z.shape))
        op.fail(`scale [${s.shape}] and zeroPoint [${z.shape}] must have the same shape`);
    if (!isBlockwiseBroadcastable(s.shape, x.shape)) {
        op.fail(`scale [${s.shape}] is not blockwise broadcastable to the input [${x.shape}]`);
    }
    const output = { dataType: kind === 'dequantizeLinear' ? s.dataType : z.dataType, shape: x.shape };
    const blockOffsets = lazy(() => offsetsFromAxisMaps(x.shape, s.shape, x.shape.map((size, a) => {
        const block = size / s.shape[a];
        return axisMap(size, (c) => floor(c / block));
    })));
    return op.emitOne([x, s, z], output, ([vx, vs, vz]) => {
        const X = asFloat64(vx);
        const S = asFloat64(vs);
        const Z = asFloat64(vz);
        const map = blockOffsets();
        const out = new Float64Array(X.length);
        if (kind === 'dequantizeLinear') {
            for (let i = 0; i < X.length; i++)
                out[i] = (X[i] - Z[map[i]]) * S[map[i]];
            return floatTensor(output, Float32Array.from(out));
        }
        const [low, high] = integerRange(output.dataType);
        for (let i = 0; i < X.length; i++) {
            const q = roundHalfToEven(X[i] / S[map[i]]) + Z[map[i]];
            out[i] = q !== q ? 0 : min(max(q, low), high);
        }
        return tensorOf(output, storeNumbers(output.dataType, out));
    });
}
function buildDequantizeLinear(state, input, scale, zeroPoint, options) {
    return buildQuantization(state, 'dequantizeLinear', input, scale, zeroPoint, options);
}
function buildQuantizeLinear(state, input, scale, zeroPoint, options) {
    return buildQuantization(state, 'quantizeLinear', input, scale, zeroPoint, options);
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/reduction.ts
// Reductions over axes (reduceL1, L2, LogSum, LogSumExp, Max, Mean, Min, Product, Sum,
// SumSquare), argMin/argMax along one axis, and cumulativeSum. Values accumulate in double
// (BigInt for int64/uint64) and round once to the output type. argMin/argMax pick the first
// index on ties (the spec leaves ties implementation-defined).
//   const y = buildReduce(state, 'reduceMean', x, { axes: [2], keepDimensions: true });






/** Spec "calculate reduction output sizes"; undefined when the axes are invalid. */
function reductionShape(shape, axes, keepDimensions) {
    if (!axesAreValid(axes, shape.length))
        return undefined;
    return keepDimensions
        ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : shape.filter((_, i) => !axes.includes(i));
}
function buildReduce(state, kind, input, options) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(input, 'input');
    const axes = opts.axes === undefined
        ? x.shape.map((_, i) => i)
        : toUnsignedLongSequence(opts.axes, `${op.what}: axes`);
    const shape = reductionShape(x.shape, axes, Boolean(opts.keepDimensions)) ??
        op.fail(`axes [${axes}] must be distinct and in [0, ${x.shape.length})`);
    const output = { dataType: x.dataType, shape };
    const split = lazy(() => splitAxes(x.shape, axes));
    return op.emitOne([x], output, ([v]) => {
        const { outer, inner } = split();
        if (isBigIntType(v.dataType))
            return tensorOf(output, reduceBigInt(kind, v, outer, inner));
        const values = reduceNumbers(kind, asFloat64(v), outer, inner);
        if (isFloatType(v.dataType))
            return floatTensor(output, Float32Array.from(values));
        return tensorOf(output, storeNumbers(v.dataType, values));
    });
}
function reduceNumbers(kind, X, outer, inner) {
    const out = new Float64Array(outer.length);
    const count = inner.length;
    for (let o = 0; o < outer.length; o++) {
        const base = outer[o];
        let result;
        switch (kind) {
            case 'reduceMax':
                result = -Infinity;
                for (let r = 0; r < count; r++)
                    result = max(result, X[base + inner[r]]);
                break;
            case 'reduceMin':
                result = Infinity;
                for (let r = 0; r < count; r++)
                    result = min(result, X[base + inner[r]]);
                break;
            case 'reduceProduct':
                result = 1;
                for (let r = 0; r < count; r++)
                    result *= X[base + inner[r]];
                break;
            case 'reduceLogSumExp': {
                let peak = -Infinity;
                for (let r = 0; r < count; r++)
                    peak = max(peak, X[base + inner[r]]);
                let sum = 0;
                for (let r = 0; r < count; r++)
                    sum += exp(X[base + inner[r]] - peak);
                result = peak === -Infinity || peak === Infinity ? peak : peak + log(sum);
                break;
            }
            default: {
                let sum = 0;
                for (let r = 0; r < count; r++) {
                    const value = X[base + inner[r]];
                    sum +=
                        kind === 'reduceL1'
                            ? abs(value)
                            : kind === 'reduceL2' || kind === 'reduceSumSquare'
                                ? value * value
                                : value;
                }
                result =
                    kind === 'reduceL2'
                        ? sqrt(sum)
                        : kind === 'reduceLogSum'
                            ? log(sum)
                            : kind === 'reduceMean'
                                ? sum / count
                                : sum;
            }
        }
        out[o] = result;
    }
    return out;
}
function reduceBigInt(kind, v, outer, inner) {
    const X = v.data;
    const signed = v.dataType === 'int64';
    const out = signed ? new BigInt64Array(outer.length) : new BigUint64Array(outer.length);
    const wrap = (value) => (signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value));
    for (let o = 0; o < outer.length; o++) {
        const base = outer[o];
        let result = kind === 'reduceProduct' ? 1n : 0n;
        for (let r = 0; r < inner.length; r++) {
            const value = X[base + inner[r]];
            if (kind === 'reduceMax')
                result = r === 0 || value > result ? value : result;
            else if (kind === 'reduceMin')
                result = r === 0 || value < result ? value : result;
            else if (kind === 'reduceProduct')
                result = wrap(result * value);
            else if (kind === 'reduceL1')
                result = wrap(result + (value < 0n ? -value : value));
            else if (kind === 'reduceSumSquare')
                result = wrap(result + value * value);
            else
                result = wrap(result + value);
        }
        out[o] = result;
    }
    return out;
}
function buildArgMinMax(state, kind, input, axis, options) {
    const opts = toDictionary(options, kind);
    const op = new OperatorBuild(state, kind, opts);
    const x = op.operand(input, 'input');
    const reduceAxis = toUnsignedLong(axis, `${op.what}: axis`);
    const outputDataType = opts.outputDataType === undefined
        ? 'int32'
        : toDataType(opts.outputDataType, `${op.what}: outputDataType`);
    const shape = reductionShape(x.shape, [reduceAxis], Boolean(opts.keepDimensions)) ??
        op.fail(`axis ${reduceAxis} is out of range for rank ${x.shape.length}`);
    if (x.shape[reduceAxis] > integerRange(outputDataType)[1]) {
        op.fail(`dimension ${x.shape[reduceAxis]} does not fit in ${outputDataType}`);
    }
    const output = { dataType: outputDataType, shape };
    const split = lazy(() => splitAxes(x.shape, [reduceAxis]));
    return op.emitOne([x], output, ([v]) => {
        const { outer, inner } = split();
        const values = isBigIntType(v.dataType)
            ? v.data
            : asFloat64(v);
        const indices = new Float64Array(outer.length);
        for (let o = 0; o < outer.length; o++) {
            const base = outer[o];
            let best = 0;
            let bestValue = values[base + inner[0]];
            for (let r = 1; r < inner.length; r++) {
                const value = values[base + inner[r]];
                if (kind === 'argMax' ? value > bestValue : value < bestValue) {
                    best = r;
                    bestValue = value;
                }
            }
            indices[o] = best;
        }
        return tensorOf(output, storeNumbers(outputDataType, indices));
    });
}
function buildCumulativeSum(state, input, axis, options) {
    const opts = toDictionary(options, 'cumulativeSum');
    const op = new OperatorBuild(state, 'cumulativeSum', opts);
    const x = op.operand(input, 'input');
    const sumAxis = toUnsignedLong(axis, `${op.what}: axis`);
    if (sumAxis >= x.shape.length)
        op.fail(`axis ${sumAxis} is out of range for rank ${x.shape.length}`);
    const exclusive = Boolean(opts.exclusive);
    const reversed = Boolean(opts.reversed);
    const output = { dataType: x.dataType, shape: x.shape };
    const split = lazy(() => splitAxes(x.shape, [sumAxis]));
    return op.emitOne([x], output, ([v]) => {
        const { outer, inner } = split();
        const n = inner.length;
        if (isBigIntType(v.dataType)) {
            const X = v.data;
            const signed = v.dataType === 'int64';
            const out = signed ? new BigInt64Array(X.length) : new BigUint64Array(X.length);
            for (let o = 0; o < outer.length; o++) {
                let sum = 0n;
                for (let step = 0; step < n; step++) {
                    const at = outer[o] + inner[reversed ? n - 1 - step : step];
                    if (exclusive)
                        out[at] = sum;
                    sum = signed ? BigInt.asIntN(64, sum + X[at]) : BigInt.asUintN(64, sum + X[at]);
                    if (!exclusive)
                        out[at] = sum;
                }
            }
            return tensorOf(output, out);
        }
        const X = asFloat64(v);
        const out = new Float64Array(X.length);
        for (let o = 0; o < outer.length; o++) {
            let sum = 0;
            for (let step = 0; step < n; step++) {
                const at = outer[o] + inner[reversed ? n - 1 - step : step];
                if (exclusive)
                    out[at] = sum;
                sum += X[at];
                if (!exclusive)
                    out[at] = sum;
            }
        }
        if (isFloatType(v.dataType))
            return floatTensor(output, Float32Array.from(out));
        return tensorOf(output, storeNumbers(v.dataType, out));
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/resample.ts
// resample2d: nearest-neighbor or (bi)linear resampling of two axes (default [2, 3]) of a 4-D
// tensor to `sizes` or floor(size × `scales`), with the spec's half-pixel coordinate mapping:
// in = clamp((out + 0.5) / scale − 0.5, 0, inSize − 1), scale = outSize / inSize; nearest
// takes ceil(in − 0.5).
//   const y = buildResample2d(state, x, { mode: 'linear', sizes: [8, 8] });






function axisSampling(inSize, outSize, linear) {
    const low = new Int32Array(outSize);
    const high = new Int32Array(outSize);
    const weight = new Float64Array(outSize);
    const scale = outSize / inSize;
    for (let o = 0; o < outSize; o++) {
        const coordinate = min(max((o + 0.5) / scale - 0.5, 0), inSize - 1);
        if (linear) {
            low[o] = floor(coordinate);
            high[o] = ceil(coordinate);
            weight[o] = coordinate - low[o];
        }
        else {
            low[o] = high[o] = max(0, ceil(coordinate - 0.5));
        }
    }
    return { low, high, weight };
}
function buildResample2d(state, input, options) {
    const opts = toDictionary(options, 'resample2d');
    const op = new OperatorBuild(state, 'resample2d', opts);
    const x = op.operand(input, 'input');
    const mode = opts.mode === undefined
        ? 'nearest-neighbor'
        : toEnum(opts.mode, ['nearest-neighbor', 'linear'], `${op.what}: mode`);
    const scales = opts.scales === undefined ? [1, 1] : toFloatSequence(opts.scales, `${op.what}: scales`);
    if (scales.length !== 2 || scales.some((s) => s <= 0))
        op.fail('scales must be 2 positive numbers');
    const sizes = opts.sizes === undefined ? undefined : toUnsignedLongSequence(opts.sizes, `${op.what}: sizes`);
    if (sizes && (sizes.length !== 2 || sizes.includes(0)))
        op.fail('sizes must be 2 non-zero sizes');
    const axes = opts.axes === undefined ? [2, 3] : toUnsignedLongSequence(opts.axes, `${op.what}: axes`);
    if (axes.length !== 2 || !axesAreValid(axes, 4))
        op.fail(`axes [${axes}] must be 2 distinct axes in [0, 4)`);
    const shape = x.shape.slice();
    axes.forEach((axis, i) => {
        const size = sizes ? sizes[i] : floor(x.shape[axis] * scales[i]);
        if (!isValidDimension(size))
            op.fail(`the output size ${size} on axis ${axis} is not valid`);
        shape[axis] = size;
    });
    const output = { dataType: x.dataType, shape };
    const linear = mode === 'linear';
    const plan = lazy(() => shape.map((size, axis) => (axes.includes(axis) ? axisSampling(x.shape[axis], size, linear) : undefined)));
    const inStrides = stridesOf(x.shape);
    return op.emitOne([x], output, ([v]) => {
        const X = asFloat32(v);
        const sampling = plan();
        const [axisA, axisB] = axes[0] < axes[1] ? axes : [axes[1], axes[0]];
        const samplingA = sampling[axisA];
        const samplingB = sampling[axisB];
        const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
        const index = [0, 0, 0, 0];
        for (let i = 0; i < out.length; i++) {
            let base = 0;
            for (let a = 0; a < 4; a++)
                if (a !== axisA && a !== axisB)
                    base += index[a] * inStrides[a];
            const ia = index[axisA];
            const ib = index[axisB];
            const a0 = base + samplingA.low[ia] * inStrides[axisA];
            const a1 = base + samplingA.high[ia] * inStrides[axisA];
            const b0 = samplingB.low[ib] * inStrides[axisB];
            const b1 = samplingB.high[ib] * inStrides[axisB];
            const ta = samplingA.weight[ia];
            const tb = samplingB.weight[ib];
            const top = X[a0 + b0] * (1 - tb) + X[a0 + b1] * tb;
            const bottom = X[a1 + b0] * (1 - tb) + X[a1 + b1] * tb;
            out[i] = top * (1 - ta) + bottom * ta;
            for (let a = 3; a >= 0; a--) {
                if (++index[a] < shape[a])
                    break;
                index[a] = 0;
            }
        }
        return floatTensor(output, out);
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/ops/shape-ops.ts
// Data-movement operators, for every data type: reshape, transpose, concat, slice (with
// strides), split, expand, pad (constant, edge, reflection), tile, reverse, triangular and
// where. Each output element reads one input offset; the offset maps depend only on shapes,
// so they are computed once per graph node.
//   const y = buildSlice(state, x, [0, 1], [2, 2], { strides: [1, 2] });






function options(kind, value) {
    return toDictionary(value, kind);
}
function buildReshape(state, input, newShape, opts) {
    const op = new OperatorBuild(state, 'reshape', options('reshape', opts));
    const x = op.operand(input, 'input');
    const shape = toUnsignedLongSequence(newShape, `${op.what}: newShape`);
    if (elementCountOf(shape) !== elementCountOf(x.shape)) {
        op.fail(`newShape [${shape}] has ${elementCountOf(shape)} elements but the input [${x.shape}] has ${elementCountOf(x.shape)}`);
    }
    const output = { dataType: x.dataType, shape };
    return op.emitOne([x], output, ([v]) => tensorOf(output, v.data));
}
function buildTranspose(state, input, opts) {
    const o = options('transpose', opts);
    const op = new OperatorBuild(state, 'transpose', o);
    const x = op.operand(input, 'input');
    const rank = x.shape.length;
    const permutation = o.permutation === undefined
        ? x.shape.map((_, i) => rank - 1 - i)
        : toUnsignedLongSequence(o.permutation, `${op.what}: permutation`);
    if (permutation.length !== rank || !axesAreValid(permutation, rank)) {
        op.fail(`permutation [${permutation}] is not a permutation of [0, ${rank})`);
    }
    const output = { dataType: x.dataType, shape: permuteShape(x.shape, permutation) };
    const offsets = lazy(() => transposeOffsets(x.shape, permutation));
    return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}
function buildConcat(state, inputs, axis, opts) {
    const op = new OperatorBuild(state, 'concat', options('concat', opts));
    if (inputs === null || typeof inputs !== 'object' || !(Symbol.iterator in inputs))
        op.fail('inputs must be a sequence');
    const items = Array.from(inputs, (value) => op.operand(value, 'inputs'));
    if (items.length === 0)
        op.fail('inputs must not be empty');
    const concatAxis = toUnsignedLong(axis, `${op.what}: axis`);
    const first = items[0];
    if (concatAxis >= first.shape.length)
        op.fail(`axis ${concatAxis} is out of range for rank ${first.shape.length}`);
    const shape = first.shape.slice();
    for (const item of items.slice(1)) {
        op.requireSameType(item, 'inputs', first.dataType);
        if (item.shape.length !== first.shape.length)
            op.fail('all inputs must have the same rank');
        item.shape.forEach((d, i) => {
            if (i !== concatAxis && d !== first.shape[i])
                op.fail(`input shape [${item.shape}] differs from [${first.shape}] off the axis`);
        });
        shape[concatAxis] += item.shape[concatAxis];
    }
    if (!isValidDimension(shape[concatAxis]))
        op.fail(`the concatenated size ${shape[concatAxis]} is not a valid dimension`);
    const output = { dataType: first.dataType, shape };
    const outerCount = elementCountOf(shape.slice(0, concatAxis));
    const innerCount = elementCountOf(shape.slice(concatAxis + 1));
    return op.emitOne(items, output, (values) => {
        const out = allocateStorage(output.dataType, elementCountOf(shape));
        const outBlock = shape[concatAxis] * innerCount;
        let start = 0;
        for (const v of values) {
            const block = v.shape[concatAxis] * innerCount;
            for (let o = 0; o < outerCount; o++) {
                out.set(v.data.subarray(o * block, (o + 1) * block), o * outBlock + start);
            }
            start += block;
        }
        return tensorOf(output, out);
    });
}
function buildSlice(state, input, starts, sizes, opts) {
    const o = options('slice', opts);
    const op = new OperatorBuild(state, 'slice', o);
    const x = op.operand(input, 'input');
    const rank = x.shape.length;
    const begin = toUnsignedLongSequence(starts, `${op.what}: starts`);
    const count = toUnsignedLongSequence(sizes, `${op.what}: sizes`);
    const strides = o.strides === undefined ? x.shape.map(() => 1) : toUnsignedLongSequence(o.strides, `${op.what}: strides`);
    if (begin.length !== rank || count.length !== rank || strides.length !== rank) {
        op.fail(`starts, sizes and strides must each have ${rank} items (the input rank)`);
    }
    const shape = x.shape.map((d, a) => {
        if (count[a] === 0)
            op.fail('sizes must not contain 0');
        if (strides[a] < 1)
            op.fail('strides must be at least 1');
        if (begin[a] > d || begin[a] + count[a] > d)
            op.fail(`slice [${begin[a]}, ${begin[a] + count[a]}) exceeds dimension ${a} of size ${d}`);
        return ceil(count[a] / strides[a]);
    });
    const output = { dataType: x.dataType, shape };
    const offsets = lazy(() => offsetsFromAxisMaps(shape, x.shape, shape.map((n, a) => axisMap(n, (c) => begin[a] + c * strides[a]))));
    return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}
function buildSplit(state, input, splits, opts) {
    const o = options('split', opts);
    const op = new OperatorBuild(state, 'split', o);
    const x = op.operand(input, 'input');
    const axis = o.axis === undefined ? 0 : toUnsignedLong(o.axis, `${op.what}: axis`);
    if (axis >= x.shape.length)
        op.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
    const size = x.shape[axis];
    let lengths;
    if (typeof splits === 'number' || typeof splits === 'bigint' || typeof splits === 'string') {
        const n = toUnsignedLong(splits, `${op.what}: splits`);
        if (n === 0 || size % n !== 0)
            op.fail(`splits ${n} does not evenly divide dimension ${axis} of size ${size}`);
        lengths = new Array(n).fill(size / n);
    }
    else {
        lengths = toUnsignedLongSequence(splits, `${op.what}: splits`);
        if (lengths.includes(0))
            op.fail('splits must not contain 0');
        if (lengths.reduce((p, q) => p + q, 0) !== size)
            op.fail(`splits [${lengths}] do not sum to dimension ${axis} of size ${size}`);
    }
    const outputs = lengths.map((length) => ({
        dataType: x.dataType,
        shape: x.shape.map((d, a) => (a === axis ? length : d)),
    }));
    const starts = lengths.map((_, i) => lengths.slice(0, i).reduce((p, q) => p + q, 0));
    const offsets = lazy(() => outputs.map((desc, i) => offsetsFromAxisMaps(desc.shape, x.shape, desc.shape.map((n, a) => axisMap(n, (c) => (a === axis ? starts[i] + c : c))))));
    return op.emit([x], outputs, ([v]) => outputs.map((desc, i) => tensorOf(desc, gatherElements(v.data, offsets()[i], v.dataType))), 'outputs');
}
function buildExpand(state, input, newShape, opts) {
    const op = new OperatorBuild(state, 'expand', options('expand', opts));
    const x = op.operand(input, 'input');
    const target = toUnsignedLongSequence(newShape, `${op.what}: newShape`);
    const shape = broadcastTo(x.shape, target) ?? op.fail(`input [${x.shape}] is not broadcastable to [${target}]`);
    const output = { dataType: x.dataType, shape };
    const offsets = lazy(() => broadcastOffsets(x.shape, shape));
    return op.emitOne([x], output, ([v]) => {
        const map = offsets();
        return tensorOf(output, map ? gatherElements(v.data, map, v.dataType) : v.data);
    });
}
function buildPad(state, input, beginning, ending, opts) {
    const o = options('pad', opts);
    const op = new OperatorBuild(state, 'pad', o);
    const x = op.operand(input, 'input');
    const rank = x.shape.length;
    const before = toUnsignedLongSequence(beginning, `${op.what}: beginningPadding`);
    const after = toUnsignedLongSequence(ending, `${op.what}: endingPadding`);
    if (before.length !== rank || after.length !== rank)
        op.fail(`beginningPadding and endingPadding must have ${rank} items`);
    const mode = o.mode === undefined
        ? 'constant'
        : toEnum(o.mode, ['constant', 'edge', 'reflection'], `${op.what}: mode`);
    if (mode === 'reflection' && x.shape.some((d, a) => before[a] >= d || after[a] >= d)) {
        op.fail('reflection padding must be smaller than the input dimension');
    }
    const value = castNumber(o.value === undefined ? 0 : toMLNumber(o.value, 'value'), x.dataType);
    const shape = x.shape.map((d, a) => before[a] + d + after[a]);
    const output = { dataType: x.dataType, shape };
    const offsets = lazy(() => offsetsFromAxisMaps(shape, x.shape, shape.map((n, a) => axisMap(n, (c) => {
        const i = c - before[a];
        const size = x.shape[a];
        if (i >= 0 && i < size)
            return i;
        if (mode === 'constant')
            return -1;
        if (mode === 'edge')
            return i < 0 ? 0 : size - 1;
        return i < 0 ? -i : 2 * (size - 1) - i;
    }))));
    return op.emitOne([x], output, ([v]) => {
        const map = offsets();
        const out = allocateStorage(output.dataType, map.length);
        const src = v.data;
        const dst = out;
        const fill = isBigIntType(output.dataType) ? BigInt(value) : Number(value);
        const fillStored = output.dataType === 'float16' ? numberToFloat16Bits(Number(value)) : fill;
        for (let i = 0; i < map.length; i++)
            dst[i] = map[i] < 0 ? fillStored : src[map[i]];
        return tensorOf(output, out);
    });
}
function buildTile(state, input, repetitions, opts) {
    const op = new OperatorBuild(state, 'tile', options('tile', opts));
    const x = op.operand(input, 'input');
    const reps = toUnsignedLongSequence(repetitions, `${op.what}: repetitions`);
    if (reps.length !== x.shape.length)
        op.fail(`repetitions must have ${x.shape.length} items`);
    if (reps.includes(0))
        op.fail('repetitions must not contain 0');
    const shape = x.shape.map((d, a) => d * reps[a]);
    const output = { dataType: x.dataType, shape };
    const offsets = lazy(() => offsetsFromAxisMaps(shape, x.shape, shape.map((n, a) => axisMap(n, (c) => c % x.shape[a]))));
    return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}
function buildReverse(state, input, opts) {
    const o = options('reverse', opts);
    const op = new OperatorBuild(state, 'reverse', o);
    const x = op.operand(input, 'input');
    const axes = o.axes === undefined ? x.shape.map((_, i) => i) : toUnsignedLongSequence(o.axes, `${op.what}: axes`);
    if (!axesAreValid(axes, x.shape.length))
        op.fail(`axes [${axes}] must be distinct and in [0, ${x.shape.length})`);
    const output = { dataType: x.dataType, shape: x.shape };
    const offsets = lazy(() => offsetsFromAxisMaps(x.shape, x.shape, x.shape.map((n, a) => axisMap(n, (c) => (axes.includes(a) ? n - 1 - c : c)))));
    return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}
function buildTriangular(state, input, opts) {
    const o = options('triangular', opts);
    const op = new OperatorBuild(state, 'triangular', o);
    const x = op.operand(input, 'input');
    const upper = o.upper === undefined ? true : Boolean(o.upper);
    const diagonal = o.diagonal === undefined ? 0 : toLong(o.diagonal, `${op.what}: diagonal`);
    const output = { dataType: x.dataType, shape: x.shape };
    const [rows, cols] = x.shape.slice(-2);
    return op.emitOne([x], output, ([v]) => {
        const out = allocateStorage(v.dataType, v.data.length);
        const src = v.data;
        const dst = out;
        const zero = isBigIntType(v.dataType) ? 0n : 0;
        for (let i = 0; i < v.data.length; i++) {
            const col = i % cols;
            const row = floor(i / cols) % rows;
            const keep = upper ? col - row >= diagonal : col - row <= diagonal;
            dst[i] = keep ? src[i] : zero;
        }
        return tensorOf(output, out);
    });
}
function buildWhere(state, condition, trueValue, falseValue, opts) {
    const op = new OperatorBuild(state, 'where', options('where', opts));
    const c = op.operand(condition, 'condition');
    const t = op.operand(trueValue, 'trueValue');
    const f = op.operand(falseValue, 'falseValue');
    op.requireSameType(f, 'falseValue', t.dataType);
    const valueShape = broadcastShapes(t.shape, f.shape) ??
        op.fail(`trueValue [${t.shape}] and falseValue [${f.shape}] are not broadcastable`);
    const shape = broadcastShapes(c.shape, valueShape) ??
        op.fail(`condition [${c.shape}] is not broadcastable with [${valueShape}]`);
    const output = { dataType: t.dataType, shape };
    const maps = lazy(() => ({
        c: broadcastOffsets(c.shape, shape),
        t: broadcastOffsets(t.shape, shape),
        f: broadcastOffsets(f.shape, shape),
    }));
    return op.emitOne([c, t, f], output, ([vc, vt, vf]) => {
        const { c: mc, t: mt, f: mf } = maps();
        const n = elementCountOf(shape);
        const out = allocateStorage(output.dataType, n);
        const cond = vc.data;
        const tv = vt.data;
        const fv = vf.data;
        const dst = out;
        for (let i = 0; i < n; i++) {
            dst[i] = cond[mc ? mc[i] : i] !== 0 ? tv[mt ? mt[i] : i] : fv[mf ? mf[i] : i];
        }
        return tensorOf(output, out);
    });
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/builder.ts
// MLGraphBuilder: graph inputs, constants (buffer, scalar and MLTensor overloads), build(),
// and one method per WebNN operator, each delegating to its op-family module.
//   const builder = new MLGraphBuilder(context);
//   const y = builder.relu(builder.input('x', { dataType: 'float32', shape: [4] }));
//   const graph = await builder.build({ y });



















const builderStates = new WeakMap();
function stateOf(builder) {
    const state = builderStates.get(builder);
    if (!state)
        throw new TypeError('Illegal invocation: not an MLGraphBuilder');
    return state;
}
class MLGraphBuilder {
    constructor(context) {
        if (!isContext(context))
            throw new TypeError('MLGraphBuilder: context is not an MLContext');
        if (contextIsLost(context))
            throw domError('InvalidStateError', 'MLGraphBuilder: the MLContext is lost');
        builderStates.set(this, new BuildState(context, () => contextIsLost(context)));
    }
    /** A named graph input. */
    input(name, descriptor) {
        const state = stateOf(this);
        state.checkCanBuild('input');
        const inputName = String(name);
        if (inputName === '')
            throw new TypeError('input: name must not be empty');
        if (state.inputNames.has(inputName))
            throw new TypeError(`input: an input named "${inputName}" already exists`);
        const desc = toOperandDescriptor(descriptor, `input "${inputName}": descriptor`);
        state.inputNames.add(inputName);
        return createInputOperand(state, inputName, desc);
    }
    constant(first, second) {
        const state = stateOf(this);
        if (first instanceof MLTensor) {
            const tensor = tensorSlotsOf(first, 'constant: tensor');
            if (tensor.context !== state.context)
                throw new TypeError('constant: the tensor belongs to another MLContext');
            if (tensor.destroyed)
                throw new TypeError('constant: the tensor has been destroyed');
            if (!tensor.constant)
                throw new TypeError('constant: the tensor was not created by createConstantTensor()');
            state.checkCanBuild('constant');
            const value = { dataType: tensor.dataType, shape: tensor.shape, data: tensor.data };
            return createConstantOperand(state, value, () => tensor.destroyed);
        }
        state.checkCanBuild('constant');
        if (typeof first === 'string') {
            const dataType = toDataType(first, 'constant: dataType');
            const cast = castNumber(toMLNumber(second, 'constant: value'), dataType);
            const data = typeof cast === 'bigint'
                ? dataType === 'int64'
                    ? BigInt64Array.of(cast)
                    : BigUint64Array.of(cast)
                : storeNumbers(dataType, [cast]);
            return createConstantOperand(state, { dataType, shape: [], data });
        }
        const desc = toOperandDescriptor(first, 'constant: descriptor');
        const count = elementCountOf(desc.shape);
        const bytes = checkBufferMatchesDataType(second, desc.dataType, byteLengthOf(desc.dataType, count), 'constant: buffer');
        const value = {
            dataType: desc.dataType,
            shape: desc.shape,
            data: storageFromBytes(desc.dataType, bytes, count),
        };
        return createConstantOperand(state, value);
    }
    /** Compiles the graph computing `outputs`; the builder cannot be used afterwards. */
    async build(outputs) {
        const state = stateOf(this);
        state.checkCanBuild('build');
        const record = toDictionary(outputs, 'build: outputs');
        const named = new Map();
        for (const [name, value] of Object.entries(record)) {
            if (name === '')
                throw new TypeError('build: an output name is empty');
            const operand = state.validateOperand(value, `build: outputs["${name}"]`);
            const slots = operandSlotsOf(operand);
            if (!slots.operator) {
                throw new TypeError(`build: outputs["${name}"] is a graph input or constant; wrap it in identity()`);
            }
            named.set(name, operand);
        }
        if (named.size === 0)
            throw new TypeError('build: outputs must not be empty');
        checkConstantSources(named);
        const plan = compileGraph(named);
        state.hasBuilt = true;
        return createGraphObject({ context: state.context, plan, destroyed: false });
    }
    argMin(input, axis, options) {
        return buildArgMinMax(stateOf(this), 'argMin', input, axis, options);
    }
    argMax(input, axis, options) {
        return buildArgMinMax(stateOf(this), 'argMax', input, axis, options);
    }
    batchNormalization(input, mean, variance, options) {
        return buildBatchNormalization(stateOf(this), input, mean, variance, options);
    }
    cast(input, dataType, options) {
        return buildCast(stateOf(this), input, dataType, options);
    }
    clamp(input, options) {
        return buildClamp(stateOf(this), input, options);
    }
    concat(inputs, axis, options) {
        return buildConcat(stateOf(this), inputs, axis, options);
    }
    conv2d(input, filter, options) {
        return buildConv2d(stateOf(this), input, filter, options);
    }
    convTranspose2d(input, filter, options) {
        return buildConvTranspose2d(stateOf(this), input, filter, options);
    }
    cumulativeSum(input, axis, options) {
        return buildCumulativeSum(stateOf(this), input, axis, options);
    }
    add(a, b, options) {
        return buildArithmetic(stateOf(this), 'add', a, b, options);
    }
    sub(a, b, options) {
        return buildArithmetic(stateOf(this), 'sub', a, b, options);
    }
    mul(a, b, options) {
        return buildArithmetic(stateOf(this), 'mul', a, b, options);
    }
    div(a, b, options) {
        return buildArithmetic(stateOf(this), 'div', a, b, options);
    }
    max(a, b, options) {
        return buildArithmetic(stateOf(this), 'max', a, b, options);
    }
    min(a, b, options) {
        return buildArithmetic(stateOf(this), 'min', a, b, options);
    }
    pow(a, b, options) {
        return buildArithmetic(stateOf(this), 'pow', a, b, options);
    }
    equal(a, b, options) {
        return buildComparison(stateOf(this), 'equal', a, b, options);
    }
    notEqual(a, b, options) {
        return buildComparison(stateOf(this), 'notEqual', a, b, options);
    }
    greater(a, b, options) {
        return buildComparison(stateOf(this), 'greater', a, b, options);
    }
    greaterOrEqual(a, b, options) {
        return buildComparison(stateOf(this), 'greaterOrEqual', a, b, options);
    }
    lesser(a, b, options) {
        return buildComparison(stateOf(this), 'lesser', a, b, options);
    }
    lesserOrEqual(a, b, options) {
        return buildComparison(stateOf(this), 'lesserOrEqual', a, b, options);
    }
    logicalNot(a, options) {
        return buildLogicalNot(stateOf(this), a, options);
    }
    logicalAnd(a, b, options) {
        return buildComparison(stateOf(this), 'logicalAnd', a, b, options);
    }
    logicalOr(a, b, options) {
        return buildComparison(stateOf(this), 'logicalOr', a, b, options);
    }
    logicalXor(a, b, options) {
        return buildComparison(stateOf(this), 'logicalXor', a, b, options);
    }
    abs(input, options) {
        return buildUnary(stateOf(this), 'abs', input, options);
    }
    ceil(input, options) {
        return buildUnary(stateOf(this), 'ceil', input, options);
    }
    cos(input, options) {
        return buildUnary(stateOf(this), 'cos', input, options);
    }
    erf(input, options) {
        return buildUnary(stateOf(this), 'erf', input, options);
    }
    exp(input, options) {
        return buildUnary(stateOf(this), 'exp', input, options);
    }
    floor(input, options) {
        return buildUnary(stateOf(this), 'floor', input, options);
    }
    identity(input, options) {
        return buildUnary(stateOf(this), 'identity', input, options);
    }
    log(input, options) {
        return buildUnary(stateOf(this), 'log', input, options);
    }
    neg(input, options) {
        return buildUnary(stateOf(this), 'neg', input, options);
    }
    reciprocal(input, options) {
        return buildUnary(stateOf(this), 'reciprocal', input, options);
    }
    roundEven(input, options) {
        return buildUnary(stateOf(this), 'roundEven', input, options);
    }
    sin(input, options) {
        return buildUnary(stateOf(this), 'sin', input, options);
    }
    sign(input, options) {
        return buildUnary(stateOf(this), 'sign', input, options);
    }
    sqrt(input, options) {
        return buildUnary(stateOf(this), 'sqrt', input, options);
    }
    tan(input, options) {
        return buildUnary(stateOf(this), 'tan', input, options);
    }
    dequantizeLinear(input, scale, zeroPoint, options) {
        return buildDequantizeLinear(stateOf(this), input, scale, zeroPoint, options);
    }
    quantizeLinear(input, scale, zeroPoint, options) {
        return buildQuantizeLinear(stateOf(this), input, scale, zeroPoint, options);
    }
    elu(input, options) {
        return buildActivation(stateOf(this), 'elu', input, options);
    }
    expand(input, newShape, options) {
        return buildExpand(stateOf(this), input, newShape, options);
    }
    gather(input, indices, options) {
        return buildGather(stateOf(this), input, indices, options);
    }
    gatherElements(input, indices, options) {
        return buildGatherElements(stateOf(this), input, indices, options);
    }
    gatherND(input, indices, options) {
        return buildGatherND(stateOf(this), input, indices, options);
    }
    gelu(input, options) {
        return buildActivation(stateOf(this), 'gelu', input, options);
    }
    gemm(a, b, options) {
        return buildGemm(stateOf(this), a, b, options);
    }
    hardSigmoid(input, options) {
        return buildActivation(stateOf(this), 'hardSigmoid', input, options);
    }
    hardSwish(input, options) {
        return buildActivation(stateOf(this), 'hardSwish', input, options);
    }
    instanceNormalization(input, options) {
        return buildInstanceNormalization(stateOf(this), input, options);
    }
    layerNormalization(input, options) {
        return buildLayerNormalization(stateOf(this), input, options);
    }
    leakyRelu(input, options) {
        return buildActivation(stateOf(this), 'leakyRelu', input, options);
    }
    linear(input, options) {
        return buildActivation(stateOf(this), 'linear', input, options);
    }
    matmul(a, b, options) {
        return buildMatmul(stateOf(this), a, b, options);
    }
    pad(input, beginningPadding, endingPadding, options) {
        return buildPad(stateOf(this), input, beginningPadding, endingPadding, options);
    }
    averagePool2d(input, options) {
        return buildPool2d(stateOf(this), 'averagePool2d', input, options);
    }
    l2Pool2d(input, options) {
        return buildPool2d(stateOf(this), 'l2Pool2d', input, options);
    }
    maxPool2d(input, options) {
        return buildPool2d(stateOf(this), 'maxPool2d', input, options);
    }
    prelu(input, slope, options) {
        return buildPrelu(stateOf(this), input, slope, options);
    }
    reduceL1(input, options) {
        return buildReduce(stateOf(this), 'reduceL1', input, options);
    }
    reduceL2(input, options) {
        return buildReduce(stateOf(this), 'reduceL2', input, options);
    }
    reduceLogSum(input, options) {
        return buildReduce(stateOf(this), 'reduceLogSum', input, options);
    }
    reduceLogSumExp(input, options) {
        return buildReduce(stateOf(this), 'reduceLogSumExp', input, options);
    }
    reduceMax(input, options) {
        return buildReduce(stateOf(this), 'reduceMax', input, options);
    }
    reduceMean(input, options) {
        return buildReduce(stateOf(this), 'reduceMean', input, options);
    }
    reduceMin(input, options) {
        return buildReduce(stateOf(this), 'reduceMin', input, options);
    }
    reduceProduct(input, options) {
        return buildReduce(stateOf(this), 'reduceProduct', input, options);
    }
    reduceSum(input, options) {
        return buildReduce(stateOf(this), 'reduceSum', input, options);
    }
    reduceSumSquare(input, options) {
        return buildReduce(stateOf(this), 'reduceSumSquare', input, options);
    }
    relu(input, options) {
        return buildActivation(stateOf(this), 'relu', input, options);
    }
    resample2d(input, options) {
        return buildResample2d(stateOf(this), input, options);
    }
    reshape(input, newShape, options) {
        return buildReshape(stateOf(this), input, newShape, options);
    }
    reverse(input, options) {
        return buildReverse(stateOf(this), input, options);
    }
    scatterElements(input, indices, updates, options) {
        return buildScatterElements(stateOf(this), input, indices, updates, options);
    }
    scatterND(input, indices, updates, options) {
        return buildScatterND(stateOf(this), input, indices, updates, options);
    }
    sigmoid(input, options) {
        return buildActivation(stateOf(this), 'sigmoid', input, options);
    }
    slice(input, starts, sizes, options) {
        return buildSlice(stateOf(this), input, starts, sizes, options);
    }
    softmax(input, axis, options) {
        return buildSoftmax(stateOf(this), input, axis, options);
    }
    softplus(input, options) {
        return buildActivation(stateOf(this), 'softplus', input, options);
    }
    softsign(input, options) {
        return buildActivation(stateOf(this), 'softsign', input, options);
    }
    split(input, splits, options) {
        return buildSplit(stateOf(this), input, splits, options);
    }
    tanh(input, options) {
        return buildActivation(stateOf(this), 'tanh', input, options);
    }
    tile(input, repetitions, options) {
        return buildTile(stateOf(this), input, repetitions, options);
    }
    transpose(input, options) {
        return buildTranspose(stateOf(this), input, options);
    }
    triangular(input, options) {
        return buildTriangular(stateOf(this), input, options);
    }
    where(condition, trueValue, falseValue, options) {
        return buildWhere(stateOf(this), condition, trueValue, falseValue, options);
    }
    get [Symbol.toStringTag]() {
        return 'MLGraphBuilder';
    }
}
/** Spec build(): a constant made from an MLTensor that has since been destroyed is a TypeError. */
function checkConstantSources(outputs) {
    const seen = new Set();
    const stack = [...outputs.values()];
    while (stack.length > 0) {
        const operand = stack.pop();
        if (seen.has(operand))
            continue;
        seen.add(operand);
        const slots = operandSlotsOf(operand);
        if (slots.isSourceDestroyed?.())
            throw new TypeError('build: a constant operand was made from an MLTensor that has been destroyed');
        if (slots.operator)
            stack.push(...slots.operator.inputs);
    }
}

;// CONCATENATED MODULE: ./src/targets/webnn/runtime/index.ts
// The WebNN reference runtime: a CPU implementation of the W3C Web Neural Network API in
// TypeScript, used to verify generated WebNN modules on any machine.
//   import { ml, MLGraphBuilder } from './runtime/index.js';
//   const context = await ml.createContext();
//   const builder = new MLGraphBuilder(context);






/** The runtime's `navigator.ml` object. */
const ml = new ML();
/**
 * Defines `navigator.ml` (creating `navigator` if absent) and the WebNN interface objects
 * (MLGraphBuilder, MLContext, …) on `target`, so code written for browsers runs unchanged.
 * Existing definitions of the interface names are replaced. Returns the installed `ml`.
 */
function install(target = globalThis) {
    const scope = target;
    let navigator = scope.navigator;
    if (navigator === undefined || navigator === null) {
        navigator = {};
        Object.defineProperty(scope, 'navigator', {
            value: navigator,
            configurable: true,
            writable: true,
            enumerable: false,
        });
    }
    Object.defineProperty(navigator, 'ml', { value: ml, configurable: true, writable: true, enumerable: true });
    const interfaces = { ML: ML, MLContext: MLContext, MLGraphBuilder: MLGraphBuilder, MLGraph: MLGraph, MLOperand: MLOperand, MLTensor: MLTensor };
    for (const [name, value] of Object.entries(interfaces)) {
        Object.defineProperty(scope, name, { value, configurable: true, writable: true, enumerable: false });
    }
    return ml;
}

;// CONCATENATED MODULE: ./src/webnn.ts
// Package subpath `model-convert/webnn`: the WebNN reference runtime (contract, see
// ARCHITECTURE.md "Generated web modules").
//   import { ml, MLGraphBuilder, install } from 'model-convert/webnn';
//   install(); // navigator.ml and MLGraphBuilder on globalThis


var __webpack_exports__ML = __webpack_exports__.ML;
var __webpack_exports__MLContext = __webpack_exports__.x5;
var __webpack_exports__MLGraph = __webpack_exports__.Aj;
var __webpack_exports__MLGraphBuilder = __webpack_exports__.bU;
var __webpack_exports__MLOperand = __webpack_exports__.rt;
var __webpack_exports__MLTensor = __webpack_exports__.Xv;
var __webpack_exports__install = __webpack_exports__.ai;
var __webpack_exports__ml = __webpack_exports__.ml;
export { __webpack_exports__ML as ML, __webpack_exports__MLContext as MLContext, __webpack_exports__MLGraph as MLGraph, __webpack_exports__MLGraphBuilder as MLGraphBuilder, __webpack_exports__MLOperand as MLOperand, __webpack_exports__MLTensor as MLTensor, __webpack_exports__install as install, __webpack_exports__ml as ml };
