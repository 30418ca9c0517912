// Public TypeScript types of the WebNN reference runtime: the dictionaries and enums of the
// W3C Web Neural Network API (https://www.w3.org/TR/webnn/), current editor's draft.
// Deprecated members (MLOperandDescriptor.dimensions/type, MLContext.compute, deviceType)
// are deliberately absent.
//   const desc: MLOperandDescriptor = { dataType: 'float32', shape: [1, 3] };

import type { MLOperand } from './operand.js';
import type { MLTensor } from './tensor.js';

/**
 * Operand data types. `int4`/`uint4` are not yet in the spec's enum but are exposed by
 * Chromium and covered by WPT; they are stored packed, two values per byte, low nibble first.
 */
export type MLOperandDataType =
  'float32' | 'float16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'int8' | 'uint8' | 'int4' | 'uint4';

export type MLPowerPreference = 'default' | 'high-performance' | 'low-power';
export type MLInputOperandLayout = 'nchw' | 'nhwc';
export type MLConv2dFilterOperandLayout = 'oihw' | 'hwio' | 'ohwi' | 'ihwo';
export type MLConvTranspose2dFilterOperandLayout = 'iohw' | 'hwoi' | 'ohwi';
export type MLPaddingMode = 'constant' | 'edge' | 'reflection';
export type MLRoundingType = 'floor' | 'ceil';
export type MLInterpolationMode = 'nearest-neighbor' | 'linear';

/** bigint or unrestricted double, processed according to the operand's data type. */
export type MLNumber = number | bigint;

/** ArrayBuffer, SharedArrayBuffer or any ArrayBufferView. */
export type AllowSharedBufferSource = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

export interface MLContextOptions {
  powerPreference?: MLPowerPreference;
}

export interface MLContextLostInfo {
  message: string;
}

export interface MLOperandDescriptor {
  dataType: MLOperandDataType;
  shape: readonly number[];
}

export interface MLTensorDescriptor extends MLOperandDescriptor {
  readable?: boolean;
  writable?: boolean;
}

export type MLNamedOperands = Record<string, MLOperand>;
export type MLNamedTensors = Record<string, MLTensor>;

export interface MLOperatorOptions {
  label?: string;
}

export interface MLArgMinMaxOptions extends MLOperatorOptions {
  keepDimensions?: boolean;
  outputDataType?: MLOperandDataType;
}

export interface MLBatchNormalizationOptions extends MLOperatorOptions {
  scale?: MLOperand;
  bias?: MLOperand;
  axis?: number;
  epsilon?: number;
}

export interface MLClampOptions extends MLOperatorOptions {
  minValue?: MLNumber;
  maxValue?: MLNumber;
}

export interface MLConv2dOptions extends MLOperatorOptions {
  padding?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  groups?: number;
  inputLayout?: MLInputOperandLayout;
  filterLayout?: MLConv2dFilterOperandLayout;
  bias?: MLOperand;
}

export interface MLConvTranspose2dOptions extends MLOperatorOptions {
  padding?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  outputPadding?: readonly number[];
  outputSizes?: readonly number[];
  groups?: number;
  inputLayout?: MLInputOperandLayout;
  filterLayout?: MLConvTranspose2dFilterOperandLayout;
  bias?: MLOperand;
}

export interface MLCumulativeSumOptions extends MLOperatorOptions {
  exclusive?: boolean;
  reversed?: boolean;
}

export interface MLEluOptions extends MLOperatorOptions {
  alpha?: number;
}

export interface MLGatherOptions extends MLOperatorOptions {
  axis?: number;
}

export interface MLGemmOptions extends MLOperatorOptions {
  c?: MLOperand;
  alpha?: number;
  beta?: number;
  aTranspose?: boolean;
  bTranspose?: boolean;
}

export interface MLHardSigmoidOptions extends MLOperatorOptions {
  alpha?: number;
  beta?: number;
}

export interface MLInstanceNormalizationOptions extends MLOperatorOptions {
  scale?: MLOperand;
  bias?: MLOperand;
  epsilon?: number;
  layout?: MLInputOperandLayout;
}

export interface MLLayerNormalizationOptions extends MLOperatorOptions {
  scale?: MLOperand;
  bias?: MLOperand;
  axes?: readonly number[];
  epsilon?: number;
}

export interface MLLeakyReluOptions extends MLOperatorOptions {
  alpha?: number;
}

export interface MLLinearOptions extends MLOperatorOptions {
  alpha?: number;
  beta?: number;
}

export interface MLPadOptions extends MLOperatorOptions {
  mode?: MLPaddingMode;
  value?: MLNumber;
}

export interface MLPool2dOptions extends MLOperatorOptions {
  windowDimensions?: readonly number[];
  padding?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  layout?: MLInputOperandLayout;
  roundingType?: MLRoundingType;
  outputSizes?: readonly number[];
}

export interface MLReduceOptions extends MLOperatorOptions {
  axes?: readonly number[];
  keepDimensions?: boolean;
}

export interface MLResample2dOptions extends MLOperatorOptions {
  mode?: MLInterpolationMode;
  scales?: readonly number[];
  sizes?: readonly number[];
  axes?: readonly number[];
}

export interface MLReverseOptions extends MLOperatorOptions {
  axes?: readonly number[];
}

export interface MLScatterOptions extends MLOperatorOptions {
  axis?: number;
}

export interface MLSliceOptions extends MLOperatorOptions {
  strides?: readonly number[];
}

export interface MLSplitOptions extends MLOperatorOptions {
  axis?: number;
}

export interface MLTransposeOptions extends MLOperatorOptions {
  permutation?: readonly number[];
}

export interface MLTriangularOptions extends MLOperatorOptions {
  upper?: boolean;
  diagonal?: number;
}

export interface MLRankRange {
  min: number;
  max: number;
}

export interface MLDataTypeLimits {
  dataTypes: MLOperandDataType[];
}

/** Tensor limits: supported data types and ranks (output limits carry ranks too, spec PR #857). */
export interface MLTensorLimits extends MLDataTypeLimits {
  rankRange: MLRankRange;
}

/** Per-operand limits of one operator, keyed by the spec's parameter names (a, b, input, …, output). */
export type MLOperatorSupportLimits = Record<string, MLTensorLimits>;

/** The top-level members of MLOpSupportLimits; per-operator members are added in support-limits.ts. */
export interface MLOpSupportLimitsBase {
  preferredInputLayout: MLInputOperandLayout;
  maxTensorByteLength: number;
  input: MLTensorLimits;
  constant: MLTensorLimits;
  output: MLTensorLimits;
}
