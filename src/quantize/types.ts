// Types shared by the precision transforms (fp16, int8, n-bit, mixed, auto).
//   const model = await TRANSFORMS.int4!.transform(context);

import type { TensorMap } from '../onnx/dtype.js';
import type { LoadedModel } from '../onnx/model-io.js';
import type { ModelProto } from '../onnx/proto/index.js';
import type { Tolerance } from '../verify/types.js';

/** How weights are stored for 4-bit: standard blocked DequantizeLinear (opset 21) or ORT's MatMulNBits. */
export type NBitFormat = 'qdq' | 'matmulnbits';
/** How a block's scale (and zero point) is chosen. */
export type BlockMethod = 'rtn' | 'mse' | 'gptq';
export type Fp16Mode = 'weights' | 'full';
export type Int8Mode = 'weights' | 'dynamic' | 'static';

/** A precision a policy rule may assign to a node. */
export type NodePrecision = 'fp32' | 'fp16' | 'int8' | 'int4' | 'int3' | 'int2' | 'keep';

/** One mixed-precision rule (convert.yml `quantization.policy`); the first matching rule wins. */
export interface PolicyRule {
  /** Layer role (see roles.ts): attention, attention.q, ffn, ffn.down, embedding, head, conv, … */
  role?: string;
  /** Block indices (0-based; negative counts from the end: -1 = last block). */
  blocks?: number[];
  /** Regular expression over the node name. */
  name?: string;
  precision: NodePrecision;
}

/** Quantization settings (convert.yml `quantization:`), defaults in DEFAULT_QUANTIZE_SETTINGS. */
export interface QuantizeSettings {
  blockSize: number;
  symmetric: boolean;
  format: NBitFormat;
  method: BlockMethod;
  fp16: Fp16Mode;
  int8: Int8Mode;
  policy: PolicyRule[];
}

export const DEFAULT_QUANTIZE_SETTINGS: Readonly<QuantizeSettings> = {
  blockSize: 32,
  symmetric: false,
  format: 'matmulnbits',
  method: 'gptq',
  fp16: 'weights',
  int8: 'weights',
  policy: [],
};

/** What a transform gets: the source model (never mutated), settings and calibration samples. */
export interface TransformContext {
  source: LoadedModel;
  settings: QuantizeSettings;
  /**
   * Calibration samples: the inputs file when given, else generated with a seed different
   * from the verification samples (so verification never runs on calibration data).
   */
  calibration(): Promise<TensorMap[]>;
  /** The bounds a variant at this precision must meet, per output (auto searches against them). */
  toleranceFor?(output: string): Tolerance;
  warn(message: string): void;
}

/** Bytes saved and precision chosen per node, for the report (mixed/auto). */
export interface LayerAssignment {
  node: string;
  role: string;
  precision: NodePrecision;
  /** Bytes the weight takes in this variant (codes, scales, zero points). */
  bytes: number;
  /** Bytes it took in float32. */
  fp32Bytes?: number;
}

export interface TransformResult {
  model: ModelProto;
  /** Per-layer choices, when the transform makes them (mixed, auto). */
  assignments?: LayerAssignment[];
  /** Where calibration samples came from, when the transform used any. */
  calibration?: string;
}
