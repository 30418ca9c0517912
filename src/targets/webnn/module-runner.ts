// Runs a generated webnn model.js the way a user would: dynamic import() of the file, then
// createSession({ ml, MLGraphBuilder }) on our reference WebNN runtime (src/webnn.ts), and
// converts between HostTensors and the module contract's { data, dims }.
//   const runner = await createWebnnRunner('out/webnn/fp32/model.js');
//   const out = await runner.run({ input_ids: { dtype: 'int64', dims: [1, 16], data } });

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DType, HostTensor, TensorMap } from '../../onnx/dtype.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import type { IOInfo, Runner } from '../../verify/types.js';
import { ml, MLGraphBuilder } from '../../webnn.js';
import type { Feed, ModuleIO, SessionOptions, TensorData } from './module-session.js';
import type { MLGraphBuilderConstructor, MLLike } from './webnn-api.js';

/** What a generated model.js exports (module contract). */
export interface WebnnModule {
  createSession(options?: SessionOptions): Promise<WebnnModuleSession>;
}

export interface WebnnModuleSession {
  readonly inputs: ModuleIO[];
  readonly outputs: ModuleIO[];
  run(feeds: Record<string, Feed>): Promise<Record<string, { data: TensorData; dims: number[] }>>;
  dispose(): void;
}

export const WEBNN_REFERENCE_RUNTIME = `webnn-reference (${TOOL_NAME} ${TOOL_VERSION})`;

/** Imports model.js fresh (a changed file at the same path is not served from the module cache). */
export async function importWebnnModule(modelJs: string): Promise<WebnnModule> {
  const hash = createHash('sha256').update(readFileSync(modelJs)).digest('hex').slice(0, 16);
  // webpackIgnore: in the bundled CLI/Action this must stay a real run-time import().
  return (await import(
    /* webpackIgnore: true */ `${pathToFileURL(modelJs).href}?sha=${hash}`
  )) as WebnnModule;
}

function toFeed(t: HostTensor): Feed {
  return { data: t.data as Feed['data'], dims: t.dims };
}

function toHost(dtype: DType, out: { data: TensorData; dims: number[] }): HostTensor {
  // bool comes back as uint8 0/1, float16 as bits: both are HostTensor's own layouts.
  return { dtype, dims: out.dims, data: out.data };
}

export async function createWebnnRunner(modelJs: string): Promise<Runner> {
  const module = await importWebnnModule(modelJs);
  const session = await module.createSession({
    ml: ml as unknown as MLLike,
    MLGraphBuilder: MLGraphBuilder as unknown as MLGraphBuilderConstructor,
  });
  const describe = (list: ModuleIO[]): IOInfo[] =>
    list.map((io) => ({ name: io.name, dtype: io.dtype as DType, dims: io.dims }));
  const outputs = describe(session.outputs);
  return {
    runtime: WEBNN_REFERENCE_RUNTIME,
    inputs: describe(session.inputs),
    outputs,
    async run(feeds: TensorMap): Promise<TensorMap> {
      const converted: Record<string, Feed> = {};
      for (const [name, t] of Object.entries(feeds)) converted[name] = toFeed(t);
      const results = await session.run(converted);
      const out: TensorMap = {};
      for (const o of outputs) out[o.name] = toHost(o.dtype, results[o.name]);
      return out;
    },
    async dispose(): Promise<void> {
      session.dispose();
    },
  };
}
