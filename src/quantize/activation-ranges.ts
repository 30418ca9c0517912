// Activation statistics for static quantization: runs the model on calibration samples in
// ONNX Runtime with the wanted intermediate values added as graph outputs (on a temporary
// copy), and reduces each value to the range its quantization parameters come from —
// min/max, or a percentile range that ignores rare outliers (a second pass fills a
// histogram between the observed min and max).
//   const ranges = await collectActivationRanges(model, ['/ln/Output_0'], samples, { method: 'minmax' });
//   ranges.get('/ln/Output_0') // { min: -4.1, max: 5.3 }

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cloneModel } from '../onnx/clone.js';
import type { HostTensor, TensorMap } from '../onnx/dtype.js';
import { writeModel } from '../onnx/model-io.js';
import { onnx, type ModelProto, type ValueInfoProto } from '../onnx/proto/index.js';
import { createOrtRunner } from '../verify/ort-runner.js';

export interface ActivationRange {
  min: number;
  max: number;
}

export interface RangeOptions {
  /** 'minmax' (default): the observed extremes; 'percentile': the central `percentile` % of values. */
  method?: 'minmax' | 'percentile';
  /** For 'percentile': share of values kept, in percent (default 99.99). */
  percentile?: number;
  /** For 'percentile': histogram bins (default 4096). */
  bins?: number;
}

const FLOAT = 1;

/** Float data of a runner result (float16 outputs are not expected: calibration runs the float32 source). */
function floatValues(t: HostTensor, name: string): Float32Array | Float64Array {
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return t.data;
  throw new Error(`calibration: value "${name}" is ${t.dtype}, not a float tensor`);
}

/**
 * Runs `model` once per sample with `values` exposed, calling `visit` with each value's data.
 * Values that are graph inputs are taken from the sample itself.
 */
export async function visitIntermediateValues(
  model: ModelProto,
  values: string[],
  samples: TensorMap[],
  visit: (value: string, data: Float32Array | Float64Array, dims: number[]) => void,
): Promise<void> {
  const copy = cloneModel(model);
  const graph = copy.graph!;
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const wanted = values.filter((v) => !inputs.has(v));
  for (const v of wanted) {
    if (outputs.has(v)) continue;
    (graph.output as ValueInfoProto[]).push(
      new onnx.ValueInfoProto({ name: v, type: { tensorType: { elemType: FLOAT } } }),
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-ranges-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModel(copy, file, { externalData: 'auto' });
    const runner = await createOrtRunner(file);
    try {
      for (const sample of samples) {
        const result = await runner.run(sample);
        for (const v of values) {
          const t = inputs.has(v) ? sample[v] : result[v];
          if (t) visit(v, floatValues(t, v), t.dims);
        }
      }
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Min and max of finite values (NaN/±inf ignored); {0, 0} when there are none. */
export function finiteMinMax(
  data: ArrayLike<number>,
  into: ActivationRange = { min: Infinity, max: -Infinity },
): ActivationRange {
  let { min, max } = into;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  into.min = min;
  into.max = max;
  return into;
}

/** Adds `data` to a histogram of `counts.length` bins spanning [lo, hi]. */
export function addToHistogram(data: ArrayLike<number>, lo: number, hi: number, counts: Float64Array): void {
  const bins = counts.length;
  const width = (hi - lo) / bins;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width))) : 0;
    counts[b]++;
  }
}

/**
 * The range holding the central `percentile` % of a histogram's mass: the lower edge of the
 * bin where (100 − p)/2 % is reached and the upper edge of the bin where (100 + p)/2 % is.
 */
export function percentileRange(
  counts: Float64Array,
  lo: number,
  hi: number,
  percentile: number,
): ActivationRange {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return { min: lo, max: hi };
  const width = (hi - lo) / counts.length;
  const tail = (total * (100 - percentile)) / 200;
  let acc = 0;
  let lower = 0;
  while (lower < counts.length - 1 && acc + counts[lower] <= tail) acc += counts[lower++];
  acc = 0;
  let upper = counts.length - 1;
  while (upper > 0 && acc + counts[upper] <= tail) acc += counts[upper--];
  return { min: lo + lower * width, max: lo + (upper + 1) * width };
}

/** Range of each value over all samples (see RangeOptions). Values never produced are left out. */
export async function collectActivationRanges(
  model: ModelProto,
  values: string[],
  samples: TensorMap[],
  options: RangeOptions = {},
): Promise<Map<string, ActivationRange>> {
  const extremes = new Map<string, ActivationRange>();
  await visitIntermediateValues(model, values, samples, (v, data) => {
    extremes.set(v, finiteMinMax(data, extremes.get(v)));
  });
  for (const [v, r] of extremes) if (!(r.min <= r.max)) extremes.set(v, { min: 0, max: 0 });
  if ((options.method ?? 'minmax') === 'minmax') return extremes;

  const bins = options.bins ?? 4096;
  const percentile = options.percentile ?? 99.99;
  const histograms = new Map([...extremes.keys()].map((v) => [v, new Float64Array(bins)]));
  await visitIntermediateValues(model, [...extremes.keys()], samples, (v, data) => {
    const r = extremes.get(v)!;
    addToHistogram(data, r.min, r.max, histograms.get(v)!);
  });
  const ranges = new Map<string, ActivationRange>();
  for (const [v, counts] of histograms) {
    const r = extremes.get(v)!;
    ranges.set(v, percentileRange(counts, r.min, r.max, percentile));
  }
  return ranges;
}
