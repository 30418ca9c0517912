// Sample inputs from files (--inputs): .npz (one .npy per input), .npy (single-input models),
// .json (one sample or a list), or name=file.npy pairs; checked against the model's inputs
// and converted to its dtypes. Also writes .npy/.npz, for users and tests.
//   const samples = loadInputs('inputs.npz', runner.inputs); // TensorMap[]
//   writeNpz('out/inputs.npz', samples[0]);

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { parse as parseNpy } from 'npyjs';
import { errorMessage, UserError } from '../errors.js';
import {
  allocateData,
  DTYPE_BITS,
  elementCount,
  type DType,
  type HostTensor,
  type TensorMap,
} from '../onnx/dtype.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../onnx/tensor.js';
import type { IOInfo } from './types.js';

/** NPY element types we read and write ('|': byte order does not apply). */
const NPY_DESCR: Partial<Record<DType, string>> = {
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1',
};
const DTYPE_OF_NPY_CODE = new Map(
  Object.entries(NPY_DESCR).map(([dtype, descr]) => [descr.slice(1), dtype as DType]),
);
const FILE_DTYPES = Object.keys(NPY_DESCR).join(', ');

/** Inclusive value range of each integer dtype (bool: 0/1). */
const INTEGER_RANGE: Partial<Record<DType, [bigint, bigint]>> = {
  bool: [0n, 1n],
  int2: [-2n, 1n],
  uint2: [0n, 3n],
  int4: [-8n, 7n],
  uint4: [0n, 15n],
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-32768n, 32767n],
  uint16: [0n, 65535n],
  int32: [-2147483648n, 2147483647n],
  uint32: [0n, 4294967295n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** A tensor read from a file, before it is checked against the model; `where` names its file. */
interface FileTensor {
  name: string;
  tensor: HostTensor;
  where: string;
}

// ---------------------------------------------------------------- NPY / NPZ encoding

/** NPY v1.0 bytes of a tensor (float16/32/64, int8/16/32/64, uint8/16/32/64, bool), C order, little-endian. */
export function encodeNpy(t: HostTensor): Uint8Array {
  const descr = NPY_DESCR[t.dtype];
  const data = t.data;
  if (!descr || Array.isArray(data))
    throw new Error(`encodeNpy: ${t.dtype} tensors have no .npy element type`);
  const count = elementCount(t.dims);
  if (data.length !== count)
    throw new Error(`encodeNpy: ${data.length} values for dims [${t.dims.join(',')}]`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const bytesPerValue = DTYPE_BITS[t.dtype] / 8;
  const out = new Uint8Array(10 + header.length + count * bytesPerValue);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY, version 1.0
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const at = 10 + header.length;
  for (let i = 0; i < count; i++) {
    const offset = at + i * bytesPerValue;
    const v = data[i];
    if (typeof v === 'bigint') {
      if (t.dtype === 'int64') view.setBigInt64(offset, v, true);
      else view.setBigUint64(offset, v, true);
    } else if (t.dtype === 'float32') view.setFloat32(offset, v, true);
    else if (t.dtype === 'float64') view.setFloat64(offset, v, true);
    else if (t.dtype === 'bool') view.setUint8(offset, v ? 1 : 0);
    else if (bytesPerValue === 1) view.setUint8(offset, v & 0xff);
    else if (bytesPerValue === 2) view.setUint16(offset, v & 0xffff, true);
    else view.setUint32(offset, v >>> 0, true);
  }
  return out;
}

/** Writes one sample as an .npz (a zip of <input>.npy members, stored), as numpy.savez does. */
export function writeNpz(path: string, sample: TensorMap): void {
  const members: Record<string, Uint8Array> = {};
  for (const [name, t] of Object.entries(sample)) members[`${name}.npy`] = encodeNpy(t);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, zipSync(members, { level: 0 }));
}

// ---------------------------------------------------------------- reading files

/** The array in .npy bytes, in the file's own dtype. */
function decodeNpy(bytes: Uint8Array, where: string): HostTensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new UserError(`${where}: not a .npy file (no \\x93NUMPY header); save it with numpy.save.`);
  }
  let array;
  try {
    array = parseNpy(new Uint8Array(bytes).buffer, { convertFloat16: false }); // a copy: Buffer.slice shares memory
  } catch (e) {
    throw new UserError(`${where}: not a readable .npy file (${errorMessage(e)}); save it with numpy.save.`);
  }
  if (array.fortranOrder) {
    throw new UserError(
      `${where}: the array is saved in Fortran order; save it in C order (numpy.ascontiguousarray).`,
    );
  }
  const dtype = DTYPE_OF_NPY_CODE.get(array.dtype);
  if (!dtype)
    throw new UserError(
      `${where}: element type '${array.dtype}' is not supported; save one of ${FILE_DTYPES}.`,
    );
  const raw = array.data as unknown as ArrayLike<unknown>;
  const data = (dtype === 'bool' ? Uint8Array.from(raw, (b) => (b ? 1 : 0)) : raw) as HostTensor['data'];
  const dims = array.shape;
  if (data.length !== elementCount(dims)) {
    throw new UserError(
      `${where}: holds ${data.length} values but its shape [${dims.join(',')}] needs ${elementCount(dims)}; save it again with numpy.save.`,
    );
  }
  return { dtype, dims, data };
}

