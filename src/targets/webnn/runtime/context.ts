// ML and MLContext: context creation, MLTensor creation/read/write, graph dispatch and
// opSupportLimits(). The context timeline is synchronous: writeTensor() and dispatch() take
// effect in call order before they return, and reads resolve in a microtask (so a tensor
// destroyed in the same task rejects its pending reads, as the spec's queued task would).
//   const context = await ml.createContext();
//   context.dispatch(graph, { x: inputTensor }, { y: outputTensor });
//   const bytes = await context.readTensor(outputTensor);

import { byteLengthOf, elementCountOf, storageFromBytes, storageToBytes } from './data-types.js';
import { checkDescriptorShape } from './build-state.js';
import { graphSlotsOf, runPlan, type MLGraph } from './graph.js';
import { buildOpSupportLimits, type MLOpSupportLimits } from './support-limits.js';
import { createTensorObject, tensorSlotsOf, type MLTensor, type TensorSlots } from './tensor.js';
import type {
  AllowSharedBufferSource,
  MLContextLostInfo,
  MLContextOptions,
  MLNamedTensors,
  MLOperandDescriptor,
  MLPowerPreference,
  MLTensorDescriptor,
} from './types.js';
import {
  checkBufferMatchesDataType,
  domError,
  toDataType,
  toDictionary,
  toEnum,
  toUnsignedLongSequence,
} from './webidl.js';

interface ContextSlots {
  readonly powerPreference: MLPowerPreference;
  lostInfo?: MLContextLostInfo;
  resolveLost: (info: MLContextLostInfo) => void;
  readonly lost: Promise<MLContextLostInfo>;
}

const contextSlots = new WeakMap<object, ContextSlots>();
const CREATE = Symbol('MLContext.create');

function slotsOf(context: MLContext): ContextSlots {
  const slots = contextSlots.get(context);
  if (!slots) throw new TypeError('Illegal invocation: not an MLContext');
  return slots;
}

/** True when `context` is an MLContext that has been lost (destroyed). */
export function contextIsLost(context: object): boolean {
  return contextSlots.get(context)?.lostInfo !== undefined;
}

export function isContext(value: unknown): value is MLContext {
  return typeof value === 'object' && value !== null && contextSlots.has(value);
}

/** Converts an MLOperandDescriptor dictionary (WebIDL) and checks its dimensions. */
export function toOperandDescriptor(value: unknown, what: string): MLOperandDescriptor {
  const dict = toDictionary<MLOperandDescriptor>(value, what);
  if (dict.dataType === undefined) throw new TypeError(`${what}.dataType is required`);
  if (dict.shape === undefined) throw new TypeError(`${what}.shape is required`);
  const desc = {
    dataType: toDataType(dict.dataType, `${what}.dataType`),
    shape: toUnsignedLongSequence(dict.shape, `${what}.shape`),
  };
  checkDescriptorShape(desc, what);
  return desc;
}

export class MLContext {
  /** Not constructible by script: contexts come from ml.createContext(). */
  constructor(token: symbol, powerPreference: MLPowerPreference) {
    if (token !== CREATE) throw new TypeError('Illegal constructor: use navigator.ml.createContext()');
    let resolveLost!: (info: MLContextLostInfo) => void;
    const lost = new Promise<MLContextLostInfo>((resolve) => (resolveLost = resolve));
    contextSlots.set(this, { powerPreference, resolveLost, lost });
  }

  /** Resolves when the context is lost, e.g. after destroy(). */
  get lost(): Promise<MLContextLostInfo> {
    return slotsOf(this).lost;
  }

