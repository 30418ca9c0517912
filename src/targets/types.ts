// The Target interface every output format implements (ARCHITECTURE.md). Adding a target
// = a folder implementing it + one line in pipeline/registry.ts.

import type { LoadedModel } from '../onnx/model-io.js';
import type { ModelProto } from '../onnx/proto/index.js';
import type { Precision, TargetName } from '../pipeline/types.js';
import type { LayerAssignment, QuantizeSettings } from '../quantize/types.js';
import type { Runner } from '../verify/types.js';

/** Something a target cannot express (op, dtype, attribute), reported before any work. */
export interface Unsupported {
  node: string;
  opType: string;
  reason: string;
}

export interface EmitRequest {
  source: LoadedModel;
  /** The graph to emit: the source, or the transform's output for this precision. */
  model: ModelProto;
  precision: Precision;
  /** Empty folder for this variant's files. */
  dir: string;
  warn(message: string): void;
}

export interface EmittedVariant {
  /** Absolute paths, main file first. */
  files: string[];
  bytes: number;
  /** Per-layer precisions when the transform chose them (n-bit, mixed, auto). */
  layers?: LayerAssignment[];
  /** Where the transform's calibration samples came from, if it used any. */
  calibration?: string;
}

export interface Target {
  readonly name: TargetName;
  /** Precisions this target can produce, in the order `list` shows them. */
  readonly precisions: readonly Precision[];
  /** Quantization settings this target prefers over the defaults (e.g. fp16 'full' on GPUs). */
  readonly quantizeDefaults?: Partial<QuantizeSettings>;
  supports(model: ModelProto, precision: Precision): Unsupported[];
  /** ONNX op types (domain::Op outside ai.onnx) this target can emit, for `list`. */
  supportedOps?(): string[];
  emit(request: EmitRequest): Promise<EmittedVariant>;
  /** How verify executes an emitted variant. */
  runner(variant: EmittedVariant): Promise<Runner>;
}
