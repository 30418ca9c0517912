// MLGraphBuilder: graph inputs, constants (buffer, scalar and MLTensor overloads), build(),
// and one method per WebNN operator, each delegating to its op-family module.
//   const builder = new MLGraphBuilder(context);
//   const y = builder.relu(builder.input('x', { dataType: 'float32', shape: [4] }));
//   const graph = await builder.build({ y });

import { BuildState, createConstantOperand, createInputOperand } from './build-state.js';
import { contextIsLost, isContext, toOperandDescriptor } from './context.js';
import { byteLengthOf, castNumber, elementCountOf, storageFromBytes, storeNumbers } from './data-types.js';
import { compileGraph, createGraphObject, type MLGraph } from './graph.js';
import { operandSlotsOf, type MLOperand } from './operand.js';
import { buildActivation, buildPrelu, buildSoftmax } from './ops/activations.js';
import { buildConv2d, buildConvTranspose2d } from './ops/convolution.js';
import { buildArithmetic, buildComparison } from './ops/elementwise-binary.js';
import { buildCast, buildClamp, buildLogicalNot, buildUnary } from './ops/elementwise-unary.js';
import {
  buildGather,
  buildGatherElements,
  buildGatherND,
  buildScatterElements,
  buildScatterND,
} from './ops/gather-scatter.js';
import { buildGemm, buildMatmul } from './ops/matmul.js';
import {
  buildBatchNormalization,
  buildInstanceNormalization,
  buildLayerNormalization,
} from './ops/normalization.js';
import { buildPool2d } from './ops/pooling.js';
import { buildDequantizeLinear, buildQuantizeLinear } from './ops/quantization.js';
import { buildArgMinMax, buildCumulativeSum, buildReduce } from './ops/reduction.js';
import { buildResample2d } from './ops/resample.js';
import {
  buildConcat,
  buildExpand,
  buildPad,
  buildReshape,
  buildReverse,
  buildSlice,
  buildSplit,
  buildTile,
  buildTranspose,
  buildTriangular,
  buildWhere,
} from './ops/shape-ops.js';
import { MLTensor, tensorSlotsOf } from './tensor.js';
import type * as T from './types.js';
import { checkBufferMatchesDataType, domError, toDataType, toDictionary, toMLNumber } from './webidl.js';

const builderStates = new WeakMap<object, BuildState>();

function stateOf(builder: MLGraphBuilder): BuildState {
  const state = builderStates.get(builder);
  if (!state) throw new TypeError('Illegal invocation: not an MLGraphBuilder');
  return state;
}

export class MLGraphBuilder {
  constructor(context: unknown) {
    if (!isContext(context)) throw new TypeError('MLGraphBuilder: context is not an MLContext');
    if (contextIsLost(context)) throw domError('InvalidStateError', 'MLGraphBuilder: the MLContext is lost');
    builderStates.set(this, new BuildState(context, () => contextIsLost(context)));
  }

  /** A named graph input. */
  input(name: string, descriptor: T.MLOperandDescriptor): MLOperand {
    const state = stateOf(this);
    state.checkCanBuild('input');
    const inputName = String(name);
    if (inputName === '') throw new TypeError('input: name must not be empty');
    if (state.inputNames.has(inputName))
      throw new TypeError(`input: an input named "${inputName}" already exists`);
    const desc = toOperandDescriptor(descriptor, `input "${inputName}": descriptor`);
    state.inputNames.add(inputName);
    return createInputOperand(state, inputName, desc);
  }

