// Reading and writing ONNX files. readModel decodes a .onnx file (with its external data)
// into a self-contained ModelProto and checks it is an ONNX model; writeModel encodes one,
// moving large tensors to an external data file when asked, writing via temp files and
// renames so a crash never leaves a half-written model.
//   const { proto } = readModel('model.onnx');
//   writeModel(proto, 'out/model.onnx', { externalData: 'auto' });

import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { errorMessage, UserError } from '../errors.js';
import { allTensors, countExternalTensors, loadExternalData } from './external-data.js';
import { checkModelStructure } from './model-checks.js';
import {
  COPY_CHUNK_BYTES,
  copyLazyBytes,
  lazyMarkerPrefix,
  lazyRef,
  readLazyBytes,
  type LazyRef,
} from './lazy-data.js';
import { onnx, type ModelProto } from './proto/index.js';

export interface LoadedModel {
  proto: ModelProto;
  path: string;
  /** Bytes of the .onnx file plus external data. */
  bytes: number;
  /** sha256 of the .onnx file's bytes. */
  sha256: string;
  /** True when the file stored tensors as external data. */
  hadExternalData: boolean;
}

const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

/** Decodes ONNX bytes; `where` names the file in messages. */
export function decodeModel(bytes: Uint8Array, where: string): ModelProto {
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    if (errorMessage(e) === 'max depth exceeded') {
      throw new UserError(
        `${where}: subgraphs nest too deeply to read (over protobuf's limit of 100 nested messages, ` +
          `about 32 levels of If/Loop/Scan bodies). Flatten the control flow before converting.`,
      );
    }
    throw new UserError(
      `${where}: not a valid ONNX model (protobuf decoding failed: ${errorMessage(e).split('\n')[0]}). ` +
        `Check that the file is complete and is an .onnx model.`,
    );
  }
  checkLooksLikeOnnx(proto, where);
  checkModelStructure(proto, where);
  return proto;
}

function checkLooksLikeOnnx(proto: ModelProto, where: string): void {
  const ir = Number(proto.irVersion);
  const graph = proto.graph;
  const problem = !(ir >= 1 && ir <= 64)
    ? `ir_version ${ir}`
    : !graph
      ? 'no graph'
      : (proto.opsetImport ?? []).length === 0 && ir >= 3
        ? 'no opset_import'
        : (graph.node ?? []).some((n) => !n.opType)
          ? 'a node without op_type'
          : undefined;
  if (problem) {
    throw new UserError(
      `${where}: not an ONNX model (${problem}). Pass an .onnx file exported by PyTorch, TensorFlow or another ONNX exporter.`,
    );
  }
}

export interface ReadOptions {
  /**
   * Leave external data on disk until a tensor is read (see lazy-data.ts) instead of loading
   * it into raw_data. Default: lazy when the external data exceeds LAZY_EXTERNAL_DATA_BYTES
   * (256 MiB), so small models load as before and large ones never sit in memory whole.
   */
  lazyExternalData?: boolean;
}

export function readModel(modelPath: string, options: ReadOptions = {}): LoadedModel {
  const where = path.basename(modelPath);
  let st;
  try {
    st = statSync(modelPath);
  } catch {
    throw new UserError(
      `${modelPath}: file not found. Check the path (relative paths start at the current folder).`,
    );
  }
  if (!st.isFile()) throw new UserError(`${modelPath}: not a file. Pass the path of an .onnx model.`);
  if (st.size > PROTOBUF_LIMIT_BYTES) {
    throw new UserError(
      `${where}: ${st.size} bytes is over protobuf's 2 GiB limit; store the weights as external data.`,
    );
  }
  const bytes = readFileSync(modelPath);
  const proto = decodeModel(bytes, where);
  const hadExternalData = countExternalTensors(proto) > 0;
  const externalBytes = loadExternalData(proto, modelPath, { lazy: options.lazyExternalData });
  return {
    proto,
    path: modelPath,
    bytes: bytes.length + externalBytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    hadExternalData,
  };
}

export interface WriteOptions {
  /**
   * 'auto': external when the model would exceed ~1.8 GiB; 'always': every tensor of at
   * least `thresholdBytes` goes to `<file>.data`; 'never': everything inline.
   */
  externalData?: 'auto' | 'always' | 'never';
  thresholdBytes?: number;
}

export interface WrittenModel {
  /** Paths written, model first. */
  files: string[];
  bytes: number;
}

const AUTO_EXTERNAL_BYTES = 1.8 * 2 ** 30;
const EXTERNAL_ALIGN_BYTES = 64;

/** A tensor's fields as they were before writeModel moved its bytes (restored afterwards). */
interface SavedTensor {
  t: onnx.TensorProto;
  rawData: Uint8Array;
  externalData: onnx.IStringStringEntryProto[];
  dataLocation: onnx.TensorProto.DataLocation;
}

/**
 * Writes `proto` to `modelPath` (and `<name>.data` for external tensors). The proto is
 * left as it was. Files are written to temporary names and renamed into place. Tensors
 * still on disk (lazily loaded) are copied into the data file chunk by chunk, one at a
 * time, and always go external; the data file is written sequentially, never assembled in
 * memory, so writing holds no more than the in-memory tensors already held.
 */
