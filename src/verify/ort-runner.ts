// Runs an ONNX model on onnxruntime-node (CPU) and converts between our HostTensors and
// ORT's tensors.
//   const runner = await createOrtRunner('model.onnx');
//   const out = await runner.run({ x: { dtype: 'float32', dims: [1, 4], data } });

import path from 'node:path';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { errorMessage, UserError } from '../errors.js';
import type { DType, HostTensor, TensorMap } from '../onnx/dtype.js';
import { loadOnnxRuntime } from '../pipeline/native-backends.js';
import type { IOInfo, Runner } from './types.js';

const ORT_TYPES: Partial<Record<DType, OrtTensor.Type>> = {
  float32: 'float32',
  float16: 'float16',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint64: 'uint64',
  uint32: 'uint32',
  uint16: 'uint16',
  uint8: 'uint8',
  bool: 'bool',
  string: 'string',
  int4: 'int4',
  uint4: 'uint4',
};

function dtypeFromOrt(type: string): DType {
  const found = (Object.keys(ORT_TYPES) as DType[]).find((k) => ORT_TYPES[k] === type);
  if (!found) throw new Error(`unsupported ONNX Runtime tensor type ${type}`);
  return found;
}

export interface OrtRunnerOptions {
  /** Threads for one operator; 0 lets ORT choose. */
  intraOpThreads?: number;
}

/** Opens `modelPath` in onnxruntime-node; a model ORT cannot load is a UserError. */
export async function createOrtRunner(modelPath: string, options: OrtRunnerOptions = {}): Promise<Runner> {
  const ort = await loadOnnxRuntime();
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads ?? 0,
      logSeverityLevel: 3,
    });
  } catch (e) {
    throw new UserError(
      `${path.basename(modelPath)}: ONNX Runtime cannot load the model: ${oneLine(errorMessage(e))}`,
    );
  }
  const describe = (meta: readonly InferenceSession.ValueMetadata[]): IOInfo[] =>
    meta.map((m) =>
      m.isTensor
        ? {
            name: m.name,
            dtype: dtypeFromOrt(m.type),
            dims: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))),
          }
        : { name: m.name, dtype: 'float32', dims: [] },
    );
  const inputs = describe(session.inputMetadata);
  const outputs = describe(session.outputMetadata);
  return {
    runtime: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} cpu`,
    inputs,
    outputs,
    async run(feeds: TensorMap): Promise<TensorMap> {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(ort, t);
      let results: InferenceSession.ReturnType;
      try {
        results = await session.run(ortFeeds);
      } catch (e) {
        throw new Error(
          `ONNX Runtime failed to run ${path.basename(modelPath)}: ${oneLine(errorMessage(e))}`,
        );
      }
      const out: TensorMap = {};
      for (const name of session.outputNames) out[name] = fromOrtTensor(results[name]);
      return out;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function toOrtTensor(ort: typeof import('onnxruntime-node'), t: HostTensor): OrtTensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new UserError(`input dtype ${t.dtype} cannot be fed to ONNX Runtime`);
  if (t.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(t.data as Uint8Array), t.dims);
  return new ort.Tensor(type, t.data as never, t.dims);
}

function fromOrtTensor(t: OrtTensor): HostTensor {
  const dtype = dtypeFromOrt(t.type);
  const data = t.data;
  const copy = Array.isArray(data) ? data.slice() : (data as Exclude<HostTensor['data'], string[]>).slice();
  if (dtype === 'float16' && !(copy instanceof Uint16Array) && !Array.isArray(copy)) {
    const view = copy as unknown as ArrayBufferView;
    return {
      dtype,
      dims: [...t.dims],
      data: new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2).slice(),
    };
  }
  if (dtype === 'bool')
    return { dtype, dims: [...t.dims], data: Uint8Array.from(copy as ArrayLike<number>, (v) => (v ? 1 : 0)) };
  return { dtype, dims: [...t.dims], data: copy as HostTensor['data'] };
}
