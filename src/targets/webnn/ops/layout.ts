/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Shape-changing ops without data movement choices → WebNN reshape / transpose / expand /
// tile. Reshape resolves ONNX's 0 (copy the input dim unless allowzero) and -1 (inferred)
// against the concrete dims; Flatten, Squeeze and Unsqueeze are reshapes. Target shapes,
// axes and repeats come from attributes or inputs known when the graph is built. All but
// Tile also evaluate on the host, so Shape → … → Reshape chains fold in JavaScript.
//   layoutOps.Reshape[0].lower(g, [x, shape], { allowzero: false }, 'Reshape_5')

import type { BuildContext, OpTable, Value } from './types.js';

type ReshapeAttrs = { allowzero: boolean };
type AxisAttrs = { axis: number };
type AxesAttrs = { axes: number[] | null };
type PermAttrs = { perm: number[] | null };

function reshapeTarget(g: BuildContext, x: Value[], a: ReshapeAttrs): number[] {
  const dims = x[0].dims;
  const shape = g.ints(x[1], 'the target shape');
  const out = shape.map((s, i) => (s === 0 && !a.allowzero ? dims[i] : s));
  const total = dims.reduce((p, d) => p * d, 1);
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    const known = out.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    out[unknown] = known === 0 ? 0 : total / known;
  }
  if (out.reduce((p, d) => p * d, 1) !== total || out.some((d) => !Number.isInteger(d) || d < 0))
    g.fail(`cannot reshape [${dims.join(', ')}] to [${shape.join(', ')}]`);
  return out;
}

function flattenTarget(g: BuildContext, x: Value[], a: AxisAttrs): number[] {
  const dims = x[0].dims;
  const axis = a.axis < 0 ? a.axis + dims.length : a.axis;
  const outer = dims.slice(0, axis).reduce((p, d) => p * d, 1);
  return [outer, dims.slice(axis).reduce((p, d) => p * d, 1)];
}

function squeezeTarget(g: BuildContext, x: Value[], a: AxesAttrs): number[] {
  const dims = x[0].dims;
  const given = a.axes ?? (x[1] !== undefined ? g.ints(x[1], 'the axes') : null);
  if (given === null) return dims.filter((d) => d !== 1);
  const axes = given.map((axis) => g.axis(axis, dims.length));
  for (const axis of axes) if (dims[axis] !== 1) g.fail(`cannot squeeze axis ${axis} of size ${dims[axis]}`);
  return dims.filter((_, i) => !axes.includes(i));
}

function unsqueezeTarget(g: BuildContext, x: Value[], a: AxesAttrs): number[] {
  const dims = x[0].dims;
  const given = a.axes ?? g.ints(x[1], 'the axes');
  const rank = dims.length + given.length;
  const axes = given.map((axis) => g.axis(axis, rank));
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : dims[next++]);
  return out;
}

/** ONNX op type → how it computes its target shape; the generator passes `kind`. */
export function targetDims(
  g: BuildContext,
  x: Value[],
  a: { kind: string } & Record<string, unknown>,
): number[] {
  switch (a.kind) {
    case 'reshape':
      return reshapeTarget(g, x, a as unknown as ReshapeAttrs);
    case 'flatten':
      return flattenTarget(g, x, a as unknown as AxisAttrs);
    case 'squeeze':
      return squeezeTarget(g, x, a as unknown as AxesAttrs);
    default:
      return unsqueezeTarget(g, x, a as unknown as AxesAttrs);
  }
}

function lowerReshape(g: BuildContext, x: Value[], a: { kind: string }, label: string): Value {
  const dims = targetDims(g, x, a);
  return g.result(g.reshape(g.operand(x[0]), dims, label), x[0].dtype);
}

function hostReshape(g: BuildContext, x: Value[], a: { kind: string }): Value {
  return g.host(x[0].dtype, targetDims(g, x, a), g.numbers(x[0], 'the input'));
}