function readExistingFile(path: string): Uint8Array {
  if (!existsSync(path)) {
    throw new UserError(
      `--inputs: file ${path} does not exist; pass a .npz, .npy or .json file, or name=file.npy pairs.`,
    );
  }
  return readFileSync(path);
}

function readNpz(path: string): FileTensor[] {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(readExistingFile(path));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      `${path}: not a valid .npz (zip) file (${errorMessage(e)}); save it with numpy.savez.`,
    );
  }
  return Object.entries(members)
    .filter(([member]) => !member.endsWith('/'))
    .map(([member, bytes]) => {
      const name = member.endsWith('.npy') ? member.slice(0, -4) : member;
      return { name, tensor: decodeNpy(bytes, `${path}: ${member}`), where: path };
    });
}

function parseInputPairs(spec: string): FileTensor[] {
  const seen = new Set<string>();
  const pairs = spec.split(',').map((part) => {
    const match = /^\s*([^=]+?)\s*=\s*(.+?)\s*$/.exec(part);
    if (!match) {
      throw new UserError(
        `--inputs: "${part}" is not name=file.npy; write pairs like input_ids=ids.npy,attention_mask=mask.npy.`,
      );
    }
    const [, name, path] = match;
    if (seen.has(name)) {
      throw new UserError(`--inputs: input "${name}" is given twice in "${spec}"; name each input once.`);
    }
    seen.add(name);
    if (extname(path).toLowerCase() !== '.npy') {
      throw new UserError(
        `--inputs: ${path} (for input "${name}") is not a .npy file; give one .npy file per input.`,
      );
    }
    return { name, path };
  });
  return pairs.map(({ name, path }) => ({
    name,
    tensor: decodeNpy(readExistingFile(path), path),
    where: path,
  }));
}

// ---------------------------------------------------------------- JSON

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Dims and row-major values of a nested array (or a scalar); undefined when it is not rectangular. */
function flattenNested(value: unknown): { dims: number[]; values: unknown[] } | undefined {
  const dims: number[] = [];
  for (let node = value; Array.isArray(node); node = node[0]) {
    dims.push(node.length);
    if (node.length === 0) break;
  }
  const values: unknown[] = [];
  const walk = (node: unknown, depth: number): boolean => {
    if (depth === dims.length) {
      values.push(node);
      return !Array.isArray(node);
    }
    return (
      Array.isArray(node) && node.length === dims[depth] && node.every((child) => walk(child, depth + 1))
    );
  };
  return walk(value, 0) ? { dims, values } : undefined;
}

/** A tensor of `dtype` holding JSON values; each must be a valid value of that dtype. */
function tensorFromJsonValues(
  values: unknown[],
  dims: number[],
  dtype: DType,
  where: string,
  name: string,
): HostTensor {
  const data = allocateData(dtype, values.length);
  const range = INTEGER_RANGE[dtype];
  const isFloat = dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
  if ((!range && !isFloat) || Array.isArray(data)) {
    throw new UserError(
      `${where}: input "${name}" is ${dtype}, which input files cannot hold; omit --inputs to use generated inputs.`,
    );
  }
  values.forEach((raw, i) => {
    const v: unknown = typeof raw === 'boolean' && range ? Number(raw) : raw;
    const valid =
      typeof v === 'number' &&
      (isFloat ||
        (Number.isInteger(v) && range !== undefined && BigInt(v) >= range[0] && BigInt(v) <= range[1]));
    if (!valid) {
      throw new UserError(
        `${where}: input "${name}" holds ${JSON.stringify(raw)}, which is not a valid ${dtype} value; fix the data.`,
      );
    }
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v);
    else data[i] = dtype === 'float16' ? numberToFloat16Bits(v) : v;
  });
  return { dtype, dims, data };
}

