// Seeded mutants of ONNX models for the fuzz test and bench/fuzz.mjs: byte-level damage
// (bit flips, insertions, deletions, truncation, inflated length prefixes and varints,
// wrong wire types, duplicated fields) and semantic damage made through our proto (huge or
// negative dims, hostile external-data locations/offsets/lengths, duplicate value names,
// cycles, deep subgraph nesting, control characters and path separators in names, bad
// dtypes, opsets and attributes). Mutant `index` of `seed` is the same on every run.
//   const m = makeMutant({ name: 'tiny.onnx', bytes }, 1, 17); // m.kind, m.bytes, m.siblings

import Long from 'long';
import { SeededRandom } from '../verify/random.js';
import { onnx } from './proto/index.js';

export interface FuzzSource {
  name: string;
  bytes: Uint8Array;
  /** Files beside the model (external data), by relative name. */
  siblings?: Record<string, Uint8Array>;
}

export interface Mutant {
  source: string;
  kind: string;
  /** What exactly was changed, for a failure message. */
  detail: string;
  bytes: Uint8Array;
  siblings: Record<string, Uint8Array>;
}

type Mutation = (m: MutationInput) => {
  bytes: Uint8Array;
  detail: string;
  siblings?: Record<string, Uint8Array>;
};

interface MutationInput {
  source: FuzzSource;
  rng: SeededRandom;
}

// ---- protobuf wire format -------------------------------------------------------------

interface FieldSpan {
  /** Offset of the tag varint. */
  tagAt: number;
  tagBytes: number;
  wire: number;
  /** Varint: offset/bytes of the value. LEN: offset/bytes of the length prefix. */
  valueAt: number;
  valueBytes: number;
  /** LEN only: payload offset and length. */
  payloadAt: number;
  payloadBytes: number;
  /** End of the whole field (tag + value). */
  end: number;
  /** Index of the enclosing LEN field in the span list; -1 at the top level. */
  parent: number;
}

function readVarint(
  bytes: Uint8Array,
  at: number,
  end: number,
): { value: bigint; bytes: number } | undefined {
  let value = 0n;
  for (let i = 0; i < 10 && at + i < end; i++) {
    const b = bytes[at + i];
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return { value, bytes: i + 1 };
  }
  return undefined;
}

function encodeVarint(value: bigint): Uint8Array {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Uint8Array.from(out);
}

/** Parses [start, end) as a message; pushes its fields (and nested ones) or returns false. */
function scanMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  parent: number,
  out: FieldSpan[],
): boolean {
  const found: Omit<FieldSpan, 'parent'>[] = [];
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at, end);
    if (!tag || tag.value === 0n) return false;
    const wire = Number(tag.value & 7n);
    const valueAt = at + tag.bytes;
    let span: Omit<FieldSpan, 'parent'>;
    if (wire === 0) {
      const v = readVarint(bytes, valueAt, end);
      if (!v) return false;
      span = {
        tagAt: at,
        tagBytes: tag.bytes,
        wire,
        valueAt,
        valueBytes: v.bytes,
        payloadAt: 0,
        payloadBytes: 0,
        end: valueAt + v.bytes,
      };
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (valueAt + n > end) return false;
      span = {
        tagAt: at,
        tagBytes: tag.bytes,
        wire,
        valueAt,
        valueBytes: n,
        payloadAt: 0,
        payloadBytes: 0,
        end: valueAt + n,
      };
    } else if (wire === 2) {
      const len = readVarint(bytes, valueAt, end);
      if (!len || len.value > BigInt(end - valueAt - len.bytes)) return false;
      const payloadAt = valueAt + len.bytes;
      const payloadBytes = Number(len.value);
      span = {
        tagAt: at,
        tagBytes: tag.bytes,
        wire,
        valueAt,
        valueBytes: len.bytes,
        payloadAt,
        payloadBytes,
        end: payloadAt + payloadBytes,
      };
    } else {
      return false;
    }
    found.push(span);
    at = span.end;
  }
  const base = out.length;
  out.push(...found.map((f) => ({ ...f, parent })));
  if (depth < 40) {
    found.forEach((f, k) => {
      if (f.wire === 2 && f.payloadBytes > 0)
        scanMessage(bytes, f.payloadAt, f.payloadAt + f.payloadBytes, depth + 1, base + k, out);
    });
  }
  return true;
}

