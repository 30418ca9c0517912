// How quantized weights are stored in the ONNX graph: ORT's MatMulNBits (MatMul/Gemm,
// 2/4/8 bits), standard block-wise DequantizeLinear (INT4/UINT4 at opset 21, INT2/UINT2 at
// 25), or bytes packed at any bit width unpacked by a subgraph of standard ops (any ONNX
// runtime, any opset; ORT folds it at load). Each writer adds initializers/nodes and returns
// the value name that now carries the float weight (DQ and unpack) or rewires the node.
//   const value = addBlockwiseDequantize(builder, weight, q);

import { onnx, type NodeProto, type TensorProto } from '../onnx/proto/index.js';
import { packSubByte } from '../onnx/tensor.js';
import { axisLayout, fromColumns, type BlockQuantized } from './blockwise.js';

/** Collects the nodes and initializers a rewrite adds. */
export interface GraphEdits {
  initializers: TensorProto[];
  /** Nodes to insert before the first consumer (they only read initializers). */
  nodes: NodeProto[];
  unique(base: string): string;
  /** Small constants every unpack subgraph shares, by key → initializer name. */
  sharedNames?: Map<string, string>;
}

/** One initializer per key for the whole model (unpack constants shared by every weight). */
function shared(edits: GraphEdits, key: string, make: (name: string) => TensorProto): string {
  edits.sharedNames ??= new Map();
  let name = edits.sharedNames.get(key);
  if (!name) {
    name = edits.unique(key);
    edits.initializers.push(make(name));
    edits.sharedNames.set(key, name);
  }
  return name;
}

function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function initializer(name: string, dataType: number, dims: number[], raw: Uint8Array): TensorProto {
  return new onnx.TensorProto({ name, dataType, dims, rawData: raw });
}

function floatInit(name: string, dims: number[], data: Float32Array): TensorProto {
  return initializer(
    name,
    1,
    dims,
    new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  );
}

function int64Init(name: string, values: number[]): TensorProto {
  return initializer(name, 7, [values.length], new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer));
}

function int32Init(name: string, dims: number[], values: number[]): TensorProto {
  return initializer(name, 6, dims, new Uint8Array(Int32Array.from(values).buffer));
}

/** Packs unsigned codes (each < 2^bits) into bytes, low bits first, as MatMulNBits and ONNX do. */
export function packCodes(codes: Uint8Array, bits: number): Uint8Array {
  if (bits === 8) return codes.slice();
  if (bits === 4 || bits === 2) return packSubByte(codes, bits);
  // Any width: a little-endian bit stream.
  const out = new Uint8Array(Math.ceil((codes.length * bits) / 8));
  let bit = 0;
  for (let i = 0; i < codes.length; i++, bit += bits) {
    const v = codes[i];
    for (let b = 0; b < bits; b++) if ((v >> b) & 1) out[(bit + b) >> 3] |= 1 << ((bit + b) & 7);
  }
  return out;
}

/**
 * Codes as [N, blocks, blockSize]: the codes themselves when K fills its blocks, else each
 * column's last block padded with that block's zero point (so padding dequantizes to 0).
 */
export function codesInFullBlocks(q: BlockQuantized): Uint8Array {
  const span = q.blocks * q.blockSize;
  if (q.K === span) return q.codes;
  const padded = new Uint8Array(q.N * span);
  for (let n = 0; n < q.N; n++) {
    padded.set(q.codes.subarray(n * q.K, (n + 1) * q.K), n * span);
    const zp = q.zeroPoints[n * q.blocks + q.blocks - 1];
    padded.fill(zp, n * span + q.K, (n + 1) * span);
  }
  return padded;
}

/**
 * MatMulNBits inputs for a K×N weight: B [N, blocks, blockSize·bits/8], scales [N·blocks]
 * (optionally multiplied by `scaleFactor`), zero points packed per column (asymmetric only).
 */
export function matMulNBitsInitializers(
  edits: GraphEdits,
  base: string,
  q: BlockQuantized,
  scaleFactor = 1,
): string[] {
  const blob = (q.blockSize * q.bits) / 8;
  const padded = codesInFullBlocks(q);
  const zpDefault = 1 << (q.bits - 1);
  const names = [edits.unique(`${base}_nbits`), edits.unique(`${base}_scales`)];
  edits.initializers.push(initializer(names[0], 2, [q.N, q.blocks, blob], packCodes(padded, q.bits)));
  const scales = scaleFactor === 1 ? q.scales : q.scales.map((s) => Math.fround(s * scaleFactor));
  edits.initializers.push(floatInit(names[1], [q.N * q.blocks], scales));
  if (!q.symmetric || q.zeroPoints.some((z) => z !== zpDefault)) {
    const perColumn = Math.ceil((q.blocks * q.bits) / 8);
    const zp = new Uint8Array(q.N * perColumn);
    for (let n = 0; n < q.N; n++) {
      const col = packCodes(q.zeroPoints.subarray(n * q.blocks, (n + 1) * q.blocks), q.bits);
      zp.set(col, n * perColumn);
    }
    names.push(edits.unique(`${base}_zero_points`));
    edits.initializers.push(initializer(names[2], 2, [q.N * perColumn], zp));
  }
  return names;
}

