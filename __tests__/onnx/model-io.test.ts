// Covers src/onnx/model-io.ts and src/onnx/external-data.ts: readModel → writeModel round
// trips of every fixture model (ONNX Runtime gives bit-identical outputs, every decoded field
// is kept), external data (loading, writing aligned .data files, inline writes, the proto
// left untouched), refusals of unsafe or broken external-data locations, files that are not
// ONNX models, and writeAtomically leaving no temporary file behind.

import Long from 'long';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import type { HostTensor, TensorMap } from '../../src/onnx/dtype.js';
import { Graph } from '../../src/onnx/graph.js';
import { readModel, writeAtomically, writeModel } from '../../src/onnx/model-io.js';
import {
  int64ToNumber,
  onnx,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../../src/onnx/proto/index.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { generateSamples } from '../../src/verify/sample-inputs.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');
const SHARED = path.resolve(repoRoot, '../shared/fixtures');
const EXTERNAL = path.join(MODELS, 'external/model.onnx');

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let tmpCount = 0;
function tmpDir(): string {
  const dir = path.join(tmpRoot, String(tmpCount++));
  fs.mkdirSync(dir);
  return dir;
}

/** Every .onnx under the fixtures folder except traversal/ (meant to be refused). */
function localFixtures(dir = MODELS): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? e.name === 'traversal'
          ? []
          : localFixtures(path.join(dir, e.name))
        : e.name.endsWith('.onnx')
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort();
}

const ROUND_TRIP_MODELS = [
  ...localFixtures(),
  ...['bert.legacy', 'vit.legacy', 'gpt2.dynamo_static', 'llama.dynamo_static'].map((m) =>
    path.join(SHARED, `${m}.onnx`),
  ),
];

function f32(dims: number[], values: number[]): HostTensor {
  return { dtype: 'float32', dims, data: Float32Array.from(values) };
}

/** Feeds for `modelPath`: two generated samples, plus positive and negative x for if_subgraph. */
async function samplesFor(modelPath: string, proto: ModelProto): Promise<TensorMap[]> {
  const runner = await createOrtRunner(modelPath);
  try {
    const samples = generateSamples(
      new Graph(proto.graph as GraphProto, path.basename(modelPath)),
      runner.inputs,
      {
        count: 2,
        seed: 1,
        dims: {},
        intRange: [0, 4],
      },
    );
    if (path.basename(modelPath) === 'if_subgraph.onnx') {
      samples.push({ x: f32([2, 4], [0.5, 1, 1.5, 2, 0.25, 0.75, 1.25, 1.75]) });
      samples.push({ x: f32([2, 4], [-0.5, -1, -1.5, -2, -0.25, -0.75, -1.25, -1.75]) });
    }
    return samples;
  } finally {
    await runner.dispose();
  }
}

async function runAll(modelPath: string, samples: TensorMap[]): Promise<TensorMap[]> {
  const runner = await createOrtRunner(modelPath, { intraOpThreads: 1 });
  try {
    const out: TensorMap[] = [];
    for (const s of samples) out.push(await runner.run(s));
    return out;
  } finally {
    await runner.dispose();
  }
}

/** Number of elements that differ (Object.is on each element; NaN equals NaN). */
function countDifferences(a: TensorMap[], b: TensorMap[]): number {
  expect(b.length).toBe(a.length);
  let diff = 0;
  a.forEach((ra, i) => {
    expect(Object.keys(b[i]).sort()).toEqual(Object.keys(ra).sort());
    for (const [name, ta] of Object.entries(ra)) {
      const tb = b[i][name];
      expect(tb.dtype).toBe(ta.dtype);
      expect(tb.dims).toEqual(ta.dims);
      expect(tb.data.length).toBe(ta.data.length);
      for (let k = 0; k < ta.data.length; k++) if (!Object.is(ta.data[k], tb.data[k])) diff++;
    }
  });
  return diff;
}

/**
 * A decoded message as a plain value: int64 as strings, bytes as base64, fields holding their
 * default (0, '', false, empty list) left out, so a field set to its default and an unset one
 * compare equal, as they do on the wire.
 */
function plain(v: unknown): unknown {
  if (Long.isLong(v)) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, field] of Object.entries(v)) {
    const p = plain(field);
    const isDefault =
      p === undefined ||
      p === null ||
      p === 0 ||
      p === '0' ||
      p === '' ||
      p === false ||
      (Array.isArray(p) && p.length === 0);
    if (!isDefault) out[k] = p;
  }
  return out;
}

