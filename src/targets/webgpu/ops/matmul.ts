/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// MatMul, Gemm, com.microsoft::MatMulNBits and DequantizeLinear. One tiled kernel family:
// a workgroup of 8×8 threads computes a (8·rows)×32 output tile, each thread rows×4 outputs,
// staging K-slices of A and B in workgroup memory. B is read in whatever form the weight
// has on the GPU — f32, float16 pairs, int8/uint8 codes with per-channel or block scales
// (a DequantizeLinear feeding MatMul is not computed: MatMul reads the codes), or
// MatMulNBits' packed 2/4/8-bit blocks — and dequantized as the tile is staged, so no
// full-precision copy of a quantized weight exists in GPU memory.
//   matmulOps.MatMul[0].lower(g, [a, b], {}, 'MatMul_3')

import type { Dequantized, ElementType, GpuOpTable, GpuOpVersion, PlanContext, Value } from './types.js';
import {
  elementKernel,
  wgslBroadcastStrides,
  wgslFunctions,
  wgslGrid,
  wgslLiteral,
  wgslOffset,
  wgslPacked,
  wgslRead,
} from './wgsl.js';

interface MatmulPlan {
  label: string;
  M: number;
  N: number;
  K: number;
  /** Output batch dims (broadcast of A's and B's). */
  batch: number[];
  /** WGSL expression of A[m, k] (m, k, b: u32 in scope; b = batch index) and its inputs. */
  a: { expr: string; inputs: Value[]; packed: number[] };
  /**
   * `stage`: WGSL statements that fill the 32×32 tile Bs[k * 32 + n] for the K slice at k0 and
   * columns from col0 (li: this thread's index of 64), replacing the per-element loadB loop.
   */
  b: {
    expr: string;
    inputs: Value[];
    packed: number[];
    stage?: string;
    /**
     * `column`: for the small-M kernel, WGSL statements that walk column n over all k, calling
     * fma(k, v) (which returns the statements accumulating A[·, k] · v) for each B[k, n] = v.
     */
    column?: (fma: (k: string, v: string) => string) => string;
  };
  /** Epilogue: WGSL expression over `acc` (f32), m, n; extra inputs bound after A's and B's. */
  epilogue?: { expr: string; inputs: Value[] };
  outDims: number[];
}

/** Renumbers `xK` bindings in `expr` by `shift` (each operand's expression is written from x0). */
function shiftBindings(expr: string, shift: number): string {
  return expr.replace(/\bx(\d+)\b/g, (_, k: string) => `x${Number(k) + shift}`);
}