export function writeModel(proto: ModelProto, modelPath: string, options: WriteOptions = {}): WrittenModel {
  const mode = options.externalData ?? 'auto';
  const threshold = options.thresholdBytes ?? 1024;
  const where = path.basename(modelPath);
  const dataName = `${path.basename(modelPath)}.data`;
  const dataPath = path.join(path.dirname(modelPath), dataName);
  const tensors: { t: onnx.TensorProto; lazy: LazyRef | undefined }[] = [];
  let inlineBytes = 0;
  for (const t of allTensors(proto)) {
    const lazy = lazyRef(t, where);
    if (!lazy && !(t.rawData && t.rawData.length > 0)) continue;
    tensors.push({ t, lazy });
    inlineBytes += lazy ? lazy.length : t.rawData.length;
  }
  const anyLazy = tensors.some((x) => x.lazy);
  const external = mode === 'always' || (mode === 'auto' && (anyLazy || inlineBytes > AUTO_EXTERNAL_BYTES));
  if (external && anyLazy) refuseOverwritingSource(tensors, dataPath);

  const saved: SavedTensor[] = [];
  const save = (t: onnx.TensorProto): void => {
    saved.push({ t, rawData: t.rawData, externalData: t.externalData, dataLocation: t.dataLocation });
  };
  const files: string[] = [];
  let dataBytes = 0;
  let encoded: Uint8Array;
  try {
    if (external) {
      const moving = tensors.filter((x) => x.lazy || x.t.rawData.length >= threshold);
      if (moving.length > 0) {
        dataBytes = writeDataFile(dataPath, moving, where, (t, offset, length) => {
          save(t);
          t.externalData = [
            new onnx.StringStringEntryProto({ key: 'location', value: dataName }),
            new onnx.StringStringEntryProto({ key: 'offset', value: String(offset) }),
            new onnx.StringStringEntryProto({ key: 'length', value: String(length) }),
          ];
          t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
          t.rawData = new Uint8Array(0);
        });
        files.push(dataPath);
      }
    } else {
      // Everything inline: tensors still on disk are read in for the encoding.
      for (const { t, lazy } of tensors) {
        if (!lazy) continue;
        save(t);
        t.rawData = readLazyBytes(t, where);
        t.externalData = [];
        t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
      }
    }
    encoded = onnx.ModelProto.encode(proto).finish();
  } catch (e) {
    if (files.length > 0 && existsSync(dataPath)) unlinkSync(dataPath);
    throw e;
  } finally {
    for (const x of saved) {
      x.t.rawData = x.rawData;
      x.t.externalData = x.externalData;
      x.t.dataLocation = x.dataLocation;
    }
  }
  // Markers are in-memory only; one in the output would be our bug.
  if (Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).includes(lazyMarkerPrefix())) {
    throw new Error(`${where}: a lazily loaded tensor's in-memory location would have been written`);
  }
  if (files.length === 0 && existsSync(dataPath)) unlinkSync(dataPath);
  writeAtomically(modelPath, [encoded]);
  files.unshift(modelPath);
  return { files, bytes: encoded.length + dataBytes };
}

/** Writing `dataPath` while tensors are still read from it would leave them reading the new file. */
function refuseOverwritingSource(tensors: { lazy: LazyRef | undefined }[], dataPath: string): void {
  let target: string;
  try {
    target = realpathSync(dataPath);
  } catch {
    return; // not there yet, so not a source either
  }
  if (tensors.some((x) => x.lazy?.file === target)) {
    throw new UserError(
      `${dataPath}: this model's weights are still read from that file; write the converted model to another folder or name.`,
    );
  }
}

/**
 * Writes the moving tensors' bytes one after another (64-byte aligned) to a temporary file
 * renamed to `dataPath`, telling `placed` each tensor's offset and length. Returns the
 * file's size.
 */
function writeDataFile(
  dataPath: string,
  moving: { t: onnx.TensorProto; lazy: LazyRef | undefined }[],
  where: string,
  placed: (t: onnx.TensorProto, offset: number, length: number) => void,
): number {
  const tmp = temporaryName(dataPath);
  const padding = new Uint8Array(EXTERNAL_ALIGN_BYTES);
  let copyBuffer: Uint8Array | undefined;
  let offset = 0;
  const fd = openSync(tmp, 'w');
  try {
    for (const { t, lazy } of moving) {
      const pad = (EXTERNAL_ALIGN_BYTES - (offset % EXTERNAL_ALIGN_BYTES)) % EXTERNAL_ALIGN_BYTES;
      if (pad) writeFully(fd, padding.subarray(0, pad));
      offset += pad;
      let length: number;
      if (lazy) {
        copyBuffer ??= new Uint8Array(Math.min(COPY_CHUNK_BYTES, Math.max(1, lazy.length)));
        if (copyBuffer.length < Math.min(COPY_CHUNK_BYTES, lazy.length))
          copyBuffer = new Uint8Array(COPY_CHUNK_BYTES);
        copyLazyBytes(t, fd, where, copyBuffer);
        length = lazy.length;
      } else {
        writeFully(fd, t.rawData);
        length = t.rawData.length;
      }
      placed(t, offset, length);
      offset += length;
    }
    closeSync(fd);
    renameSync(tmp, dataPath);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  return offset;
}

function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
}

function writeFully(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Writes chunks to `file`, one after another, via a temporary name in the same folder and a rename. */
export function writeAtomically(file: string, chunks: Uint8Array[]): void {
  const tmp = temporaryName(file);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const c of chunks) writeFully(fd, c);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}