export function permutation(rank: number, a: PermAttrs): number[] {
  return a.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

function lowerTranspose(g: BuildContext, x: Value[], a: PermAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const perm = permutation(input.shape.length, a);
  if (perm.every((p, i) => p === i)) return x[0];
  return g.result(g.call('transpose', { input }, input, g.opts(label, { permutation: perm })), x[0].dtype);
}

function hostTranspose(g: BuildContext, x: Value[], a: PermAttrs): Value {
  const dims = x[0].dims;
  const perm = permutation(dims.length, a);
  const data = g.numbers(x[0], 'the input');
  const outDims = perm.map((p) => dims[p]);
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((p, d) => p * d, 1));
  const out = new Float64Array(data.length);
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let from = 0;
    for (let k = 0; k < perm.length; k++) from += index[k] * strides[perm[k]];
    out[i] = data[from];
    for (let k = outDims.length - 1; k >= 0; k--) {
      if (++index[k] < outDims[k]) break;
      index[k] = 0;
    }
  }
  return g.host(x[0].dtype, outDims, out);
}

function lowerExpand(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const shape = g.broadcastDims(x[0].dims, g.ints(x[1], 'the shape'));
  if (shape.length === x[0].dims.length && shape.every((d, i) => d === x[0].dims[i])) return x[0];
  const input = g.operand(x[0]);
  return g.result(g.call('expand', { input }, input, shape, g.opts(label)), x[0].dtype);
}

function hostExpand(g: BuildContext, x: Value[]): Value {
  const shape = g.broadcastDims(x[0].dims, g.ints(x[1], 'the shape'));
  const zeros = g.host(x[0].dtype, shape, new Float64Array(shape.reduce((p, d) => p * d, 1)));
  return g.hostMap([x[0], zeros], x[0].dtype, (p) => p);
}

function lowerTile(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const input = g.operand(x[0]);
  const repeats = g.ints(x[1], 'the repeats');
  return g.result(g.call('tile', { input }, input, repeats, g.opts(label)), x[0].dtype);
}

const reshapeLike = [reshapeTarget, flattenTarget, squeezeTarget, unsqueezeTarget, targetDims];

export const layoutOps: OpTable = {
  Reshape: [
    {
      since: 5,
      attributes: (n) => ({ kind: 'reshape', allowzero: n.int('allowzero', 0) === 1 }),
      lower: lowerReshape,
      host: hostReshape,
      helpers: reshapeLike,
    },
  ],
  Flatten: [
    {
      since: 1,
      attributes: (n) => ({ kind: 'flatten', axis: n.int('axis', 1) }),
      lower: lowerReshape,
      host: hostReshape,
      helpers: reshapeLike,
    },
  ],
  Squeeze: [
    {
      since: 1,
      attributes: (n) => ({ kind: 'squeeze', axes: n.ints('axes') ?? null }),
      lower: lowerReshape,
      host: hostReshape,
      helpers: reshapeLike,
    },
    {
      since: 13,
      attributes: () => ({ kind: 'squeeze', axes: null }),
      lower: lowerReshape,
      host: hostReshape,
      helpers: reshapeLike,
    },
  ],
  Unsqueeze: [
    {
      since: 1,
      attributes: (n) => ({ kind: 'unsqueeze', axes: n.ints('axes') ?? [] }),
      lower: lowerReshape,
      host: hostReshape,
      helpers: reshapeLike,
    },
    {
      since: 13,
      attributes: () => ({ kind: 'unsqueeze', axes: null }),
      lower: lowerReshape,
      host: hostReshape,
      helpers: reshapeLike,
    },
  ],
  Transpose: [
    {
      since: 1,
      attributes: (n) => ({ perm: n.ints('perm') ?? null }),
      lower: lowerTranspose,
      host: hostTranspose,
      helpers: [permutation],
    },
  ],
  Expand: [{ since: 8, lower: lowerExpand, host: hostExpand }],
  Tile: [{ since: 6, lower: lowerTile }],
};