/** The tiled kernel for one plan. */
function matmulKernel(g: PlanContext, p: MatmulPlan): Value {
  const rows = p.M <= 8 ? 1 : p.M <= 16 ? 2 : 4;
  const TM = 8 * rows;
  const TN = 32;
  const TK = 32;
  const inputs: Value[] = [];
  const packed: number[] = [];
  const add = (part: { expr: string; inputs: Value[]; packed?: number[] }): string => {
    const shift = inputs.length;
    for (const k of part.packed ?? []) packed.push(k + shift);
    inputs.push(...part.inputs);
    return shiftBindings(part.expr, shift);
  };
  const aExpr = add(p.a);
  const bShift = inputs.length;
  const bExpr = add(p.b);
  const bStage = p.b.stage === undefined ? undefined : shiftBindings(p.b.stage, bShift);
  const epilogue = p.epilogue ? add(p.epilogue) : 'acc';
  const batchCount = p.batch.reduce((q, d) => q * d, 1);
  if (batchCount > 65535) g.fail(`a product over ${batchCount} batches is too large for one dispatch`);
  if (p.M <= 32) return matmulColumns(g, p, { inputs, packed, aExpr, bExpr, epilogue, bShift, batchCount });
  const lines: string[] = [];
  lines.push(`var<workgroup> As: array<f32, ${TM * TK}>;`);
  lines.push(`var<workgroup> Bs: array<f32, ${TK * TN}>;`);
  lines.push(`fn loadA(b: u32, m: u32, k: u32) -> f32 { return ${aExpr}; }`);
  lines.push(`fn loadB(b: u32, k: u32, n: u32) -> f32 { return ${bExpr}; }`);
  lines.push(`fn finish(acc: f32, b: u32, m: u32, n: u32) -> f32 { return ${epilogue}; }`);
  lines.push('@compute @workgroup_size(8, 8)');
  lines.push(
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {',
  );
  lines.push(`  let b = wid.z;`);
  lines.push(`  let row0 = wid.y * ${TM}u;`);
  lines.push(`  let col0 = wid.x * ${TN}u;`);
  for (let r = 0; r < rows; r++) for (let c = 0; c < 4; c++) lines.push(`  var acc${r}_${c} = 0.0;`);
  lines.push(`  for (var k0 = 0u; k0 < ${p.K}u; k0 = k0 + ${TK}u) {`);
  lines.push(`    for (var e = li; e < ${TM * TK}u; e = e + 64u) {`);
  lines.push(`      let m = row0 + e / ${TK}u; let k = k0 + e % ${TK}u;`);
  lines.push(`      var v = 0.0; if (m < ${p.M}u && k < ${p.K}u) { v = loadA(b, m, k); }`);
  lines.push('      As[e] = v;');
  lines.push('    }');
  if (bStage) lines.push(bStage);
  else {
    lines.push(`    for (var e = li; e < ${TK * TN}u; e = e + 64u) {`);
    lines.push(`      let k = k0 + e / ${TN}u; let n = col0 + e % ${TN}u;`);
    lines.push(`      var v = 0.0; if (k < ${p.K}u && n < ${p.N}u) { v = loadB(b, k, n); }`);
    lines.push('      Bs[e] = v;');
    lines.push('    }');
  }
  lines.push('    workgroupBarrier();');
  lines.push(`    for (var kk = 0u; kk < ${TK}u; kk = kk + 1u) {`);
  for (let r = 0; r < rows; r++)
    lines.push(`      let a${r} = As[(lid.y * ${rows}u + ${r}u) * ${TK}u + kk];`);
  lines.push(
    `      let bv = vec4f(Bs[kk * ${TN}u + lid.x * 4u], Bs[kk * ${TN}u + lid.x * 4u + 1u], Bs[kk * ${TN}u + lid.x * 4u + 2u], Bs[kk * ${TN}u + lid.x * 4u + 3u]);`,
  );
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < 4; c++) lines.push(`      acc${r}_${c} = fma(a${r}, bv[${c}], acc${r}_${c});`);
  lines.push('    }');
  lines.push('    workgroupBarrier();');
  lines.push('  }');
  for (let r = 0; r < rows; r++) {
    lines.push(`  { let m = row0 + lid.y * ${rows}u + ${r}u;`);
    lines.push(`    if (m < ${p.M}u) {`);
    for (let c = 0; c < 4; c++) {
      lines.push(`      { let n = col0 + lid.x * 4u + ${c}u;`);
      lines.push(
        `        if (n < ${p.N}u) { y0[(b * ${p.M}u + m) * ${p.N}u + n] = finish(acc${r}_${c}, b, m, n); } }`,
      );
    }
    lines.push('    }');
    lines.push('  }');
  }
  lines.push('}');
  const groupsX = Math.ceil(p.N / TN);
  const groupsY = Math.ceil(p.M / TM);
  if (groupsX > 65535 || groupsY > 65535 || batchCount > 65535)
    g.fail(
      `a ${p.M}×${p.K} by ${p.K}×${p.N} product over ${batchCount} batches is too large for one dispatch`,
    );
  return g.kernel({
    label: p.label,
    code: lines.join('\n'),
    inputs,
    packed,
    outputs: [{ dtype: 'float32', dims: p.outDims }],
    workgroups: [groupsX, groupsY, Math.max(1, batchCount)],
  })[0];
}