const graphOf = (m: ModelProto): GraphProto => m.graph as GraphProto;
const initializers = (m: ModelProto): TensorProto[] => graphOf(m).initializer as TensorProto[];
const nodesOf = (m: ModelProto): NodeProto[] => graphOf(m).node as NodeProto[];
/** Tensors held by Constant nodes (the `value` attribute) of the main graph. */
const constantTensors = (m: ModelProto): TensorProto[] =>
  nodesOf(m).flatMap((n) =>
    (n.attribute as AttributeProto[]).flatMap((a) => (a.t ? [a.t as TensorProto] : [])),
  );

function decodeFile(file: string): ModelProto {
  return onnx.ModelProto.decode(fs.readFileSync(file));
}

function docStrings(m: ModelProto): string[] {
  const graphDocs = (g: onnx.IGraphProto | null | undefined): string[] =>
    g
      ? [
          g.docString ?? '',
          ...(g.node ?? []).flatMap((n) => [
            n.docString ?? '',
            ...(n.attribute ?? []).flatMap((a) => graphDocs(a.g)),
          ]),
        ]
      : [];
  return [
    m.docString ?? '',
    ...graphDocs(m.graph),
    ...(m.functions ?? []).flatMap((f) => [
      f.docString ?? '',
      ...(f.node ?? []).map((n) => n.docString ?? ''),
    ]),
  ];
}

function expectUserError(fn: () => unknown, ...patterns: (string | RegExp)[]): UserError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  for (const p of patterns) expect((caught as Error).message).toMatch(p);
  return caught as UserError;
}

