// NumPy .npy/.npz as they are (names, dtypes, shapes), for the PyTorch source: PyTorch's
// outputs come back from the export subprocess as .npz files, and an inputs file without
// `pytorch.inputs` describes forward's inputs itself.
//   const outputs = readNpzTensors('torch_0.npz');   // { logits: { dtype, dims, data } }
//   const info = describeNpy('x', bytes, 'x.npy');   // { name: 'x', dtype: 'float32', dims: [2, 4] }

import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { parse as parseNpy } from 'npyjs';
import { errorMessage, UserError } from '../errors.js';
import type { DType, HostTensor, TensorMap } from '../onnx/dtype.js';
import type { IOInfo } from '../verify/types.js';

/** NumPy element codes (descr without byte order) → our dtypes. */
const DTYPE_OF_NPY_CODE: Record<string, DType> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

function parseArray(
  bytes: Uint8Array,
  where: string,
): { dtype: DType; dims: number[]; data: HostTensor['data'] } {
  let array;
  try {
    array = parseNpy(new Uint8Array(bytes).buffer, { convertFloat16: false }); // a copy: Buffer.slice shares memory
  } catch (e) {
    throw new UserError(`${where}: not a readable .npy file (${errorMessage(e)}); save it with numpy.save.`);
  }
  const dtype = DTYPE_OF_NPY_CODE[String(array.dtype)];
  if (!dtype) {
    throw new UserError(
      `${where}: element type '${array.dtype}' is not supported; save one of ${Object.values(DTYPE_OF_NPY_CODE).join(', ')}.`,
    );
  }
  const raw = array.data as unknown as ArrayLike<number>;
  const data = (dtype === 'bool' ? Uint8Array.from(raw, (b) => (b ? 1 : 0)) : raw) as HostTensor['data'];
  return { dtype, dims: array.shape, data };
}

/** Name, dtype and shape of one .npy array. */
export function describeNpy(name: string, bytes: Uint8Array, where: string): IOInfo {
  const { dtype, dims } = parseArray(bytes, where);
  return { name, dtype, dims };
}

/** The .npy members of a .npz, by name (member name without ".npy"). */
export function readNpzMembers(file: string): Record<string, Uint8Array> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(readFileSync(file));
  } catch (e) {
    throw new UserError(`${file}: not a readable .npz (${errorMessage(e)}); save it with numpy.savez.`);
  }
  return Object.fromEntries(
    Object.entries(members)
      .filter(([member]) => member.endsWith('.npy'))
      .map(([member, bytes]) => [member.slice(0, -'.npy'.length), bytes]),
  );
}

/** Every array of an .npz written by numpy.savez, in its own dtype. */
export function readNpzTensors(file: string): TensorMap {
  const tensors: TensorMap = {};
  for (const [name, bytes] of Object.entries(readNpzMembers(file))) {
    tensors[name] = parseArray(bytes, `${file}:${name}.npy`);
  }
  return tensors;
}
