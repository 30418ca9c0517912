// How an emitted IR is executed for verification. Where `openvino-node` can be loaded (an
// optional dependency, resolved at run time, never required) the IR is read and compiled by
// OpenVINO on CPU. Everywhere else the IR round trip runs: the IR reader turns model.xml +
// model.bin back into an ONNX model, which ONNX Runtime executes; the runner's note says so.
//   const runner = await createOpenVinoIrRunner('out/openvino/int4/model.xml');

import { loadOptionalNative } from '../../pipeline/native-backends.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, UserError } from '../../errors.js';
import type { DType, HostTensor, TensorMap } from '../../onnx/dtype.js';
import { writeModel } from '../../onnx/model-io.js';
import { createOrtRunner } from '../../verify/ort-runner.js';
import type { IOInfo, Runner } from '../../verify/types.js';
import { irToOnnx, readIrFiles } from './ir-reader/ir-to-onnx.js';

/** What the report says when OpenVINO itself did not run the variant. */
export const ROUND_TRIP_NOTE =
  'openvino-node is not installed here: only the IR round trip ran (IR → ONNX on ONNX Runtime), not OpenVINO itself.';

/** The IR read back as ONNX and run on ONNX Runtime. */
export async function createRoundTripRunner(xmlPath: string): Promise<Runner> {
  const where = path.basename(xmlPath);
  const model = irToOnnx(readIrFiles(xmlPath), where);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-ir-'));
  try {
    const file = path.join(dir, 'roundtrip.onnx');
    writeModel(model, file);
    const ort = await createOrtRunner(file);
    return {
      runtime: `openvino-ir-roundtrip via ${ort.runtime}`,
      note: ROUND_TRIP_NOTE,
      inputs: ort.inputs,
      outputs: ort.outputs,
      run: (feeds) => ort.run(feeds),
      async dispose(): Promise<void> {
        await ort.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The parts of openvino-node's API the runner uses. */
interface OvTensor {
  data: ArrayLike<number | bigint> & { buffer?: ArrayBufferLike };
  getShape(): number[];
  getElementType?(): unknown;
}
interface OvPort {
  anyName?: string;
  getAnyName?(): string;
  toString(): string;
}
interface OvCompiledModel {
  inputs: OvPort[];
  outputs: OvPort[];
  createInferRequest(): {
    inferAsync?(inputs: Record<string, unknown>): Promise<Record<string, OvTensor>>;
    infer(inputs: Record<string, unknown>): Record<string, OvTensor>;
  };
}
interface OvAddon {
  Core: new () => {
    readModel(xmlPath: string, binPath: string): Promise<unknown>;
    compileModel(model: unknown, device: string): Promise<OvCompiledModel>;
  };
  Tensor: new (type: string, shape: number[], data: ArrayBufferView) => OvTensor;
}

const OV_TENSOR_TYPES: Partial<Record<DType, string>> = {
  float32: 'f32',
  float64: 'f64',
  int64: 'i64',
  int32: 'i32',
  int16: 'i16',
  int8: 'i8',
  uint8: 'u8',
  uint16: 'u16',
  uint32: 'u32',
  bool: 'u8',
};

/** openvino-node's addon, or undefined where the package (or its native part) cannot load. */
export async function loadOpenVinoNode(): Promise<OvAddon | undefined> {
  // Resolved by Node at run time (never bundled): see loadOptionalNative.
  const mod = loadOptionalNative<{ addon?: OvAddon; default?: { addon?: OvAddon } }>('openvino-node');
  return mod?.addon ?? mod?.default?.addon;
}

function portName(p: OvPort): string {
  return p.getAnyName?.() ?? p.anyName ?? String(p);
}

function hostFromOv(t: OvTensor): HostTensor {
  const dims = [...t.getShape()];
  const data = t.data as unknown;
  if (data instanceof Float32Array) return { dtype: 'float32', dims, data: data.slice() };
  if (data instanceof BigInt64Array) return { dtype: 'int64', dims, data: data.slice() };
  if (data instanceof Int32Array) return { dtype: 'int32', dims, data: data.slice() };
  if (data instanceof Uint8Array) return { dtype: 'uint8', dims, data: data.slice() };
  if (data instanceof Float64Array) return { dtype: 'float64', dims, data: data.slice() };
  if (data instanceof Uint16Array) return { dtype: 'float16', dims, data: data.slice() };
  throw new Error(
    `openvino-node returned an output of an unexpected type (${Object.prototype.toString.call(data)})`,
  );
}

/** Reads and compiles the IR with OpenVINO on CPU. */
export async function createOpenVinoRunner(ov: OvAddon, xmlPath: string): Promise<Runner> {
  let compiled: OvCompiledModel;
  try {
    const core = new ov.Core();
    const model = await core.readModel(xmlPath, xmlPath.replace(/\.xml$/i, '.bin'));
    compiled = await core.compileModel(model, 'CPU');
  } catch (e) {
    throw new UserError(
      `${path.basename(xmlPath)}: OpenVINO cannot compile the IR: ${errorMessage(e).split('\n')[0]}`,
    );
  }
  const request = compiled.createInferRequest();
  const describe = (ports: OvPort[]): IOInfo[] =>
    ports.map((p) => ({ name: portName(p), dtype: 'float32', dims: [] }));
  return {
    runtime: 'openvino-node cpu',
    inputs: describe(compiled.inputs),
    outputs: describe(compiled.outputs),
    async run(feeds: TensorMap): Promise<TensorMap> {
      const inputs: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(feeds)) {
        const type = OV_TENSOR_TYPES[t.dtype];
        if (!type || Array.isArray(t.data))
          throw new UserError(`input "${name}": dtype ${t.dtype} cannot be fed to openvino-node`);
        inputs[name] = new ov.Tensor(type, t.dims, t.data);
      }
      const results = request.inferAsync ? await request.inferAsync(inputs) : request.infer(inputs);
      const out: TensorMap = {};
      for (const p of compiled.outputs) {
        const name = portName(p);
        const t = results[name];
        if (t) out[name] = hostFromOv(t);
      }
      return out;
    },
    async dispose(): Promise<void> {},
  };
}

/** OpenVINO where it loads, else the IR round trip on ONNX Runtime. */
export async function createOpenVinoIrRunner(xmlPath: string): Promise<Runner> {
  const ov = await loadOpenVinoNode();
  return ov ? createOpenVinoRunner(ov, xmlPath) : createRoundTripRunner(xmlPath);
}
