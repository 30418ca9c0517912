// Reading and writing ONNX files. readModel decodes a .onnx file (with its external data)
// into a self-contained ModelProto and checks it is an ONNX model; writeModel encodes one,
// moving large tensors to an external data file when asked, writing via temp files and
// renames so a crash never leaves a half-written model.
//   const { proto } = readModel('model.onnx');
//   writeModel(proto, 'out/model.onnx', { externalData: 'auto' });

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, UserError } from '../errors.js';
import { allTensors, countExternalTensors, loadExternalData } from './external-data.js';
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
    throw new UserError(
      `${where}: not a valid ONNX model (protobuf decoding failed: ${errorMessage(e).split('\n')[0]}). ` +
        `Check that the file is complete and is an .onnx model.`,
    );
  }
  checkLooksLikeOnnx(proto, where);
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

export function readModel(modelPath: string): LoadedModel {
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
  const externalBytes = loadExternalData(proto, modelPath);
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

/**
 * Writes `proto` to `modelPath` (and `<name>.data` for external tensors). The proto is
 * left as it was. Files are written to temporary names and renamed into place.
 */
export function writeModel(proto: ModelProto, modelPath: string, options: WriteOptions = {}): WrittenModel {
  const mode = options.externalData ?? 'auto';
  const threshold = options.thresholdBytes ?? 1024;
  const dataName = `${path.basename(modelPath)}.data`;
  const tensors = [...allTensors(proto)].filter((t) => t.rawData && t.rawData.length > 0);
  const inlineBytes = tensors.reduce((n, t) => n + t.rawData.length, 0);
  const external = mode === 'always' || (mode === 'auto' && inlineBytes > AUTO_EXTERNAL_BYTES);
  const moved: { t: onnx.TensorProto; raw: Uint8Array }[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  if (external) {
    for (const t of tensors) {
      if (t.rawData.length < threshold) continue;
      const pad = (EXTERNAL_ALIGN_BYTES - (offset % EXTERNAL_ALIGN_BYTES)) % EXTERNAL_ALIGN_BYTES;
      if (pad) chunks.push(new Uint8Array(pad));
      offset += pad;
      moved.push({ t, raw: t.rawData });
      t.externalData = [
        { key: 'location', value: dataName },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(t.rawData.length) },
      ];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      chunks.push(t.rawData);
      offset += t.rawData.length;
      t.rawData = new Uint8Array(0);
    }
  }
  let encoded: Uint8Array;
  try {
    encoded = onnx.ModelProto.encode(proto).finish();
  } finally {
    for (const { t, raw } of moved) {
      t.rawData = raw;
      t.externalData = [];
      t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    }
  }
  const files: string[] = [];
  const dataPath = path.join(path.dirname(modelPath), dataName);
  if (moved.length > 0) {
    writeAtomically(dataPath, chunks);
    files.push(dataPath);
  } else if (existsSync(dataPath)) {
    unlinkSync(dataPath);
  }
  writeAtomically(modelPath, [encoded]);
  files.unshift(modelPath);
  return { files, bytes: encoded.length + offset };
}

/** Writes chunks to `file` via a temporary name in the same folder and a rename. */
export function writeAtomically(file: string, chunks: Uint8Array[]): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
    renameSync(tmp, file);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}