/**
 * The small-M kernel (M ≤ 32, e.g. a few tokens): one thread per output column and group
 * of up to 16 rows, walking K with no workgroup memory and no barriers; A's values are the
 * same for every thread of a workgroup (cache hits), B is read once per thread.
 */
function matmulColumns(
  g: PlanContext,
  p: MatmulPlan,
  c: {
    inputs: Value[];
    packed: number[];
    aExpr: string;
    bExpr: string;
    epilogue: string;
    bShift: number;
    batchCount: number;
  },
): Value {
  const R = Math.min(p.M, 16);
  const groupsY = Math.ceil(p.M / R);
  const fma = (k: string, v: string): string => {
    const out: string[] = [];
    for (let r = 0; r < R; r++) out.push(`acc${r} = fma(loadA(b, m0 + ${r}u, ${k}), ${v}, acc${r});`);
    return out.join(' ');
  };
  const column = p.b.column
    ? shiftBindings(p.b.column(fma), c.bShift)
    : `  for (var k = 0u; k < ${p.K}u; k = k + 1u) {\n    let v = loadB(b, k, n);\n    ${fma('k', 'v')}\n  }`;
  const lines: string[] = [
    `fn loadA(b: u32, m: u32, k: u32) -> f32 { return ${c.aExpr}; }`,
    `fn loadB(b: u32, k: u32, n: u32) -> f32 { return ${c.bExpr}; }`,
    `fn finish(acc: f32, b: u32, m: u32, n: u32) -> f32 { return ${c.epilogue}; }`,
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    `  let n = gid.x; let b = gid.z; let m0 = gid.y * ${R}u;`,
    `  if (n >= ${p.N}u) { return; }`,
  ];
  for (let r = 0; r < R; r++) lines.push(`  var acc${r} = 0.0;`);
  lines.push(column);
  for (let r = 0; r < R; r++)
    lines.push(
      `  if (m0 + ${r}u < ${p.M}u) { y0[(b * ${p.M}u + m0 + ${r}u) * ${p.N}u + n] = finish(acc${r}, b, m0 + ${r}u, n); }`,
    );
  lines.push('}');
  const groupsX = Math.ceil(p.N / 64);
  if (groupsX > 65535) g.fail(`a product with ${p.N} columns is too large for one dispatch`);
  return g.kernel({
    label: p.label,
    code: lines.join('\n'),
    inputs: c.inputs,
    packed: c.packed,
    outputs: [{ dtype: 'float32', dims: p.outDims }],
    workgroups: [groupsX, groupsY, Math.max(1, c.batchCount)],
  })[0];
}

/** How to read element (k, n) of a [K, N] (or [N, K] when `transposed`) weight-like operand, bound from x0. */
function operandB(
  g: PlanContext,
  v: Value,
  K: number,
  N: number,
  transposed: boolean,
  batchOffset: string,
): { expr: string; inputs: Value[]; packed: number[] } {
  const index = transposed ? `(${batchOffset} + n * ${K}u + k)` : `(${batchOffset} + k * ${N}u + n)`;
  const dq: Dequantized | undefined = v.dequantized;
  if (dq && !transposed && dq.codes.dims.length === 2) {
    const codes = dq.codes;
    const raw = codes.weight !== undefined && codes.layout === 'raw';
    // Channel of (k, n): per-axis (axis 1 → n, axis 0 → k) or per block along the axis.
    const axis = dq.axis < 0 ? dq.axis + 2 : dq.axis;
    const bs = dq.blockSize;
    const channel =
      bs > 0
        ? axis === 0
          ? `(k / ${bs}u) * ${N}u + n`
          : `k * ${Math.ceil(N / bs)}u + n / ${bs}u`
        : axis === 1
          ? 'n'
          : 'k';
    const scaleIsScalar = dq.scale.dims.reduce((q, d) => q * d, 1) === 1;
    const scaleIndex = scaleIsScalar ? '0u' : channel;
    const inputs: Value[] = [codes, dq.scale];
    const packed = raw ? [0] : [];
    let zero = '0.0';
    if (dq.zeroPoint) {
      const zp = dq.zeroPoint;
      const zpRaw = zp.weight !== undefined && zp.layout === 'raw';
      const zpScalar = zp.dims.reduce((q, d) => q * d, 1) === 1;
      zero = `f32(${wgslRead(zp, 'x2', zpScalar ? '0u' : scaleIndex)})`;
      if (zpRaw) packed.push(2);
      inputs.push(zp);
    }
    return {
      expr: `(f32(${wgslRead(codes, 'x0', `k * ${N}u + n`)}) - ${zero}) * x1[${scaleIndex}]`,
      inputs,
      packed,
    };
  }
  const layout = v.weight !== undefined ? v.layout : undefined;
  if (layout === 'f16')
    return { expr: `unpack2x16float(x0[${index} >> 1u])[${index} & 1u]`, inputs: [v], packed: [0] };
  return { expr: `x0[${index}]`, inputs: [v], packed: [] };
}

