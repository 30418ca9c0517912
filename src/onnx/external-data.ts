// External data: tensors whose bytes live in a file beside the model. Locations are
// checked before any file is opened: relative, no "..", no absolute paths, no control
// characters, and the resolved real path must stay inside the model's folder (no symlink
// escape). Offsets and lengths are checked against the file size before anything is
// allocated. Large models are loaded lazily: bytes stay on disk until read (lazy-data.ts).
//   loadExternalData(modelProto, '/models/m.onnx', { lazy: false });

import { closeSync, openSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { lazyLocation, readExactly } from './lazy-data.js';
import { onnx, type TensorProto } from './proto/index.js';
import { packedByteLength, tensorDims } from './tensor.js';
import { dtypeFromOnnxOrThrow, elementCount } from './dtype.js';

export interface ExternalRef {
  location: string;
  offset: number;
  length?: number;
}

/** Reads the location/offset/length entries of an external tensor. */
export function externalRef(t: TensorProto, where: string): ExternalRef {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new UserError(`${where}: tensor "${t.name}" is external but names no location.`);
  const parseInteger = (key: string): number | undefined => {
    const raw = entries.get(key);
    if (raw === undefined || raw === '') return undefined;
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      throw new UserError(`${where}: tensor "${t.name}" has an invalid external-data ${key} "${raw}".`);
    }
    return Number(raw);
  };
  return { location, offset: parseInteger('offset') ?? 0, length: parseInteger('length') };
}

/**
 * Resolves an external-data location inside `baseDir`, refusing absolute paths, ".."
 * segments and anything whose real path leaves the folder.
 */
export function resolveInsideFolder(baseDir: string, location: string, what: string): string {
  const parts = location.split(/[\\/]+/);
  if (path.isAbsolute(location) || /^[A-Za-z]:/.test(location) || location.startsWith('\\')) {
    throw new UserError(
      `${what}: external data location "${location}" is absolute; only paths inside the model's folder are allowed.`,
    );
  }
  if (parts.includes('..')) {
    throw new UserError(
      `${what}: external data location "${location}" contains ".."; only paths inside the model's folder are allowed.`,
    );
  }
  if ([...location].some((ch) => ch.charCodeAt(0) < 0x20)) {
    throw new UserError(`${what}: external data location contains control characters.`);
  }
  const full = path.resolve(baseDir, location);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new UserError(
      `${what}: external data file "${location}" not found next to the model. Copy it beside the .onnx file.`,
    );
  }
  const realBase = realpathSync(baseDir);
  const rel = path.relative(realBase, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new UserError(
      `${what}: external data location "${location}" resolves outside the model's folder (symlink); refusing to read it.`,
    );
  }
  if (!statSync(real).isFile()) {
    throw new UserError(
      `${what}: external data location "${location}" is not a file (a folder or a device); refusing it.`,
    );
  }
  return real;
}

/** Every TensorProto in a model: initializers, Constant/attribute tensors, subgraphs, functions. */
export function* allTensors(model: onnx.ModelProto): Generator<TensorProto> {
  function* graphTensors(g: onnx.IGraphProto | null | undefined): Generator<TensorProto> {
    if (!g) return;
    for (const t of g.initializer ?? []) yield t as TensorProto;
    for (const s of g.sparseInitializer ?? []) {
      if (s.values) yield s.values as TensorProto;
      if (s.indices) yield s.indices as TensorProto;
    }
    for (const n of g.node ?? []) yield* nodeTensors(n);
  }
  function* nodeTensors(n: onnx.INodeProto): Generator<TensorProto> {
    for (const a of n.attribute ?? []) {
      if (a.t) yield a.t as TensorProto;
      for (const t of a.tensors ?? []) yield t as TensorProto;
      if (a.g) yield* graphTensors(a.g);
      for (const g of a.graphs ?? []) yield* graphTensors(g);
    }
  }
  yield* graphTensors(model.graph);
  for (const f of model.functions ?? []) for (const n of f.node ?? []) yield* nodeTensors(n);
  for (const ti of model.trainingInfo ?? []) {
    yield* graphTensors(ti.initialization);
    yield* graphTensors(ti.algorithm);
  }
}

