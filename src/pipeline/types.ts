// Plan and hooks: what runPipeline takes. The CLI and the Action both build a Plan with
// makePlan (plan.ts) and call runPipeline (run.ts) with their own hooks.

import type { QuantizeSettings } from '../quantize/types.js';
import type { PytorchPlan } from '../pytorch/types.js';
import type { ToleranceRule } from '../verify/types.js';

export const TARGET_NAMES = ['onnx', 'openvino', 'webnn', 'webgpu'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
export const PRECISIONS = ['fp32', 'fp16', 'int8', 'int4', 'int3', 'int2', 'mixed', 'auto'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Everything a run needs, resolved from flags / action inputs / convert.yml. */
export interface Plan {
  /** Path of the source model. */
  model: string;
  targets: TargetName[];
  precisions: Precision[];
  outDir: string;
  /** .npz / .npy / .json sample inputs; generated from `seed` when absent. */
  inputsFile?: string;
  samples: number;
  seed: number;
  /** Values for symbolic dims (by dim_param name); see README for defaults. */
  dims: Record<string, number>;
  /** Half-open range for integer inputs that feed no Gather and are not masks. */
  intRange: [number, number];
  /** Tolerance rules applied over the per-precision defaults, in order. */
  tolerance: ToleranceRule[];
  /** strict | default | loose (scales the per-precision defaults). */
  tolerancePreset?: string;
  /** convert.yml `quantization:` (only what the user set; defaults come from the target and DEFAULT_QUANTIZE_SETTINGS). */
  quantization?: Partial<QuantizeSettings>;
  /** Calibration samples generated when no inputs file is given (default 16). */
  calibrationSamples?: number;
  /** Calibration inputs file (convert.yml quantization.calibration-inputs), apart from the verification inputs. */
  calibrationInputs?: string;
  /** How a PyTorch source is exported (convert.yml `pytorch:`, --python, --allow-pickle). */
  pytorch?: PytorchPlan;
  cache: boolean;
  /** Local cache folder (CLI); the Action uses the Actions cache. */
  cacheDir?: string;
  verbose: boolean;
}

/** Where the pipeline stores and restores whole variant folders. */
export interface CacheStore {
  readonly kind: string;
  /** Restores `key` into `dir` (created); true on a hit. Errors are the caller's warnings. */
  restore(key: string, dir: string): Promise<boolean>;
  save(key: string, dir: string): Promise<void>;
}

export interface PipelineHooks {
  /** A line for a step that takes more than a second ("verify onnx/fp32 …"). */
  progress(message: string): void;
  /** A problem that does not fail the run (cache trouble, clamped values, …). */
  warn(message: string): void;
  cache?: CacheStore;
}
