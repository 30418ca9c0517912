// Which MatMul/Gemm weights stay int8 in an int4 IR. OpenVINO's weight compression keeps a
// share of layers in its int8 "backup" precision, chosen by sensitivity on a dataset; this
// does the same with measured sensitivity: each candidate weight alone is replaced by its
// int4 round trip in the source model, ONNX Runtime runs it on a few generated samples, and
// the weights whose int4 error is largest go to int8 until the combined estimate
// (root-sum-square of the individual errors) is within the target (the caller's share of
// the int4 tolerance).
//   const keep = await chooseInt8Backup(source, candidates, { groupSize: 32, targetRelL2: 0.07 });

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Graph } from '../../onnx/graph.js';
import type { LoadedModel } from '../../onnx/model-io.js';
import { onnx, type GraphProto, type TensorProto } from '../../onnx/proto/index.js';
import { tensorFromProto } from '../../onnx/tensor.js';
import { compareRuns, runSamples } from '../../verify/compare-runs.js';
import { createOrtRunner } from '../../verify/ort-runner.js';
import { generateSamples } from '../../verify/sample-inputs.js';
import { dequantizeRows, pickGroupSize, quantizeRows } from './compress-weights.js';
import type { WeightLayout } from './lowering.js';

export interface WeightCandidate {
  name: string;
  layout: WeightLayout;
  tensor: TensorProto;
}

/** Samples the sensitivity is measured on; a seed apart from the verification samples. */
const SENSITIVITY_SAMPLES = 2;
const SENSITIVITY_SEED = 0x0b4c;
/** Larger models (or more candidates) are not measured: every weight stays int4 but the last. */
const MAX_MEASURED_BYTES = 256 * 2 ** 20;
const MAX_MEASURED_WEIGHTS = 96;

/** The weight after an int4 round trip, in the tensor's own layout (float32). */
export function int4RoundTrip(
  t: TensorProto,
  layout: WeightLayout,
  groupSize: number,
  where: string,
): Float32Array | undefined {
  const host = tensorFromProto(t, where);
  if (host.dtype !== 'float32' || host.dims.length !== 2) return undefined;
  const [a, b] = host.dims;
  const data = host.data as Float32Array;
  const [rows, cols] = layout === 'transposed' ? [b, a] : [a, b];
  const group = pickGroupSize(cols, groupSize);
  if (group === undefined) return undefined;
  let matrix = data;
  if (layout === 'transposed') {
    matrix = new Float32Array(a * b);
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) matrix[j * a + i] = data[i * b + j];
  }
  const back = dequantizeRows(
    quantizeRows(matrix, rows, cols, { bits: 4, groupSize: group, clipSearch: true }),
  );
  if (layout === 'rows') return back;
  const out = new Float32Array(a * b);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[i * b + j] = back[j * a + i];
  return out;
}

/** Encodes the model with one tensor's data replaced (the source proto is restored before returning). */
function encodeWithWeight(model: onnx.ModelProto, t: TensorProto, data: Float32Array): Uint8Array {
  const saved = { rawData: t.rawData, floatData: t.floatData };
  try {
    t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    t.floatData = [];
    return onnx.ModelProto.encode(model).finish();
  } finally {
    t.rawData = saved.rawData;
    t.floatData = saved.floatData;
  }
}

/**
 * Names of the candidates to keep at int8 so that the int4 error estimate is at most
 * `targetRelL2`; [] when the model is too large to measure.
 */
export async function chooseInt8Backup(
  source: LoadedModel,
  candidates: readonly WeightCandidate[],
  options: { groupSize: number; targetRelL2: number; warn?: (message: string) => void },
): Promise<string[]> {
  if (candidates.length === 0) return [];
  const where = path.basename(source.path);
  if (source.bytes > MAX_MEASURED_BYTES || candidates.length > MAX_MEASURED_WEIGHTS) {
    options.warn?.(
      `${where}: openvino/int4 keeps only the last layer at int8; the model is too large to measure which others need it.`,
    );
    return [];
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-int4-'));
  try {
    const reference = await createOrtRunner(source.path);
    const graph = new Graph(source.proto.graph as GraphProto, where);
    const samples = generateSamples(graph, reference.inputs, {
      count: SENSITIVITY_SAMPLES,
      seed: SENSITIVITY_SEED,
      dims: {},
      intRange: [0, 8],
    });
    const expected = await runSamples(reference, samples);
    await reference.dispose();
    const errors: { name: string; error: number }[] = [];
    for (const c of candidates) {
      const data = int4RoundTrip(c.tensor, c.layout, options.groupSize, where);
      if (!data) continue;
      const file = path.join(dir, 'candidate.onnx');
      writeFileSync(file, encodeWithWeight(source.proto, c.tensor, data));
      const runner = await createOrtRunner(file);
      const actual = await runSamples(runner, samples);
      await runner.dispose();
      const rel = compareRuns(expected, actual, () => ({})).metrics?.rel_l2 ?? Infinity;
      errors.push({ name: c.name, error: rel });
    }
    errors.sort((x, y) => y.error - x.error);
    let total = errors.reduce((s, e) => s + e.error * e.error, 0);
    const keep: string[] = [];
    for (const e of errors) {
      if (Math.sqrt(total) <= options.targetRelL2) break;
      keep.push(e.name);
      total -= e.error * e.error;
    }
    return keep;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
