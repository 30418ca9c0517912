/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Ops whose outputs are computed from shapes and scalars, always in JavaScript while the
// graph is built: Shape (start/end), Size, Range, ConstantOfShape. Their results are host
// tensors; they become WebNN constants only when a WebNN op consumes them.
//   shapeValueOps.Shape[1].host!(g, [x], { start: 0, end: null })

import type { BuildContext, ElementType, OpTable, Value } from './types.js';

type ShapeAttrs = { start: number; end: number | null };
type FillAttrs = { dtype: ElementType; value: number };

function shapeOf(g: BuildContext, x: Value[], a: ShapeAttrs): Value {
  const dims = x[0].dims;
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + dims.length : i, 0), dims.length);
  const picked = dims.slice(clampIndex(a.start), a.end === null ? dims.length : clampIndex(a.end));
  return g.host('int64', [picked.length], picked);
}

function sizeOf(g: BuildContext, x: Value[]): Value {
  return g.host('int64', [], [x[0].dims.reduce((p, d) => p * d, 1)]);
}

function range(g: BuildContext, x: Value[]): Value {
  const [start, limit, delta] = [0, 1, 2].map((i) => g.numbers(x[i], 'Range start, limit and delta')[0]);
  const count = Math.max(0, Math.ceil((limit - start) / delta));
  return g.host(
    x[0].dtype,
    [count],
    Array.from({ length: count }, (_, i) => start + i * delta),
  );
}

function constantOfShape(g: BuildContext, x: Value[], a: FillAttrs): Value {
  const dims = x[0] === undefined ? [] : g.ints(x[0], 'the shape');
  const count = dims.reduce((p, d) => p * d, 1);
  return g.host(a.dtype, dims, new Float64Array(count).fill(a.value));
}

export const shapeValueOps: OpTable = {
  Shape: [
    { since: 1, attributes: () => ({ start: 0, end: null }), lower: shapeOf, host: shapeOf },
    {
      since: 15,
      attributes: (n) => ({ start: n.int('start', 0), end: n.has('end') ? n.int('end', 0) : null }),
      lower: shapeOf,
      host: shapeOf,
    },
  ],
  Size: [{ since: 1, lower: sizeOf, host: sizeOf }],
  Range: [{ since: 11, lower: range, host: range }],
  ConstantOfShape: [
    {
      since: 9,
      attributes: (n) => {
        const t = n.tensor('value');
        return { dtype: t?.dtype ?? 'float32', value: t?.values[0] ?? 0 };
      },
      lower: constantOfShape,
      host: constantOfShape,
    },
  ],
};