const scanned = new WeakMap<Uint8Array, FieldSpan[]>();
function fieldsOf(bytes: Uint8Array): FieldSpan[] {
  let spans = scanned.get(bytes);
  if (!spans) {
    spans = [];
    scanMessage(bytes, 0, bytes.length, 0, -1, spans);
    scanned.set(bytes, spans);
  }
  return spans;
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/**
 * Replaces [at, at + remove) and rewrites the length prefix of the LEN field `frame` (the
 * innermost one holding the change; -1: none) and of every field enclosing it, so the
 * damage stays local and a decoder reaches it.
 */
function spliceKeepingFrames(
  bytes: Uint8Array,
  spans: readonly FieldSpan[],
  frame: number,
  at: number,
  remove: number,
  insert: Uint8Array,
): Uint8Array {
  const edits: { at: number; remove: number; insert: Uint8Array }[] = [{ at, remove, insert }];
  let delta = insert.length - remove;
  for (let p = frame; p >= 0 && delta !== 0; p = spans[p].parent) {
    const enclosing = spans[p];
    const prefix = encodeVarint(BigInt(enclosing.payloadBytes + delta));
    edits.push({ at: enclosing.valueAt, remove: enclosing.valueBytes, insert: prefix });
    delta += prefix.length - enclosing.valueBytes;
  }
  // Frames enclose the change, so their prefixes come before it: apply from the end backwards.
  let out = bytes;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = splice(out, e.at, e.remove, e.insert);
  return out;
}

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(0, items.length)];
}

/** Values that break parsers and size computations. */
const HOSTILE_VARINTS: readonly bigint[] = [
  0n,
  1n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n + 1n,
  2n ** 62n,
  2n ** 63n - 1n,
  -1n,
  -(2n ** 40n),
];

// ---- byte-level mutations -------------------------------------------------------------

const bitFlip: Mutation = ({ source, rng }) => {
  const bytes = new Uint8Array(source.bytes); // a copy (Buffer#slice would be a view of the source)
  const flips = rng.int(1, 9);
  const at: number[] = [];
  for (let i = 0; i < flips; i++) {
    const pos = rng.int(0, bytes.length);
    bytes[pos] ^= 1 << rng.int(0, 8);
    at.push(pos);
  }
  return { bytes, detail: `flipped bits at ${at.join(',')}` };
};

const insertBytes: Mutation = ({ source, rng }) => {
  const at = rng.int(0, source.bytes.length + 1);
  const insert = Uint8Array.from({ length: rng.int(1, 17) }, () => rng.int(0, 256));
  return { bytes: splice(source.bytes, at, 0, insert), detail: `inserted ${insert.length} bytes at ${at}` };
};

const deleteBytes: Mutation = ({ source, rng }) => {
  const at = rng.int(0, source.bytes.length);
  const remove = Math.min(rng.int(1, 17), source.bytes.length - at);
  return {
    bytes: splice(source.bytes, at, remove, new Uint8Array(0)),
    detail: `deleted ${remove} bytes at ${at}`,
  };
};

const truncate: Mutation = ({ source, rng }) => {
  const at = rng.int(0, source.bytes.length);
  return { bytes: new Uint8Array(source.bytes.subarray(0, at)), detail: `truncated to ${at} bytes` };
};

/** Replaces a length prefix with a larger (or absurd) one. */
const inflateLength: Mutation = ({ source, rng }) => {
  const spans = fieldsOf(source.bytes).filter((f) => f.wire === 2);
  if (spans.length === 0) return truncate({ source, rng });
  const f = pick(rng, spans);
  const value = pick(rng, [
    BigInt(f.payloadBytes + 1),
    BigInt(f.payloadBytes + rng.int(2, 5000)),
    BigInt(source.bytes.length) * 2n,
    ...HOSTILE_VARINTS,
  ]);
  return {
    bytes: splice(source.bytes, f.valueAt, f.valueBytes, encodeVarint(value)),
    detail: `length prefix at ${f.valueAt} (${f.payloadBytes}) set to ${value}`,
  };
};