/** A MatMulNBits node computing A·W for the quantized W (K×N). */
export function matMulNBitsNode(
  name: string,
  a: string,
  inputs: string[],
  output: string,
  q: BlockQuantized,
): NodeProto {
  return new onnx.NodeProto({
    name,
    opType: 'MatMulNBits',
    domain: 'com.microsoft',
    input: [a, ...inputs],
    output: [output],
    attribute: [
      intAttr('K', q.K),
      intAttr('N', q.N),
      intAttr('bits', q.bits),
      intAttr('block_size', q.blockSize),
    ],
  });
}

const ONNX_INT4 = 22;
const ONNX_UINT4 = 21;
const ONNX_INT2 = 26;
const ONNX_UINT2 = 25;

/** Opset that block-wise DequantizeLinear needs for `bits` (4 → 21, 2 → 25); undefined if none. */
export function blockwiseDqOpset(bits: number): number | undefined {
  return bits === 4 ? 21 : bits === 2 ? 25 : undefined;
}

/**
 * Standard block-wise DequantizeLinear over the weight in its own layout (`dims`, blocks
 * along `axis`). Symmetric weights are stored signed with no zero point.
 */
export function addBlockwiseDequantize(
  edits: GraphEdits,
  base: string,
  q: BlockQuantized,
  dims: number[],
  axis: number,
  finalDims: number[] = dims,
): string {
  const { outer, inner } = axisLayout(dims, axis);
  const half = 1 << (q.bits - 1);
  const signed = q.symmetric && q.zeroPoints.every((z) => z === half);
  const codes = fromColumns(q.codes, dims, axis) as Uint8Array;
  const values = signed ? Int8Array.from(codes, (c) => c - half) : codes;
  const scaleDims = dims.slice();
  scaleDims[axis] = q.blocks;
  // Scales/zero points in the weight's layout: [...outer, blocks, ...inner].
  const scales = new Float32Array(outer * q.blocks * inner);
  const zps = new Uint8Array(outer * q.blocks * inner);
  for (let o = 0; o < outer; o++) {
    for (let b = 0; b < q.blocks; b++) {
      for (let i = 0; i < inner; i++) {
        const n = o * inner + i;
        scales[(o * q.blocks + b) * inner + i] = q.scales[n * q.blocks + b];
        zps[(o * q.blocks + b) * inner + i] = q.zeroPoints[n * q.blocks + b];
      }
    }
  }
  const dataType = q.bits === 4 ? (signed ? ONNX_INT4 : ONNX_UINT4) : signed ? ONNX_INT2 : ONNX_UINT2;
  const names = [edits.unique(`${base}_q${q.bits}`), edits.unique(`${base}_scale`)];
  edits.initializers.push(initializer(names[0], dataType, dims, packSubByte(values, q.bits as 2 | 4)));
  edits.initializers.push(floatInit(names[1], scaleDims, scales));
  if (!signed) {
    names.push(edits.unique(`${base}_zero_point`));
    edits.initializers.push(initializer(names[2], dataType, scaleDims, packSubByte(zps, q.bits as 2 | 4)));
  }
  const output = edits.unique(`${base}_dequantized`);
  edits.nodes.push(
    new onnx.NodeProto({
      name: edits.unique(`${base}_DequantizeLinear`),
      opType: 'DequantizeLinear',
      input: names,
      output: [output],
      attribute: [intAttr('axis', axis), intAttr('block_size', q.blockSize)],
    }),
  );
  if (finalDims.join() === dims.join()) return output;
  const shape = edits.unique(`${base}_weight_shape`);
  edits.initializers.push(int64Init(shape, finalDims));
  const reshaped = edits.unique(`${base}_reshaped`);
  edits.nodes.push(
    new onnx.NodeProto({
      name: edits.unique(`${base}_Reshape`),
      opType: 'Reshape',
      input: [output, shape],
      output: [reshaped],
    }),
  );
  return reshaped;
}

/** Codes per group and bytes per group for the packed layouts the unpack subgraph reads. */
const PACKED_GROUPS: Record<number, { codes: number; bytes: number }> = {
  2: { codes: 4, bytes: 1 },
  3: { codes: 8, bytes: 3 },
  4: { codes: 2, bytes: 1 },
  8: { codes: 1, bytes: 1 },
};

/**
 * Bytes packed at `q.bits` per code (2, 3, 4 or 8), unpacked by standard ops valid at
 * every opset ≥ 7 (Gather, Cast, Mul, Add, Div, Sub, Reshape, Transpose): a group of codes
 * in at most 3 bytes → one int32 → codes by integer division, then (code − zp)·scale per
 * block, then the weight's layout. Needs blockSize to be a multiple of 8.
 */
