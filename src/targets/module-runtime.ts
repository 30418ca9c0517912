/* istanbul ignore file -- copied into generated model.js as source text; instrumenting it would break that copy */
// Run-time functions both generated web modules (webnn and webgpu model.js) need: loading
// model.weights.bin, decoding a stored weight to numbers, float16 bits → value, numpy
// broadcasting of host tensors (shape arithmetic). The
// generators copy them into model.js with moduleRuntimeSource(), ahead of the classes that
// call them by name, so each must be self-contained (no module-level references).
//   const bytes = await loadModuleWeights(options.weights, spec, 'WebGPU');

/** What a weight table entry says of its bytes in model.weights.bin. */
export interface StoredWeight {
  storage: string;
  dims: number[];
  offset: number;
  bytes: number;
}

/** model.weights.bin as bytes or a URL (default: next to model.js), checked against the size model.js expects. */
export async function loadModuleWeights(
  source: ArrayBuffer | ArrayBufferView | string | URL | undefined,
  spec: { source: string; weightsBytes: number; moduleUrl(): string },
  api: string,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (source !== undefined && ArrayBuffer.isView(source))
    bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  else {
    const url = new URL(source === undefined ? './model.weights.bin' : String(source), spec.moduleUrl());
    if (url.protocol === 'file:') {
      // Node: fetch() cannot read file: URLs. Browsers never get here (their URLs are http(s)).
      const fsModule = 'node:fs/promises';
      const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ fsModule)) as {
        readFile(u: URL): Promise<Uint8Array>;
      };
      bytes = await fs.readFile(url);
    } else {
      const response = await fetch(url);
      if (!response.ok)
        throw new Error(`${spec.source} (${api}): cannot fetch ${url.href}: HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    }
  }
  if (bytes.byteLength !== spec.weightsBytes) {
    throw new Error(
      `${spec.source} (${api}): the weights hold ${bytes.byteLength} bytes, this model.js expects ${spec.weightsBytes}; pass the model.weights.bin written with it.`,
    );
  }
  // Typed-array views into the weights need aligned offsets.
  return bytes.byteOffset % 16 === 0 ? bytes : bytes.slice();
}

/** IEEE half bits → number. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The elements of a stored weight as numbers (views where the layout allows; 4/2-bit codes unpacked). */
export function decodeModuleWeight(weights: Uint8Array, entry: StoredWeight): ArrayLike<number> {
  let count = 1;
  for (const d of entry.dims) count *= d;
  const { buffer, byteOffset } = weights;
  const at = byteOffset + entry.offset;
  switch (entry.storage) {
    case 'float32':
      return new Float32Array(buffer, at, count);
    case 'float16':
      return Float32Array.from(new Uint16Array(buffer, at, count), (b) => float16Value(b));
    case 'int64':
      return Float64Array.from(new BigInt64Array(buffer, at, count), (x) => Number(x));
    case 'uint64':
      return Float64Array.from(new BigUint64Array(buffer, at, count), (x) => Number(x));
    case 'int32':
      return new Int32Array(buffer, at, count);
    case 'uint32':
      return new Uint32Array(buffer, at, count);
    case 'int16':
      return new Int16Array(buffer, at, count);
    case 'uint16':
      return new Uint16Array(buffer, at, count);
    case 'int8':
      return new Int8Array(buffer, at, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, at, count);
    default: {
      // int4 / uint4 / int2 / uint2: packed codes, lowest bits first.
      const bits = entry.storage.endsWith('4') ? 4 : 2;
      const perByte = 8 / bits;
      const mask = (1 << bits) - 1;
      const signed = entry.storage.startsWith('int');
      const packed = new Uint8Array(buffer, at, entry.bytes);
      const out = new Int8Array(count);
      for (let i = 0; i < count; i++) {
        const code = (packed[Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
        out[i] = signed && code >= 1 << (bits - 1) ? code - (1 << bits) : code;
      }
      return out;
    }
  }
}

/** numpy broadcasting of two shapes; undefined when they do not broadcast. */
export function broadcastShape(a: number[], b: number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * fn over the elements of host tensors broadcast to `dims` (their broadcast shape), in
 * row-major order: offsets advance like an odometer, no per-element allocation.
 */
export function mapBroadcast(
  data: ArrayLike<number>[],
  shapes: number[][],
  dims: number[],
  fn: (...xs: number[]) => number,
): Float64Array {
  const rank = dims.length;
  let count = 1;
  for (const d of dims) count *= d;
  const strides = shapes.map((shape) => {
    const s = new Array<number>(rank).fill(0);
    let step = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      s[rank - shape.length + i] = shape[i] === 1 ? 0 : step;
      step *= shape[i];
    }
    return s;
  });
  const out = new Float64Array(count);
  const index = new Array<number>(rank).fill(0);
  const offsets = new Array<number>(data.length).fill(0);
  const args = new Array<number>(data.length);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < data.length; k++) args[k] = Number(data[k][offsets[k]]);
    out[i] = fn(...args);
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      for (let k = 0; k < data.length; k++) offsets[k] += strides[k][axis];
      if (index[axis] < dims[axis]) break;
      for (let k = 0; k < data.length; k++) offsets[k] -= strides[k][axis] * dims[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/** The source of these functions, for a generated model.js. */
export function moduleRuntimeSource(): string {
  return [loadModuleWeights, float16Value, decodeModuleWeight, broadcastShape, mapBroadcast]
    .map((f) => f.toString())
    .join('\n\n');
}