  /** A constant from a buffer, a scalar of a data type, or a constant MLTensor. */
  constant(descriptor: T.MLOperandDescriptor, buffer: T.AllowSharedBufferSource): MLOperand;
  constant(dataType: T.MLOperandDataType, value: T.MLNumber): MLOperand;
  constant(tensor: MLTensor): MLOperand;
  constant(
    first: T.MLOperandDescriptor | T.MLOperandDataType | MLTensor,
    second?: T.AllowSharedBufferSource | T.MLNumber,
  ): MLOperand {
    const state = stateOf(this);
    if (first instanceof MLTensor) {
      const tensor = tensorSlotsOf(first, 'constant: tensor');
      if (tensor.context !== state.context)
        throw new TypeError('constant: the tensor belongs to another MLContext');
      if (tensor.destroyed) throw new TypeError('constant: the tensor has been destroyed');
      if (!tensor.constant)
        throw new TypeError('constant: the tensor was not created by createConstantTensor()');
      state.checkCanBuild('constant');
      const value = { dataType: tensor.dataType, shape: tensor.shape, data: tensor.data };
      return createConstantOperand(state, value, () => tensor.destroyed);
    }
    state.checkCanBuild('constant');
    if (typeof first === 'string') {
      const dataType = toDataType(first, 'constant: dataType');
      const cast = castNumber(toMLNumber(second, 'constant: value'), dataType);
      const data =
        typeof cast === 'bigint'
          ? dataType === 'int64'
            ? BigInt64Array.of(cast)
            : BigUint64Array.of(cast)
          : storeNumbers(dataType, [cast]);
      return createConstantOperand(state, { dataType, shape: [], data });
    }
    const desc = toOperandDescriptor(first, 'constant: descriptor');
    const count = elementCountOf(desc.shape);
    const bytes = checkBufferMatchesDataType(
      second as T.AllowSharedBufferSource,
      desc.dataType,
      byteLengthOf(desc.dataType, count),
      'constant: buffer',
    );
    const value = {
      dataType: desc.dataType,
      shape: desc.shape,
      data: storageFromBytes(desc.dataType, bytes, count),
    };
    return createConstantOperand(state, value);
  }

  /** Compiles the graph computing `outputs`; the builder cannot be used afterwards. */
  async build(outputs: T.MLNamedOperands): Promise<MLGraph> {
    const state = stateOf(this);
    state.checkCanBuild('build');
    const record = toDictionary<Record<string, unknown>>(outputs, 'build: outputs');
    const named = new Map<string, MLOperand>();
    for (const [name, value] of Object.entries(record)) {
      if (name === '') throw new TypeError('build: an output name is empty');
      const operand = state.validateOperand(value, `build: outputs["${name}"]`);
      const slots = operandSlotsOf(operand)!;
      if (!slots.operator) {
        throw new TypeError(`build: outputs["${name}"] is a graph input or constant; wrap it in identity()`);
      }
      named.set(name, operand);
    }
    if (named.size === 0) throw new TypeError('build: outputs must not be empty');
    checkConstantSources(named);
    const plan = compileGraph(named);
    state.hasBuilt = true;
    return createGraphObject({ context: state.context, plan, destroyed: false });
  }

  argMin(input: MLOperand, axis: number, options?: T.MLArgMinMaxOptions): MLOperand {
    return buildArgMinMax(stateOf(this), 'argMin', input, axis, options);
  }
  argMax(input: MLOperand, axis: number, options?: T.MLArgMinMaxOptions): MLOperand {
    return buildArgMinMax(stateOf(this), 'argMax', input, axis, options);
  }
  batchNormalization(
    input: MLOperand,
    mean: MLOperand,
    variance: MLOperand,
    options?: T.MLBatchNormalizationOptions,
  ): MLOperand {
    return buildBatchNormalization(stateOf(this), input, mean, variance, options);
  }
  cast(input: MLOperand, dataType: T.MLOperandDataType, options?: T.MLOperatorOptions): MLOperand {
    return buildCast(stateOf(this), input, dataType, options);
  }
  clamp(input: MLOperand, options?: T.MLClampOptions): MLOperand {
    return buildClamp(stateOf(this), input, options);
  }
  concat(inputs: readonly MLOperand[], axis: number, options?: T.MLOperatorOptions): MLOperand {
    return buildConcat(stateOf(this), inputs, axis, options);
  }
  conv2d(input: MLOperand, filter: MLOperand, options?: T.MLConv2dOptions): MLOperand {
    return buildConv2d(stateOf(this), input, filter, options);
  }
  convTranspose2d(input: MLOperand, filter: MLOperand, options?: T.MLConvTranspose2dOptions): MLOperand {
    return buildConvTranspose2d(stateOf(this), input, filter, options);
  }
  cumulativeSum(input: MLOperand, axis: number, options?: T.MLCumulativeSumOptions): MLOperand {
    return buildCumulativeSum(stateOf(this), input, axis, options);
  }

