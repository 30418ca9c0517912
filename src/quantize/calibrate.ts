// Calibration statistics: runs the model on calibration samples with chosen intermediate
// values exposed as outputs, and accumulates each value's input Hessian H = Σ xxᵀ over its
// last axis (what GPTQ needs for the weight that consumes it).
//   const hessians = await collectHessians(model, ['/attn/ln_out'], samples);

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cloneModel } from '../onnx/clone.js';
import type { TensorMap } from '../onnx/dtype.js';
import { writeModel } from '../onnx/model-io.js';
import { onnx, type ModelProto } from '../onnx/proto/index.js';
import { createOrtRunner } from '../verify/ort-runner.js';

export interface HessianStats {
  K: number;
  /** Σ xxᵀ, K×K row-major. */
  sum: Float64Array;
  /** Rows accumulated. */
  rows: number;
}

/** Runs `model` on `samples` exposing `values` as outputs; calls `visit` for each value's data per sample. */
export async function runWithIntermediates(
  model: ModelProto,
  values: string[],
  samples: TensorMap[],
  visit: (value: string, data: Float32Array, dims: number[]) => void,
): Promise<void> {
  const copy = cloneModel(model);
  const graph = copy.graph!;
  const existing = new Set((graph.output ?? []).map((o) => o.name));
  for (const v of values) {
    if (existing.has(v)) continue;
    graph.output!.push(new onnx.ValueInfoProto({ name: v, type: { tensorType: { elemType: 1 } } }));
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-calibrate-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModel(copy, file, { externalData: 'auto' });
    const runner = await createOrtRunner(file);
    try {
      for (const sample of samples) {
        const out = await runner.run(sample);
        for (const v of values) {
          const t = out[v];
          if (t && t.data instanceof Float32Array) visit(v, t.data, t.dims);
        }
      }
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** H = Σ xxᵀ over every row (last axis) of each value, across samples. */
export async function collectHessians(
  model: ModelProto,
  values: string[],
  samples: TensorMap[],
): Promise<Map<string, HessianStats>> {
  const stats = new Map<string, HessianStats>();
  await runWithIntermediates(model, values, samples, (value, data, dims) => {
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
