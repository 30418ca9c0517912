// Covers lazily loaded external data (src/onnx/lazy-data.ts, readModel's lazyExternalData,
// tensorFromProto's on-demand reads, writeModel's streaming copy): lazy reads equal eager
// ones, clones still resolve, written models run in ONNX Runtime with identical outputs and
// never carry an in-memory marker, forged NUL locations are refused, and a model is never
// written over the data file its tensors are still read from.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { cloneModel } from '../../src/onnx/clone.js';
import type { TensorMap } from '../../src/onnx/dtype.js';
import { LAZY_EXTERNAL_DATA_BYTES } from '../../src/onnx/external-data.js';
import { Graph } from '../../src/onnx/graph.js';
import { isLazyTensor, lazyMarkerPrefix, readLazyBytes } from '../../src/onnx/lazy-data.js';
import { decodeModel, readModel, writeModel } from '../../src/onnx/model-io.js';
import { onnx, type GraphProto, type ModelProto, type TensorProto } from '../../src/onnx/proto/index.js';
import { tensorFromProto } from '../../src/onnx/tensor.js';
import { runSamples } from '../../src/verify/compare-runs.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { generateSamples } from '../../src/verify/sample-inputs.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTERNAL = path.join(repoRoot, '__tests__/fixtures/models/external/model.onnx');
const WEIGHTS = path.join(repoRoot, '__tests__/fixtures/models/external/weights.bin');

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-lazy-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let tmpCount = 0;
function tmpDir(): string {
  const dir = path.join(tmpRoot, String(tmpCount++));
  fs.mkdirSync(dir);
  return dir;
}

const initializers = (m: ModelProto): TensorProto[] => (m.graph as GraphProto).initializer as TensorProto[];
const location = (t: TensorProto): string | undefined =>
  t.externalData.find((e) => e.key === 'location')?.value ?? undefined;

async function outputs(modelPath: string, samples: TensorMap[]): Promise<TensorMap[]> {
  const runner = await createOrtRunner(modelPath, { intraOpThreads: 1 });
  try {
    return await runSamples(runner, samples);
  } finally {
    await runner.dispose();
  }
}

async function samplesFor(modelPath: string, proto: ModelProto): Promise<TensorMap[]> {
  const runner = await createOrtRunner(modelPath);
  try {
    return generateSamples(new Graph(proto.graph as GraphProto, 'model.onnx'), runner.inputs, {
      count: 2,
      seed: 3,
      dims: {},
      intRange: [0, 4],
    });
  } finally {
    await runner.dispose();
  }
}

/** A copy of external/model.onnx whose fc1.weight location is replaced by `forged`. */
function forgedCopy(forged: string): string {
  const dir = tmpDir();
  fs.copyFileSync(WEIGHTS, path.join(dir, 'weights.bin'));
  const m = onnx.ModelProto.decode(fs.readFileSync(EXTERNAL));
  const t = initializers(m).find((x) => x.name === 'fc1.weight')!;
  t.externalData.find((e) => e.key === 'location')!.value = forged;
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
  return file;
}