function externalEntries(t: TensorProto): Record<string, string> {
  return Object.fromEntries((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
}

describe('readModel → writeModel round trip', () => {
  test('covers the fixtures the brief lists', () => {
    expect(ROUND_TRIP_MODELS.map((p) => path.relative(repoRoot, p))).toEqual([
      '__tests__/fixtures/models/external/model.onnx',
      '__tests__/fixtures/models/if_subgraph.onnx',
      '__tests__/fixtures/models/local_function.onnx',
      '__tests__/fixtures/models/loop_scan.onnx',
      '__tests__/fixtures/models/multi_io.onnx',
      '__tests__/fixtures/models/opset11_conv.onnx',
      '__tests__/fixtures/models/opset9_constants.onnx',
      '__tests__/fixtures/models/typed_fields.onnx',
      '../shared/fixtures/bert.legacy.onnx',
      '../shared/fixtures/vit.legacy.onnx',
      '../shared/fixtures/gpt2.dynamo_static.onnx',
      '../shared/fixtures/llama.dynamo_static.onnx',
    ]);
  });

  test.each(
    ROUND_TRIP_MODELS.map((p) => [
      p.startsWith(MODELS) ? path.relative(MODELS, p) : `shared/${path.basename(p)}`,
      p,
    ]),
  )('%s: ONNX Runtime outputs are bit-identical and every field is kept', async (_name, src) => {
    const loaded = readModel(src);
    const before = plain(loaded.proto);
    const out = path.join(tmpDir(), path.basename(src));
    const written = writeModel(loaded.proto, out);

    // Small models stay inline ('auto' only externalises > 1.8 GiB).
    expect(written.files).toEqual([out]);
    expect(written.bytes).toBe(fs.statSync(out).size);

    // Every decoded field survives, and writeModel left the in-memory proto as it was.
    const again = decodeFile(out);
    expect(plain(loaded.proto)).toEqual(before);
    expect(plain(again)).toEqual(before);

    // The fields the brief names, compared against a fresh decode of the source file.
    const original = decodeFile(src);
    expect(int64ToNumber(again.irVersion)).toBe(int64ToNumber(original.irVersion));
    expect(again.opsetImport.map((o) => [o.domain, int64ToNumber(o.version)])).toEqual(
      original.opsetImport.map((o) => [o.domain, int64ToNumber(o.version)]),
    );
    expect([again.producerName, again.producerVersion]).toEqual([
      original.producerName,
      original.producerVersion,
    ]);
    expect(again.metadataProps.map((p) => [p.key, p.value])).toEqual(
      original.metadataProps.map((p) => [p.key, p.value]),
    );
    expect(plain(again.functions)).toEqual(plain(original.functions));
    expect(docStrings(again)).toEqual(docStrings(original));
    expect(nodesOf(again).length).toBe(nodesOf(original).length);
    expect(initializers(again).length).toBe(initializers(original).length);

    // ONNX Runtime: same outputs, element for element.
    const samples = await samplesFor(src, loaded.proto);
    const ref = await runAll(src, samples);
    const got = await runAll(out, samples);
    expect(countDifferences(ref, got)).toBe(0);

    if (path.basename(src) === 'if_subgraph.onnx') {
      // Positive x takes the then-branch (Relu: ≥ 0); negative x the else-branch (2·tanh: some < 0).
      const [pos, neg] = got.slice(-2).map((r) => Array.from(r.y.data as Float32Array));
      expect(Math.min(...pos)).toBeGreaterThanOrEqual(0);
      expect(Math.min(...neg)).toBeLessThan(0);
      expect(Math.max(...neg.map(Math.abs))).toBeLessThan(2);
    }
  });

  test('local_function.onnx keeps its metadata_props, function and doc strings by value', () => {
    const out = path.join(tmpDir(), 'local_function.onnx');
    writeModel(readModel(path.join(MODELS, 'local_function.onnx')).proto, out);
    const m = decodeFile(out);
    expect(m.metadataProps.map((p) => `${p.key}=${p.value}`)).toEqual([
      'author=model-convert',
      'license=MIT',
      'fixture=local_function',
    ]);
    expect(
      m.functions.map(
        (f) =>
          `${f.domain}::${f.name}(${f.input!.join(',')})->${f.output!.join(',')} [${f.attribute!.join(',')}]`,
      ),
    ).toEqual(['custom.fn::ScaledTanh(X)->Y [alpha]']);
    expect(m.functions[0].docString).toBe('ScaledTanh(X; alpha) = alpha * tanh(X)');
    expect(m.functions[0].node![0].attribute![0].refAttrName).toBe('alpha');
    expect(m.docString).toBe('model-convert fixture: local FunctionProto with attribute reference');
    expect(graphOf(m).docString).toBe('Graph calling the model-local function custom.fn::ScaledTanh twice');
    expect(nodesOf(m).map((n) => n.docString)).toEqual([
      'project the input',
      'first call of the local function, alpha=0.5',
      'bias',
      'second call of the local function, alpha=2.0',
    ]);
    expect([m.producerName, m.producerVersion, int64ToNumber(m.irVersion)]).toEqual([
      'model-convert test fixtures',
      '1',
      8,
    ]);
  });
});

describe('external data', () => {
  test('readModel loads all 4 tensors of external/model.onnx into raw_data', () => {
    const m = readModel(EXTERNAL);
    const inits = initializers(m.proto);
    expect(inits.map((t) => `${t.name}:${t.rawData.length}`)).toEqual([
      'fc1.weight:2048',
      'fc1.bias:128',
      'fc2.weight:1024',
      'fc2.bias:32',
    ]);
    expect(
      inits.every(
        (t) => t.dataLocation === onnx.TensorProto.DataLocation.DEFAULT && t.externalData.length === 0,
      ),
    ).toBe(true);
    // The loaded bytes are the file's bytes at the declared offsets.
    const bin = fs.readFileSync(path.join(MODELS, 'external/weights.bin'));
    expect(Buffer.from(inits[2].rawData).equals(bin.subarray(2176, 3200))).toBe(true);
    expect(Buffer.from(inits[3].rawData).equals(bin.subarray(3200, 3232))).toBe(true);
    expect(m.hadExternalData).toBe(true);
    expect(m.bytes).toBe(565 + 3232);
  });

  test.each(['external/model.onnx', 'opset11_conv.onnx', 'opset9_constants.onnx'])(
    "%s written with externalData 'always': model + aligned .data, same ORT outputs, proto unchanged",
    async (rel) => {
      const src = path.join(MODELS, rel);
      const loaded = readModel(src);
      const before = plain(loaded.proto);
      const dir = tmpDir();
      const out = path.join(dir, 'model.onnx');
      const written = writeModel(loaded.proto, out, { externalData: 'always', thresholdBytes: 1 });

      expect(written.files).toEqual([out, path.join(dir, 'model.onnx.data')]);
      expect(fs.readdirSync(dir).sort()).toEqual(['model.onnx', 'model.onnx.data']);
      const data = fs.readFileSync(path.join(dir, 'model.onnx.data'));
      expect(written.bytes).toBe(fs.statSync(out).size + data.length);

      // Every raw_data tensor moved, at an offset aligned to 64, holding the original bytes.
      const rawByName = new Map<string, Uint8Array>();
      for (const t of [...initializers(loaded.proto), ...constantTensors(loaded.proto)]) {
        if (t.rawData.length > 0) rawByName.set(t.name, t.rawData);
      }
      const again = decodeFile(out);
      const externals = [...initializers(again), ...constantTensors(again)].filter(
        (t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL,
      );
      expect(externals.map((t) => t.name).sort()).toEqual([...rawByName.keys()].sort());
      let end = 0;
      for (const t of externals) {
        const e = externalEntries(t);
        const [offset, length] = [Number(e.offset), Number(e.length)];
        expect(e.location).toBe('model.onnx.data');
        expect(offset % 64).toBe(0);
        expect(offset).toBeGreaterThanOrEqual(end);
        expect(t.rawData.length).toBe(0);
        expect(Buffer.from(rawByName.get(t.name)!).equals(data.subarray(offset, offset + length))).toBe(true);
        end = offset + length;
      }
      expect(data.length).toBe(end);

      // The in-memory proto still holds its bytes inline.
      expect(plain(loaded.proto)).toEqual(before);
      expect(initializers(loaded.proto).every((t) => t.externalData.length === 0)).toBe(true);

      // readModel of the copy gives the same model back; ORT gives the same outputs.
      expect(plain(readModel(out).proto)).toEqual(before);
      const samples = await samplesFor(src, loaded.proto);
      expect(countDifferences(await runAll(src, samples), await runAll(out, samples))).toBe(0);
    },
  );

  test('opset11_conv: a 432-byte tensor is followed by padding up to offset 448', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'conv.onnx');
    writeModel(readModel(path.join(MODELS, 'opset11_conv.onnx')).proto, out, {
      externalData: 'always',
      thresholdBytes: 1,
    });
    const offsets = initializers(decodeFile(out))
      .filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
      .map((t) => `${t.name}@${externalEntries(t).offset}+${externalEntries(t).length}`);
    expect(offsets).toEqual(['conv.weight@0+432', 'bn.scale@448+16', 'bn.mean@512+16', 'fc.weight@576+1280']);
  });

  test('the default threshold keeps tensors under 1024 bytes inline', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'model.onnx');
    writeModel(readModel(EXTERNAL).proto, out, { externalData: 'always' });
    const inits = initializers(decodeFile(out));
    expect(
      inits.map(
        (t) =>
          `${t.name}:${t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL ? 'ext' : t.rawData.length}`,
      ),
    ).toEqual(['fc1.weight:ext', 'fc1.bias:128', 'fc2.weight:ext', 'fc2.bias:32']);
    expect(fs.statSync(path.join(dir, 'model.onnx.data')).size).toBe(2048 + 1024);
  });

  test("'never' writes one self-contained file and removes a stale .data beside it", async () => {
    const loaded = readModel(EXTERNAL);
    const dir = tmpDir();
    const out = path.join(dir, 'model.onnx');
    writeModel(loaded.proto, out, { externalData: 'always' });
    expect(fs.existsSync(path.join(dir, 'model.onnx.data'))).toBe(true);
    const written = writeModel(loaded.proto, out, { externalData: 'never' });
    expect(written.files).toEqual([out]);
    expect(fs.readdirSync(dir)).toEqual(['model.onnx']);
    const inits = initializers(decodeFile(out));
    expect(inits.map((t) => t.rawData.length)).toEqual([2048, 128, 1024, 32]);
    expect(
      inits.every(
        (t) => t.externalData.length === 0 && t.dataLocation === onnx.TensorProto.DataLocation.DEFAULT,
      ),
    ).toBe(true);
    expect(written.bytes).toBe(fs.statSync(out).size);
    const samples = await samplesFor(EXTERNAL, loaded.proto);
    expect(countDifferences(await runAll(EXTERNAL, samples), await runAll(out, samples))).toBe(0);
  });
});

