// The slice of the W3C WebNN API (current spec: ml.createContext, MLGraphBuilder, MLTensor,
// context.dispatch) that generated modules use, as structural TypeScript types. Any
// conformant implementation — a browser's navigator.ml or our reference runtime — fits.
//   const context: MLContextLike = await ml.createContext();

export type MLDataType =
  'float32' | 'float16' | 'int64' | 'uint64' | 'int32' | 'uint32' | 'int8' | 'uint8' | 'int4' | 'uint4';

export interface MLOperandDescriptorLike {
  dataType: MLDataType;
  shape: number[];
}

export interface MLOperandLike {
  readonly dataType: MLDataType;
  readonly shape: readonly number[];
}

/** What MLGraphBuilder methods take last: operator options, a label among them. */
export interface MLOperatorOptionsLike {
  label?: string;
  [option: string]: unknown;
}

export type MLGraphLike = object & { destroy?(): void };

export interface MLTensorLike {
  readonly dataType: MLDataType;
  readonly shape: readonly number[];
  destroy(): void;
}

export interface MLGraphBuilderLike {
  input(name: string, descriptor: MLOperandDescriptorLike): MLOperandLike;
  constant(descriptor: MLOperandDescriptorLike, buffer: ArrayBufferView): MLOperandLike;
  build(outputs: Record<string, MLOperandLike>): Promise<MLGraphLike>;
}

/** One operand role's limits in MLOpSupportLimits (e.g. limits.matmul.a). */
export interface MLTensorLimitsLike {
  dataTypes: MLDataType[];
  rankRange?: { min: number; max: number };
}

/** context.opSupportLimits(): per op, per operand role (a, b, input, indices, output, …). */
export type MLOpSupportLimitsLike = Record<string, unknown>;

export interface MLContextLike {
  opSupportLimits(): MLOpSupportLimitsLike;
  createTensor(
    descriptor: MLOperandDescriptorLike & { readable?: boolean; writable?: boolean },
  ): Promise<MLTensorLike>;
  writeTensor(tensor: MLTensorLike, data: ArrayBufferView): void;
  dispatch(
    graph: MLGraphLike,
    inputs: Record<string, MLTensorLike>,
    outputs: Record<string, MLTensorLike>,
  ): void;
  readTensor(tensor: MLTensorLike): Promise<ArrayBuffer>;
  destroy?(): void;
}

export interface MLLike {
  createContext(options?: object): Promise<MLContextLike>;
}

export type MLGraphBuilderConstructor = new (context: MLContextLike) => MLGraphBuilderLike;