/** Dims of a MatMul's operands as [batch…, M, K] / [batch…, K, N] (ONNX's 1-D promotion). */
function matmulDims(g: PlanContext, a: number[], b: number[]) {
  const A = a.length === 1 ? [1, a[0]] : a;
  const B = b.length === 1 ? [b[0], 1] : b;
  const M = A[A.length - 2];
  const K = A[A.length - 1];
  const N = B[B.length - 1];
  if (B[B.length - 2] !== K) g.fail(`cannot multiply [${a.join(', ')}] by [${b.join(', ')}]`);
  const batch = g.broadcastDims(A.slice(0, -2), B.slice(0, -2));
  const out = [...batch];
  if (a.length > 1) out.push(M);
  if (b.length > 1) out.push(N);
  return { A, B, M, K, N, batch, out };
}

function lowerMatMul(g: PlanContext, x: Value[], _a: unknown, label: string): Value {
  const d = matmulDims(g, x[0].dims, x[1].dims);
  const batchOf = (dims: number[], perBatch: number) => {
    const strides = wgslBroadcastStrides(dims.slice(0, -2), d.batch).map((s) => s * perBatch);
    return d.batch.length === 0 ? '0u' : `(${wgslOffset(d.batch, strides, 'b')})`;
  };
  const aOff = batchOf(d.A, d.M * d.K);
  const bOff = batchOf(d.B, d.K * d.N);
  const b = operandB(g, x[1], d.K, d.N, false, bOff);
  // A third input is a bias row fused in at conversion (fuse-nodes.ts): added per column.
  const bias = x[2];
  if (bias && !(bias.dims.length === 1 && bias.dims[0] === d.N)) g.fail(`the fused bias must be [${d.N}]`);
  return matmulKernel(g, {
    label,
    M: d.M,
    N: d.N,
    K: d.K,
    batch: d.batch,
    a: { expr: `x0[${aOff} + m * ${d.K}u + k]`, inputs: [x[0]], packed: [] },
    b,
    epilogue: bias ? { expr: 'acc + x0[n]', inputs: [bias] } : undefined,
    outDims: d.out,
  });
}

type GemmAttrs = { alpha: number; beta: number; transA: number; transB: number };