  add(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'add', a, b, options);
  }
  sub(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'sub', a, b, options);
  }
  mul(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'mul', a, b, options);
  }
  div(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'div', a, b, options);
  }
  max(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'max', a, b, options);
  }
  min(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'min', a, b, options);
  }
  pow(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildArithmetic(stateOf(this), 'pow', a, b, options);
  }

  equal(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'equal', a, b, options);
  }
  notEqual(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'notEqual', a, b, options);
  }
  greater(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'greater', a, b, options);
  }
  greaterOrEqual(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'greaterOrEqual', a, b, options);
  }
  lesser(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'lesser', a, b, options);
  }
  lesserOrEqual(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'lesserOrEqual', a, b, options);
  }
  logicalNot(a: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildLogicalNot(stateOf(this), a, options);
  }
  logicalAnd(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'logicalAnd', a, b, options);
  }
  logicalOr(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'logicalOr', a, b, options);
  }
  logicalXor(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildComparison(stateOf(this), 'logicalXor', a, b, options);
  }

  abs(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'abs', input, options);
  }
  ceil(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'ceil', input, options);
  }
  cos(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'cos', input, options);
  }
  erf(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'erf', input, options);
  }
  exp(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'exp', input, options);
  }
  floor(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'floor', input, options);
  }
  identity(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'identity', input, options);
  }
  log(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'log', input, options);
  }
  neg(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'neg', input, options);
  }
  reciprocal(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'reciprocal', input, options);
  }
  roundEven(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'roundEven', input, options);
  }
  sin(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'sin', input, options);
  }
  sign(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'sign', input, options);
  }
  sqrt(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'sqrt', input, options);
  }
  tan(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildUnary(stateOf(this), 'tan', input, options);
  }

  dequantizeLinear(
    input: MLOperand,
    scale: MLOperand,
    zeroPoint: MLOperand,
    options?: T.MLOperatorOptions,
  ): MLOperand {
    return buildDequantizeLinear(stateOf(this), input, scale, zeroPoint, options);
  }
  quantizeLinear(
    input: MLOperand,
    scale: MLOperand,
    zeroPoint: MLOperand,
    options?: T.MLOperatorOptions,
  ): MLOperand {
    return buildQuantizeLinear(stateOf(this), input, scale, zeroPoint, options);
  }
  elu(input: MLOperand, options?: T.MLEluOptions): MLOperand {
    return buildActivation(stateOf(this), 'elu', input, options);
  }
  expand(input: MLOperand, newShape: readonly number[], options?: T.MLOperatorOptions): MLOperand {
    return buildExpand(stateOf(this), input, newShape, options);
  }
  gather(input: MLOperand, indices: MLOperand, options?: T.MLGatherOptions): MLOperand {
    return buildGather(stateOf(this), input, indices, options);
  }
  gatherElements(input: MLOperand, indices: MLOperand, options?: T.MLGatherOptions): MLOperand {
    return buildGatherElements(stateOf(this), input, indices, options);
  }
  gatherND(input: MLOperand, indices: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildGatherND(stateOf(this), input, indices, options);
  }
  gelu(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'gelu', input, options);
  }
  gemm(a: MLOperand, b: MLOperand, options?: T.MLGemmOptions): MLOperand {
    return buildGemm(stateOf(this), a, b, options);
  }
  hardSigmoid(input: MLOperand, options?: T.MLHardSigmoidOptions): MLOperand {
    return buildActivation(stateOf(this), 'hardSigmoid', input, options);
  }
  hardSwish(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'hardSwish', input, options);
  }
  instanceNormalization(input: MLOperand, options?: T.MLInstanceNormalizationOptions): MLOperand {
    return buildInstanceNormalization(stateOf(this), input, options);
  }
  layerNormalization(input: MLOperand, options?: T.MLLayerNormalizationOptions): MLOperand {
    return buildLayerNormalization(stateOf(this), input, options);
  }
  leakyRelu(input: MLOperand, options?: T.MLLeakyReluOptions): MLOperand {
    return buildActivation(stateOf(this), 'leakyRelu', input, options);
  }
  linear(input: MLOperand, options?: T.MLLinearOptions): MLOperand {
    return buildActivation(stateOf(this), 'linear', input, options);
  }
  matmul(a: MLOperand, b: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildMatmul(stateOf(this), a, b, options);
  }
  pad(
    input: MLOperand,
    beginningPadding: readonly number[],
    endingPadding: readonly number[],
    options?: T.MLPadOptions,
  ): MLOperand {
    return buildPad(stateOf(this), input, beginningPadding, endingPadding, options);
  }
  averagePool2d(input: MLOperand, options?: T.MLPool2dOptions): MLOperand {
    return buildPool2d(stateOf(this), 'averagePool2d', input, options);
  }
  l2Pool2d(input: MLOperand, options?: T.MLPool2dOptions): MLOperand {
    return buildPool2d(stateOf(this), 'l2Pool2d', input, options);
  }
  maxPool2d(input: MLOperand, options?: T.MLPool2dOptions): MLOperand {
    return buildPool2d(stateOf(this), 'maxPool2d', input, options);
  }
  prelu(input: MLOperand, slope: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildPrelu(stateOf(this), input, slope, options);
  }

  reduceL1(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceL1', input, options);
  }
  reduceL2(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceL2', input, options);
  }
  reduceLogSum(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceLogSum', input, options);
  }
  reduceLogSumExp(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceLogSumExp', input, options);
  }
  reduceMax(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceMax', input, options);
  }
  reduceMean(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceMean', input, options);
  }
  reduceMin(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceMin', input, options);
  }
  reduceProduct(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceProduct', input, options);
  }
  reduceSum(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceSum', input, options);
  }
  reduceSumSquare(input: MLOperand, options?: T.MLReduceOptions): MLOperand {
    return buildReduce(stateOf(this), 'reduceSumSquare', input, options);
  }

  relu(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'relu', input, options);
  }
  resample2d(input: MLOperand, options?: T.MLResample2dOptions): MLOperand {
    return buildResample2d(stateOf(this), input, options);
  }
  reshape(input: MLOperand, newShape: readonly number[], options?: T.MLOperatorOptions): MLOperand {
    return buildReshape(stateOf(this), input, newShape, options);
  }
  reverse(input: MLOperand, options?: T.MLReverseOptions): MLOperand {
    return buildReverse(stateOf(this), input, options);
  }
  scatterElements(
    input: MLOperand,
    indices: MLOperand,
    updates: MLOperand,
    options?: T.MLScatterOptions,
  ): MLOperand {
    return buildScatterElements(stateOf(this), input, indices, updates, options);
  }
  scatterND(
    input: MLOperand,
    indices: MLOperand,
    updates: MLOperand,
    options?: T.MLOperatorOptions,
  ): MLOperand {
    return buildScatterND(stateOf(this), input, indices, updates, options);
  }
  sigmoid(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'sigmoid', input, options);
  }
  slice(
    input: MLOperand,
    starts: readonly number[],
    sizes: readonly number[],
    options?: T.MLSliceOptions,
  ): MLOperand {
    return buildSlice(stateOf(this), input, starts, sizes, options);
  }
  softmax(input: MLOperand, axis: number, options?: T.MLOperatorOptions): MLOperand {
    return buildSoftmax(stateOf(this), input, axis, options);
  }
  softplus(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'softplus', input, options);
  }
  softsign(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'softsign', input, options);
  }
  split(input: MLOperand, splits: number | readonly number[], options?: T.MLSplitOptions): MLOperand[] {
    return buildSplit(stateOf(this), input, splits, options);
  }
  tanh(input: MLOperand, options?: T.MLOperatorOptions): MLOperand {
    return buildActivation(stateOf(this), 'tanh', input, options);
  }
  tile(input: MLOperand, repetitions: readonly number[], options?: T.MLOperatorOptions): MLOperand {
    return buildTile(stateOf(this), input, repetitions, options);
  }
  transpose(input: MLOperand, options?: T.MLTransposeOptions): MLOperand {
    return buildTranspose(stateOf(this), input, options);
  }
  triangular(input: MLOperand, options?: T.MLTriangularOptions): MLOperand {
    return buildTriangular(stateOf(this), input, options);
  }
  where(
    condition: MLOperand,
    trueValue: MLOperand,
    falseValue: MLOperand,
    options?: T.MLOperatorOptions,
  ): MLOperand {
    return buildWhere(stateOf(this), condition, trueValue, falseValue, options);
  }

  get [Symbol.toStringTag](): string {
    return 'MLGraphBuilder';
  }
}

/** Spec build(): a constant made from an MLTensor that has since been destroyed is a TypeError. */
function checkConstantSources(outputs: ReadonlyMap<string, MLOperand>): void {
  const seen = new Set<MLOperand>();
  const stack = [...outputs.values()];
  while (stack.length > 0) {
    const operand = stack.pop()!;
    if (seen.has(operand)) continue;
    seen.add(operand);
    const slots = operandSlotsOf(operand)!;
    if (slots.isSourceDestroyed?.())
      throw new TypeError('build: a constant operand was made from an MLTensor that has been destroyed');
    if (slots.operator) stack.push(...slots.operator.inputs);
  }
}
