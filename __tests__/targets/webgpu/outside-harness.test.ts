// An outside harness that knows only the module contract (ARCHITECTURE.md, "Generated web
// modules"): a small elementwise model and the bert fixture (symbolic batch/seq) are
// converted with the CLI to webgpu/fp32, and a plain .mjs script — no project code —
// imports the emitted model.js by file URL, creates a Dawn GPU with the `webgpu` package,
// calls createSession({ gpu }), runs feed sets given as JSON and prints the outputs as
// JSON. It runs as its own `node` process in dawnEnvironment()'s Vulkan environment, and
// its outputs are compared with ONNX Runtime on the source model — on a sample input and
// on a second input shape served by the same session.
//   npm test -- __tests__/targets/webgpu/outside-harness.test.ts

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TensorMap } from '../../../src/onnx/dtype.js';
import { dawnEnvironment, webgpuPackageUrl } from '../../../src/targets/webgpu/dawn.js';
import { loadInputs } from '../../../src/verify/inputs-file.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { FIXTURES } from '../webnn/fixture-models.js';
import {
  convertToWebgpu,
  feedsToJson,
  JSON_TENSOR_CODECS,
  relL2ByOutput,
  smallModelFeeds,
  writeSmallModel,
  type JsonTensor,
} from './browser-runner.js';

type DeclaredIO = { name: string; dtype: string; dims: (number | string)[] };

/** What harness.mjs prints: the session's declared I/O and one result per feed set. */
interface HarnessReport {
  inputs: DeclaredIO[];
  outputs: DeclaredIO[];
  results: Record<string, JsonTensor>[];
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'webgpu-harness-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The harness: module contract only. Dawn's GPU object stays at module scope for the process's life. */
function harnessSource(webgpuUrl: string, modelJs: string): string {
  return `import { readFileSync } from 'node:fs';
import { create } from ${JSON.stringify(webgpuUrl)};
import { createSession } from ${JSON.stringify(pathToFileURL(modelJs).href)};

const gpu = create([]);
${JSON_TENSOR_CODECS}
const feedSets = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await createSession({ gpu });
const results = [];
for (const feeds of feedSets) results.push(resultsToJson(await session.run(feedsFromJson(feeds))));
const report = { inputs: session.inputs, outputs: session.outputs, results };
session.dispose();
process.stdout.write(JSON.stringify(report) + '\\n', () => process.exit(0));
`;
}

/** Writes harness.mjs and the feeds next to it, runs it with `node` on Dawn, parses what it prints. */
async function runHarness(name: string, modelJs: string, feedSets: TensorMap[]): Promise<HarnessReport> {
  const script = path.join(root, `${name}.harness.mjs`);
  const feedsFile = path.join(root, `${name}.feeds.json`);
  writeFileSync(script, harnessSource(await webgpuPackageUrl(), modelJs));
  writeFileSync(feedsFile, JSON.stringify(feedSets.map(feedsToJson)));
  const { env } = dawnEnvironment();
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [script, feedsFile],
      { env, cwd: root, timeout: 45_000, maxBuffer: 64 << 20 },
      (error, out, err) =>
        error ? reject(new Error(`${script} failed: ${error.message}\n${err.slice(-2000)}`)) : resolve(out),
    ),
  );
  const line = stdout.split('\n').find((l) => l.startsWith('{"inputs"'));
  if (line === undefined) throw new Error(`${script} printed no report: ${stdout.slice(-2000)}`);
  return JSON.parse(line) as HarnessReport;
}

/** rel_l2 of every output of every feed set against ONNX Runtime on `source`. */
async function compareWithOrt(
  source: string,
  feedSets: TensorMap[],
  report: HarnessReport,
): Promise<number[]> {
  const reference = await createOrtRunner(source);
  try {
    const relL2: number[] = [];
    for (const [i, feeds] of feedSets.entries()) {
      const want = await reference.run(feeds);
      expect(Object.keys(report.results[i]).sort()).toEqual(Object.keys(want).sort());
      relL2.push(...Object.values(relL2ByOutput(want, report.results[i])));
    }
    return relL2;
  } finally {
    await reference.dispose();
  }
}

test('a harness that knows only the contract runs a small model.js on Dawn at two shapes and matches ONNX Runtime', async () => {
  const source = path.join(root, 'small.onnx');
  writeSmallModel(source);
  const dir = await convertToWebgpu(source, path.join(root, 'small'), ['--samples', '1']);
  const feedSets = [smallModelFeeds(2, 5), smallModelFeeds(3, 2)];
  const started = Date.now();
  const report = await runHarness('small', path.join(dir, 'model.js'), feedSets);
  const harnessMs = Date.now() - started;
  expect(report.inputs).toEqual([
    { name: 'x', dtype: 'float32', dims: ['batch', 'seq', 8] },
    { name: 'mask', dtype: 'int64', dims: ['batch', 'seq', 1] },
  ]);
  expect(report.outputs).toEqual([{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 8] }]);
  expect(report.results.map((r) => r.y.dims)).toEqual([
    [2, 5, 8],
    [3, 2, 8],
  ]);
  const relL2 = await compareWithOrt(source, feedSets, report);
  console.log(
    `small model, outside harness on Dawn vs ONNX Runtime (fp32): rel_l2 ${relL2.map((v) => v.toExponential(2)).join(', ')}; harness ${harnessMs} ms`,
  );
  expect(relL2).toHaveLength(2);
  expect(Math.max(...relL2)).toBeLessThanOrEqual(2e-6);
});

test('a harness that knows only the contract runs the bert model.js on Dawn at two shapes and matches ONNX Runtime', async () => {
  const source = path.join(FIXTURES, 'bert.legacy.onnx');
  const dir = await convertToWebgpu(source, path.join(root, 'bert'), ['--samples', '1']);
  const reference = await createOrtRunner(source);
  const [sample] = loadInputs(
    `input_ids=${path.join(FIXTURES, 'bert.input.input_ids.npy')},attention_mask=${path.join(FIXTURES, 'bert.input.attention_mask.npy')}`,
    reference.inputs,
  );
  await reference.dispose();
  const ids = new BigInt64Array(2 * 7).map((_, i) => BigInt((i * 131) % 1024));
  const mask = new BigInt64Array(2 * 7).map((_, i) => (i % 7 < 5 || i < 7 ? 1n : 0n));
  const second: TensorMap = {
    input_ids: { dtype: 'int64', dims: [2, 7], data: ids },
    attention_mask: { dtype: 'int64', dims: [2, 7], data: mask },
  };
  const feedSets = [sample, second];
  const started = Date.now();
  const report = await runHarness('bert', path.join(dir, 'model.js'), feedSets);
  const harnessMs = Date.now() - started;
  expect(report.inputs).toEqual([
    { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
    { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
  ]);
  expect(report.outputs.map((o) => [o.name, o.dtype, o.dims.length])).toEqual([
    ['last_hidden_state', 'float32', 3],
  ]);
  expect(report.results.map((r) => r.last_hidden_state.dims.slice(0, 2))).toEqual([
    sample.input_ids.dims,
    [2, 7],
  ]);
  const relL2 = await compareWithOrt(source, feedSets, report);
  console.log(
    `bert.legacy, outside harness on Dawn vs ONNX Runtime (fp32): rel_l2 ${relL2.map((v) => v.toExponential(2)).join(', ')}; harness ${harnessMs} ms`,
  );
  expect(relL2).toHaveLength(2);
  expect(Math.max(...relL2)).toBeLessThanOrEqual(2e-6);
});