function lowerGemm(g: PlanContext, x: Value[], a: GemmAttrs, label: string): Value {
  const [M, K] = a.transA ? [x[0].dims[1], x[0].dims[0]] : x[0].dims;
  const [K2, N] = a.transB ? [x[1].dims[1], x[1].dims[0]] : x[1].dims;
  if (K !== K2) g.fail(`cannot multiply [${x[0].dims.join(', ')}] by [${x[1].dims.join(', ')}]`);
  const aExpr = a.transA ? `x0[k * ${M}u + m]` : `x0[m * ${K}u + k]`;
  const b = operandB(g, x[1], K, N, a.transB === 1, '0u');
  const alpha = a.alpha === 1 ? '' : ` * ${wgslLiteral(a.alpha, 'f32')}`;
  let epilogue: MatmulPlan['epilogue'] = alpha ? { expr: `acc${alpha}`, inputs: [] } : undefined;
  const c = x[2];
  if (c !== undefined && a.beta !== 0) {
    g.broadcastDims([M, N], c.dims);
    const offset = wgslOffset([M, N], wgslBroadcastStrides(c.dims, [M, N]), `(m * ${N}u + n)`);
    const beta = a.beta === 1 ? '' : ` * ${wgslLiteral(a.beta, 'f32')}`;
    epilogue = { expr: `acc${alpha} + x0[${offset}]${beta}`, inputs: [c] };
  }
  return matmulKernel(g, {
    label,
    M,
    N,
    K,
    batch: [],
    a: { expr: aExpr, inputs: [x[0]], packed: [] },
    b,
    epilogue,
    outDims: [M, N],
  });
}

type NBitsAttrs = { K: number; N: number; bits: number; blockSize: number };

