// Deterministic sample inputs for a model, made to expose conversion faults:
// - floats: N(0, 1);
// - integer ids that feed a Gather (directly or through Cast/Reshape/Unsqueeze/…): spread
//   over the table they index, with 0 and the largest valid id in every sample;
// - masks (0/1 inputs that gate attention: named *mask*, or bool): all ones in the first
//   sample, padded with trailing zeros (different lengths per row) in the others, so a
//   conversion that ignores or mishandles padding cannot pass;
// - other integers: uniform in the configured range.
// Symbolic dims come from config, else from the defaults in SYMBOLIC_DIM_DEFAULTS.
//   const samples = generateSamples(graph, runner.inputs, { count: 3, seed: 0, dims: {}, intRange: [0, 8] });

import { UserError } from '../errors.js';
import { allocateData, elementCount, isFloatDType, type HostTensor, type TensorMap } from '../onnx/dtype.js';
import type { Graph } from '../onnx/graph.js';
import { int64ToNumber } from '../onnx/proto/index.js';
import { numberToBfloat16Bits, numberToFloat16Bits } from '../onnx/tensor.js';
import { SeededRandom } from './random.js';
import type { IOInfo } from './types.js';

export interface SampleOptions {
  count: number;
  seed: number;
  /** Values for symbolic dims by name. */
  dims: Record<string, number>;
  /** Half-open range for integer inputs that are neither ids nor masks. */
  intRange: [number, number];
}

/** Defaults for symbolic dims not given in config: first matching pattern wins (documented in README). */
export const SYMBOLIC_DIM_DEFAULTS: readonly { pattern: RegExp; value: number; label: string }[] = [
  { pattern: /batch|^n$|^b$/i, value: 2, label: 'batch-like (batch, N, B)' },
  {
    pattern: /seq|len|token|time|step|position|^s$|^t$/i,
    value: 16,
    label: 'sequence-like (seq, sequence_length, tokens, time)',
  },
  { pattern: /height|width|^h$|^w$|size/i, value: 32, label: 'spatial (height, width, H, W)' },
  { pattern: /.*/, value: 8, label: 'any other' },
];

/** Most elements one generated input may have (2^27: 512 MiB of float32), checked before allocating. */
export const MAX_GENERATED_ELEMENTS = 2 ** 27;

export function resolveDim(dim: number | string, dims: Record<string, number>): number {
  if (typeof dim === 'number') return dim;
  if (dims[dim] !== undefined) return dims[dim];
  return SYMBOLIC_DIM_DEFAULTS.find((d) => d.pattern.test(dim))!.value;
}

/** Ops an index tensor passes through unchanged in value on its way to a Gather. */
const VALUE_PRESERVING_OPS = new Set([
  'Cast',
  'Reshape',
  'Unsqueeze',
  'Squeeze',
  'Flatten',
  'Identity',
  'Expand',
  'Transpose',
]);

/** Rows of the table `inputName` indexes through Gather/GatherElements…, or undefined. */
export function gatherTableSize(graph: Graph, inputName: string): number | undefined {
  const consumers = graph.consumers();
  const seen = new Set<string>();
  const queue = [inputName];
  let size: number | undefined;
  while (queue.length > 0) {
    const value = queue.shift()!;
    if (seen.has(value)) continue;
    seen.add(value);
    for (const n of consumers.get(value) ?? []) {
      if (n.opType === 'Gather' && n.input[1] === value) {
        const axisAttr = n.attribute.find((a) => a.name === 'axis');
        const dims = graph.typeOf(n.input[0]).dims;
        if (!dims) continue;
        let axis = axisAttr ? int64ToNumber(axisAttr.i) : 0;
        if (axis < 0) axis += dims.length;
        const rows = dims[axis];
        if (typeof rows === 'number' && rows > 0) size = size === undefined ? rows : Math.min(size, rows);
      } else if (VALUE_PRESERVING_OPS.has(n.opType) && n.input[0] === value && n.output[0]) {
        queue.push(n.output[0]);
      }
    }
  }
  return size;
}

