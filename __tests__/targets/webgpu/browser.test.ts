// The generated webgpu module in a real browser: a small elementwise model (two shapes)
// and the bert fixture (its sample input) are converted with the CLI to webgpu/fp32,
// served from a loopback HTTP server with a page that imports model.js and runs it with
// createSession() defaults (navigator.gpu, model.weights.bin next to model.js) on headless
// Chromium's WebGPU (SwiftShader); the outputs the page POSTs back are compared with ONNX
// Runtime on the same inputs (rel_l2 ≤ 2e-6). No skips: a missing Chromium or a browser
// without WebGPU fails the test.
//   npm test -- __tests__/targets/webgpu/browser.test.ts

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TensorMap } from '../../../src/onnx/dtype.js';
import { loadInputs } from '../../../src/verify/inputs-file.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { FIXTURES } from '../webnn/fixture-models.js';
import {
  convertToWebgpu,
  feedsToJson,
  JSON_TENSOR_CODECS,
  LoopbackServer,
  relL2ByOutput,
  runChromiumPage,
  smallModelFeeds,
  writeSmallModel,
  type JsonTensor,
} from './browser-runner.js';

/** What run.html POSTs: the adapter Chromium gave, the session's declared I/O, and one result per feed set. */
interface PageReport {
  adapter?: { vendor: string; architecture: string };
  inputs?: { name: string; dtype: string; dims: (number | string)[] }[];
  results?: Record<string, JsonTensor>[];
  error?: string;
}

let root: string;
let server: LoopbackServer;
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'webgpu-browser-'));
  server = new LoopbackServer(root);
  await server.listen();
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Converts `source` with the CLI into root/<name>; returns the webgpu/fp32 folder relative to root. */
async function convert(name: string, source: string): Promise<string> {
  const dir = await convertToWebgpu(source, path.join(root, name), ['--samples', '1']);
  return path.relative(root, dir).split(path.sep).join('/');
}

/** A page that runs `<moduleDir>/model.js` on navigator.gpu over every feed set and POSTs a PageReport. */
function writeRunPage(page: string, moduleDir: string, feedSets: TensorMap[]): void {
  writeFileSync(
    path.join(root, page),
    `<!doctype html>
<html><head><meta charset="utf-8"><title>WebGPU run</title></head><body>
<pre id="result">pending</pre>
<script type="module">
const FEED_SETS = ${JSON.stringify(feedSets.map(feedsToJson))};
${JSON_TENSOR_CODECS}
async function report(body) {
  const text = JSON.stringify(body);
  document.getElementById('result').textContent = text.slice(0, 2000);
  await fetch('/report', { method: 'POST', body: text });
}
try {
  if (!navigator.gpu) throw new Error('navigator.gpu is undefined');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave no adapter');
  const { createSession } = await import('./${moduleDir}/model.js');
  // The module contract's defaults: navigator.gpu, and model.weights.bin next to model.js.
  const session = await createSession();
  const results = [];
  for (const feeds of FEED_SETS) results.push(resultsToJson(await session.run(feedsFromJson(feeds))));
  const inputs = session.inputs;
  session.dispose();
  await report({ adapter: { vendor: adapter.info.vendor, architecture: adapter.info.architecture }, inputs, results });
} catch (e) {
  await report({ error: String(e && e.name) + ': ' + String(e && e.message) });
}
</script>
</body></html>
`,
  );
}

/** Runs the page in Chromium and compares every result with ONNX Runtime on `source`; returns rel_l2s. */
async function runAndCompare(page: string, source: string, feedSets: TensorMap[]): Promise<number[]> {
  const started = Date.now();
  const body = JSON.parse(
    await runChromiumPage(server, server.url(page), path.join(root, `profile-${page}`)),
  ) as PageReport;
  const browserMs = Date.now() - started;
  if (body.error !== undefined) throw new Error(`the page failed in Chromium: ${body.error}`);
  expect(body.adapter?.architecture).toBe('swiftshader');
  expect(body.results).toHaveLength(feedSets.length);

  const reference = await createOrtRunner(source);
  const relL2: number[] = [];
  try {
    for (const [i, feeds] of feedSets.entries()) {
      const want = await reference.run(feeds);
      const got = body.results![i];
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      relL2.push(...Object.values(relL2ByOutput(want, got)));
    }
  } finally {
    await reference.dispose();
  }
  console.log(
    `${path.basename(source)} in Chromium WebGPU (${body.adapter?.vendor} ${body.adapter?.architecture}) vs ONNX Runtime (fp32): rel_l2 ${relL2.map((v) => v.toExponential(2)).join(', ')}; page ${browserMs} ms`,
  );
  return relL2;
}

test('a small elementwise model.js runs on Chromium’s navigator.gpu and matches ONNX Runtime', async () => {
  const source = path.join(root, 'small.onnx');
  writeSmallModel(source);
  const moduleDir = await convert('small', source);
  const feedSets = [smallModelFeeds(2, 5), smallModelFeeds(1, 3)];
  writeRunPage('small.html', moduleDir, feedSets);
  const relL2 = await runAndCompare('small.html', source, feedSets);
  expect(relL2).toHaveLength(2);
  expect(Math.max(...relL2)).toBeLessThanOrEqual(2e-6);
});

test('the converted bert model.js runs on Chromium’s navigator.gpu and matches ONNX Runtime', async () => {
  const source = path.join(FIXTURES, 'bert.legacy.onnx');
  const moduleDir = await convert('bert', source);
  const reference = await createOrtRunner(source);
  const [sample] = loadInputs(
    `input_ids=${path.join(FIXTURES, 'bert.input.input_ids.npy')},attention_mask=${path.join(FIXTURES, 'bert.input.attention_mask.npy')}`,
    reference.inputs,
  );
  await reference.dispose();
  writeRunPage('bert.html', moduleDir, [sample]);
  const relL2 = await runAndCompare('bert.html', source, [sample]);
  expect(relL2).toHaveLength(1);
  expect(relL2[0]).toBeLessThanOrEqual(2e-6);
});