function lowerMatMulNBits(g: PlanContext, x: Value[], a: NBitsAttrs, label: string): Value {
  const { K, N, bits, blockSize } = a;
  const dims = x[0].dims;
  if (dims[dims.length - 1] !== K) g.fail(`the input's last dim is ${dims[dims.length - 1]}, K is ${K}`);
  const M = dims.slice(0, -1).reduce((p, q) => p * q, 1);
  const blocks = Math.ceil(K / blockSize);
  const blob = (blockSize * bits) / 8;
  const mask = (1 << bits) - 1;
  // Code of (k, n): row n, block k / bs, position k % bs; bits-wide fields, low bits first.
  const bitAt = `((n * ${blocks * blob}u + (k / ${blockSize}u) * ${blob}u) * 8u + (k % ${blockSize}u) * ${bits}u)`;
  const codesRaw = x[1].weight !== undefined && x[1].layout === 'raw';
  const code = codesRaw
    ? `f32((x0[${bitAt} >> 5u] >> (${bitAt} & 31u)) & ${mask}u)`
    : `f32((u32(x0[${bitAt} >> 3u]) >> (${bitAt} & 7u)) & ${mask}u)`;
  const scale = `x1[n * ${blocks}u + k / ${blockSize}u]`;
  const inputs: Value[] = [x[1], x[2]];
  const packed = codesRaw ? [0] : [];
  let zero = wgslLiteral(2 ** (bits - 1), 'f32');
  const zp = x[3];
  if (zp !== undefined) {
    inputs.push(zp);
    if (zp.dtype === 'uint8') {
      const perRow = Math.ceil((blocks * bits) / 8);
      const zbit = `((n * ${perRow}u) * 8u + (k / ${blockSize}u) * ${bits}u)`;
      const raw = zp.weight !== undefined && zp.layout === 'raw';
      if (raw) packed.push(2);
      zero = raw
        ? `f32((x2[${zbit} >> 5u] >> (${zbit} & 31u)) & ${mask}u)`
        : `f32((u32(x2[${zbit} >> 3u]) >> (${zbit} & 7u)) & ${mask}u)`;
    } else zero = `x2[n * ${blocks}u + k / ${blockSize}u]`;
  }
  const bias = x[5];
  // Whole words at a time when each word holds codes of one block and row/block starts are
  // word-aligned: one index computation, scale and zero point per word instead of per code.
  const perWord = 32 / bits;
  let stage: string | undefined;
  if (codesRaw && blob % 4 === 0 && blockSize % perWord === 0) {
    const wordsPerColumn = 32 / perWord;
    const wz = zero.replace(/\bk \/ /g, 'kb / ').replace(/\(k \/ /g, '(kb / ');
    const ws = scale.replace(/k \//g, 'kb /');
    const body: string[] = [];
    body.push(`    for (var e = li; e < ${32 * wordsPerColumn}u; e = e + 64u) {`);
    body.push(`      let c = e / ${wordsPerColumn}u; let w = e % ${wordsPerColumn}u;`);
    body.push(`      let n = col0 + c; let kb = k0 + w * ${perWord}u;`);
    body.push(`      var word = 0u; var s = 0.0; var z = 0.0;`);
    body.push(`      if (n < ${N}u && kb < ${K}u) {`);
    body.push(
      `        word = x0[n * ${(blocks * blob) / 4}u + (kb / ${blockSize}u) * ${blob / 4}u + (kb % ${blockSize}u) / ${perWord}u];`,
    );
    body.push(`        s = ${ws}; z = ${wz};`);
    body.push('      }');
    for (let j = 0; j < perWord; j++)
      body.push(
        `      Bs[(w * ${perWord}u + ${j}u) * 32u + c] = select(0.0, (f32((word >> ${j * bits}u) & ${mask}u) - z) * s, kb + ${j}u < ${K}u);`,
      );
    body.push('    }');
    stage = body.join('\n');
  }
  // Small M: column n's codes are contiguous along k, so a thread reads whole words.
  let column: ((fma: (k: string, v: string) => string) => string) | undefined;
  if (codesRaw && blob % 4 === 0 && blockSize % perWord === 0) {
    const wz = zero.replace(/\bk \/ /g, 'kb / ');
    const ws = scale.replace(/k \//g, 'kb /');
    column = (fma) => {
      const body: string[] = [];
      body.push(`  for (var blk = 0u; blk < ${blocks}u; blk = blk + 1u) {`);
      body.push(`    let kb = blk * ${blockSize}u;`);
      body.push(`    let s = ${ws}; let z = ${wz};`);
      body.push(`    for (var w = 0u; w < ${blob / 4}u; w = w + 1u) {`);
      body.push(`      let word = x0[n * ${(blocks * blob) / 4}u + blk * ${blob / 4}u + w];`);
      body.push(`      let k0 = kb + w * ${perWord}u;`);
      for (let j = 0; j < perWord; j++) {
        const v = `(f32((word >> ${j * bits}u) & ${mask}u) - z) * s`;
        const stmt = `{ let v = ${v}; ${fma(`k0 + ${j}u`, 'v')} }`;
        body.push(K % blockSize === 0 ? `      ${stmt}` : `      if (k0 + ${j}u < ${K}u) ${stmt}`);
      }
      body.push('    }');
      body.push('  }');
      return body.join('\n');
    };
  }
  return matmulKernel(g, {
    label,
    M,
    N,
    K,
    batch: [],
    a: { expr: `x0[m * ${K}u + k]`, inputs: [x[0]], packed: [] },
    b: { expr: `(${code} - ${zero}) * ${scale}`, inputs, packed, stage, column },
    epilogue: bias ? { expr: 'acc + x0[n]', inputs: [bias] } : undefined,
    outDims: [...dims.slice(0, -1), N],
  });
}

type DequantizeAttrs = { axis: number; blockSize: number };

/** DequantizeLinear as a kernel: y = (x - zero point) * scale, per tensor, axis or block. */
function dequantizeKernel(g: PlanContext, x: Value[], a: DequantizeAttrs, label: string): Value {
  const dims = x[0].dims;
  const count = dims.reduce((p, q) => p * q, 1);
  const axis = dims.length === 0 ? 0 : a.axis < 0 ? a.axis + dims.length : a.axis;
  const inner = dims.slice(axis + 1).reduce((p, q) => p * q, 1);
  const scaleCount = x[1].dims.reduce((p, q) => p * q, 1);
  const bs = a.blockSize;
  let channel = '0u';
  if (scaleCount > 1) {
    if (bs > 0) {
      // Scale dims equal the input's, except ceil(dims[axis] / bs) along axis.
      const sDims = dims.map((d, i) => (i === axis ? Math.ceil(d / bs) : d));
      const outer = `(i / ${dims[axis] * inner}u)`;
      const along = `((i / ${inner}u) % ${dims[axis]}u / ${bs}u)`;
      channel = `(${outer} * ${sDims[axis]}u + ${along}) * ${inner}u + i % ${inner}u`;
    } else channel = `(i / ${inner}u) % ${dims[axis]}u`;
  }
  const read = (v: Value, binding: string, idx: string) => `f32(${wgslRead(v, binding, idx)})`;
  const packed: number[] = [];
  if (x[0].weight !== undefined && x[0].layout === 'raw') packed.push(0);
  const inputs = [x[0], x[1]];
  let zero = '0.0';
  if (x[2] !== undefined) {
    inputs.push(x[2]);
    if (x[2].weight !== undefined && x[2].layout === 'raw') packed.push(2);
    zero = read(x[2], 'x2', channel);
  }
  const dtype: ElementType = x[1].dtype;
  return elementKernel(g, {
    label,
    inputs,
    packed,
    outputs: [{ dtype, dims }],
    count,
    body: [`y0[i] = (${read(x[0], 'x0', 'i')} - ${zero}) * x1[${channel}];`],
  })[0];
}

/**
 * DequantizeLinear of a constant weight is deferred: MatMul/Gemm/Gather read the codes
 * themselves (`dequantized`); any other consumer gets the kernel's result (`materialize`).
 */
function lowerDequantize(g: PlanContext, x: Value[], a: DequantizeAttrs, label: string): Value {
  const constant = (v: Value | undefined) => v === undefined || v.weight !== undefined || g.isHost(v);
  if (x[0].weight === undefined || !constant(x[1]) || !constant(x[2]))
    return dequantizeKernel(g, x, a, label);
  const dims = x[0].dims;
  return {
    dtype: x[1].dtype,
    dims,
    dequantized: {
      codes: x[0],
      scale: x[1],
      zeroPoint: x[2],
      axis: dims.length === 0 ? 0 : a.axis < 0 ? a.axis + dims.length : a.axis,
      blockSize: a.blockSize,
    },
    materialize: () => dequantizeKernel(g, x, a, label),
  };
}

const MATMUL_HELPERS = [
  matmulKernel,
  matmulColumns,
  shiftBindings,
  operandB,
  wgslBroadcastStrides,
  wgslOffset,
  wgslLiteral,
];

export const matmulOps: GpuOpTable = {
  MatMul: [
    {
      since: 1,
      lower: lowerMatMul as GpuOpVersion['lower'],
      packedInputs: [1],
      helpers: [...MATMUL_HELPERS, matmulDims],
    },
  ],
  Gemm: [
    {
      since: 7,
      attributes: (n) => ({
        alpha: n.float('alpha', 1),
        beta: n.float('beta', 1),
        transA: n.int('transA', 0),
        transB: n.int('transB', 0),
      }),
      lower: lowerGemm as GpuOpVersion['lower'],
      packedInputs: [1],
      helpers: MATMUL_HELPERS,
    },
  ],
  'com.microsoft::MatMulNBits': [
    {
      since: 1,
      attributes: (n) => {
        const bits = n.int('bits', 4);
        if (![2, 4, 8].includes(bits))
          return { unsupported: `uses ${bits}-bit codes; the webgpu target reads 2, 4 and 8` };
        if (n.inputs[4])
          return { unsupported: 'has a g_idx input (act-order), which the webgpu target does not read' };
        return { K: n.int('K', 0), N: n.int('N', 0), bits, blockSize: n.int('block_size', 32) };
      },
      lower: lowerMatMulNBits as GpuOpVersion['lower'],
      packedInputs: [1, 3],
      helpers: MATMUL_HELPERS,
    },
  ],
  DequantizeLinear: [
    {
      since: 10,
      attributes: (n) => ({ axis: n.int('axis', 1), blockSize: n.int('block_size', 0) }),
      lower: lowerDequantize as GpuOpVersion['lower'],
      packedInputs: [0, 2],
      helpers: [dequantizeKernel, elementKernel, wgslGrid, wgslFunctions, wgslRead, wgslPacked],
    },
  ],
};
