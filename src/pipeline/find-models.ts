// `model-convert find <dir>`: lists the model files under a folder with their format and
// size. The format comes from the bytes (a protobuf prefix, a zip's central directory, a
// pickle header, a safetensors header, an XML root), reading only a few KB of each file.
//   const models = await findModels('checkpoints', { maxDepth: 4 });
//   // [{ path: 'vit/model.onnx', format: 'onnx', bytes: 345_678 }, …]

import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Inflate } from 'fflate';
import { UserError } from '../errors.js';

export type ModelFormat =
  | 'onnx'
  | 'onnx-external-data'
  | 'torchscript'
  | 'pytorch-exported-program'
  | 'pytorch-pickle'
  | 'pytorch-state-dict'
  | 'openvino-ir'
  | 'safetensors';

export interface FoundModel {
  /** Relative to the searched folder, '/'-separated. */
  path: string;
  /** 'onnx-external-data': an ONNX graph whose tensors live in separate files. */
  format: ModelFormat;
  /** The file's size plus its external data (ONNX) or weights .bin (OpenVINO IR). */
  bytes: number;
}

export interface FindModelsOptions {
  /** Folder levels below `dir` to descend into; 0 = only `dir` itself. Default 8. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 8;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);
const HEAD_BYTES = 4096;
/** Files classified at once (bounded so that big folders do not exhaust file handles). */
const CONCURRENT_FILES = 16;
/** ONNX ModelProto: ir_version values accepted as the first field. */
const MIN_IR_VERSION = 3;
const MAX_IR_VERSION = 12;
/** ModelProto field number → wire type (0 varint, 2 length-delimited). */
const MODEL_PROTO_FIELDS = new Map([
  [1, 0],
  [2, 2],
  [3, 2],
  [4, 2],
  [5, 0],
  [6, 2],
  [7, 2],
  [8, 2],
  [14, 2],
  [20, 2],
  [25, 2],
  [26, 2],
]);
const MODEL_PROTO_GRAPH_FIELD = 7;
/** A .onnx file at most this big is scanned whole for external-data `location` entries. */
const MAX_ONNX_SCAN_BYTES = 64 * 1024 * 1024;
const MAX_SAFETENSORS_HEADER_BYTES = 100 * 1024 * 1024;
const MAX_ZIP_DIRECTORY_BYTES = 64 * 1024 * 1024;
const LEGACY_TORCH_MAGIC = Buffer.from([
  0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
]);

interface FileEntry {
  relativePath: string;
  absolutePath: string;
  bytes: number;
}

interface Classified {
  format: ModelFormat;
  bytes: number;
  /** Files that belong to this model (external data, weights .bin) and are not listed. */
  companions: string[];
}

/** Model files under `dir`, sorted by path; skips node_modules, hidden folders, symlinks. */
export async function findModels(dir: string, opts: FindModelsOptions = {}): Promise<FoundModel[]> {
  const isFolder = await lstat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new UserError(`find: "${dir}" is not a folder. Pass a folder to search for models.`);

  const files: FileEntry[] = [];
  await collectFiles(dir, '', opts.maxDepth ?? DEFAULT_MAX_DEPTH, files);
  const fileSet = new Map(files.map((f) => [f.absolutePath, f]));

  const classified = new Array<Classified | undefined>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      classified[index] = await classifyFile(files[index], fileSet).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_FILES }, worker));

  const companions = new Set(classified.flatMap((c) => c?.companions ?? []));
  const found: FoundModel[] = [];
  files.forEach((file, index) => {
    const model = classified[index];
    if (model && !companions.has(file.absolutePath)) {
      found.push({ path: file.relativePath, format: model.format, bytes: model.bytes });
    }
  });
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function collectFiles(
  root: string,
  relativeDir: string,
  depthLeft: number,
  out: FileEntry[],
): Promise<void> {
  const absoluteDir = path.join(root, relativeDir);
  const entries = await readdir(absoluteDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const relativePath = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
    const absolutePath = path.join(absoluteDir, entry.name);
    if (entry.isDirectory()) {
      if (depthLeft > 0 && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) {
        await collectFiles(root, relativePath, depthLeft - 1, out);
      }
    } else if (entry.isFile()) {
      const stats = await lstat(absolutePath).catch(() => undefined);
      if (stats?.isFile()) out.push({ relativePath, absolutePath, bytes: stats.size });
    }
    // Symlinks, sockets, devices: never followed or read.
  }
}