/**
 * Replaces a varint value (dims, dim_value, data_type, ir_version, attribute ints, …),
 * mostly with the enclosing lengths fixed so the file still decodes and the value is used.
 */
const inflateVarint: Mutation = ({ source, rng }) => {
  const all = fieldsOf(source.bytes);
  const varints = all.map((f, i) => i).filter((i) => all[i].wire === 0);
  if (varints.length === 0) return bitFlip({ source, rng });
  const i = pick(rng, varints);
  const f = all[i];
  const value = pick(rng, HOSTILE_VARINTS);
  const keepFrames = rng.next() < 0.75;
  const bytes = keepFrames
    ? spliceKeepingFrames(source.bytes, all, f.parent, f.valueAt, f.valueBytes, encodeVarint(value))
    : splice(source.bytes, f.valueAt, f.valueBytes, encodeVarint(value));
  return {
    bytes,
    detail: `varint at ${f.valueAt} set to ${value}${keepFrames ? ' (lengths kept consistent)' : ''}`,
  };
};

/** Inserts random bytes inside a string or bytes field with its length and every enclosing one fixed. */
const growField: Mutation = ({ source, rng }) => {
  const all = fieldsOf(source.bytes);
  const fields = all.map((f, i) => i).filter((i) => all[i].wire === 2);
  if (fields.length === 0) return insertBytes({ source, rng });
  const i = pick(rng, fields);
  const f = all[i];
  // Mostly letters, so a name stays valid UTF-8 and only changes; else any bytes.
  const ascii = rng.next() < 0.7;
  const insert = Uint8Array.from({ length: rng.int(1, 9) }, () =>
    ascii ? rng.int(0x61, 0x7b) : rng.int(0, 256),
  );
  const at = f.payloadAt + rng.int(0, f.payloadBytes + 1);
  return {
    bytes: spliceKeepingFrames(source.bytes, all, i, at, 0, insert),
    detail: `${insert.length} bytes inserted at ${at} in the field at ${f.tagAt}`,
  };
};

/** Rewrites a tag with another wire type (including the group and invalid ones). */
const wrongWireType: Mutation = ({ source, rng }) => {
  const spans = fieldsOf(source.bytes);
  if (spans.length === 0) return bitFlip({ source, rng });
  const f = pick(rng, spans);
  const tag = readVarint(source.bytes, f.tagAt, f.tagAt + f.tagBytes)!.value;
  let wire = rng.int(0, 8);
  if (wire === f.wire) wire = (wire + 1) % 8;
  const newTag = (tag & ~7n) | BigInt(wire);
  return {
    bytes: splice(source.bytes, f.tagAt, f.tagBytes, encodeVarint(newTag)),
    detail: `tag at ${f.tagAt} wire type ${f.wire} → ${wire}`,
  };
};

/** Repeats a whole field right after itself (a second node, initializer, dim, graph …). */
const duplicateField: Mutation = ({ source, rng }) => {
  const spans = fieldsOf(source.bytes).filter((f) => f.end - f.tagAt < 1 << 20);
  if (spans.length === 0) return bitFlip({ source, rng });
  const f = pick(rng, spans);
  const copy = new Uint8Array(source.bytes.subarray(f.tagAt, f.end));
  return {
    bytes: splice(source.bytes, f.end, 0, copy),
    detail: `field at ${f.tagAt} (${copy.length} bytes) repeated`,
  };
};

// ---- semantic mutations (through the proto) --------------------------------------------

function decode(source: FuzzSource): onnx.ModelProto {
  return onnx.ModelProto.decode(source.bytes);
}