/** One input of a JSON sample: {dims, dtype?, data} or nested arrays; without dtype, the model's dtype. */
function tensorFromJson(value: unknown, where: string, name: string, modelDtype: DType): HostTensor {
  if (isJsonObject(value)) {
    const extra = Object.keys(value).find((k) => !['dims', 'dtype', 'data'].includes(k));
    const { dims, dtype, data } = value;
    const dimsOk = Array.isArray(dims) && dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
    if (extra !== undefined || !dimsOk || !Array.isArray(data)) {
      const problem =
        extra !== undefined
          ? `has the key "${extra}"`
          : !dimsOk
            ? 'has no valid "dims"'
            : 'has no "data" list';
      throw new UserError(
        `${where}: input "${name}" ${problem}; write {"dims": [1, 8], "dtype": "int64", "data": [flat values]} (dtype optional) or nested arrays.`,
      );
    }
    if (dtype !== undefined && (typeof dtype !== 'string' || !Object.hasOwn(NPY_DESCR, dtype))) {
      throw new UserError(
        `${where}: input "${name}" has dtype ${JSON.stringify(dtype)}; use one of ${FILE_DTYPES}.`,
      );
    }
    const shape = dims as number[];
    if (data.length !== elementCount(shape)) {
      throw new UserError(
        `${where}: input "${name}" has ${data.length} values but dims [${shape.join(',')}] need ${elementCount(shape)}; fix "data" or "dims".`,
      );
    }
    return tensorFromJsonValues(data, shape, (dtype as DType | undefined) ?? modelDtype, where, name);
  }
  const nested = flattenNested(value);
  if (!nested) {
    throw new UserError(
      `${where}: input "${name}" is not a rectangular nested array; give every row the same length.`,
    );
  }
  return tensorFromJsonValues(nested.values, nested.dims, modelDtype, where, name);
}

function readJsonSamples(path: string, expected: IOInfo[]): { entries: FileTensor[]; where: string }[] {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder().decode(readExistingFile(path)));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: not valid JSON (${errorMessage(e)}); fix the file.`);
  }
  const samples = Array.isArray(root) ? root : [root];
  if (samples.length === 0)
    throw new UserError(`${path}: the list holds no samples; add at least one {"<input>": ...} object.`);
  return samples.map((sample: unknown, i) => {
    const where = Array.isArray(root) ? `${path}[${i}]` : path;
    if (!isJsonObject(sample)) {
      throw new UserError(
        `${where}: a sample must be an object {"<input>": data, ...}, not ${JSON.stringify(sample)}.`,
      );
    }
    checkInputNames(Object.keys(sample), expected, where);
    const entries = expected
      .filter((info) => Object.hasOwn(sample, info.name))
      .map((info) => ({
        name: info.name,
        tensor: tensorFromJson(sample[info.name], where, info.name, info.dtype),
        where,
      }));
    return { entries, where };
  });
}

// ---------------------------------------------------------------- checks against the model

function inputNames(expected: IOInfo[]): string {
  return expected.map((info) => info.name).join(', ');
}

/** Unknown or missing inputs → UserError naming the file, the key and the model's inputs. */
function checkInputNames(names: string[], expected: IOInfo[], where: string): void {
  const known = new Set(expected.map((info) => info.name));
  const unknown = names.find((n) => !known.has(n));
  if (unknown !== undefined) {
    throw new UserError(
      `${where}: "${unknown}" is not an input of the model; its inputs are ${inputNames(expected)}.`,
    );
  }
  const missing = expected.find((info) => !names.includes(info.name));
  if (missing) {
    throw new UserError(
      `${where}: input "${missing.name}" is missing; the model's inputs are ${inputNames(expected)}.`,
    );
  }
}