describe('external data refusals', () => {
  /** A folder holding a copy of external/model.onnx (optionally re-encoded) and what `setup` adds. */
  function externalCopy(setup: (dir: string) => void, edit?: (m: ModelProto) => void): string {
    const dir = tmpDir();
    const model = path.join(dir, 'model.onnx');
    if (edit) {
      const m = decodeFile(EXTERNAL);
      edit(m);
      fs.writeFileSync(model, onnx.ModelProto.encode(m).finish());
    } else {
      fs.copyFileSync(EXTERNAL, model);
    }
    setup(dir);
    return model;
  }

  test('a location with ".." is refused, naming it', () => {
    expectUserError(
      () => readModel(path.join(MODELS, 'traversal/dotdot.onnx')),
      'dotdot.onnx',
      '"../weights.bin"',
      'contains ".."',
    );
  });

  test('an absolute location is refused, naming it', () => {
    expectUserError(
      () => readModel(path.join(MODELS, 'traversal/absolute.onnx')),
      'absolute.onnx',
      '"/etc/hostname"',
      'is absolute',
    );
  });

  test('a symlink that leaves the model folder is refused', () => {
    const outside = path.join(tmpDir(), 'weights.bin');
    fs.copyFileSync(path.join(MODELS, 'external/weights.bin'), outside);
    const model = externalCopy((dir) => fs.symlinkSync(outside, path.join(dir, 'weights.bin')));
    expectUserError(() => readModel(model), 'model.onnx', '"weights.bin"', 'resolves outside');
  });

  test('a symlink to a file inside the model folder is accepted', () => {
    const model = externalCopy((dir) => {
      fs.copyFileSync(path.join(MODELS, 'external/weights.bin'), path.join(dir, 'real.bin'));
      fs.symlinkSync('real.bin', path.join(dir, 'weights.bin'));
    });
    expect(initializers(readModel(model).proto).map((t) => t.rawData.length)).toEqual([2048, 128, 1024, 32]);
  });

  test('a data file shorter than the declared bytes is refused as truncated', () => {
    const model = externalCopy((dir) =>
      fs.writeFileSync(
        path.join(dir, 'weights.bin'),
        fs.readFileSync(path.join(MODELS, 'external/weights.bin')).subarray(0, 3000),
      ),
    );
    expectUserError(
      () => readModel(model),
      'model.onnx',
      'fc2.weight',
      '2176..3200',
      '"weights.bin"',
      'only 3000',
      'truncated',
    );
  });

  test('an offset past the end of the data file is refused as truncated', () => {
    const model = externalCopy(
      (dir) => fs.copyFileSync(path.join(MODELS, 'external/weights.bin'), path.join(dir, 'weights.bin')),
      (m) => {
        const bias = initializers(m).find((t) => t.name === 'fc1.bias')!;
        bias.externalData.find((e) => e.key === 'offset')!.value = '3200';
      },
    );
    expectUserError(() => readModel(model), 'fc1.bias', '3200..3328', 'truncated');
  });

  test('a missing data file is refused as not found', () => {
    const model = externalCopy(() => {});
    expectUserError(() => readModel(model), 'model.onnx', '"weights.bin"', 'not found');
  });
});