function encode(model: onnx.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The main graph with its repeated fields typed as the concrete classes decode() makes. */
function mainGraph(model: onnx.ModelProto): {
  node: onnx.NodeProto[];
  initializer: onnx.TensorProto[];
  input: onnx.ValueInfoProto[];
  output: onnx.ValueInfoProto[];
  valueInfo: onnx.ValueInfoProto[];
  sparseInitializer: onnx.SparseTensorProto[];
  name: string;
} {
  return model.graph as never;
}

const bigLong = (v: bigint): Long => Long.fromString(BigInt.asIntN(64, v).toString(), false);

const HOSTILE_DIMS: readonly (readonly bigint[])[] = [
  [2n ** 40n, 2n ** 40n],
  [2n ** 53n + 1n],
  [2n ** 62n, 4n],
  [-1n],
  [-(2n ** 63n)],
  [2n ** 31n, 2n ** 31n],
  [2n ** 20n, 2n ** 20n],
  [2n ** 16n, 2n ** 16n, 2n ** 16n, 2n ** 16n],
  [0n, 2n ** 62n],
  [3n, 5n],
];

const hugeTensorDims: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const tensors = [
    ...g.initializer,
    ...g.node
      .filter((n) => n.opType === 'Constant')
      .flatMap((n) => n.attribute.map((a) => a.t).filter(Boolean)),
  ] as onnx.TensorProto[];
  if (tensors.length === 0) return hugeInputDims({ source, rng });
  const t = pick(rng, tensors);
  const dims = pick(rng, HOSTILE_DIMS);
  t.dims = dims.map(bigLong);
  return { bytes: encode(model), detail: `tensor "${t.name}" dims [${dims.join(', ')}]` };
};

const hugeInputDims: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const values = [...g.input, ...g.output, ...g.valueInfo];
  const v = pick(rng, values);
  const shape = v.type?.tensorType?.shape;
  const dims = pick(rng, HOSTILE_DIMS);
  if (shape) shape.dim = dims.map((d) => new onnx.TensorShapeProto.Dimension({ dimValue: bigLong(d) }));
  return { bytes: encode(model), detail: `value "${v.name}" dims [${dims.join(', ')}]` };
};

const EXTERNAL_LOCATIONS = [
  'w.bin',
  '../w.bin',
  '/etc/hostname',
  'sub/../w.bin',
  './w.bin',
  'w.bin\n::error::forged',
  'C:\\w.bin',
  '\\\\server\\share\\w.bin',
  '',
  '.',
  'missing.bin',
  'w.bin\u0000.txt',
  'link.bin',
];
const EXTERNAL_NUMBERS = [
  '0',
  '-1',
  '18446744073709551615',
  '9007199254740993',
  '1e3',
  ' 1',
  '0x10',
  '64',
  '4096',
  'NaN',
  '',
];

const externalData: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const siblings: Record<string, Uint8Array> = { ...(source.siblings ?? {}) };
  siblings['w.bin'] = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
  const external = g.initializer.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
  const pool = external.length > 0 && rng.next() < 0.7 ? external : g.initializer;
  if (pool.length === 0) return hugeInputDims({ source, rng });
  const t = pick(rng, pool);
  const entries: [string, string][] = [];
  const location = pick(rng, EXTERNAL_LOCATIONS);
  const known = new Map(t.externalData.map((e) => [e.key ?? '', e.value ?? '']));
  entries.push(['location', rng.next() < 0.5 && known.has('location') ? known.get('location')! : location]);
  const mode = rng.int(0, 3);
  if (mode !== 0) entries.push(['offset', pick(rng, EXTERNAL_NUMBERS)]);
  if (mode !== 1)
    entries.push([
      'length',
      rng.next() < 0.3 ? String(t.rawData.length + rng.int(-8, 9)) : pick(rng, EXTERNAL_NUMBERS),
    ]);
  if (rng.next() < 0.2) entries.push(['checksum', 'x'], ['location', 'second.bin']);
  t.externalData = entries.map(([key, value]) => new onnx.StringStringEntryProto({ key, value }));
  t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.rawData = new Uint8Array(0);
  return {
    bytes: encode(model),
    siblings,
    detail: `tensor "${t.name}" external ${JSON.stringify(entries)}`,
  };
};

