// Lazily loaded external data: a tensor whose bytes stay in the model's data file until
// something reads them. readModel marks such tensors (data_location EXTERNAL) with an
// in-memory location that carries the already validated absolute path of the data file:
// NUL, a token drawn once per process, NUL, then the path. Locations read from a file are
// refused when they hold control characters (external-data.ts), and the token is unknown
// outside this process, so a model cannot forge one. Markers survive cloneModel (they are
// plain strings) and never reach a written file: writeModel copies the bytes instead.
//   const bytes = readLazyBytes(tensor, 'model.onnx');   // a fresh copy, read from disk
//   if (isLazyTensor(t)) copyLazyBytes(t, outFd, 'model.onnx');

import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';
import { onnx, type TensorProto } from './proto/index.js';

let processToken: string | undefined;

/** The prefix every marker of this process starts with (NUL, token, NUL). */
export function lazyMarkerPrefix(): string {
  processToken ??= randomBytes(12).toString('hex');
  return `\0${processToken}\0`;
}

/** The in-memory location of a lazily loaded tensor stored in `file` (an absolute, checked path). */
export function lazyLocation(file: string): string {
  return `${lazyMarkerPrefix()}${file}`;
}

/** Where a lazily loaded tensor's bytes are: the data file and the byte range in it. */
export interface LazyRef {
  file: string;
  offset: number;
  length: number;
}

function entry(t: TensorProto, key: string): string | undefined {
  for (const e of t.externalData ?? []) if (e.key === key) return e.value ?? '';
  return undefined;
}

/**
 * The data file and byte range of a lazily loaded tensor; undefined when `t` is not one.
 * A location that starts with NUL but does not carry this process's token is refused.
 */
export function lazyRef(t: TensorProto, where: string): LazyRef | undefined {
  if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return undefined;
  const location = entry(t, 'location');
  if (location === undefined || !location.startsWith('\0')) return undefined;
  const prefix = lazyMarkerPrefix();
  if (!location.startsWith(prefix)) {
    throw new UserError(
      `${where}: tensor "${t.name}" has an external-data location with control characters; refusing it.`,
    );
  }
  const integer = (key: string): number => {
    const raw = entry(t, key) ?? '';
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      throw new Error(`${where}: lazily loaded tensor "${t.name}" has no valid ${key}`);
    }
    return Number(raw);
  };
  return { file: location.slice(prefix.length), offset: integer('offset'), length: integer('length') };
}

export function isLazyTensor(t: TensorProto): boolean {
  return lazyRef(t, '') !== undefined;
}

/** Reads exactly bytes.length bytes at `position` of fd into bytes; false when the file ends first. */
export function readExactly(fd: number, bytes: Uint8Array, position: number): boolean {
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

function openChecked(ref: LazyRef, t: TensorProto, where: string): number {
  const fd = openSync(ref.file, 'r');
  const size = fstatSync(fd).size;
  if (ref.offset + ref.length > size) {
    closeSync(fd);
    throw new UserError(
      `${where}: tensor "${t.name}" reads bytes ${ref.offset}..${ref.offset + ref.length} of its external data file, ` +
        `which now has only ${size}. The data file changed while the model was open.`,
    );
  }
  return fd;
}

function truncated(t: TensorProto, where: string): UserError {
  return new UserError(
    `${where}: the external data file of tensor "${t.name}" ended early; it changed while the model was open.`,
  );
}

/** The bytes of a lazily loaded tensor, read from its data file now (nothing is cached). */
export function readLazyBytes(t: TensorProto, where: string): Uint8Array {
  const ref = lazyRef(t, where);
  if (!ref) throw new Error(`${where}: tensor "${t.name}" is not lazily loaded`);
  const fd = openChecked(ref, t, where);
  try {
    const bytes = new Uint8Array(ref.length);
    if (!readExactly(fd, bytes, ref.offset)) throw truncated(t, where);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Chunk size for copying lazily loaded bytes into a written file. */
export const COPY_CHUNK_BYTES = 16 * 2 ** 20;

/**
 * Appends a lazily loaded tensor's bytes to the file open as `outFd` (at its current
 * position), COPY_CHUNK_BYTES at a time through `buffer` (reused between calls).
 */
export function copyLazyBytes(t: TensorProto, outFd: number, where: string, buffer: Uint8Array): void {
  const ref = lazyRef(t, where);
  if (!ref) throw new Error(`${where}: tensor "${t.name}" is not lazily loaded`);
  const fd = openChecked(ref, t, where);
  try {
    for (let done = 0; done < ref.length;) {
      const chunk = buffer.subarray(0, Math.min(buffer.length, ref.length - done));
      if (!readExactly(fd, chunk, ref.offset + done)) throw truncated(t, where);
      for (let written = 0; written < chunk.length;)
        written += writeSync(outFd, chunk, written, chunk.length - written);
      done += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}
