// Determinism: two runs of the same conversion into different output folders give
// byte-identical files and the same report.json apart from timings and hardware; no
// staging, temporary or output-folder name and no timestamp leaks into what is written.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tiny = path.join(repo, 'examples/tiny/model.onnx');
const vit = path.resolve(repo, '../shared/fixtures/vit.legacy.onnx');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-determinism-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function files(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]))
    .sort();
}

/** report.json without what may differ between runs: timings and the hardware. */
function stableReport(out: string): unknown {
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
  delete report.hardware;
  for (const v of report.variants) delete v.seconds;
  return report;
}

async function convert(model: string, out: string, targets: string, precisions: string): Promise<void> {
  let err = '';
  const code = await runCli(
    [
      'convert',
      model,
      '--targets',
      targets,
      '--precision',
      precisions,
      '--out',
      out,
      '--no-cache',
      '--samples',
      '2',
    ],
    { out: () => {}, err: (t) => (err += `${t}\n`) },
  );
  expect([code, err.includes('internal error')]).toEqual([0, false]);
}

async function expectTwoIdenticalRuns(model: string, targets: string, precisions: string): Promise<void> {
  const a = path.join(tmp, `${path.basename(model)}-${targets}-a`);
  const b = path.join(tmp, `${path.basename(model)}-${targets}-second-run`);
  await convert(model, a, targets, precisions);
  await convert(model, b, targets, precisions);
  expect(files(b)).toEqual(files(a));
  for (const f of files(a)) {
    const bytes = readFileSync(path.join(a, f));
    if (f !== 'report.json' && f !== 'summary.md')
      expect([f, bytes.equals(readFileSync(path.join(b, f)))]).toEqual([f, true]);
    // Nothing of where or when it was written: no output folder, staging or temp names, no year.
    const text = bytes.toString('latin1');
    for (const leak of [a, path.basename(a), '.partial-', '.tmp-', `${new Date().getFullYear()}-`])
      expect([f, leak, text.includes(leak)]).toEqual([f, leak, false]);
  }
  expect(stableReport(b)).toEqual(stableReport(a));
}

test('tiny: onnx fp32, int8, int4 and mixed twice give identical bytes and reports', async () => {
  await expectTwoIdenticalRuns(tiny, 'onnx', 'fp32,int8,int4,mixed');
}, 120_000);

(existsSync(vit) ? test : test.skip)(
  'vit.legacy: onnx fp32, int8, int4 and mixed twice give identical bytes and reports',
  async () => {
    await expectTwoIdenticalRuns(vit, 'onnx', 'fp32,int8,int4,mixed');
  },
  240_000,
);

test('tiny: the webnn and openvino files are identical too', async () => {
  await expectTwoIdenticalRuns(tiny, 'webnn', 'fp32,int8');
  await expectTwoIdenticalRuns(tiny, 'openvino', 'fp32,int8');
}, 240_000);