const duplicateNames: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const nodes = g.node.filter((n) => n.output.length > 0);
  const choice = rng.int(0, 5);
  if (choice === 0 && nodes.length >= 2) {
    const [a, b] = [pick(rng, nodes), pick(rng, nodes)];
    b.output[0] = a.output[0];
    return {
      bytes: encode(model),
      detail: `nodes "${a.name}" and "${b.name}" both produce "${a.output[0]}"`,
    };
  }
  if (choice === 1 && nodes.length > 0 && g.initializer.length > 0) {
    const n = pick(rng, nodes);
    n.output[0] = pick(rng, g.initializer).name;
    return { bytes: encode(model), detail: `node "${n.name}" produces initializer "${n.output[0]}"` };
  }
  if (choice === 2 && nodes.length > 0 && g.input.length > 0) {
    const n = pick(rng, nodes);
    n.output[0] = pick(rng, g.input).name;
    return { bytes: encode(model), detail: `node "${n.name}" produces graph input "${n.output[0]}"` };
  }
  if (choice === 3 && g.initializer.length > 0) {
    g.initializer.push(onnx.TensorProto.decode(onnx.TensorProto.encode(pick(rng, g.initializer)).finish()));
    return { bytes: encode(model), detail: 'an initializer repeated' };
  }
  g.input.push(onnx.ValueInfoProto.decode(onnx.ValueInfoProto.encode(pick(rng, g.input)).finish()));
  g.output.push(onnx.ValueInfoProto.decode(onnx.ValueInfoProto.encode(pick(rng, g.output)).finish()));
  return { bytes: encode(model), detail: 'a graph input and a graph output repeated' };
};

const cycle: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const nodes = mainGraph(model).node.filter((n) => n.input.length > 0 && n.output.length > 0);
  if (nodes.length === 0) return duplicateNames({ source, rng });
  const i = rng.int(0, nodes.length);
  const j = rng.int(i, nodes.length);
  nodes[i].input[rng.int(0, nodes[i].input.length)] = nodes[j].output[0];
  return { bytes: encode(model), detail: `node ${i} reads the output of node ${j}` };
};

/** Bytes of a tag and a length prefix for a length-delimited field of `payloadBytes`. */
function lenHeader(field: number, payloadBytes: number): Uint8Array {
  return Uint8Array.from([...encodeVarint(BigInt((field << 3) | 2)), ...encodeVarint(BigInt(payloadBytes))]);
}

function lenField(field: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...lenHeader(field, payload.length), ...payload]);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * The source model with one more node in its main graph: an If whose then_branch nests
 * `depth` levels of If. Built bytes-first in linear time (sizes from the inside out, then
 * the prefixes outside-in), with no recursion, so any depth can be made.
 */
export function deeplyNestedModel(source: FuzzSource, depth: number): Uint8Array {
  const model = decode(source);
  const g = mainGraph(model);
  const cond = g.input[0]?.name ?? 'cond';
  const leaf = lenField(2, text('leaf')); // GraphProto.name
  // Level k: GraphProto { node { input, output, op_type, attribute { name, type, g: level k+1 } }, name }
  const prefixes: Uint8Array[] = [];
  const suffixes: Uint8Array[] = [];
  let inner = leaf.length;
  for (let level = depth; level >= 1; level--) {
    const attrHead = concat([
      lenField(1, text('then_branch')),
      Uint8Array.from([0xa0, 0x01, 0x05]),
      lenHeader(6, inner),
    ]);
    const attrBytes = attrHead.length + inner;
    const nodeHead = concat([
      lenField(1, text(cond)),
      lenField(2, text(`nest_${level}`)),
      lenField(4, text('If')),
      lenHeader(5, attrBytes),
    ]);
    const nodeBytes = nodeHead.length + attrBytes;
    const suffix = lenField(2, text(`level_${level}`));
    const graphHead = lenHeader(1, nodeBytes);
    prefixes.push(concat([graphHead, nodeHead, attrHead]));
    suffixes.push(suffix);
    inner = graphHead.length + nodeBytes + suffix.length;
  }
  prefixes.reverse(); // outermost (level 1) first
  const nested = concat([...prefixes, leaf, ...suffixes]); // suffixes were pushed innermost first
  // The source graph plus level 1's fields; a later ModelProto.graph field replaces the first.
  const outer = concat([onnx.GraphProto.encode(model.graph!).finish(), nested]);
  model.graph = null;
  return concat([encode(model), lenHeader(7, outer.length), outer]);
}