export function isMaskInput(info: IOInfo): boolean {
  return info.dtype === 'bool' || /mask/i.test(info.name);
}

export function generateSamples(
  graph: Graph | undefined,
  inputs: IOInfo[],
  options: SampleOptions,
): TensorMap[] {
  if (!Number.isInteger(options.count) || options.count < 1)
    throw new UserError(`samples must be a whole number ≥ 1 (got ${options.count}).`);
  const rng = new SeededRandom(options.seed);
  const tableSizes = new Map(inputs.map((i) => [i.name, graph ? gatherTableSize(graph, i.name) : undefined]));
  const samples: TensorMap[] = [];
  for (let s = 0; s < options.count; s++) {
    const sample: TensorMap = {};
    for (const info of inputs) {
      const dims = info.dims.map((d) => resolveDim(d, options.dims));
      sample[info.name] = generateInput(
        info,
        dims,
        s,
        options.count,
        tableSizes.get(info.name),
        options.intRange,
        rng,
      );
    }
    samples.push(sample);
  }
  return samples;
}

function generateInput(
  info: IOInfo,
  dims: number[],
  sampleIndex: number,
  sampleCount: number,
  tableRows: number | undefined,
  intRange: [number, number],
  rng: SeededRandom,
): HostTensor {
  const count = elementCount(dims);
  if (!(count <= MAX_GENERATED_ELEMENTS)) {
    throw new UserError(
      `input "${info.name}" has dims [${dims.join(', ')}], ${count} elements per sample, more than the ` +
        `${MAX_GENERATED_ELEMENTS} model-convert generates; set smaller values under "dims:" in convert.yml or pass --inputs.`,
    );
  }
  const data = allocateData(info.dtype, count);
  if (info.dtype === 'string') {
    throw new UserError(`input "${info.name}" is a string tensor; pass sample inputs with --inputs.`);
  }
  if (isFloatDType(info.dtype)) {
    const values = Array.from({ length: count }, () => rng.normal());
    fill(data, values, info.dtype);
    return { dtype: info.dtype, dims, data };
  }
  let values: number[];
  if (isMaskInput(info) && tableRows === undefined) {
    values = maskValues(dims, sampleIndex, sampleCount);
  } else if (tableRows !== undefined) {
    values = Array.from({ length: count }, () => rng.int(0, tableRows));
    if (count >= 1) values[0] = 0;
    if (count >= 2) values[count - 1] = tableRows - 1;
  } else {
    values = Array.from({ length: count }, () => rng.int(intRange[0], intRange[1]));
  }
  fill(data, values, info.dtype);
  return { dtype: info.dtype, dims, data };
}

/**
 * Mask values along the last axis: sample 0 all ones; later samples keep a prefix of ones
 * and pad the rest with zeros, a different length for each row and sample (at least one
 * real and one padded position when the axis has 2 or more).
 */
export function maskValues(dims: number[], sampleIndex: number, sampleCount: number): number[] {
  const count = elementCount(dims);
  const last = dims.length > 0 ? dims[dims.length - 1] : 1;
  const values = new Array<number>(count).fill(1);
  if (sampleIndex === 0 || last < 2) return values;
  const rows = count / last;
  for (let r = 0; r < rows; r++) {
    const fraction = (sampleIndex + r) / (sampleCount + rows);
    const valid = Math.min(last - 1, Math.max(1, Math.round(last * (1 - fraction * 0.75))));
    for (let i = valid; i < last; i++) values[r * last + i] = 0;
  }
  return values;
}

function fill(data: HostTensor['data'], values: number[], dtype: HostTensor['dtype']): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (data instanceof BigInt64Array) data[i] = BigInt(v);
    else if (data instanceof BigUint64Array) data[i] = BigInt(Math.max(0, v));
    else if (dtype === 'float16') (data as Uint16Array)[i] = numberToFloat16Bits(v);
    else if (dtype === 'bfloat16') (data as Uint16Array)[i] = numberToBfloat16Bits(v);
    else (data as Exclude<HostTensor['data'], string[] | BigInt64Array | BigUint64Array>)[i] = v;
  }
}
