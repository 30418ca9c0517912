// Calibration statistics: runs the model on calibration samples with chosen intermediate
// values exposed as outputs, and accumulates each value's input Hessian H = Σ xxᵀ over its
// last axis (what GPTQ needs for the weight that consumes it).
//   const hessians = await collectHessians(model, ['/attn/ln_out'], samples);

import type { TensorMap } from '../onnx/dtype.js';
import type { ModelProto } from '../onnx/proto/index.js';
import { visitIntermediateValues } from './activation-ranges.js';

export interface HessianStats {
  K: number;
  /** Σ xxᵀ, K×K row-major. */
  sum: Float64Array;
  /** Rows accumulated. */
  rows: number;
}

/** H = Σ xxᵀ over every row (last axis) of each value, across samples. */
export async function collectHessians(
  model: ModelProto,
  values: string[],
  samples: TensorMap[],
): Promise<Map<string, HessianStats>> {
  const stats = new Map<string, HessianStats>();
  await visitIntermediateValues(model, values, samples, (value, data, dims) => {
    const K = dims[dims.length - 1];
    if (!K) return;
    let s = stats.get(value);
    if (!s) {
      s = { K, sum: new Float64Array(K * K), rows: 0 };
      stats.set(value, s);
    }
    if (s.K !== K) return;
    const rows = data.length / K;
    const h = s.sum;
    for (let r = 0; r < rows; r++) {
      const off = r * K;
      for (let i = 0; i < K; i++) {
        const xi = data[off + i];
        if (xi === 0) continue;
        const hi = i * K;
        for (let j = 0; j <= i; j++) h[hi + j] += xi * data[off + j];
      }
    }
    s.rows += rows;
  });
  for (const s of stats.values()) {
    const { K, sum } = s;
    for (let i = 0; i < K; i++) for (let j = 0; j < i; j++) sum[j * K + i] = sum[i * K + j];
  }
  return stats;
}