const deepNesting: Mutation = ({ source, rng }) => {
  const depth = pick(rng, [2, 63, 64, 65, 100, 1000, 5000, 20000]);
  return { bytes: deeplyNestedModel(source, depth), detail: `If nested ${depth} levels deep` };
};

const HOSTILE_NAMES = [
  'a\n::error::forged annotation',
  '::set-output name=passed::true',
  '\n::add-mask::x',
  'x\r\n::warning::y',
  '\u001b[2J\u001b[31mred',
  '\u001b]0;title\u0007',
  '../../../../tmp/model-convert-escape',
  '/etc/passwd',
  'C:\\Windows\\evil',
  'a\u0000b',
  '\u202egnp.exe',
  'line\u2028sep',
  'x'.repeat(20000),
  '',
  ' ',
  'report.json',
  '..',
];

/** Renames a value everywhere it appears (or only where it is produced), or a node/graph/model field. */
const hostileNames: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const name = pick(rng, HOSTILE_NAMES);
  const what = rng.int(0, 5);
  if (what === 0 && g.node.length > 0) {
    const n = pick(rng, g.node);
    const old = n.output[0];
    if (old) {
      for (const m of g.node) m.input = m.input.map((i) => (i === old ? name : i));
      for (const o of g.output) if (o.name === old) o.name = name;
      n.output[0] = name;
    }
    return { bytes: encode(model), detail: `value "${old}" renamed ${JSON.stringify(name)}` };
  }
  if (what === 1 && g.input.length > 0) {
    const v = pick(rng, g.input);
    const old = v.name;
    for (const m of g.node) m.input = m.input.map((i) => (i === old ? name : i));
    v.name = name;
    return { bytes: encode(model), detail: `input "${old}" renamed ${JSON.stringify(name)}` };
  }
  if (what === 2 && g.output.length > 0) {
    const v = pick(rng, g.output);
    v.name = name; // now names nothing the graph produces
    return { bytes: encode(model), detail: `output renamed ${JSON.stringify(name)}` };
  }
  if (what === 3 && g.node.length > 0) {
    const n = pick(rng, g.node);
    n.name = name;
    if (rng.next() < 0.5) n.opType = name;
    return { bytes: encode(model), detail: `node renamed ${JSON.stringify(name)}` };
  }
  g.name = name;
  model.producerName = name;
  model.domain = name;
  if (model.opsetImport.length > 0 && rng.next() < 0.5) model.opsetImport[0].domain = name;
  return { bytes: encode(model), detail: `graph/producer/domain ${JSON.stringify(name)}` };
};

const badDtypes: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const code = pick(rng, [0, 8, 16, 17, 21, 22, 23, 25, 26, 99, -1, 2 ** 31 - 1]);
  if (g.initializer.length > 0 && rng.next() < 0.6) {
    const t = pick(rng, g.initializer);
    t.dataType = code;
    return { bytes: encode(model), detail: `tensor "${t.name}" data_type ${code}` };
  }
  const v = pick(rng, [...g.input, ...g.output]);
  if (v.type?.tensorType) v.type.tensorType.elemType = code;
  return { bytes: encode(model), detail: `value "${v.name}" elem_type ${code}` };
};

const badOpsets: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const choice = rng.int(0, 4);
  if (choice === 0) model.opsetImport = [];
  else if (choice === 1) model.irVersion = bigLong(pick(rng, [0n, -1n, 2n ** 40n, 3n, 65n]));
  else {
    for (const o of model.opsetImport)
      o.version = bigLong(pick(rng, [0n, -1n, 1n, 10000n, 2n ** 40n, 2n ** 63n - 1n]));
    if (choice === 3)
      model.opsetImport.push(model.opsetImport[0] ?? new onnx.OperatorSetIdProto({ version: 13 }));
  }
  return {
    bytes: encode(model),
    detail: `opsets ${JSON.stringify(model.opsetImport)} ir ${String(model.irVersion)}`,
  };
};