describe('files that are not ONNX models', () => {
  test('a missing path', () => {
    expectUserError(() => readModel(path.join(tmpRoot, 'nope.onnx')), 'nope.onnx', 'file not found');
  });

  test('random bytes', () => {
    let s = 12345;
    const bytes = Uint8Array.from(
      { length: 4096 },
      () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24,
    );
    const file = path.join(tmpDir(), 'random.onnx');
    fs.writeFileSync(file, bytes);
    expectUserError(() => readModel(file), 'random.onnx', /not (a valid |an )?ONNX model/);
  });

  test('a text file', () => {
    const file = path.join(tmpDir(), 'notes.onnx');
    fs.writeFileSync(file, 'This is a README, not a model.\nIt has two lines.\n');
    expectUserError(() => readModel(file), 'notes.onnx', /not (a valid |an )?ONNX model/);
  });

  test('an empty file', () => {
    const file = path.join(tmpDir(), 'empty.onnx');
    fs.writeFileSync(file, '');
    expectUserError(() => readModel(file), 'empty.onnx', /not (a valid |an )?ONNX model/);
  });

  test('the first 60% of bert.legacy.onnx', () => {
    const bytes = fs.readFileSync(path.join(SHARED, 'bert.legacy.onnx'));
    const file = path.join(tmpDir(), 'bert.onnx');
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expectUserError(() => readModel(file), 'bert.onnx', /not (a valid |an )?ONNX model/);
  });

  test('a directory', () => {
    const dir = tmpDir();
    expectUserError(() => readModel(dir), dir, 'not a file');
  });
});

describe('writeAtomically', () => {
  test('writes the concatenated chunks and leaves no temporary file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'out.bin');
    const backing = Uint8Array.of(9, 9, 4, 5, 6, 9);
    writeAtomically(file, [Uint8Array.of(1, 2, 3), backing.subarray(2, 5)]);
    expect(fs.readdirSync(dir)).toEqual(['out.bin']);
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3, 4, 5, 6]);
    writeAtomically(file, [Uint8Array.of(7)]);
    expect(fs.readdirSync(dir)).toEqual(['out.bin']);
    expect([...fs.readFileSync(file)]).toEqual([7]);
  });

  test('a failed rename removes the temporary file and rethrows', () => {
    const dir = tmpDir();
    const target = path.join(dir, 'busy');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'x');
    expect(() => writeAtomically(target, [Uint8Array.of(1)])).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readdirSync(dir)).toEqual(['busy']);
  });
});
