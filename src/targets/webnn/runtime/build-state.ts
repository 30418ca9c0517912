// Graph-construction state of one MLGraphBuilder and the helper every operator uses to
// validate its arguments and add itself to the graph: the spec's "can build" check, "validate
// operand", support-limit checks, output shape checks, and node creation.
//   const op = new OperatorBuild(state, 'relu', options);
//   const x = op.operand(input, 'input');
//   return op.emitOne([x], { dataType: x.dataType, shape: x.shape }, ([v]) => reluKernel(v));

import type { RuntimeTensor } from './data-types.js';
import { byteLengthOf, elementCountOf } from './data-types.js';
import { createOperand, MLOperand, operandSlotsOf, type OperatorNode } from './operand.js';
import { isValidDimension } from './shape-utils.js';
import { checkOperandLimits, MAX_TENSOR_BYTE_LENGTH, type OperatorName } from './support-limits.js';
import type { MLOperandDataType } from './types.js';
import { describeOperator, domError } from './webidl.js';

export interface OperandDescription {
  dataType: MLOperandDataType;
  shape: readonly number[];
}

/** Answers whether the context of a builder is lost (provided by context.ts). */
export type LostCheck = () => boolean;

export class BuildState {
  hasBuilt = false;
  readonly inputNames = new Set<string>();

  constructor(
    readonly context: object,
    private readonly contextIsLost: LostCheck,
  ) {}

  /** Spec "can build": not yet built and the context is not lost; else InvalidStateError. */
  checkCanBuild(what: string): void {
    if (this.hasBuilt)
      throw domError('InvalidStateError', `${what}: this MLGraphBuilder has already built its graph`);
    if (this.contextIsLost()) throw domError('InvalidStateError', `${what}: the MLContext is lost`);
  }

  /** Spec "validate operand": an MLOperand created by this builder; else TypeError. */
  validateOperand(value: unknown, what: string): MLOperand {
    const slots = operandSlotsOf(value);
    if (!slots) throw new TypeError(`${what} is not an MLOperand`);
    if (slots.owner !== this) throw new TypeError(`${what} belongs to another MLGraphBuilder`);
    return value as MLOperand;
  }
}

/** Throws TypeError unless every dim is a valid dimension and the byte length is supported. */
export function checkDescriptorShape(desc: OperandDescription, what: string): void {
  for (const d of desc.shape) {
    if (!isValidDimension(d))
      throw new TypeError(`${what}: dimension ${d} is not a valid dimension (1 to 2^31-1)`);
  }
  const bytes = byteLengthOf(desc.dataType, elementCountOf(desc.shape));
  if (bytes > MAX_TENSOR_BYTE_LENGTH) {
    throw new TypeError(
      `${what}: ${bytes} bytes exceed the maximum tensor byte length ${MAX_TENSOR_BYTE_LENGTH}`,
    );
  }
}

/** Validation and graph connection for one operator call. */
export class OperatorBuild {
  readonly what: string;

  constructor(
    readonly state: BuildState,
    readonly kind: OperatorName,
    options?: { label?: unknown },
  ) {
    this.what = describeOperator(kind, options);
    state.checkCanBuild(this.what);
  }

  /** Validates `value` as an operand of this builder whose type and rank `param` supports. */
  operand(value: unknown, param: string): MLOperand {
    const operand = this.state.validateOperand(value, `${this.what}: ${param}`);
    checkOperandLimits(this.kind, param, operand, this.what);
    return operand;
  }

  /** Like operand() for an optional operand (undefined stays undefined). */
  optionalOperand(value: unknown, param: string): MLOperand | undefined {
    return value === undefined ? undefined : this.operand(value, param);
  }

  /** TypeError naming the operator. */
  fail(message: string): never {
    throw new TypeError(`${this.what}: ${message}`);
  }

  /** Throws unless `operand`'s data type equals `expected` ("same type as" constraints). */
  requireSameType(operand: MLOperand, param: string, expected: MLOperandDataType): void {
    if (operand.dataType !== expected)
      this.fail(`${param} has data type ${operand.dataType}, expected ${expected}`);
  }

  /** Adds the operator; returns its output operands. */
  emit(
    inputs: readonly MLOperand[],
    outputs: readonly OperandDescription[],
    compute: (inputs: readonly RuntimeTensor[]) => RuntimeTensor[],
    outputParam = 'output',
  ): MLOperand[] {
    for (const desc of outputs) {
      checkDescriptorShape(desc, this.what);
      checkOperandLimits(this.kind, outputParam, desc, this.what);
    }
    const node: OperatorNode = {
      kind: this.kind,
      description: this.what,
      inputs: inputs.slice(),
      outputs: [],
      compute,
    };
    node.outputs = outputs.map((desc) =>
      createOperand({ owner: this.state, dataType: desc.dataType, shape: desc.shape, operator: node }),
    );
    return node.outputs;
  }

  /** emit() for a single-output operator whose kernel returns one tensor. */
  emitOne(
    inputs: readonly MLOperand[],
    output: OperandDescription,
    compute: (inputs: readonly RuntimeTensor[]) => RuntimeTensor,
  ): MLOperand {
    return this.emit(inputs, [output], (values) => [compute(values)])[0];
  }
}

/** Creates a graph input operand. */
export function createInputOperand(state: BuildState, name: string, desc: OperandDescription): MLOperand {
  return createOperand({ owner: state, dataType: desc.dataType, shape: desc.shape, inputName: name });
}

/** Creates a constant operand holding `value`. */
export function createConstantOperand(
  state: BuildState,
  value: RuntimeTensor,
  isSourceDestroyed?: () => boolean,
): MLOperand {
  return createOperand({
    owner: state,
    dataType: value.dataType,
    shape: value.shape,
    constant: value,
    isSourceDestroyed,
  });
}