/** Attribute values out of range, of the wrong type, or missing. */
const badAttributes: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const attrs = mainGraph(model).node.flatMap((n) => n.attribute);
  if (attrs.length === 0) return badOpsets({ source, rng });
  const a = pick(rng, attrs) as onnx.AttributeProto;
  const choice = rng.int(0, 4);
  if (choice === 0) a.i = bigLong(pick(rng, HOSTILE_VARINTS));
  else if (choice === 1) a.ints = [bigLong(2n ** 62n), bigLong(-(2n ** 62n)), Long.fromInt(0)];
  else if (choice === 2)
    a.type = pick(rng, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 99]) as onnx.AttributeProto.AttributeType;
  else a.f = pick(rng, [NaN, Infinity, -Infinity, 1e38]);
  return { bytes: encode(model), detail: `attribute "${a.name}" choice ${choice}` };
};

/** Typed-field tensors whose value count disagrees with their dims; removed values and nodes. */
const typedFields: Mutation = ({ source, rng }) => {
  const model = decode(source);
  const g = mainGraph(model);
  const choice = rng.int(0, 4);
  if (choice === 0 && g.initializer.length > 0) {
    const t = pick(rng, g.initializer);
    t.rawData = new Uint8Array(0);
    t.floatData = [1, 2, 3];
    t.dataType = 1;
    t.dims = [bigLong(pick(rng, [2n ** 40n, 2n ** 26n, 4n, 0n]))];
    return {
      bytes: encode(model),
      detail: `tensor "${t.name}" 3 float_data values for dims ${String(t.dims[0])}`,
    };
  }
  if (choice === 1 && g.node.length > 0) {
    g.node.splice(rng.int(0, g.node.length), 1);
    return { bytes: encode(model), detail: 'a node removed' };
  }
  if (choice === 2 && g.initializer.length > 0) {
    g.initializer.splice(rng.int(0, g.initializer.length), 1);
    return { bytes: encode(model), detail: 'an initializer removed' };
  }
  const sparse = new onnx.SparseTensorProto({
    values: new onnx.TensorProto({ name: 'sparse', dataType: 1, dims: [Long.fromInt(2)], floatData: [1, 2] }),
    indices: new onnx.TensorProto({
      name: '',
      dataType: 7,
      dims: [Long.fromInt(2)],
      int64Data: [bigLong(2n ** 40n), Long.fromInt(-3)],
    }),
    dims: [bigLong(pick(rng, [4n, 2n ** 40n, -1n]))],
  });
  g.sparseInitializer.push(sparse);
  return { bytes: encode(model), detail: 'a sparse initializer with indices out of range' };
};

/** Every mutation kind, in the order mutants cycle through them. */
export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  'bit-flip': bitFlip,
  'insert-bytes': insertBytes,
  'delete-bytes': deleteBytes,
  truncate,
  'inflate-length': inflateLength,
  'inflate-varint': inflateVarint,
  'grow-field': growField,
  'wrong-wire-type': wrongWireType,
  'duplicate-field': duplicateField,
  'huge-tensor-dims': hugeTensorDims,
  'huge-input-dims': hugeInputDims,
  'external-data': externalData,
  'duplicate-names': duplicateNames,
  cycle,
  'deep-nesting': deepNesting,
  'hostile-names': hostileNames,
  'bad-dtypes': badDtypes,
  'bad-opsets': badOpsets,
  'bad-attributes': badAttributes,
  'typed-fields': typedFields,
};

const KINDS = Object.keys(MUTATIONS);

/** Mutant `index` of `seed` for `source`: the kind cycles with the index, the details come from the seed. */
export function makeMutant(
  source: FuzzSource,
  seed: number,
  index: number,
  kinds: readonly string[] = KINDS,
): Mutant {
  const kind = kinds[index % kinds.length];
  const rng = new SeededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  let made: ReturnType<Mutation>;
  try {
    made = MUTATIONS[kind]!({ source, rng });
  } catch (e) {
    // A mutation that does not apply to this source (no initializers, no inputs …).
    made = bitFlip({ source, rng });
    made.detail = `${kind} does not apply (${(e as Error).message}); ${made.detail}`;
  }
  return {
    source: source.name,
    kind,
    detail: made.detail,
    bytes: made.bytes,
    siblings: made.siblings ?? { ...(source.siblings ?? {}) },
  };
}
