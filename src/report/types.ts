// report.json (contract: extend, never rename). See ARCHITECTURE.md.

import type { PytorchExportReport } from '../pytorch/types.js';
import type { LayerAssignment } from '../quantize/types.js';
import type { Metrics, Tolerance } from '../verify/types.js';

export type VariantStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface VariantReport {
  target: string;
  precision: string;
  /** Paths relative to the output folder, '/'-separated. */
  files: string[];
  bytes: number;
  /** bytes / fp32 source bytes */
  compression: number;
  /** What the outputs were compared with: "source" (the input model) or "<target>/<precision>". */
  reference: string;
  runtime: string;
  /** A caveat about how the variant was checked (e.g. only the OpenVINO IR round trip ran). */
  note?: string;
  /** Worst over outputs × samples. Absent when the variant could not be run. */
  metrics?: Metrics;
  /** Worst over samples, per output. */
  outputs: Record<string, Metrics>;
  /** Bounds applied to every output (per-output overrides are in tolerance_per_output). */
  tolerance: Tolerance;
  tolerance_per_output?: Record<string, Tolerance>;
  status: VariantStatus;
  reason?: string;
  samples: number;
  /** Per-layer precision and bytes (quantized variants): node, role, precision, bytes. */
  layers?: LayerAssignment[];
  /** Where calibration samples came from, for variants that used any (int8 static, GPTQ, auto). */
  calibration?: string;
  seconds: { convert: number; verify: number };
  /** GPU runners (webgpu): GPU memory of the verified session — weights as stored, peak intermediates. */
  gpu_memory?: GpuMemory;
  /** For a failing ONNX variant: the first value, in graph order, beyond tolerance (verify/localize.ts). */
  divergence?: Divergence;
}

export interface GpuMemory {
  weight_bytes: number;
  peak_intermediate_bytes: number;
  /** Results of kernels that read only weights (computed once per input shape, then kept). */
  folded_bytes: number;
  /** Distinct compiled kernels and dispatches per run. */
  kernels: number;
  dispatches: number;
}

/** Where a candidate's intermediate values first leave the tolerance of its reference. */
export interface Divergence {
  /** Name of the first value (tensor) beyond tolerance, walking the reference graph in topological order. */
  value: string;
  /** The node producing it, and its op type. */
  node: string;
  op_type: string;
  /** That value's metrics on the sample that showed it. */
  metrics: Metrics;
  /** Index of that sample. */
  sample: number;
  /** How many values present in both graphs were compared up to and including it. */
  compared: number;
}

export interface ModelReport {
  path: string;
  sha256: string;
  format: 'onnx' | 'pytorch';
  bytes: number;
  parameters: number;
  /** PyTorch sources: how the ONNX the variants start from was exported (seconds, torch version, opset). */
  export?: PytorchExportReport;
}

export interface Report {
  tool: { name: string; version: string };
  model: ModelReport;
  variants: VariantReport[];
  hardware: Record<string, unknown>;
  cache: { hit: boolean; key: string };
  passed: boolean;
  /** PR gate: this run compared with a baseline report from the base branch (report/regression.ts). */
  baseline?: BaselineComparison;
}

/** One variant's error against the baseline: rel_l2 and 1 − cosine, before and now. */
export interface VariantDelta {
  target: string;
  precision: string;
  /** null when the baseline has no metrics for this variant. */
  baseline: { rel_l2: number; one_minus_cosine: number; status: string } | null;
  /** null when this run has no metrics for it. */
  current: { rel_l2: number; one_minus_cosine: number; status: string } | null;
  /** Relative growth (now − before) / before; null where before is 0 or either side is missing. */
  growth: { rel_l2: number | null; one_minus_cosine: number | null };
  regressed: boolean;
  /** Why it regressed, in one line ("" when it did not). */
  reason: string;
}

export interface BaselineComparison {
  /** Where the baseline came from: a file path or "cache <key>". */
  source: string;
  /** The relative growth allowed (input regression-margin). */
  margin: number;
  regressed: boolean;
  variants: VariantDelta[];
}
