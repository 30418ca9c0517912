// report.json (contract: extend, never rename). See ARCHITECTURE.md.

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
  seconds: { convert: number; verify: number };
}

export interface ModelReport {
  path: string;
  sha256: string;
  format: 'onnx' | 'pytorch';
  bytes: number;
  parameters: number;
}

export interface Report {
  tool: { name: string; version: string };
  model: ModelReport;
  variants: VariantReport[];
  hardware: Record<string, unknown>;
  cache: { hit: boolean; key: string };
  passed: boolean;
}
