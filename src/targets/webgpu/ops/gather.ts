/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Indexing kernels: Gather (any axis, negative indices, host or GPU indices), GatherElements
// and GatherND (any batch_dims); a thread per output element. Gather reads its table in
// the weight's packed layout (float16 pairs, int8/uint8 bytes four per word) and, for a
// DequantizeLinear'd table, dequantizes just the rows it gathers: embedding tables stay
// compressed in GPU memory. Gather on host values (Shape → Gather) runs in JavaScript,
// with the webnn target's host evaluation.
//   gatherOps.Gather[0].lower(g, [table, ids], { axis: 0 }, 'Gather_1')

import { gatherOps as webnnGatherOps } from '../../webnn/ops/gather.js';
import type { GpuOpTable, GpuOpVersion, PlanContext, Value } from './types.js';
import {
  elementKernel,
  wgslFunctions,
  wgslGrid,
  wgslLiteral,
  wgslPacked,
  wgslRead,
  wgslStrides,
} from './wgsl.js';

type AxisAttrs = { axis: number };
type GatherNDAttrs = { batchDims: number };

/** WGSL statements making `k` (i32) index `index` taken into [0, size): negatives count from the end. */
function gatherIndex(k: string, index: string, size: number): string[] {
  return [`var ${k} = ${index};`, `${k} = clamp(select(${k}, ${k} + ${size}, ${k} < 0), 0, ${size - 1});`];
}

/**
 * The table element value at offset `e` for Gather: a plain or packed read, or for a
 * dequantized table (code - zeroPoint) * scale, with the scale/zero point index found from
 * e's coordinates. Binds what it reads into `inputs` / `packed`.
 */
function gatherTableRead(
  g: PlanContext,
  table: Value,
  inputs: Value[],
  packed: number[],
  lets: string[],
): string {
  const bind = (v: Value): string => {
    if (wgslPacked(v)) packed.push(inputs.length);
    inputs.push(v);
    return `x${inputs.length - 1}`;
  };
  const q = table.dequantized;
  const byteCodes = q !== undefined && (q.codes.dtype === 'int8' || q.codes.dtype === 'uint8');
  if (!q || !byteCodes) return wgslRead(table, bind(table), 'e');
  const dims = table.dims;
  const rank = dims.length;
  const axis = g.axis(q.axis, Math.max(rank, 1));
  const strides = wgslStrides(dims);
  const coord = (k: number) => (k === 0 ? `(e / ${strides[0]}u)` : `((e / ${strides[k]}u) % ${dims[k]}u)`);
  const scaleCount = q.scale.dims.reduce((p, d) => p * d, 1);
  let s = '0u';
  if (scaleCount > 1 && q.blockSize === 0) s = coord(axis);
  else if (scaleCount > 1) {
    const sdims = dims.map((d, k) => (k === axis ? Math.ceil(d / q.blockSize) : d));
    if (sdims.reduce((p, d) => p * d, 1) !== scaleCount)
      g.fail(`a blocked scale of [${q.scale.dims.join(', ')}] does not fit [${dims.join(', ')}]`);
    const sstrides = wgslStrides(sdims);
    s = sdims
      .map((d, k) => {
        if (d === 1) return '';
        const c = k === axis ? `(${coord(k)} / ${q.blockSize}u)` : coord(k);
        return sstrides[k] === 1 ? c : `${c} * ${sstrides[k]}u`;
      })
      .filter((t) => t !== '')
      .join(' + ');
  }
  lets.push(`let s = ${s || '0u'};`);
  const code = wgslRead(q.codes, bind(q.codes), 'e');
  const scale =
    g.isHost(q.scale) && scaleCount === 1
      ? wgslLiteral(Number(g.numbers(q.scale, 'the scale')[0]), 'f32')
      : wgslRead(q.scale, bind(q.scale), 's');
  let zero = '';
  if (q.zeroPoint !== undefined) {
    const z = q.zeroPoint;
    zero =
      g.isHost(z) && z.dims.reduce((p, d) => p * d, 1) === 1
        ? wgslLiteral(Number(g.numbers(z, 'the zero point')[0]), 'i32')
        : wgslRead(z, bind(z), 's');
  }
  return `f32(${code}${zero && zero !== 'i32(0)' ? ` - ${zero}` : ''}) * ${scale}`;
}

function lowerGather(g: PlanContext, x: Value[], a: AxisAttrs, label: string): Value {
  const table = x[0];
  const ids = x[1];
  const dims = table.dims;
  const axis = g.axis(a.axis, dims.length);
  const size = dims[axis];
  const count = ids.dims.reduce((p, d) => p * d, 1);
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = dims.slice(0, axis).reduce((p, d) => p * d, 1);
  const outDims = [...dims.slice(0, axis), ...ids.dims, ...dims.slice(axis + 1)];
  const total = outer * count * inner;
  if (total === 0) return g.host(table.dtype, outDims, []);
  const inputs: Value[] = [];
  const packed: number[] = [];
  const lets: string[] = [];
  const read = gatherTableRead(g, table, inputs, packed, lets);
  const body = [
    outer > 1 ? `let o = i / ${count * inner}u;` : 'let o = 0u;',
    `let r = i % ${count * inner}u;`,
  ];
  if (g.isHost(ids) && count === 1) {
    const k = g.ints(ids, 'the indices')[0];
    const row = k < 0 ? k + size : k;
    if (!(row >= 0 && row < size)) g.fail(`index ${k} is out of range for a dim of ${size}`);
    body.push(`let k = ${row};`);
  } else {
    inputs.push(ids);
    body.push(...gatherIndex('k', `x${inputs.length - 1}[r / ${inner}u]`, size));
  }
  body.push(`let e = (o * ${size}u + u32(k)) * ${inner}u + r % ${inner}u;`, ...lets, `y0[i] = ${read};`);
  return elementKernel(g, {
    label,
    inputs,
    packed,
    outputs: [{ dtype: table.dtype, dims: outDims }],
    count: total,
    body,
  })[0];
}

