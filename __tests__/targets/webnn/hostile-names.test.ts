// Names from a model end up in the generated model.js (in string literals and // comments).
// A name holding U+2028, U+2029 or a line break must not end a comment and smuggle code
// into a module that the verifier — and every user of the output — imports.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { onnx } from '../../../src/onnx/proto/index.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const tiny = path.join(repo, 'examples/tiny/model.onnx');
const marks = globalThis as { __mcInjectedInput?: number; __mcInjectedWeight?: number };

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-webnn-names-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** The main graph with its repeated fields typed as the classes decode() makes. */
interface DecodedGraph {
  node: onnx.NodeProto[];
  initializer: onnx.TensorProto[];
  input: onnx.ValueInfoProto[];
  output: onnx.ValueInfoProto[];
}

/** Renames a value everywhere it is used. */
function rename(g: DecodedGraph, from: string, to: string): void {
  for (const n of g.node) n.input = n.input.map((i) => (i === from ? to : i));
  for (const v of [...g.input, ...g.output]) if (v.name === from) v.name = to;
  for (const t of g.initializer) if (t.name === from) t.name = to;
}

test.each([
  ['U+2028', '\u2028'],
  ['U+2029', '\u2029'],
  ['a line feed', '\n'],
])('a name with %s stays inside its comment; no code from it runs', async (_, breakChar) => {
  const m = onnx.ModelProto.decode(readFileSync(tiny));
  const g = m.graph as unknown as DecodedGraph;
  const weight = [...g.initializer].sort((a, b) => b.rawData.length - a.rawData.length)[0];
  rename(g, g.input[0].name, `ids${breakChar}globalThis.__mcInjectedInput = 1; //`);
  rename(g, weight.name, `w${breakChar}globalThis.__mcInjectedWeight = 1; //`);
  const model = path.join(tmp, 'model.onnx');
  writeFileSync(model, onnx.ModelProto.encode(m).finish());
  const out = path.join(tmp, 'out');
  let err = '';
  const code = await runCli(['convert', model, '--targets', 'webnn', '--out', out, '--no-cache'], {
    out: () => {},
    err: (t) => (err += `${t}\n`),
  });
  expect([code, err]).toEqual([0, '']);
  const js = readFileSync(path.join(out, 'webnn/fp32/model.js'), 'utf8');
  expect(js).not.toMatch(/[\u2028\u2029]/);
  expect(js.split('\n').some((l) => l.trimStart().startsWith('globalThis.__mcInjected'))).toBe(false);
  expect([marks.__mcInjectedInput, marks.__mcInjectedWeight]).toEqual([undefined, undefined]);
});
