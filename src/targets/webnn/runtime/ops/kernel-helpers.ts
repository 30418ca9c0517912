// Small helpers shared by the operator kernels: building runtime tensors, expanding broadcast
// operands, turning float32 results into the output type, and per-channel layout shuffles.
//   const y = floatTensor(desc, outValues);   // float32 as is, float16 encoded

import {
  encodeFloat16,
  type ElementStore,
  type RuntimeTensor,
  type StorageArray,
  allocateStorage,
} from '../data-types.js';
import type { OperandDescription } from '../build-state.js';

export function tensorOf(desc: OperandDescription, data: StorageArray): RuntimeTensor {
  return { dataType: desc.dataType, shape: desc.shape, data };
}

/** A runtime tensor of float type `desc.dataType` from float32 results. */
export function floatTensor(desc: OperandDescription, values: Float32Array): RuntimeTensor {
  return tensorOf(desc, desc.dataType === 'float16' ? encodeFloat16(values) : values);
}

/** values[offsets[i]] for each i, or `values` itself when there is no offset map. */
export function expandFloat32(values: Float32Array, offsets: Int32Array | undefined): Float32Array {
  if (!offsets) return values;
  const out = new Float32Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = values[offsets[i]];
  return out;
}

export function expandFloat64(values: Float64Array, offsets: Int32Array | undefined): Float64Array {
  if (!offsets) return values;
  const out = new Float64Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = values[offsets[i]];
  return out;
}

/** New storage of `data`'s type holding data[offsets[i]] (dtype-agnostic gather). */
export function gatherElements(
  data: StorageArray,
  offsets: Int32Array,
  dataType: OperandDescription['dataType'],
): StorageArray {
  const out = allocateStorage(dataType, offsets.length);
  const src = data as ElementStore;
  const dst = out as ElementStore;
  for (let i = 0; i < offsets.length; i++) dst[i] = src[offsets[i]];
  return out;
}

/** Lazily computed value cached for the lifetime of a graph node (index maps, layouts). */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}