function expectUserError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('reading', () => {
  test('lazy tensors keep EXTERNAL with a marker and read the same values and bytes as eager ones', () => {
    const eager = readModel(EXTERNAL, { lazyExternalData: false });
    const lazy = readModel(EXTERNAL, { lazyExternalData: true });
    expect(lazy.bytes).toBe(eager.bytes);
    expect(lazy.hadExternalData).toBe(true);
    const realWeights = fs.realpathSync(WEIGHTS);
    for (const t of initializers(lazy.proto)) {
      expect([t.dataLocation, t.rawData.length, location(t)]).toEqual([
        onnx.TensorProto.DataLocation.EXTERNAL,
        0,
        `${lazyMarkerPrefix()}${realWeights}`,
      ]);
      expect(isLazyTensor(t)).toBe(true);
    }
    const eagerByName = new Map(initializers(eager.proto).map((t) => [t.name, t]));
    for (const t of initializers(lazy.proto)) {
      const e = eagerByName.get(t.name)!;
      expect(Buffer.from(readLazyBytes(t, 'model.onnx')).equals(Buffer.from(e.rawData))).toBe(true);
      expect(Array.from(tensorFromProto(t, 'model.onnx').data as Float32Array)).toEqual(
        Array.from(tensorFromProto(e, 'model.onnx').data as Float32Array),
      );
    }
  });

  test(`by default a model with under ${LAZY_EXTERNAL_DATA_BYTES / 2 ** 20} MiB of external data loads eagerly`, () => {
    const m = readModel(EXTERNAL);
    expect(initializers(m.proto).map((t) => `${t.dataLocation}:${t.rawData.length}`)).toEqual([
      '0:2048',
      '0:128',
      '0:1024',
      '0:32',
    ]);
  });

  test('nothing is cached: a tensor read after its data file changed gets the new bytes', () => {
    const dir = tmpDir();
    fs.copyFileSync(EXTERNAL, path.join(dir, 'model.onnx'));
    fs.copyFileSync(WEIGHTS, path.join(dir, 'weights.bin'));
    const lazy = readModel(path.join(dir, 'model.onnx'), { lazyExternalData: true });
    const bias = initializers(lazy.proto).find((t) => t.name === 'fc2.bias')!;
    const before = tensorFromProto(bias, 'model.onnx').data as Float32Array;
    const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
    new Float32Array(bytes.buffer, bytes.byteOffset + 3200, 8).fill(42);
    fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
    expect(Array.from(tensorFromProto(bias, 'model.onnx').data as Float32Array)).toEqual(
      new Array(8).fill(42),
    );
    expect(before[0]).not.toBe(42);
    // A data file that shrank under the open model is reported, not read past its end.
    fs.truncateSync(path.join(dir, 'weights.bin'), 3000);
    expectUserError(() => tensorFromProto(bias, 'model.onnx'), /fc2\.bias.*3200\.\.3232.*only 3000/);
  });

  test('cloneModel keeps the markers, so the clone reads the same values', () => {
    const lazy = readModel(EXTERNAL, { lazyExternalData: true });
    const clone = cloneModel(lazy.proto);
    for (const [a, b] of initializers(lazy.proto).map((t, i) => [t, initializers(clone)[i]])) {
      expect(location(b)).toBe(location(a));
      expect(Array.from(tensorFromProto(b, 'clone').data as Float32Array)).toEqual(
        Array.from(tensorFromProto(a, 'model.onnx').data as Float32Array),
      );
    }
  });
});

describe('forged markers', () => {
  test.each([
    ['NUL then an absolute path', `\0${WEIGHTS}`],
    ['NUL, a made-up token, NUL, then a path', `\0${'0'.repeat(24)}\0${WEIGHTS}`],
    ['NUL then a relative path', '\0weights.bin'],
  ])('a location read from a file with %s is refused, lazily or not', (_, forged) => {
    const file = forgedCopy(forged);
    for (const lazyExternalData of [true, false]) {
      expectUserError(() => readModel(file, { lazyExternalData }), /control characters/);
    }
  });

  test("this process's marker written into a file is refused too", () => {
    const file = forgedCopy(`${lazyMarkerPrefix()}${fs.realpathSync(WEIGHTS)}`);
    expectUserError(() => readModel(file, { lazyExternalData: true }), /control characters/);
  });

  test('a NUL location in a decoded model (no readModel checks) is refused by tensorFromProto', () => {
    const m = decodeModel(fs.readFileSync(forgedCopy(`\0${'ab'.repeat(12)}\0/etc/hostname`)), 'model.onnx');
    const t = initializers(m).find((x) => x.name === 'fc1.weight')!;
    expectUserError(() => tensorFromProto(t, 'model.onnx'), /control characters/);
  });
});

