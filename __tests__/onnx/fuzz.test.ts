// Fuzz: seeded mutants of the test models (src/onnx/fuzz-mutants.ts: byte-level damage and
// semantic damage through our proto) run through the CLI in-process — `inspect`, then
// `convert --targets onnx --precision fp32`. Every run ends in exit 0 or 2 (1 only as a
// verification verdict, never an internal error), errors are one line, and an exit 2 leaves
// the output folder absent and nothing beside it. bench/fuzz.mjs runs thousands in child processes.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { makeMutant, MUTATIONS, type FuzzSource } from '../../src/onnx/fuzz-mutants.js';

const repo = path.resolve(import.meta.dirname, '../..');
const models = path.join(repo, '__tests__/fixtures/models');
const shared = path.resolve(repo, '../shared/fixtures');
const SEED = 20240611;
const KINDS = Object.keys(MUTATIONS);

const small: FuzzSource[] = [
  'opset9_constants.onnx',
  'opset11_conv.onnx',
  'if_subgraph.onnx',
  'loop_scan.onnx',
  'local_function.onnx',
  'multi_io.onnx',
  'typed_fields.onnx',
].map((f) => ({ name: f, bytes: readFileSync(path.join(models, f)) }));
small.push(
  {
    name: 'external/model.onnx',
    bytes: readFileSync(path.join(models, 'external/model.onnx')),
    siblings: { 'weights.bin': readFileSync(path.join(models, 'external/weights.bin')) },
  },
  { name: 'examples/tiny/model.onnx', bytes: readFileSync(path.join(repo, 'examples/tiny/model.onnx')) },
);
const big: FuzzSource[] = ['vit.legacy.onnx', 'bert.legacy.onnx']
  .filter((f) => existsSync(path.join(shared, f)))
  .map((f) => ({ name: f, bytes: readFileSync(path.join(shared, f)) }));

interface Outcome {
  label: string;
  command: string;
  code: number;
  err: string;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-fuzz-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes mutant `index` of `source` to its own folder and runs inspect and convert on it. */
async function runMutant(source: FuzzSource, index: number, kinds = KINDS): Promise<Outcome[]> {
  const m = makeMutant(source, SEED, index, kinds);
  const dir = path.join(tmp, `case-${index}-${source.name.replace(/\W/g, '_')}`);
  mkdirSync(dir);
  const model = path.join(dir, 'model.onnx');
  writeFileSync(model, m.bytes);
  for (const [name, bytes] of Object.entries(m.siblings)) writeFileSync(path.join(dir, name), bytes);
  const out = path.join(dir, 'out');
  const label = `${source.name} #${index} ${m.kind}: ${m.detail.slice(0, 160)}`;
  const outcomes: Outcome[] = [];
  for (const argv of [
    ['inspect', model],
    [
      'convert',
      model,
      '--targets',
      'onnx',
      '--precision',
      'fp32',
      '--out',
      out,
      '--no-cache',
      '--samples',
      '1',
    ],
  ]) {
    let err = '';
    const code = await runCli(argv, { out: () => {}, err: (t) => (err += `${t}\n`) });
    outcomes.push({ label, command: argv[0], code, err });
    if (argv[0] === 'convert') {
      // Exit 2 writes nothing: no OUT, and no staging folder beside it.
      const left = readdirSync(dir).filter((f) => f !== 'model.onnx' && !(f in m.siblings));
      if (code === 2) expect([label, left]).toEqual([label, []]);
      else expect([label, left]).toEqual([label, ['out']]);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return outcomes;
}

/** Lines that are neither progress ("… done in 1.2 s", "…") nor warnings. */
function errorLines(err: string): string[] {
  return err.split('\n').filter((l) => l && !l.startsWith('warning: ') && !/…$| done in [\d.]+ s$/.test(l));
}

function checkOutcomes(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    counts[`${o.command} ${o.code}`] = (counts[`${o.command} ${o.code}`] ?? 0) + 1;
    expect([o.label, o.command, o.err.includes('internal error')]).toEqual([o.label, o.command, false]);
    expect([o.label, o.command, [0, 1, 2].includes(o.code)]).toEqual([o.label, o.command, true]);
    if (o.code === 2) {
      const lines = errorLines(o.err);
      expect([o.label, lines.length, lines[0]?.startsWith('error: ')]).toEqual([o.label, 1, true]);
    }
    // Nothing from the model reaches the log unescaped.
    // eslint-disable-next-line no-control-regex
    expect([o.label, /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]|\n::/.test(o.err)]).toEqual([
      o.label,
      false,
    ]);
  }
  return counts;
}

test('300 mutants of the small models: exit 0 or 2, one-line errors, nothing written on exit 2', async () => {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < 300; i++) {
    // Every kind meets every source: the kind cycles with i, the source with i / kinds.
    outcomes.push(...(await runMutant(small[Math.floor(i / KINDS.length) % small.length], i)));
  }
  const counts = checkOutcomes(outcomes);
  // Most mutants are refused, and some still convert: the mutations are neither all fatal nor all harmless.
  expect(counts['convert 2']).toBeGreaterThan(150);
  expect(counts['convert 0'] ?? 0).toBeGreaterThan(5);
  expect(existsSync('/tmp/model-convert-escape')).toBe(false);
}, 300_000);

test('24 mutants of the shared fixtures (vit, bert)', async () => {
  if (big.length === 0) return;
  const kinds = [
    'truncate',
    'inflate-length',
    'huge-tensor-dims',
    'duplicate-names',
    'cycle',
    'deep-nesting',
    'external-data',
    'bad-dtypes',
  ];
  const outcomes: Outcome[] = [];
  for (let i = 0; i < 24; i++)
    outcomes.push(...(await runMutant(big[Math.floor(i / kinds.length) % big.length], i, kinds)));
  const counts = checkOutcomes(outcomes);
  expect(counts['convert 2']).toBeGreaterThan(12);
}, 300_000);
