// MLOperand and the graph it belongs to: each operand is a graph input, a constant, or an
// output of one operator node. Internal slots live in a WeakMap so the public object shows
// only the spec's attributes (dataType, shape).
//   const x = builder.input('x', { dataType: 'float32', shape: [2, 3] });
//   x.shape; // [2, 3] (frozen)

import type { RuntimeTensor } from './data-types.js';
import type { MLOperandDataType } from './types.js';

/** One operator in the graph: its inputs, outputs and the kernel computing the outputs. */
export interface OperatorNode {
  readonly kind: string;
  /** "kind" or "kind [label]" for messages. */
  readonly description: string;
  readonly inputs: readonly MLOperand[];
  outputs: MLOperand[];
  /** Computes the outputs from the input values (never mutates its inputs). */
  compute(inputs: readonly RuntimeTensor[]): RuntimeTensor[];
}

export interface OperandSlots {
  /** The builder's internal state object (operands of another builder are rejected). */
  readonly owner: object;
  readonly dataType: MLOperandDataType;
  readonly shape: readonly number[];
  /** Graph input name (input operands only). */
  readonly inputName?: string;
  /** Constant value (constant operands only). */
  readonly constant?: RuntimeTensor;
  /** For constants made from an MLTensor: whether that tensor has been destroyed. */
  readonly isSourceDestroyed?: () => boolean;
  /** The operator producing this operand (operator outputs only). */
  operator?: OperatorNode;
}

const operandSlots = new WeakMap<object, OperandSlots>();
const CREATE = Symbol('MLOperand.create');

export class MLOperand {
  readonly #shape: readonly number[];

  /** Not constructible by script: operands come from MLGraphBuilder methods. */
  constructor(token: symbol, slots: OperandSlots) {
    if (token !== CREATE) throw new TypeError('Illegal constructor: MLOperand is created by MLGraphBuilder');
    this.#shape = Object.freeze(slots.shape.slice());
    operandSlots.set(this, { ...slots, shape: this.#shape });
  }

  get dataType(): MLOperandDataType {
    return slotsOf(this).dataType;
  }

  get shape(): readonly number[] {
    return this.#shape;
  }

  get [Symbol.toStringTag](): string {
    return 'MLOperand';
  }
}

export function createOperand(slots: OperandSlots): MLOperand {
  return new MLOperand(CREATE, slots);
}

function slotsOf(operand: MLOperand): OperandSlots {
  const slots = operandSlots.get(operand);
  if (!slots) throw new TypeError('Illegal invocation: not an MLOperand');
  return slots;
}

/** Slots of `value` if it is an MLOperand, else undefined. */
export function operandSlotsOf(value: unknown): OperandSlots | undefined {
  return typeof value === 'object' && value !== null ? operandSlots.get(value) : undefined;
}