describe('writing', () => {
  /** Every byte of the files written, for marker checks. */
  const writtenBytes = (files: string[]): Buffer => Buffer.concat(files.map((f) => fs.readFileSync(f)));

  test.each(['auto', 'always'] as const)(
    "externalData '%s': lazy tensors are copied into model.onnx.data; ORT outputs are identical; no marker is written",
    async (externalData) => {
      const lazy = readModel(EXTERNAL, { lazyExternalData: true });
      const locationsBefore = initializers(lazy.proto).map(location);
      const dir = tmpDir();
      const out = path.join(dir, 'model.onnx');
      const written = writeModel(lazy.proto, out, { externalData });

      expect(written.files).toEqual([out, `${out}.data`]);
      expect(fs.statSync(`${out}.data`).size).toBe(3232); // the four tensors, 64-byte aligned
      expect(writtenBytes(written.files).includes(lazyMarkerPrefix())).toBe(false);
      expect(writtenBytes(written.files).includes('\0/')).toBe(false);
      const again = readModel(out, { lazyExternalData: false });
      const eager = readModel(EXTERNAL, { lazyExternalData: false });
      expect(initializers(again.proto).map((t) => Buffer.from(t.rawData).toString('hex'))).toEqual(
        initializers(eager.proto).map((t) => Buffer.from(t.rawData).toString('hex')),
      );
      // The in-memory model still reads from the source file.
      expect(initializers(lazy.proto).map(location)).toEqual(locationsBefore);
      const samples = await samplesFor(EXTERNAL, eager.proto);
      expect(await outputs(out, samples)).toEqual(await outputs(EXTERNAL, samples));
    },
  );

  test("externalData 'never' reads lazy tensors inline: one self-contained file, no marker", async () => {
    const lazy = readModel(EXTERNAL, { lazyExternalData: true });
    const dir = tmpDir();
    const out = path.join(dir, 'model.onnx');
    const written = writeModel(lazy.proto, out, { externalData: 'never' });
    expect(fs.readdirSync(dir)).toEqual(['model.onnx']);
    expect(writtenBytes(written.files).includes(lazyMarkerPrefix())).toBe(false);
    const decoded = onnx.ModelProto.decode(fs.readFileSync(out));
    expect(initializers(decoded).map((t) => `${t.dataLocation}:${t.rawData.length}`)).toEqual([
      '0:2048',
      '0:128',
      '0:1024',
      '0:32',
    ]);
    expect(initializers(lazy.proto).every(isLazyTensor)).toBe(true);
    const samples = await samplesFor(EXTERNAL, decoded);
    expect(await outputs(out, samples)).toEqual(await outputs(EXTERNAL, samples));
  });

  test('a clone of a lazy model with a new in-memory tensor writes both kinds, in order', () => {
    const clone = cloneModel(readModel(EXTERNAL, { lazyExternalData: true }).proto);
    const extra = new onnx.TensorProto({
      name: 'extra',
      dataType: 1,
      dims: [300],
      rawData: new Uint8Array(1200).fill(7),
    });
    (clone.graph as GraphProto).initializer.push(extra);
    const out = path.join(tmpDir(), 'model.onnx');
    writeModel(clone, out, { externalData: 'auto' });
    const decoded = onnx.ModelProto.decode(fs.readFileSync(out));
    const placed = initializers(decoded).map(
      (t) =>
        `${t.name}@${t.externalData.find((e) => e.key === 'offset')?.value}+${t.externalData.find((e) => e.key === 'length')?.value}`,
    );
    expect(placed).toEqual([
      'fc1.weight@0+2048',
      'fc1.bias@2048+128',
      'fc2.weight@2176+1024',
      'fc2.bias@3200+32',
      'extra@3264+1200',
    ]);
    expect(fs.readFileSync(`${out}.data`).subarray(3264).equals(Buffer.alloc(1200, 7))).toBe(true);
    expect(extra.rawData.length).toBe(1200);
  });

  test('writing over the data file the lazy tensors are read from is refused and leaves it intact', () => {
    const dir = tmpDir();
    const model = path.join(dir, 'model.onnx');
    writeModel(readModel(EXTERNAL).proto, model, { externalData: 'always', thresholdBytes: 1 });
    const data = fs.readFileSync(`${model}.data`);
    const lazy = readModel(model, { lazyExternalData: true });
    expectUserError(
      () => writeModel(lazy.proto, model, { externalData: 'always' }),
      /still read from that file/,
    );
    expect(fs.readFileSync(`${model}.data`).equals(data)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.onnx', 'model.onnx.data']);
  });
});
