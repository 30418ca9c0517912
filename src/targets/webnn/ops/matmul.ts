/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// MatMul and Gemm → WebNN matmul (batched, broadcasting batch dims) and gemm (alpha, beta,
// transposes, C broadcast). ONNX MatMul also takes 1-D operands, which WebNN does not:
// they are reshaped to 2-D and the added axis is dropped from the result.
//   matmulOps.MatMul[0].lower(g, [a, b], {}, 'MatMul_12')

import type { BuildContext, OpTable, Value } from './types.js';

type GemmAttrs = { alpha: number; beta: number; transA: boolean; transB: boolean };

export function lowerMatMul(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const dtype = x[0].dtype;
  let lhs = g.operand(x[0]);
  let rhs = g.operandAs(x[1], dtype, `${label}#b`);
  const vectorA = lhs.shape.length === 1;
  const vectorB = rhs.shape.length === 1;
  if (vectorA) lhs = g.reshape(lhs, [1, lhs.shape[0]], `${label}#a2d`);
  if (vectorB) rhs = g.reshape(rhs, [rhs.shape[0], 1], `${label}#b2d`);
  const product = g.call(
    'matmul',
    { a: lhs, b: rhs },
    lhs,
    rhs,
    g.opts(vectorA || vectorB ? `${label}#matmul` : label),
  );
  if (!vectorA && !vectorB) return g.result(product, dtype);
  let dims = Array.from(product.shape);
  if (vectorB) dims = dims.slice(0, -1);
  if (vectorA) dims.splice(dims.length - (vectorB ? 1 : 2), 1);
  return g.result(g.reshape(product, dims, label), dtype);
}

function lowerGemm(g: BuildContext, x: Value[], a: GemmAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const lhs = g.operand(x[0]);
  const rhs = g.operandAs(x[1], dtype, `${label}#b`);
  const c = x[2] === undefined ? undefined : g.operandAs(x[2], dtype, `${label}#c`);
  const options = { c, alpha: a.alpha, beta: a.beta, aTranspose: a.transA, bTranspose: a.transB };
  return g.result(g.call('gemm', { a: lhs, b: rhs, c }, lhs, rhs, g.opts(label, options)), dtype);
}

export const matmulOps: OpTable = {
  MatMul: [{ since: 1, lower: lowerMatMul }],
  Gemm: [
    {
      since: 7,
      attributes: (n) => ({
        alpha: n.float('alpha', 1),
        beta: n.float('beta', 1),
        transA: n.int('transA', 0) === 1,
        transB: n.int('transB', 0) === 1,
      }),
      lower: lowerGemm,
    },
  ],
};
