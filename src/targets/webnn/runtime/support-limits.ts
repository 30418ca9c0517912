// What this runtime supports, per operator and operand: data types and rank ranges. One
// table serves both MLContext.opSupportLimits() (shape as in the spec: per-op dictionaries of
// MLTensorLimits keyed by parameter name) and the builder's validation, so a type the limits
// do not list is always a TypeError at graph-construction time.
//   context.opSupportLimits().matmul.a.dataTypes; // ['float32', 'float16']

import { ALL_DATA_TYPES } from './data-types.js';
import type {
  MLOpSupportLimitsBase,
  MLOperandDataType,
  MLOperatorSupportLimits,
  MLTensorLimits,
} from './types.js';

/** Highest rank any operand may have. */
export const MAX_RANK = 8;
/** Largest tensor, in bytes (typed arrays beyond this are impractical in one JS heap). */
export const MAX_TENSOR_BYTE_LENGTH = 2 ** 31;

type TypeList = readonly MLOperandDataType[];
const ANY: TypeList = ALL_DATA_TYPES;
const FLOAT: TypeList = ['float32', 'float16'];
const SIGNED_NUMERIC: TypeList = ['float32', 'float16', 'int64', 'int32', 'int8'];
const INDICES: TypeList = ['int32', 'uint32', 'int64'];
const UINT8: TypeList = ['uint8'];
const QUANTIZED: TypeList = ['uint8', 'int8', 'uint32', 'int32', 'int4', 'uint4'];
const SUMMABLE: TypeList = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64'];
const ORDERED_EXACT: TypeList = ['float32', 'float16', 'int32', 'uint32', 'int8', 'uint8', 'int4', 'uint4'];

/** [dataTypes, minRank, maxRank] of one operand. */
type LimitSpec = readonly [TypeList, number, number];
const limit = (types: TypeList, minRank = 0, maxRank = MAX_RANK): LimitSpec => [types, minRank, maxRank];

const unaryLimits = (types: TypeList, minRank = 0): Record<string, LimitSpec> => ({
  input: limit(types, minRank),
  output: limit(types, minRank),
});
const binaryLimits = (types: TypeList, output: TypeList = types): Record<string, LimitSpec> => ({
  a: limit(types),
  b: limit(types),
  output: limit(output),
});
const reductionLimits = (types: TypeList) => unaryLimits(types);
const poolLimits = (types: TypeList) => ({ input: limit(types, 4, 4), output: limit(types, 4, 4) });
const convLimits = {
  input: limit(FLOAT, 4, 4),
  filter: limit(FLOAT, 4, 4),
  bias: limit(FLOAT, 1, 1),
  output: limit(FLOAT, 4, 4),
};
const normalizationLimits = (inputMin: number, inputMax: number, paramMin: number, paramMax: number) => ({
  input: limit(FLOAT, inputMin, inputMax),
  scale: limit(FLOAT, paramMin, paramMax),
  bias: limit(FLOAT, paramMin, paramMax),
  output: limit(FLOAT, inputMin, inputMax),
});
const gatherLimits = (inputMin: number, indicesMin: number) => ({
  input: limit(ANY, inputMin),
  indices: limit(INDICES, indicesMin),
  output: limit(ANY),
});
const scatterLimits = (updatesMin: number) => ({
  input: limit(ANY, 1),
  indices: limit(INDICES, 1),
  updates: limit(ANY, updatesMin),
  output: limit(ANY, 1),
});

