// The one table of targets and precision transforms. Adding a target or a quantizer is a
// line here plus its folder.
//   const target = targetByName('onnx');

import { UserError } from '../errors.js';
import type { ModelProto } from '../onnx/proto/index.js';
import { onnxTarget } from '../targets/onnx/index.js';
import type { Target } from '../targets/types.js';
import { PRECISIONS, TARGET_NAMES, type Precision, type TargetName } from './types.js';

export const TARGETS: Partial<Record<TargetName, Target>> = {
  onnx: onnxTarget,
};

/** A precision transform: source graph → graph at that precision (a new ModelProto). */
export interface PrecisionTransform {
  readonly precision: Precision;
  readonly description: string;
  transform(model: ModelProto, warn: (message: string) => void): ModelProto;
}

export const TRANSFORMS: Partial<Record<Precision, PrecisionTransform>> = {
  fp32: { precision: 'fp32', description: 'the source graph unchanged (float32)', transform: (m) => m },
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
