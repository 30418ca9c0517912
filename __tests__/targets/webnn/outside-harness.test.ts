// An outside harness that knows only the module contract (ARCHITECTURE.md, "Generated web
// modules"): it converts bert (symbolic batch/seq) with the CLI, imports the emitted
// webnn/fp32/model.js by URL, hands it ml and MLGraphBuilder from model-convert/webnn,
// and compares session.run() with ONNX Runtime on the source model — on the fixture's
// sample input and on a second input shape served by the same session.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../../src/cli/main.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { loadInputs } from '../../../src/verify/inputs-file.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { ml, MLGraphBuilder } from '../../../src/webnn.js';
import { FIXTURES } from './fixture-models.js';

interface ContractSession {
  inputs: { name: string; dtype: string; dims: (number | string)[] }[];
  outputs: { name: string; dtype: string; dims: (number | string)[] }[];
  run(
    feeds: Record<string, { data: ArrayLike<number> | ArrayLike<bigint>; dims: number[] }>,
  ): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  dispose(): void;
}

let out: string;
beforeAll(() => {
  out = mkdtempSync(path.join(os.tmpdir(), 'webnn-harness-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('the emitted bert model.js runs on model-convert/webnn and matches ONNX Runtime', async () => {
  const source = path.join(FIXTURES, 'bert.legacy.onnx');
  const code = await runCli(
    ['convert', source, '--targets', 'webnn', '--out', out, '--no-cache', '--samples', '1'],
    { out: () => {}, err: () => {} },
  );
  expect(code).toBe(0);

  const module = (await import(pathToFileURL(path.join(out, 'webnn/fp32/model.js')).href)) as {
    createSession(options: object): Promise<ContractSession>;
  };
  const session = await module.createSession({ ml, MLGraphBuilder });
  expect(session.inputs).toEqual([
    { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
    { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
  ]);
  expect(session.outputs.map((o) => [o.name, o.dtype, o.dims.length])).toEqual([
    ['last_hidden_state', 'float32', 3],
  ]);

  const reference = await createOrtRunner(source);
  const [sample] = loadInputs(
    `input_ids=${path.join(FIXTURES, 'bert.input.input_ids.npy')},attention_mask=${path.join(FIXTURES, 'bert.input.attention_mask.npy')}`,
    reference.inputs,
  );
  const ids = new BigInt64Array(2 * 7).map((_, i) => BigInt((i * 131) % 1024));
  const mask = new BigInt64Array(2 * 7).map((_, i) => (i % 7 < 5 || i < 7 ? 1n : 0n));
  const second = {
    input_ids: { dtype: 'int64' as const, dims: [2, 7], data: ids },
    attention_mask: { dtype: 'int64' as const, dims: [2, 7], data: mask },
  };
  const relL2: number[] = [];
  for (const feeds of [sample, second]) {
    const want = (await reference.run(feeds)).last_hidden_state;
    const got = await session.run({
      input_ids: { data: feeds.input_ids.data as BigInt64Array, dims: feeds.input_ids.dims },
      attention_mask: { data: feeds.attention_mask.data as BigInt64Array, dims: feeds.attention_mask.dims },
    });
    expect(got.last_hidden_state.dims).toEqual(want.dims);
    relL2.push(
      compareTensors(want, {
        dtype: 'float32',
        dims: got.last_hidden_state.dims,
        data: got.last_hidden_state.data,
      }).rel_l2,
    );
  }
  await reference.dispose();
  session.dispose();
  expect(Math.max(...relL2)).toBeLessThanOrEqual(2e-6);
});