/** Total external data above which readModel leaves the bytes on disk (lazy) by default. */
export const LAZY_EXTERNAL_DATA_BYTES = 256 * 2 ** 20;

/** An external tensor whose location, size and byte range were checked; nothing read yet. */
interface CheckedExternal {
  tensor: TensorProto;
  /** Real absolute path of the data file. */
  file: string;
  offset: number;
  length: number;
}

/** Checks every external tensor's location, declared length and byte range (files are stat'ed, not read). */
function checkExternalTensors(model: onnx.ModelProto, modelPath: string): CheckedExternal[] {
  const baseDir = path.dirname(path.resolve(modelPath));
  const what = path.basename(modelPath);
  const sizes = new Map<string, number>();
  const checked: CheckedExternal[] = [];
  for (const t of allTensors(model)) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const ref = externalRef(t, what);
    const file = resolveInsideFolder(baseDir, ref.location, what);
    let size = sizes.get(file);
    if (size === undefined) {
      size = statSync(file).size;
      sizes.set(file, size);
    }
    const dtype = dtypeFromOnnxOrThrow(t.dataType, `${what}: tensor "${t.name}"`);
    const need = packedByteLength(dtype, elementCount(tensorDims(t, what)));
    const length = ref.length ?? need;
    if (length !== need) {
      throw new UserError(
        `${what}: tensor "${t.name}" declares ${length} external bytes but its shape needs ${need}.`,
      );
    }
    if (ref.offset + length > size) {
      throw new UserError(
        `${what}: tensor "${t.name}" reads bytes ${ref.offset}..${ref.offset + length} of "${ref.location}", ` +
          `which has only ${size}. The data file is truncated or belongs to another model.`,
      );
    }
    checked.push({ tensor: t, file, offset: ref.offset, length });
  }
  return checked;
}

/**
 * Makes every external tensor readable and returns the external bytes in total. Eager:
 * loads the bytes into raw_data and clears the external fields, so the model is
 * self-contained. Lazy: leaves them on disk; each tensor keeps data_location EXTERNAL with
 * a marker location naming its checked data file (lazy-data.ts), which tensorFromProto
 * reads on demand and writeModel copies. `lazy` undefined: lazy when the total exceeds
 * LAZY_EXTERNAL_DATA_BYTES. Every location, length and range is checked either way.
 */
export function loadExternalData(
  model: onnx.ModelProto,
  modelPath: string,
  options: { lazy?: boolean } = {},
): number {
  const what = path.basename(modelPath);
  const checked = checkExternalTensors(model, modelPath);
  const total = checked.reduce((n, c) => n + c.length, 0);
  if (options.lazy ?? total > LAZY_EXTERNAL_DATA_BYTES) {
    for (const c of checked) {
      c.tensor.externalData = [
        new onnx.StringStringEntryProto({ key: 'location', value: lazyLocation(c.file) }),
        new onnx.StringStringEntryProto({ key: 'offset', value: String(c.offset) }),
        new onnx.StringStringEntryProto({ key: 'length', value: String(c.length) }),
      ];
    }
    return total;
  }
  const handles = new Map<string, number>();
  try {
    for (const c of checked) {
      let fd = handles.get(c.file);
      if (fd === undefined) {
        fd = openSync(c.file, 'r');
        handles.set(c.file, fd);
      }
      const bytes = new Uint8Array(c.length);
      if (!readExactly(fd, bytes, c.offset)) {
        throw new UserError(
          `${what}: the external data file of tensor "${c.tensor.name}" ended early (it changed while being read).`,
        );
      }
      c.tensor.rawData = bytes;
      c.tensor.externalData = [];
      c.tensor.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    }
  } finally {
    for (const fd of handles.values()) closeSync(fd);
  }
  return total;
}

/** Number of tensors stored externally (before loading). */
export function countExternalTensors(model: onnx.ModelProto): number {
  let n = 0;
  for (const t of allTensors(model)) if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) n++;
  return n;
}