/** One kernel of a thread per output element running `body` (which sets y0[i]). */
function gatherKernel(
  g: PlanContext,
  label: string,
  inputs: Value[],
  v: Value,
  dims: number[],
  body: string[],
) {
  const total = dims.reduce((p, d) => p * d, 1);
  if (total === 0) return g.host(v.dtype, dims, []);
  return elementKernel(g, { label, inputs, outputs: [{ dtype: v.dtype, dims }], count: total, body })[0];
}

function lowerGatherElements(g: PlanContext, x: Value[], a: AxisAttrs, label: string): Value {
  const dims = x[0].dims;
  const ids = x[1].dims;
  const axis = g.axis(a.axis, dims.length);
  if (ids.length !== dims.length)
    g.fail(`indices [${ids.join(', ')}] and data [${dims.join(', ')}] differ in rank`);
  const strides = wgslStrides(dims);
  const body = gatherIndex('k', 'x1[i]', dims[axis]);
  const terms = ['u32(k)' + (strides[axis] === 1 ? '' : ` * ${strides[axis]}u`)];
  let inner = 1;
  for (let m = ids.length - 1; m >= 0; m--) {
    if (m !== axis && ids[m] !== 1) {
      const c = inner === 1 ? `(i % ${ids[m]}u)` : `((i / ${inner}u) % ${ids[m]}u)`;
      terms.push(strides[m] === 1 ? c : `${c} * ${strides[m]}u`);
    }
    inner *= ids[m];
  }
  body.push(`y0[i] = x0[${terms.join(' + ')}];`);
  return gatherKernel(g, label, [x[0], x[1]], x[0], ids, body);
}

function lowerGatherND(g: PlanContext, x: Value[], a: GatherNDAttrs, label: string): Value {
  const dims = x[0].dims;
  const ids = x[1].dims;
  const b = a.batchDims;
  const m = ids[ids.length - 1];
  if (ids.length < 1 || b >= ids.length || m > dims.length - b)
    g.fail(`indices [${ids.join(', ')}] do not index data [${dims.join(', ')}] with batch_dims ${b}`);
  for (let k = 0; k < b; k++)
    if (ids[k] !== dims[k]) g.fail(`batch dim ${k} differs: indices ${ids[k]}, data ${dims[k]}`);
  const outDims = [...ids.slice(0, ids.length - 1), ...dims.slice(b + m)];
  const inner = dims.slice(b + m).reduce((p, d) => p * d, 1);
  const perBatch = ids.slice(b, ids.length - 1).reduce((p, d) => p * d, 1);
  const batchSize = dims.slice(b).reduce((p, d) => p * d, 1);
  const strides = wgslStrides(dims);
  const body = [`let t = i / ${inner}u;`, `var at = (t / ${perBatch}u) * ${batchSize}u + i % ${inner}u;`];
  for (let j = 0; j < m; j++) {
    body.push(...gatherIndex(`k${j}`, `x1[t * ${m}u + ${j}u]`, dims[b + j]));
    body.push(`at = at + u32(k${j}) * ${strides[b + j]}u;`);
  }
  body.push('y0[i] = x0[at];');
  return gatherKernel(g, label, [x[0], x[1]], x[0], outDims, body);
}

const webnnGather = webnnGatherOps.Gather[0];

export const gatherOps: GpuOpTable = {
  Gather: [
    {
      since: 1,
      attributes: webnnGather.attributes as GpuOpVersion['attributes'],
      lower: lowerGather as GpuOpVersion['lower'],
      host: webnnGather.host as GpuOpVersion['host'],
      packedInputs: [0],
      helpers: [
        wgslPacked,
        wgslRead,
        gatherIndex,
        gatherTableRead,
        wgslGrid,
        wgslLiteral,
        wgslStrides,
        elementKernel,
        wgslFunctions,
      ],
    },
  ],
  GatherElements: [
    {
      since: 11,
      attributes: (n) => ({ axis: n.int('axis', 0) }),
      lower: lowerGatherElements as GpuOpVersion['lower'],
      helpers: [gatherIndex, gatherKernel, wgslGrid, wgslStrides, elementKernel, wgslFunctions],
    },
  ],
  GatherND: [
    {
      since: 11,
      attributes: (n) => ({ batchDims: n.int('batch_dims', 0) }),
      lower: lowerGatherND as GpuOpVersion['lower'],
      helpers: [gatherIndex, gatherKernel, wgslGrid, wgslStrides, elementKernel, wgslFunctions],
    },
  ],
};
