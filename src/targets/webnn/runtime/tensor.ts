// MLTensor: a buffer owned by an MLContext, bound to graph inputs and outputs by dispatch()
// and moved to and from script by writeTensor()/readTensor(). Data is kept in storage layout
// (see data-types.ts); slots are hidden in a WeakMap.
//   const t = await context.createTensor({ dataType: 'float32', shape: [2], writable: true });

import { allocateStorage, elementCountOf, type StorageArray } from './data-types.js';
import { domError } from './webidl.js';
import type { MLOperandDataType } from './types.js';

export interface TensorSlots {
  readonly context: object;
  readonly dataType: MLOperandDataType;
  readonly shape: readonly number[];
  readonly readable: boolean;
  readonly writable: boolean;
  readonly constant: boolean;
  destroyed: boolean;
  data: StorageArray;
  /** Rejecters of readTensor() promises still pending. */
  readonly pendingRejects: Set<(reason: unknown) => void>;
}

const tensorSlots = new WeakMap<object, TensorSlots>();
const CREATE = Symbol('MLTensor.create');

export interface TensorInit {
  context: object;
  dataType: MLOperandDataType;
  shape: readonly number[];
  readable: boolean;
  writable: boolean;
  constant: boolean;
  data?: StorageArray;
}

export class MLTensor {
  readonly #shape: readonly number[];

  /** Not constructible by script: tensors come from MLContext.createTensor(). */
  constructor(token: symbol, init: TensorInit) {
    if (token !== CREATE) throw new TypeError('Illegal constructor: MLTensor is created by MLContext');
    this.#shape = Object.freeze(init.shape.slice());
    tensorSlots.set(this, {
      context: init.context,
      dataType: init.dataType,
      shape: this.#shape,
      readable: init.readable,
      writable: init.writable,
      constant: init.constant,
      destroyed: false,
      data: init.data ?? allocateStorage(init.dataType, elementCountOf(init.shape)),
      pendingRejects: new Set(),
    });
  }

  get dataType(): MLOperandDataType {
    return slotsOf(this).dataType;
  }

  get shape(): readonly number[] {
    return this.#shape;
  }

  get readable(): boolean {
    return slotsOf(this).readable;
  }

  get writable(): boolean {
    return slotsOf(this).writable;
  }

  get constant(): boolean {
    return slotsOf(this).constant;
  }

  /** Releases the tensor; pending reads reject with "InvalidStateError". Idempotent. */
  destroy(): void {
    const slots = slotsOf(this);
    slots.destroyed = true;
    for (const reject of slots.pendingRejects) {
      reject(domError('InvalidStateError', 'MLTensor.destroy() was called while a read was pending'));
    }
    slots.pendingRejects.clear();
    slots.data = allocateStorage(slots.dataType, 0);
  }

  get [Symbol.toStringTag](): string {
    return 'MLTensor';
  }
}

export function createTensorObject(init: TensorInit): MLTensor {
  return new MLTensor(CREATE, init);
}

function slotsOf(tensor: MLTensor): TensorSlots {
  const slots = tensorSlots.get(tensor);
  if (!slots) throw new TypeError('Illegal invocation: not an MLTensor');
  return slots;
}

/** Slots of `value` if it is an MLTensor; TypeError otherwise. */
export function tensorSlotsOf(value: unknown, what: string): TensorSlots {
  const slots = typeof value === 'object' && value !== null ? tensorSlots.get(value) : undefined;
  if (!slots) throw new TypeError(`${what} is not an MLTensor`);
  return slots;
}