/** Value i of an integer or bool tensor as a bigint. */
function integerAt(data: HostTensor['data'], i: number): bigint {
  const v = data[i];
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

/**
 * The tensor in the model's dtype: same dtype as is; float64/float16 → float32; integers and
 * bool → any integer type (bool: 0/1) when every value fits. Anything else → UserError.
 */
function convertToModelDtype(t: HostTensor, want: DType, where: string, name: string): HostTensor {
  if (t.dtype === want) return t;
  const count = t.data.length;
  if (want === 'float32' && (t.dtype === 'float64' || t.dtype === 'float16')) {
    const source = t.data as Float64Array | Uint16Array;
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++)
      data[i] = t.dtype === 'float16' ? float16BitsToNumber(source[i]) : source[i];
    return { dtype: want, dims: t.dims, data };
  }
  const range = INTEGER_RANGE[want];
  if (!range || !INTEGER_RANGE[t.dtype]) {
    throw new UserError(
      `${where}: input "${name}" is ${t.dtype} in the file but the model needs ${want}; save it as ${want}.`,
    );
  }
  const data = allocateData(want, count);
  for (let i = 0; i < count; i++) {
    const v = integerAt(t.data, i);
    if (v < range[0] || v > range[1]) {
      throw new UserError(
        `${where}: input "${name}" holds ${v}, which does not fit the model's ${want} (${range[0]} to ${range[1]}); save it as ${want}.`,
      );
    }
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = v;
    else (data as Exclude<typeof data, string[]>)[i] = Number(v);
  }
  return { dtype: want, dims: t.dims, data };
}

/** Checks dims (fixed dims exact, symbolic dims consistent across the sample) and dtypes; model order. */
function finishSample(entries: FileTensor[], expected: IOInfo[], sampleWhere: string): TensorMap {
  checkInputNames(
    entries.map((e) => e.name),
    expected,
    sampleWhere,
  );
  const symbols = new Map<string, { size: number; input: string }>();
  const sample: TensorMap = {};
  for (const info of expected) {
    const { tensor, where } = entries.find((e) => e.name === info.name) as FileTensor;
    const dims = tensor.dims;
    const fits =
      dims.length === info.dims.length &&
      info.dims.every((d, i) => typeof d === 'string' || d < 0 || d === dims[i]);
    if (!fits) {
      throw new UserError(
        `${where}: input "${info.name}" has shape [${dims.join(',')}] but the model needs [${info.dims.join(',')}]`,
      );
    }
    info.dims.forEach((d, i) => {
      if (typeof d !== 'string' || d === '') return;
      const seen = symbols.get(d);
      if (!seen) symbols.set(d, { size: dims[i], input: info.name });
      else if (seen.size !== dims[i]) {
        throw new UserError(
          `${sampleWhere}: dim "${d}" is ${seen.size} in input "${seen.input}" but ${dims[i]} in input "${info.name}"; give it one size in every input of a sample.`,
        );
      }
    });
    sample[info.name] = convertToModelDtype(tensor, info.dtype, where, info.name);
  }
  return sample;
}

// ---------------------------------------------------------------- entry point

/**
 * Samples from --inputs: a .npz (one sample), a .npy (single-input models), a .json (an object
 * or a list of objects), or name=file.npy pairs (one sample). Tensors come back in the
 * model's dtypes and input order.
 */
export function loadInputs(spec: string, expected: IOInfo[]): TensorMap[] {
  if (!existsSync(spec) && spec.includes('=')) {
    return [finishSample(parseInputPairs(spec), expected, `--inputs ${spec}`)];
  }
  const ext = extname(spec).toLowerCase();
  if (ext === '.npz') return [finishSample(readNpz(spec), expected, spec)];
  if (ext === '.npy') {
    if (expected.length !== 1) {
      const names = inputNames(expected);
      const args = expected.map((info) => `${info.name}=...`).join(', ');
      throw new UserError(
        `${spec}: a .npy file holds one array but the model has ${expected.length} inputs (${names}); use a .npz with keys named after the inputs, e.g. numpy.savez("inputs.npz", ${args}).`,
      );
    }
    return [
      finishSample(
        [{ name: expected[0].name, tensor: decodeNpy(readExistingFile(spec), spec), where: spec }],
        expected,
        spec,
      ),
    ];
  }
  if (ext === '.json') {
    return readJsonSamples(spec, expected).map(({ entries, where }) =>
      finishSample(entries, expected, where),
    );
  }
  readExistingFile(spec);
  throw new UserError(
    `--inputs: ${spec} is not a .npz, .npy or .json file; save the inputs with numpy.savez or as JSON.`,
  );
}