export function addPackedUnpack(
  edits: GraphEdits,
  base: string,
  q: BlockQuantized,
  dims: number[],
  axis: number,
  finalDims: number[] = dims,
): string {
  const { outer, inner } = axisLayout(dims, axis);
  const group = PACKED_GROUPS[q.bits];
  if (!group) throw new Error(`no packed layout for ${q.bits} bits`);
  const span = q.blocks * q.blockSize;
  const padded = codesInFullBlocks(q);
  const groups = padded.length / group.codes;
  const bytesPerGroup = group.bytes;
  const packed = packCodes(padded, q.bits);
  const n = (s: string): string => edits.unique(`${base}_${s}`);
  const packedName = n(`packed${q.bits}`);
  edits.initializers.push(initializer(packedName, 2, [groups, bytesPerGroup], packed));
  // Intermediate values get short names (they are folded away at load); the packed
  // initializer and the final value keep the weight's name.
  const prefix = edits.unique(`${base.length > 24 ? base.slice(-24) : base}/u`);
  let step = 0;
  const node = (opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = []): string => {
    const out = `${prefix}${step++}`;
    edits.nodes.push(new onnx.NodeProto({ opType, input: inputs, output: [out], attribute: attrs }));
    return out;
  };
  const asInt = node('Cast', [packedName], [intAttr('to', 6)]);
  // word = Σ byte_j · 256^j (at most 8 bytes → the bit widths we use stay below 2^31 for bits ≤ 3).
  let word = '';
  for (let j = 0; j < bytesPerGroup; j++) {
    const idx = shared(edits, `unpack_byte${j}_index`, (name) => int64Init(name, [j]));
    const col = node('Gather', [asInt, idx], [intAttr('axis', 1)]);
    let term = col;
    if (j > 0) {
      const f = shared(edits, `unpack_byte${j}_weight`, (name) => int32Init(name, [], [256 ** j]));
      term = node('Mul', [col, f]);
    }
    word = word ? node('Add', [word, term]) : term;
  }
  let codes = word;
  if (group.codes > 1) {
    const divisors = shared(edits, `unpack_divisors_${q.bits}bit`, (name) =>
      int32Init(
        name,
        [1, group.codes],
        Array.from({ length: group.codes }, (_, i) => (1 << q.bits) ** i),
      ),
    );
    const radix = shared(edits, `unpack_radix_${q.bits}bit`, (name) => int32Init(name, [], [1 << q.bits]));
    const shifted = node('Div', [word, divisors]); // [groups, 1] / [1, codes] → [groups, codes]
    const high = node('Mul', [node('Div', [shifted, radix]), radix]);
    codes = node('Sub', [shifted, high]);
  }
  const shape3 = n('block_shape');
  edits.initializers.push(int64Init(shape3, [q.N, q.blocks, q.blockSize]));
  const blocks = node('Reshape', [node('Cast', [codes], [intAttr('to', 1)]), shape3]);
  const zpBytes = n('zero_points');
  edits.initializers.push(initializer(zpBytes, 2, [q.N, q.blocks, 1], q.zeroPoints.slice()));
  const zpName = node('Cast', [zpBytes], [intAttr('to', 1)]);
  const scaleName = n('scales');
  edits.initializers.push(floatInit(scaleName, [q.N, q.blocks, 1], q.scales));
  const values = node('Mul', [node('Sub', [blocks, zpName]), scaleName]);
  const flatShape = n('column_shape');
  edits.initializers.push(int64Init(flatShape, [outer, inner, span]));
  let columns = node('Reshape', [values, flatShape]);
  if (span !== q.K) {
    const keep = n('keep_k');
    edits.initializers.push(
      int64Init(
        keep,
        Array.from({ length: q.K }, (_, i) => i),
      ),
    );
    columns = node('Gather', [columns, keep], [intAttr('axis', 2)]);
  }
  const layout = node(
    'Transpose',
    [columns],
    [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }],
  );
  const finalShape = n('weight_shape');
  edits.initializers.push(int64Init(finalShape, finalDims));
  return node('Reshape', [layout, finalShape]);
}

/** A weight kept as float16 storage with a Cast back to float32 in the graph. */
export function addFloat16Weight(edits: GraphEdits, base: string, bits: Uint16Array, dims: number[]): string {
  const name = edits.unique(`${base}_fp16`);
  edits.initializers.push(
    initializer(name, 10, dims, new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength).slice()),
  );
  const out = edits.unique(`${base}_fp32`);
  edits.nodes.push(
    new onnx.NodeProto({
      name: edits.unique(`${base}_Cast`),
      opType: 'Cast',
      input: [name],
      output: [out],
      attribute: [intAttr('to', 1)],
    }),
  );
  return out;
}