async function classifyFile(
  file: FileEntry,
  fileSet: Map<string, FileEntry>,
): Promise<Classified | undefined> {
  const handle = await open(file.absolutePath, 'r');
  try {
    const head = await readAt(handle, 0, HEAD_BYTES);
    const extension = path.extname(file.absolutePath).toLowerCase();
    const plain = (format: ModelFormat): Classified => ({ format, bytes: file.bytes, companions: [] });

    if (extension === '.onnx' && (await isOnnxModel(handle, file.bytes))) {
      return classifyOnnx(handle, file, fileSet);
    }
    if (extension === '.xml' && isOpenVinoXml(head)) {
      const bin = fileSet.get(file.absolutePath.slice(0, -extension.length) + '.bin');
      return bin
        ? { format: 'openvino-ir', bytes: file.bytes + bin.bytes, companions: [bin.absolutePath] }
        : undefined;
    }
    if (isSafetensors(head, file.bytes)) return plain('safetensors');
    if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) {
      const format = await classifyTorchZip(handle, file.bytes);
      return format ? plain(format) : undefined;
    }
    if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) {
      const format = classifyPickle(head);
      return format ? plain(format) : undefined;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

// ---------- ONNX ----------

/**
 * Walks the top-level ModelProto fields from the start: ir_version (3..12) first, only
 * ModelProto field numbers with their wire types, lengths inside the file, until the graph
 * field. Reads a few bytes per field, so a long doc_string costs nothing.
 */
async function isOnnxModel(handle: FileHandle, fileBytes: number): Promise<boolean> {
  let offset = 0;
  for (let field = 0; field < 64 && offset < fileBytes; field++) {
    const bytes = await readAt(handle, offset, 20);
    const tag = readVarint(bytes, 0);
    if (!tag) return false;
    const fieldNumber = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (MODEL_PROTO_FIELDS.get(fieldNumber) !== wireType) return false;
    const value = readVarint(bytes, tag.next);
    if (!value) return false;
    if (field === 0 && (fieldNumber !== 1 || value.value < MIN_IR_VERSION || value.value > MAX_IR_VERSION)) {
      return false;
    }
    if (wireType === 0) {
      offset += value.next;
      continue;
    }
    const end = offset + value.next + value.value;
    if (end > fileBytes) return false;
    if (fieldNumber === MODEL_PROTO_GRAPH_FIELD) return value.value > 0;
    offset = end;
  }
  return false;
}

/** Adds the files named by external-data `location` entries, when the .onnx is small. */
async function classifyOnnx(
  handle: FileHandle,
  file: FileEntry,
  fileSet: Map<string, FileEntry>,
): Promise<Classified> {
  const companions = new Set<string>();
  if (file.bytes <= MAX_ONNX_SCAN_BYTES) {
    const model = await readAt(handle, 0, file.bytes);
    const modelDir = path.dirname(file.absolutePath);
    for (const location of externalDataLocations(model)) {
      const external = fileSet.get(path.join(modelDir, location));
      if (external && external.absolutePath !== file.absolutePath) companions.add(external.absolutePath);
    }
  }
  const externalBytes = [...companions].reduce((sum, p) => sum + (fileSet.get(p)?.bytes ?? 0), 0);
  return {
    format: companions.size > 0 ? 'onnx-external-data' : 'onnx',
    bytes: file.bytes + externalBytes,
    companions: [...companions],
  };
}

/** StringStringEntryProto { key: "location", value: <path> } encoded as 0a 08 "location" 12 len path. */
function externalDataLocations(model: Buffer): Set<string> {
  const marker = Buffer.from('\x0a\x08location\x12', 'latin1');
  const locations = new Set<string>();
  for (let at = model.indexOf(marker); at >= 0; at = model.indexOf(marker, at + 1)) {
    const length = readVarint(model, at + marker.length);
    if (!length || length.value === 0 || length.next + length.value > model.length) continue;
    locations.add(model.toString('utf8', length.next, length.next + length.value));
  }
  return locations;
}

// ---------- PyTorch zip archives (torch.save, torch.jit.save, torch.export.save) ----------

async function classifyTorchZip(handle: FileHandle, fileBytes: number): Promise<ModelFormat | undefined> {
  const entries = await readZipDirectory(handle, fileBytes);
  if (!entries) return undefined;
  const byRoot = new Map<string, Map<string, ZipEntry>>();
  for (const entry of entries) {
    const slash = entry.name.indexOf('/');
    const root = slash < 0 ? '' : entry.name.slice(0, slash);
    const rest = slash < 0 ? entry.name : entry.name.slice(slash + 1);
    if (!byRoot.has(root)) byRoot.set(root, new Map());
    byRoot.get(root)!.set(rest, entry);
  }
  const rootsWith = (test: (names: string[]) => boolean): Map<string, ZipEntry>[] =>
    [...byRoot.values()].filter((files) => test([...files.keys()]));

  const exported = (names: string[]): boolean =>
    names.includes('serialized_exported_program.json') ||
    (names.includes('archive_format') && names.some((n) => n.startsWith('models/')));
  if (rootsWith(exported).length > 0 || exported(entries.map((e) => e.name)))
    return 'pytorch-exported-program';

  const scripted = (names: string[]): boolean =>
    names.includes('constants.pkl') && names.some((n) => n.startsWith('code/'));
  if (rootsWith(scripted).length > 0) return 'torchscript';

  const [saved] = rootsWith((names) => names.includes('data.pkl'));
  if (!saved) return undefined;
  const pickleHead = await readZipEntryHead(handle, saved.get('data.pkl')!, HEAD_BYTES);
  return pickleHead && referencesTorchModule(pickleHead) ? 'pytorch-pickle' : 'pytorch-state-dict';
}

interface ZipEntry {
  name: string;
  method: number;
  compressedBytes: number;
  localHeaderOffset: number;
}

/** Central directory names (zip64 aware) from the end-of-central-directory record. */
async function readZipDirectory(handle: FileHandle, fileBytes: number): Promise<ZipEntry[] | undefined> {
  const tailBytes = Math.min(fileBytes, 22 + 0xffff);
  const tail = await readAt(handle, fileBytes - tailBytes, tailBytes);
  let eocd = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let directoryBytes = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (directoryOffset === 0xffffffff || directoryBytes === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return undefined;
    const zip64Offset = Number(tail.readBigUInt64LE(locator + 8));
    const zip64 = await readAt(handle, zip64Offset, 56);
    if (zip64.length < 56 || zip64.readUInt32LE(0) !== 0x06064b50) return undefined;
    directoryBytes = Number(zip64.readBigUInt64LE(40));
    directoryOffset = Number(zip64.readBigUInt64LE(48));
  }
  if (directoryBytes > MAX_ZIP_DIRECTORY_BYTES || directoryOffset + directoryBytes > fileBytes)
    return undefined;

  const directory = await readAt(handle, directoryOffset, directoryBytes);
  const entries: ZipEntry[] = [];
  for (let at = 0; at + 46 <= directory.length && directory.readUInt32LE(at) === 0x02014b50;) {
    const nameBytes = directory.readUInt16LE(at + 28);
    const extraBytes = directory.readUInt16LE(at + 30);
    const commentBytes = directory.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: directory.toString('utf8', at + 46, at + 46 + nameBytes),
      method: directory.readUInt16LE(at + 10),
      compressedBytes: directory.readUInt32LE(at + 20),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(
      entry,
      directory,
      at,
      directory.subarray(at + 46 + nameBytes, at + 46 + nameBytes + extraBytes),
    );
    entries.push(entry);
    at += 46 + nameBytes + extraBytes + commentBytes;
  }
  return entries;
}

/** Zip64 extra field (id 1): 64-bit sizes/offset, present only for fields set to 0xffffffff. */
function applyZip64Extra(entry: ZipEntry, directory: Buffer, at: number, extra: Buffer): void {
  for (let pos = 0; pos + 4 <= extra.length;) {
    const id = extra.readUInt16LE(pos);
    const size = extra.readUInt16LE(pos + 2);
    if (id === 1) {
      let field = pos + 4;
      const take = (): number => {
        const value = field + 8 <= extra.length ? Number(extra.readBigUInt64LE(field)) : 0;
        field += 8;
        return value;
      };
      if (directory.readUInt32LE(at + 24) === 0xffffffff) take(); // uncompressed size
      if (entry.compressedBytes === 0xffffffff) entry.compressedBytes = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
      return;
    }
    pos += 4 + size;
  }
}

/** The first `maxBytes` of an entry's contents (stored or deflated). */
async function readZipEntryHead(
  handle: FileHandle,
  entry: ZipEntry,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const local = await readAt(handle, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) return undefined;
  const dataOffset = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (entry.method === 0) return readAt(handle, dataOffset, Math.min(entry.compressedBytes, maxBytes));
  if (entry.method !== 8) return undefined;
  const compressed = await readAt(handle, dataOffset, Math.min(entry.compressedBytes, 16 * maxBytes));
  const chunks: Uint8Array[] = [];
  const inflate = new Inflate((chunk) => chunks.push(chunk));
  inflate.push(compressed, compressed.length === entry.compressedBytes);
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

// ---------- pickle, safetensors, OpenVINO IR ----------

/**
 * A pickle (protocol 2..5) that mentions torch in its first KB: a pickled nn.Module when it
 * references a torch.nn.modules class, else a state dict. Legacy (pre-1.6) torch.save files
 * start with a pickled magic number.
 */
function classifyPickle(head: Buffer): ModelFormat | undefined {
  const legacyTorch = head.subarray(2, 2 + LEGACY_TORCH_MAGIC.length).equals(LEGACY_TORCH_MAGIC);
  if (!legacyTorch && !head.includes('torch', 0, 'latin1')) return undefined;
  return referencesTorchModule(head) ? 'pytorch-pickle' : 'pytorch-state-dict';
}

function referencesTorchModule(pickleHead: Buffer): boolean {
  return pickleHead.includes('torch.nn.modules', 0, 'latin1');
}

/** 8-byte little-endian header length N (< 100 MB, inside the file), then a JSON object. */
function isSafetensors(head: Buffer, fileBytes: number): boolean {
  if (head.length < 10) return false;
  const headerBytes = head.readBigUInt64LE(0);
  return (
    headerBytes >= 2n &&
    headerBytes < BigInt(MAX_SAFETENSORS_HEADER_BYTES) &&
    8n + headerBytes <= BigInt(fileBytes) &&
    head[8] === 0x7b
  ); // '{'
}

/** `<net` as the root element, after an optional BOM, XML declaration, comments, whitespace. */
function isOpenVinoXml(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const prolog = /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/.exec(text)?.[0] ?? '';
  return /^<net[\s>]/.test(text.slice(prolog.length));
}

// ---------- bytes ----------

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}

/** Protobuf varint at `at` (values up to 2^53); undefined when truncated or too long. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8 && at + i < bytes.length; i++) {
    value += (bytes[at + i] & 0x7f) * 2 ** (7 * i);
    if ((bytes[at + i] & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}
