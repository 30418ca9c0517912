// WebIDL-style argument conversion and the error types the WebNN spec names: TypeError for
// invalid arguments, DOMException "InvalidStateError" / "NotSupportedError" / "OperationError"
// for state and platform failures. Messages name the operator (and its label, if any).
//   const shape = toUnsignedLongSequence(desc.shape, 'input: descriptor.shape');
//   throw domError('InvalidStateError', 'MLGraphBuilder: build() has already been called');

import { isDataType } from './data-types.js';
import type { AllowSharedBufferSource, MLNumber, MLOperandDataType } from './types.js';

export type DomErrorName =
  | 'InvalidStateError'
  | 'NotSupportedError'
  | 'OperationError'
  | 'DataError'
  | 'UnknownError'
  | 'SecurityError';

export function domError(name: DomErrorName, message: string): DOMException {
  return new DOMException(message, name);
}

/** `what` prefix for messages: "conv2d" or "conv2d [label]". */
export function describeOperator(kind: string, options?: { label?: unknown }): string {
  const label = options?.label;
  return typeof label === 'string' && label !== '' ? `${kind} [${sanitizeLabel(label)}]` : kind;
}

function sanitizeLabel(label: string): string {
  // Drop control and bidirectional-override characters (spec advisement on displaying labels).
  return Array.from(label)
    .filter((ch) => {
      const code = ch.codePointAt(0)!;
      return (
        code >= 0x20 &&
        code !== 0x7f &&
        !(code >= 0x202a && code <= 0x202e) &&
        !(code >= 0x2066 && code <= 0x2069)
      );
    })
    .join('');
}

/** WebIDL [EnforceRange] unsigned long. */
export function toUnsignedLong(value: unknown, what: string): number {
  const x = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
  const t = Math.trunc(x);
  if (t < 0 || t > 0xffffffff)
    throw new TypeError(`${what} must be in [0, 4294967295], got ${String(value)}`);
  return t;
}

/** WebIDL [EnforceRange] long. */
export function toLong(value: unknown, what: string): number {
  const x = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
  const t = Math.trunc(x);
  if (t < -0x80000000 || t > 0x7fffffff) throw new TypeError(`${what} is out of the range of long`);
  return t;
}

/** WebIDL sequence<[EnforceRange] unsigned long>. */
export function toUnsignedLongSequence(value: unknown, what: string): number[] {
  if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
    throw new TypeError(`${what} must be a sequence of unsigned long`);
  }
  return Array.from(value as Iterable<unknown>, (v, i) => toUnsignedLong(v, `${what}[${i}]`));
}

/** WebIDL sequence<float>: finite numbers rounded to float32. */
export function toFloatSequence(value: unknown, what: string): number[] {
  if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
    throw new TypeError(`${what} must be a sequence of float`);
  }
  return Array.from(value as Iterable<unknown>, (v, i) => {
    const x = Math.fround(Number(v));
    if (!Number.isFinite(x)) throw new TypeError(`${what}[${i}] must be finite`);
    return x;
  });
}

/** WebIDL restricted double (finite). */
export function toDouble(value: unknown, what: string): number {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
  return x;
}

/** WebIDL (bigint or unrestricted double). */
export function toMLNumber(value: unknown, what: string): MLNumber {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return value;
  if (value === undefined) throw new TypeError(`${what} is required`);
  return Number(value);
}

export function toEnum<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  const s = String(value);
  if (!(allowed as readonly string[]).includes(s)) {
    throw new TypeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${s}'`);
  }
  return s as T;
}

export function toDataType(value: unknown, what: string): MLOperandDataType {
  if (!isDataType(value)) throw new TypeError(`${what} '${String(value)}' is not a valid MLOperandDataType`);
  return value;
}

/** A dictionary argument: undefined/null → {}, objects as they are, anything else TypeError. */
export function toDictionary<T extends object>(value: unknown, what: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${what} must be a dictionary (object)`);
  }
  return value as Partial<T>;
}

/** The bytes of an AllowSharedBufferSource (a view over them, not a copy). */
export function bufferSourceBytes(source: unknown, what: string): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer) {
    return new Uint8Array(source);
  }
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  throw new TypeError(`${what} must be an ArrayBuffer, SharedArrayBuffer or ArrayBufferView`);
}

/**
 * The spec's "validate buffer with descriptor": byte length must match, and a typed array
 * other than Uint8Array must be the view type of the data type (float16: Uint16Array bits or
 * Float16Array where the platform has it).
 */
export function checkBufferMatchesDataType(
  source: AllowSharedBufferSource,
  dataType: MLOperandDataType,
  byteLength: number,
  what: string,
): Uint8Array {
  const bytes = bufferSourceBytes(source, what);
  if (bytes.byteLength !== byteLength) {
    throw new TypeError(
      `${what} holds ${bytes.byteLength} bytes but ${dataType} data of this shape needs ${byteLength}`,
    );
  }
  if (ArrayBuffer.isView(source) && !(source instanceof Uint8Array) && !viewMatches(source, dataType)) {
    throw new TypeError(`${what}: a ${source.constructor.name} cannot hold ${dataType} data`);
  }
  return bytes;
}

function viewMatches(view: ArrayBufferView, dataType: MLOperandDataType): boolean {
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