const OPERATOR_TABLE = {
  argMin: { input: limit(ANY, 1), output: limit(['int32', 'int64']) },
  argMax: { input: limit(ANY, 1), output: limit(['int32', 'int64']) },
  batchNormalization: {
    input: limit(FLOAT, 1),
    mean: limit(FLOAT, 1, 1),
    variance: limit(FLOAT, 1, 1),
    scale: limit(FLOAT, 1, 1),
    bias: limit(FLOAT, 1, 1),
    output: limit(FLOAT, 1),
  },
  cast: unaryLimits(ANY),
  clamp: unaryLimits(ANY),
  concat: { inputs: limit(ANY, 1), output: limit(ANY, 1) },
  conv2d: convLimits,
  convTranspose2d: convLimits,
  cumulativeSum: unaryLimits(SUMMABLE, 1),
  add: binaryLimits(ANY),
  sub: binaryLimits(ANY),
  mul: binaryLimits(ANY),
  div: binaryLimits(ANY),
  max: binaryLimits(ANY),
  min: binaryLimits(ANY),
  pow: binaryLimits(ANY),
  equal: binaryLimits(ANY, UINT8),
  notEqual: binaryLimits(ANY, UINT8),
  greater: binaryLimits(ANY, UINT8),
  greaterOrEqual: binaryLimits(ANY, UINT8),
  lesser: binaryLimits(ANY, UINT8),
  lesserOrEqual: binaryLimits(ANY, UINT8),
  logicalNot: { a: limit(UINT8), output: limit(UINT8) },
  logicalAnd: binaryLimits(UINT8),
  logicalOr: binaryLimits(UINT8),
  logicalXor: binaryLimits(UINT8),
  abs: unaryLimits(SIGNED_NUMERIC),
  ceil: unaryLimits(FLOAT),
  cos: unaryLimits(FLOAT),
  erf: unaryLimits(FLOAT),
  exp: unaryLimits(FLOAT),
  floor: unaryLimits(FLOAT),
  identity: unaryLimits(ANY),
  log: unaryLimits(FLOAT),
  neg: unaryLimits(SIGNED_NUMERIC),
  reciprocal: unaryLimits(FLOAT),
  roundEven: unaryLimits(FLOAT),
  sin: unaryLimits(FLOAT),
  sign: unaryLimits(SIGNED_NUMERIC),
  sqrt: unaryLimits(FLOAT),
  tan: unaryLimits(FLOAT),
  dequantizeLinear: {
    input: limit(QUANTIZED),
    scale: limit(FLOAT),
    zeroPoint: limit(QUANTIZED),
    output: limit(FLOAT),
  },
  quantizeLinear: {
    input: limit(FLOAT),
    scale: limit(FLOAT),
    zeroPoint: limit(QUANTIZED),
    output: limit(QUANTIZED),
  },
  elu: unaryLimits(FLOAT),
  expand: unaryLimits(ANY),
  gather: gatherLimits(1, 0),
  gatherElements: gatherLimits(1, 1),
  gatherND: gatherLimits(1, 1),
  gelu: unaryLimits(FLOAT),
  gemm: { a: limit(FLOAT, 2, 2), b: limit(FLOAT, 2, 2), c: limit(FLOAT, 0, 2), output: limit(FLOAT, 2, 2) },
  hardSigmoid: unaryLimits(FLOAT),
  hardSwish: unaryLimits(FLOAT),
  instanceNormalization: normalizationLimits(4, 4, 1, 1),
  layerNormalization: normalizationLimits(0, MAX_RANK, 0, MAX_RANK),
  leakyRelu: unaryLimits(FLOAT),
  linear: unaryLimits(FLOAT),
  matmul: { a: limit(FLOAT, 2), b: limit(FLOAT, 2), output: limit(FLOAT, 2) },
  pad: unaryLimits(ANY, 1),
  averagePool2d: poolLimits(FLOAT),
  l2Pool2d: poolLimits(FLOAT),
  maxPool2d: poolLimits(ORDERED_EXACT),
  prelu: { input: limit(SIGNED_NUMERIC), slope: limit(SIGNED_NUMERIC), output: limit(SIGNED_NUMERIC) },
  reduceL1: reductionLimits(SUMMABLE),
  reduceL2: reductionLimits(FLOAT),
  reduceLogSum: reductionLimits(FLOAT),
  reduceLogSumExp: reductionLimits(FLOAT),
  reduceMax: reductionLimits(ANY),
  reduceMean: reductionLimits(FLOAT),
  reduceMin: reductionLimits(ANY),
  reduceProduct: reductionLimits(SUMMABLE),
  reduceSum: reductionLimits(SUMMABLE),
  reduceSumSquare: reductionLimits(SUMMABLE),
  relu: unaryLimits(SIGNED_NUMERIC),
  resample2d: unaryLimits(FLOAT, 4),
  reshape: unaryLimits(ANY),
  reverse: unaryLimits(ANY),
  scatterElements: scatterLimits(1),
  scatterND: scatterLimits(0),
  sigmoid: unaryLimits(FLOAT),
  slice: unaryLimits(ANY),
  softmax: unaryLimits(FLOAT, 1),
  softplus: unaryLimits(FLOAT),
  softsign: unaryLimits(FLOAT),
  split: { input: limit(ANY, 1), outputs: limit(ANY, 1) },
  tanh: unaryLimits(FLOAT),
  tile: unaryLimits(ANY),
  transpose: unaryLimits(ANY),
  triangular: unaryLimits(ANY, 2),
  where: { condition: limit(UINT8), trueValue: limit(ANY), falseValue: limit(ANY), output: limit(ANY) },
} satisfies Record<string, Record<string, LimitSpec>>;

/** Operators this runtime implements (the per-operator members of MLOpSupportLimits). */
export type OperatorName = keyof typeof OPERATOR_TABLE;

export type MLOpSupportLimits = MLOpSupportLimitsBase & { [K in OperatorName]: MLOperatorSupportLimits };

export const OPERATOR_NAMES = Object.keys(OPERATOR_TABLE) as OperatorName[];

function tensorLimits([types, min, max]: LimitSpec): MLTensorLimits {
  return { dataTypes: types.slice(), rankRange: { min, max } };
}

/** A fresh MLOpSupportLimits dictionary (callers may mutate their copy). */
export function buildOpSupportLimits(): MLOpSupportLimits {
  const all = limit(ANY);
  const result: Record<string, unknown> = {
    preferredInputLayout: 'nchw',
    maxTensorByteLength: MAX_TENSOR_BYTE_LENGTH,
    input: tensorLimits(all),
    constant: tensorLimits(all),
    output: tensorLimits(all),
  };
  for (const name of OPERATOR_NAMES) {
    const perOperand: MLOperatorSupportLimits = {};
    for (const [param, spec] of Object.entries(OPERATOR_TABLE[name] as Record<string, LimitSpec>)) {
      perOperand[param] = tensorLimits(spec);
    }
    result[name] = perOperand;
  }
  return result as unknown as MLOpSupportLimits;
}

/**
 * Throws TypeError unless `operand` (of `kind`'s parameter `param`) has a supported data type
 * and rank.
 */
export function checkOperandLimits(
  kind: OperatorName,
  param: string,
  operand: { dataType: MLOperandDataType; shape: readonly number[] },
  what: string,
): void {
  const spec = (OPERATOR_TABLE[kind] as Record<string, LimitSpec>)[param];
  if (!spec) throw new Error(`support-limits: ${kind} has no parameter ${param}`);
  const [types, min, max] = spec;
  if (!types.includes(operand.dataType)) {
    throw new TypeError(
      `${what}: ${param} has data type ${operand.dataType}; supported: ${types.join(', ')}`,
    );
  }
  const rank = operand.shape.length;
  if (rank < min || rank > max) {
    throw new TypeError(`${what}: ${param} has rank ${rank}; supported ranks ${min} to ${max}`);
  }
}
