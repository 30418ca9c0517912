// The one table of targets and precision transforms. Adding a target or a quantizer is a
// line here plus its folder.
//   const target = targetByName('onnx');

import { UserError } from '../errors.js';
import { transformFp16 } from '../quantize/fp16.js';
import { transformInt8 } from '../quantize/int8.js';
import { quantizeAuto } from '../quantize/auto.js';
import { quantizeMixed, quantizeNBit } from '../quantize/nbit.js';
import type { TransformContext, TransformResult } from '../quantize/types.js';
import { onnxTarget } from '../targets/onnx/index.js';
import { openvinoTarget } from '../targets/openvino/index.js';
import { webgpuTarget } from '../targets/webgpu/index.js';
import { webnnTarget } from '../targets/webnn/index.js';
import type { Target } from '../targets/types.js';
import { PRECISIONS, TARGET_NAMES, type Precision, type TargetName } from './types.js';

export const TARGETS: Partial<Record<TargetName, Target>> = {
  onnx: onnxTarget,
  openvino: openvinoTarget,
  webnn: webnnTarget,
  webgpu: webgpuTarget,
};

/** A precision transform: source graph → graph at that precision (a new ModelProto). */
export interface PrecisionTransform {
  readonly precision: Precision;
  readonly description: string;
  transform(context: TransformContext): Promise<TransformResult>;
}

export const TRANSFORMS: Partial<Record<Precision, PrecisionTransform>> = {
  fp32: {
    precision: 'fp32',
    description: 'the source graph unchanged (float32)',
    transform: async (context) => ({ model: context.source.proto }),
  },
  fp16: {
    precision: 'fp16',
    description: 'float16 weights cast to float32 (weights), or the whole graph in float16 (full)',
    transform: transformFp16,
  },
  int8: {
    precision: 'int8',
    description: 'per-channel int8 weights; activations int8 at run time (dynamic) or calibrated (static)',
    transform: transformInt8,
  },
  int4: {
    precision: 'int4',
    description: 'block-wise 4-bit weights (GPTQ / clipping search), MatMulNBits or DequantizeLinear',
    transform: (context) => quantizeNBit(context, { bits: 4 }),
  },
  int3: {
    precision: 'int3',
    description: 'block-wise 3-bit weights, bit-packed and unpacked by standard ops',
    transform: (context) => quantizeNBit(context, { bits: 3 }),
  },
  int2: {
    precision: 'int2',
    description: 'block-wise 2-bit weights, MatMulNBits or DequantizeLinear (opset 25)',
    transform: (context) => quantizeNBit(context, { bits: 2 }),
  },
  mixed: {
    precision: 'mixed',
    description: 'per-layer precisions from the convert.yml policy (by role, block, name)',
    transform: (context) => quantizeMixed(context),
  },
  auto: {
    precision: 'auto',
    description: 'fewest bytes per layer that still meet the tolerance (measured sensitivity, greedy)',
    transform: (context) => quantizeAuto(context),
  },
};

export function targetByName(name: string): Target {
  if (!(TARGET_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`unknown target "${name}". Use one of: ${TARGET_NAMES.join(', ')}.`);
  }
  const t = TARGETS[name as TargetName];
  if (!t) {
    throw new UserError(
      `target "${name}" is not available in this version of model-convert (available: ${Object.keys(TARGETS).join(', ')}).`,
    );
  }
  return t;
}

export function checkPrecision(target: Target, precision: string): Precision {
  if (!(PRECISIONS as readonly string[]).includes(precision)) {
    throw new UserError(`unknown precision "${precision}". Use one of: ${PRECISIONS.join(', ')}.`);
  }
  if (!target.precisions.includes(precision as Precision) || !TRANSFORMS[precision as Precision]) {
    throw new UserError(
      `precision "${precision}" is not available for target "${target.name}" in this version (available: ${target.precisions.join(', ')}).`,
    );
  }
  return precision as Precision;
}
