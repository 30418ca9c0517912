// Types shared by the verification engine: runners, metrics, tolerances.

import type { GpuMemory } from '../report/types.js';
import type { DType, TensorMap } from '../onnx/dtype.js';

/** A model input or output as a runner sees it. Symbolic dims are strings. */
export interface IOInfo {
  name: string;
  dtype: DType;
  dims: (number | string)[];
}

/** Executes one model (reference or candidate) on host tensors. */
export interface Runner {
  /** e.g. "onnxruntime-node 1.30.0 cpu" */
  readonly runtime: string;
  /** A caveat for the report, e.g. that only a stand-in runtime could run the variant. */
  readonly note?: string;
  readonly inputs: IOInfo[];
  readonly outputs: IOInfo[];
  run(feeds: TensorMap): Promise<TensorMap>;
  /** GPU runners: memory of the session after the runs so far. */
  gpuMemory?(): GpuMemory | undefined;
  dispose(): Promise<void>;
}

/**
 * Comparison metrics (contract: report.json). r = reference, c = candidate, flattened, float64.
 * top1_agree is null where it does not apply (rank < 2 or last dim < 2).
 */
export interface Metrics {
  max_abs: number;
  mean_abs: number;
  rel_l2: number;
  cosine: number;
  snr_db: number;
  top1_agree: number | null;
  nan: number;
  inf: number;
}

export type MetricName = keyof Metrics;

/** Bounds a variant must meet. Upper bounds: max_abs, mean_abs, rel_l2, nan, inf. Lower: cosine, snr_db, top1_agree. */
export type Tolerance = Partial<Record<MetricName, number>>;

/** One tolerance rule from convert.yml; unset match keys match anything. Later rules win. */
export interface ToleranceRule extends Tolerance {
  target?: string;
  precision?: string;
  output?: string;
}

/** A violated bound, for messages and the summary. */
export interface Violation {
  output: string;
  metric: MetricName;
  value: number | null;
  bound: number;
  kind: 'max' | 'min';
}