  /** Runs `graph` on the input tensors and writes its outputs to the output tensors. */
  dispatch(graph: MLGraph, inputs: MLNamedTensors, outputs: MLNamedTensors): void {
    slotsOf(this);
    const g = graphSlotsOf(graph);
    if (g.context !== this) throw new TypeError('dispatch: the graph was built for another MLContext');
    if (g.destroyed || contextIsLost(this)) {
      throw domError('InvalidStateError', 'dispatch: the graph has been destroyed or its context lost');
    }
    const namedInputs = namedTensors(inputs, 'dispatch: inputs');
    const namedOutputs = namedTensors(outputs, 'dispatch: outputs');
    const all = [...namedInputs.values(), ...namedOutputs.values()];
    if (new Set(all).size !== all.length) {
      throw new TypeError(
        'dispatch: the same MLTensor is bound more than once (inputs and outputs must be distinct)',
      );
    }
    for (const slots of all) {
      if (slots.context !== this) throw new TypeError('dispatch: a tensor belongs to another MLContext');
      if (slots.destroyed) throw new TypeError('dispatch: a tensor has been destroyed');
    }
    matchDescriptors(namedInputs, g.plan.inputs, 'inputs');
    matchDescriptors(namedOutputs, g.plan.outputs, 'outputs');

    const inputData = new Map([...namedInputs].map(([name, slots]) => [name, slots.data]));
    let results;
    try {
      results = runPlan(g.plan, inputData);
    } catch (e) {
      // Execution failures have no reporting mechanism in the spec (issue 778): the context
      // is lost, and the error is rethrown so that it is not silently swallowed.
      loseContext(this, `graph execution failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    for (const [name, slots] of namedOutputs) {
      const value = results.get(name)!;
      (slots.data as Uint8Array).set(value.data as Uint8Array);
    }
  }

  /** Creates a zero-filled tensor. */
  async createTensor(descriptor: MLTensorDescriptor): Promise<MLTensor> {
    this.#checkNotLost('createTensor');
    const dict = toDictionary<MLTensorDescriptor>(descriptor, 'createTensor: descriptor');
    const desc = toOperandDescriptor(dict, 'createTensor: descriptor');
    return createTensorObject({
      context: this,
      dataType: desc.dataType,
      shape: desc.shape,
      readable: Boolean(dict.readable),
      writable: Boolean(dict.writable),
      constant: false,
    });
  }

  /** Creates a constant tensor holding `inputData`, usable with MLGraphBuilder.constant(tensor). */
  async createConstantTensor(
    descriptor: MLOperandDescriptor,
    inputData: AllowSharedBufferSource,
  ): Promise<MLTensor> {
    this.#checkNotLost('createConstantTensor');
    const desc = toOperandDescriptor(descriptor, 'createConstantTensor: descriptor');
    const count = elementCountOf(desc.shape);
    const bytes = checkBufferMatchesDataType(
      inputData,
      desc.dataType,
      byteLengthOf(desc.dataType, count),
      'createConstantTensor: inputData',
    );
    return createTensorObject({
      context: this,
      dataType: desc.dataType,
      shape: desc.shape,
      readable: false,
      writable: false,
      constant: true,
      data: storageFromBytes(desc.dataType, bytes, count),
    });
  }

  /** Reads a readable tensor: a new ArrayBuffer, or into `outputData` (BYOB). */
  readTensor(tensor: MLTensor): Promise<ArrayBuffer>;
  readTensor(tensor: MLTensor, outputData: AllowSharedBufferSource): Promise<undefined>;
  readTensor(tensor: MLTensor, outputData?: AllowSharedBufferSource): Promise<ArrayBuffer | undefined> {
    let slots: TensorSlots;
    let bytes: Uint8Array;
    let target: Uint8Array | undefined;
    try {
      slots = tensorSlotsOf(tensor, 'readTensor: tensor');
      if (slots.context !== this) throw new TypeError('readTensor: the tensor belongs to another MLContext');
      if (slots.destroyed) throw new TypeError('readTensor: the tensor has been destroyed');
      if (!slots.readable) throw new TypeError('readTensor: the tensor was not created with readable: true');
      if (outputData !== undefined) {
        target = checkBufferMatchesDataType(
          outputData,
          slots.dataType,
          byteLengthOf(slots.dataType, slots.data.length),
          'readTensor: outputData',
        );
      }
      if (contextIsLost(this)) throw domError('InvalidStateError', 'readTensor: the MLContext is lost');
      bytes = storageToBytes(slots.dataType, slots.data);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<ArrayBuffer | undefined>((resolve, reject) => {
      slots.pendingRejects.add(reject);
      queueMicrotask(() => {
        if (!slots.pendingRejects.delete(reject)) return;
        if (target) {
          target.set(bytes);
          resolve(undefined);
        } else {
          resolve(bytes.buffer as ArrayBuffer);
        }
      });
    });
  }

  /** Copies `inputData` into a writable tensor. */
  writeTensor(tensor: MLTensor, inputData: AllowSharedBufferSource): void {
    const slots = tensorSlotsOf(tensor, 'writeTensor: tensor');
    if (slots.context !== this) throw new TypeError('writeTensor: the tensor belongs to another MLContext');
    if (slots.destroyed) throw new TypeError('writeTensor: the tensor has been destroyed');
    if (!slots.writable) throw new TypeError('writeTensor: the tensor was not created with writable: true');
    const count = slots.data.length;
    const bytes = checkBufferMatchesDataType(
      inputData,
      slots.dataType,
      byteLengthOf(slots.dataType, count),
      'writeTensor: inputData',
    );
    if (contextIsLost(this)) return; // spec: the enqueued write is aborted when the context is lost
    slots.data = storageFromBytes(slots.dataType, bytes, count);
  }

  /** Data types and ranks this runtime supports, per operator (spec MLOpSupportLimits). */
  opSupportLimits(): MLOpSupportLimits {
    slotsOf(this);
    return buildOpSupportLimits();
  }

  /** Loses the context: its graphs and tensors can no longer be used. */
  destroy(): void {
    if (contextIsLost(this)) return;
    loseContext(this, 'MLContext.destroy() was called');
  }

  #checkNotLost(what: string): void {
    slotsOf(this);
    if (contextIsLost(this)) throw domError('InvalidStateError', `${what}: the MLContext is lost`);
  }

  get [Symbol.toStringTag](): string {
    return 'MLContext';
  }
}

function loseContext(context: MLContext, message: string): void {
  const slots = slotsOf(context);
  if (slots.lostInfo) return;
  slots.lostInfo = { message };
  slots.resolveLost(slots.lostInfo);
}

function namedTensors(record: unknown, what: string): Map<string, TensorSlots> {
  const dict = toDictionary<Record<string, unknown>>(record, what);
  const out = new Map<string, TensorSlots>();
  for (const [name, value] of Object.entries(dict)) out.set(name, tensorSlotsOf(value, `${what}["${name}"]`));
  return out;
}

function matchDescriptors(
  tensors: Map<string, TensorSlots>,
  expected: ReadonlyMap<string, { descriptor: MLOperandDescriptor }>,
  which: string,
): void {
  const names = [...expected.keys()];
  if (tensors.size !== expected.size) {
    throw new TypeError(`dispatch: ${which} must bind exactly ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  for (const [name, slots] of tensors) {
    const entry = expected.get(name);
    if (!entry) throw new TypeError(`dispatch: the graph has no ${which.slice(0, -1)} named "${name}"`);
    if (slots.constant) throw new TypeError(`dispatch: ${which}["${name}"] is a constant tensor`);
    const want = entry.descriptor;
    if (
      slots.dataType !== want.dataType ||
      slots.shape.length !== want.shape.length ||
      slots.shape.some((d, i) => d !== want.shape[i])
    ) {
      throw new TypeError(
        `dispatch: ${which}["${name}"] is ${slots.dataType} [${slots.shape.join(',')}] but the graph expects ` +
          `${want.dataType} [${want.shape.join(',')}]`,
      );
    }
  }
}

export class ML {
  /** Creates a context. A GPUDevice argument is not supported by this CPU runtime. */
  async createContext(options?: MLContextOptions): Promise<MLContext> {
    if (isGpuDevice(options)) {
      throw domError(
        'NotSupportedError',
        'createContext: this reference runtime has no WebGPU interop (GPUDevice)',
      );
    }
    const dict = toDictionary<MLContextOptions>(options, 'createContext: options');
    const powerPreference =
      dict.powerPreference === undefined
        ? 'default'
        : toEnum(
            dict.powerPreference,
            ['default', 'high-performance', 'low-power'],
            'createContext: options.powerPreference',
          );
    return new MLContext(CREATE, powerPreference);
  }

  get [Symbol.toStringTag](): string {
    return 'ML';
  }
}

function isGpuDevice(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { constructor?: { name?: string }; queue?: unknown; createBuffer?: unknown };
  return (
    candidate.constructor?.name === 'GPUDevice' ||
    (candidate.queue !== undefined && typeof candidate.createBuffer === 'function')
  );
}
