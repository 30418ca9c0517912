import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { parse as parseNpy } from 'npyjs';
import type { HostTensor } from '../../src/onnx/dtype.js';
import { encodeNpy, loadInputs, writeNpz } from '../../src/verify/inputs-file.js';
import type { IOInfo } from '../../src/verify/types.js';

const dir = mkdtempSync(join(tmpdir(), 'inputs-file-'));
const here = dirname(fileURLToPath(import.meta.url));

const f32 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});
const i64 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(values.map(BigInt)),
});

const TEXT_MODEL: IOInfo[] = [
  { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
  { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
];
const IMAGE_MODEL: IOInfo[] = [{ name: 'pixel_values', dtype: 'float32', dims: ['batch', 3, 32, 32] }];

function writeFile(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function writeJson(name: string, value: unknown): string {
  return writeFile(name, JSON.stringify(value));
}

describe('encodeNpy', () => {
  test('matches numpy.save byte for byte (float32 [1.5, -2])', () => {
    const numpyHex =
      '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c2027' +
      '7368617065273a2028322c292c207d' +
      '20'.repeat(60) +
      '0a0000c03f000000c0';
    expect(Buffer.from(encodeNpy(f32([2], [1.5, -2]))).toString('hex')).toBe(numpyHex);
  });

  test('pads the header to 64 bytes and writes 2-D and scalar shapes as numpy does', () => {
    const bytes = encodeNpy(i64([2, 3], [0, 0, 0, 0, 0, 0]));
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect(headerLength).toBe(118);
    expect(bytes.length).toBe(10 + 118 + 48);
    expect(
      Buffer.from(bytes.subarray(10, 10 + 118))
        .toString('latin1')
        .trimEnd(),
    ).toBe("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }");
    const scalar = encodeNpy({ dtype: 'int32', dims: [], data: Int32Array.of(7) });
    expect(Buffer.from(scalar.subarray(10, 128)).toString('latin1').trimEnd()).toBe(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
    );
  });

  test.each([
    ['float32', 'f4', Float32Array.of(1.5, -2)],
    ['float64', 'f8', Float64Array.of(1e-300, 3)],
    ['int64', 'i8', BigInt64Array.of(-(2n ** 40n), 5n)],
    ['int32', 'i4', Int32Array.of(-7, 2 ** 30)],
    ['int8', 'i1', Int8Array.of(-128, 127)],
    ['uint8', 'u1', Uint8Array.of(0, 255)],
    ['float16', 'f2', Uint16Array.of(0x3c00, 0xc000)],
  ] as const)('%s round-trips through npyjs as %s', (dtype, code, data) => {
    const parsed = parseNpy(encodeNpy({ dtype, dims: [2], data }).slice().buffer, { convertFloat16: false });
    expect(parsed.dtype).toBe(code);
    expect(parsed.shape).toEqual([2]);
    expect(Array.from(parsed.data as unknown as ArrayLike<number>)).toEqual(
      Array.from(data as ArrayLike<number>),
    );
  });

  test('bool is written as |b1 bytes 0/1', () => {
    const bytes = encodeNpy({ dtype: 'bool', dims: [3], data: Uint8Array.of(1, 0, 7) });
    expect(Buffer.from(bytes.subarray(10, 30)).toString('latin1')).toBe("{'descr': '|b1', 'fo");
    expect(Array.from(bytes.subarray(128))).toEqual([1, 0, 1]);
  });

  test('dtypes without an npy type throw', () => {
    expect(() => encodeNpy({ dtype: 'bfloat16', dims: [1], data: Uint16Array.of(0) })).toThrow(
      'encodeNpy: bfloat16 tensors have no .npy element type',
    );
  });
});

describe('loadInputs: files that load', () => {
  test('writeNpz → loadInputs round-trips a sample in the model order', () => {
    const path = join(dir, 'nested', 'roundtrip.npz');
    writeNpz(path, { attention_mask: i64([1, 3], [1, 1, 0]), input_ids: i64([1, 3], [101, 2009, 102]) });
    const samples = loadInputs(path, TEXT_MODEL);
    expect(samples).toHaveLength(1);
    expect(Object.keys(samples[0])).toEqual(['input_ids', 'attention_mask']);
    expect(samples[0].input_ids.data).toEqual(BigInt64Array.of(101n, 2009n, 102n));
    expect(samples[0].input_ids.dims).toEqual([1, 3]);
    expect(samples[0].attention_mask.data).toEqual(BigInt64Array.of(1n, 1n, 0n));
  });

  test('reads an .npz written by numpy.savez (zip64 headers) and widens int32 to int64', () => {
    // numpy.savez(p, input_ids=np.array([[5,6,7]], np.int64), attention_mask=np.array([[1,1,0]], np.int32))
    const [sample] = loadInputs(join(here, 'data', 'numpy-savez.npz'), TEXT_MODEL);
    expect(sample.input_ids.data).toEqual(BigInt64Array.of(5n, 6n, 7n));
    expect(sample.attention_mask).toEqual({
      dtype: 'int64',
      dims: [1, 3],
      data: BigInt64Array.of(1n, 1n, 0n),
    });
  });

  test('a .npy feeds a single-input model', () => {
    const path = writeFile('pixels.npy', encodeNpy(f32([1, 3, 32, 32], new Array(3072).fill(0.5))));
    const [sample] = loadInputs(path, IMAGE_MODEL);
    expect(sample.pixel_values.dims).toEqual([1, 3, 32, 32]);
    expect(sample.pixel_values.data).toBeInstanceOf(Float32Array);
    expect(sample.pixel_values.data[3071]).toBe(0.5);
  });

  test('name=file.npy pairs make one sample', () => {
    const ids = writeFile('ids.npy', encodeNpy(i64([1, 2], [7, 8])));
    const mask = writeFile(
      'mask.npy',
      encodeNpy({ dtype: 'int32', dims: [1, 2], data: Int32Array.of(1, 0) }),
    );
    const [sample] = loadInputs(`input_ids=${ids}, attention_mask=${mask}`, TEXT_MODEL);
    expect(sample.input_ids.data).toEqual(BigInt64Array.of(7n, 8n));
    expect(sample.attention_mask.data).toEqual(BigInt64Array.of(1n, 0n));
  });

  test('JSON {dims, dtype, data} with int32 data becomes int64', () => {
    const path = writeJson('dims-data.json', {
      input_ids: { dims: [1, 3], dtype: 'int32', data: [1, 2, 3] },
      attention_mask: { dims: [1, 3], data: [1, 1, 1] },
    });
    const [sample] = loadInputs(path, TEXT_MODEL);
    expect(sample.input_ids).toEqual({ dtype: 'int64', dims: [1, 3], data: BigInt64Array.of(1n, 2n, 3n) });
    expect(sample.attention_mask.data).toEqual(BigInt64Array.of(1n, 1n, 1n));
  });

  test('JSON nested arrays take their dims from the nesting', () => {
    const model: IOInfo[] = [{ name: 'x', dtype: 'float32', dims: [2, 'n'] }];
    const [sample] = loadInputs(
      writeJson('nested.json', {
        x: [
          [1, 2, 3],
          [4, 5, 6.5],
        ],
      }),
      model,
    );
    expect(sample.x).toEqual({ dtype: 'float32', dims: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6.5) });
  });

  test('a JSON list gives one sample per entry, and symbolic dims may differ between samples', () => {
    const path = writeJson('list.json', [
      { input_ids: [[1, 2]], attention_mask: [[1, 1]] },
      { input_ids: [[3, 4, 5]], attention_mask: [[1, 1, 0]] },
    ]);
    const samples = loadInputs(path, TEXT_MODEL);
    expect(samples.map((s) => s.input_ids.dims)).toEqual([
      [1, 2],
      [1, 3],
    ]);
    expect(samples[1].attention_mask.data).toEqual(BigInt64Array.of(1n, 1n, 0n));
  });

  test('float64 and float16 become float32; bool ↔ uint8/int64 with 0/1', () => {
    const model: IOInfo[] = [
      { name: 'a', dtype: 'float32', dims: [2] },
      { name: 'b', dtype: 'float32', dims: [2] },
      { name: 'c', dtype: 'uint8', dims: [2] },
      { name: 'd', dtype: 'bool', dims: [2] },
    ];
    const path = join(dir, 'convert.npz');
    writeNpz(path, {
      a: { dtype: 'float64', dims: [2], data: Float64Array.of(0.1, -3) },
      b: { dtype: 'float16', dims: [2], data: Uint16Array.of(0x3c00, 0x3800) },
      c: { dtype: 'bool', dims: [2], data: Uint8Array.of(1, 0) },
      d: i64([2], [0, 1]),
    });
    const [sample] = loadInputs(path, model);
    expect(sample.a.data).toEqual(Float32Array.of(0.1, -3));
    expect(sample.b.data).toEqual(Float32Array.of(1, 0.5));
    expect(sample.c).toEqual({ dtype: 'uint8', dims: [2], data: Uint8Array.of(1, 0) });
    expect(sample.d).toEqual({ dtype: 'bool', dims: [2], data: Uint8Array.of(0, 1) });
  });

  test('JSON float16 values and true/false booleans', () => {
    const model: IOInfo[] = [
      { name: 'x', dtype: 'float32', dims: [2] },
      { name: 'flags', dtype: 'bool', dims: [2] },
    ];
    const path = writeJson('typed.json', {
      x: { dims: [2], dtype: 'float16', data: [1, 0.1] },
      flags: [true, false],
    });
    const [sample] = loadInputs(path, model);
    expect(sample.x.data).toEqual(Float32Array.of(1, 0.0999755859375)); // 0.1 rounded to float16
    expect(sample.flags).toEqual({ dtype: 'bool', dims: [2], data: Uint8Array.of(1, 0) });
  });

  test('int64 becomes int32 when every value fits', () => {
    const model: IOInfo[] = [{ name: 'ids', dtype: 'int32', dims: [2] }];
    const path = join(dir, 'int32.npz');
    writeNpz(path, { ids: i64([2], [-5, 2147483647]) });
    expect(loadInputs(path, model)[0].ids.data).toEqual(Int32Array.of(-5, 2147483647));
  });
});

describe('loadInputs: errors', () => {
  const npz = (name: string, sample: Record<string, HostTensor>): string => {
    const path = join(dir, name);
    writeNpz(path, sample);
    return path;
  };

  test('a .npy for a two-input model says to use an .npz named after the inputs', () => {
    const path = writeFile('one.npy', encodeNpy(i64([1, 2], [1, 2])));
    expect(() => loadInputs(path, TEXT_MODEL)).toThrow(
      `${path}: a .npy file holds one array but the model has 2 inputs (input_ids, attention_mask); use a .npz with keys named after the inputs, e.g. numpy.savez("inputs.npz", input_ids=..., attention_mask=...).`,
    );
  });

  test('an unknown key names the file, the key and the model inputs', () => {
    const path = npz('unknown.npz', {
      input_ids: i64([1, 1], [1]),
      attention_mask: i64([1, 1], [1]),
      token_type: i64([1], [0]),
    });
    expect(() => loadInputs(path, TEXT_MODEL)).toThrow(
      `${path}: "token_type" is not an input of the model; its inputs are input_ids, attention_mask.`,
    );
  });

  test('a missing input is named', () => {
    const path = npz('missing.npz', { input_ids: i64([1, 1], [1]) });
    expect(() => loadInputs(path, TEXT_MODEL)).toThrow(
      `${path}: input "attention_mask" is missing; the model's inputs are input_ids, attention_mask.`,
    );
  });

  test('a fixed dim that differs names both shapes', () => {
    const path = npz('inputs.npz', { pixel_values: f32([1, 3, 16, 16], new Array(768).fill(0)) });
    expect(() => loadInputs(path, IMAGE_MODEL)).toThrow(
      `${path}: input "pixel_values" has shape [1,3,16,16] but the model needs [batch,3,32,32]`,
    );
  });

  test('a rank that differs names both shapes', () => {
    const path = npz('rank.npz', { pixel_values: f32([3, 32, 32], new Array(3072).fill(0)) });
    expect(() => loadInputs(path, IMAGE_MODEL)).toThrow(
      `${path}: input "pixel_values" has shape [3,32,32] but the model needs [batch,3,32,32]`,
    );
  });

  test('a symbolic dim with two sizes in one sample is rejected', () => {
    const path = npz('seq.npz', {
      input_ids: i64([1, 16], new Array(16).fill(1)),
      attention_mask: i64([1, 8], new Array(8).fill(1)),
    });
    expect(() => loadInputs(path, TEXT_MODEL)).toThrow(
      `${path}: dim "seq" is 16 in input "input_ids" but 8 in input "attention_mask"; give it one size in every input of a sample.`,
    );
  });

  test('a dtype that cannot convert names the file, input and both dtypes', () => {
    const path = npz('dtype.npz', { input_ids: f32([1, 1], [1]), attention_mask: i64([1, 1], [1]) });
    expect(() => loadInputs(path, TEXT_MODEL)).toThrow(
      `${path}: input "input_ids" is float32 in the file but the model needs int64; save it as int64.`,
    );
    const toHalf = npz('half.npz', { x: f32([1], [1]) });
    expect(() => loadInputs(toHalf, [{ name: 'x', dtype: 'float16', dims: [1] }])).toThrow(
      `${toHalf}: input "x" is float32 in the file but the model needs float16; save it as float16.`,
    );
  });

  test('integers that do not fit the model dtype are rejected', () => {
    const path = npz('big.npz', { ids: i64([2], [1, 2 ** 31]) });
    expect(() => loadInputs(path, [{ name: 'ids', dtype: 'int32', dims: [2] }])).toThrow(
      `${path}: input "ids" holds 2147483648, which does not fit the model's int32 (-2147483648 to 2147483647); save it as int32.`,
    );
    const mask = npz('mask2.npz', { m: i64([2], [1, 2]) });
    expect(() => loadInputs(mask, [{ name: 'm', dtype: 'bool', dims: [2] }])).toThrow(
      `${mask}: input "m" holds 2, which does not fit the model's bool (0 to 1); save it as bool.`,
    );
  });

  test('a Fortran-order .npy asks for C order', () => {
    const bytes = encodeNpy(f32([2, 2], [1, 2, 3, 4]));
    const header = Buffer.from(bytes.subarray(0, 128))
      .toString('latin1')
      .replace("'fortran_order': False", "'fortran_order': True ");
    const path = writeFile(
      'fortran.npy',
      Buffer.concat([Buffer.from(header, 'latin1'), bytes.subarray(128)]),
    );
    expect(() => loadInputs(path, [{ name: 'x', dtype: 'float32', dims: [2, 2] }])).toThrow(
      `${path}: the array is saved in Fortran order; save it in C order (numpy.ascontiguousarray).`,
    );
  });

  test('unreadable files say what to pass', () => {
    const missing = join(dir, 'none.npz');
    expect(() => loadInputs(missing, TEXT_MODEL)).toThrow(
      `--inputs: file ${missing} does not exist; pass a .npz, .npy or .json file, or name=file.npy pairs.`,
    );
    const txt = writeFile('inputs.txt', '1 2 3');
    expect(() => loadInputs(txt, TEXT_MODEL)).toThrow(
      `--inputs: ${txt} is not a .npz, .npy or .json file; save the inputs with numpy.savez or as JSON.`,
    );
    const notZip = writeFile('broken.npz', 'not a zip');
    expect(() => loadInputs(notZip, TEXT_MODEL)).toThrow(
      new RegExp(`^${notZip}: not a valid \\.npz \\(zip\\) file \\(.+\\); save it with numpy\\.savez\\.$`),
    );
    const notNpy = writeFile('broken.npy', 'hello world, this is not npy');
    expect(() => loadInputs(notNpy, IMAGE_MODEL)).toThrow(
      `${notNpy}: not a .npy file (no \\x93NUMPY header); save it with numpy.save.`,
    );
    const badJson = writeFile('broken.json', '{"x": [1,');
    expect(() => loadInputs(badJson, TEXT_MODEL)).toThrow(
      new RegExp(`^${badJson}: not valid JSON \\(.+\\); fix the file\\.$`),
    );
  });

  test('an .npz member that is not npy-shaped data is reported with its member name', () => {
    const path = writeFile('members.npz', zipSync({ 'x.npy': new TextEncoder().encode('nope') }));
    expect(() => loadInputs(path, [{ name: 'x', dtype: 'float32', dims: [1] }])).toThrow(
      `${path}: x.npy: not a .npy file (no \\x93NUMPY header); save it with numpy.save.`,
    );
  });

  test('big-endian and complex .npy files are rejected with the element type', () => {
    const withDescr = (descr: string) =>
      Buffer.from(
        Buffer.from(encodeNpy(f32([2], [1, 2])))
          .toString('latin1')
          .replace("'<f4'", `'${descr}'`),
        'latin1',
      );
    const big = writeFile('big-endian.npy', withDescr('>f4'));
    expect(() => loadInputs(big, [{ name: 'x', dtype: 'float32', dims: [2] }])).toThrow(
      `${big}: not a readable .npy file (Unsupported dtype: >f4); save it with numpy.save.`,
    );
    const complex = writeFile('complex.npy', withDescr('<c8'));
    expect(() => loadInputs(complex, [{ name: 'x', dtype: 'float32', dims: [2] }])).toThrow(
      `${complex}: element type 'c8' is not supported; save one of float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool.`,
    );
  });

  test('an .npy whose data is shorter than its shape is rejected', () => {
    const bytes = encodeNpy(f32([4], [1, 2, 3, 4]));
    const path = writeFile('short.npy', bytes.subarray(0, bytes.length - 8));
    expect(() => loadInputs(path, [{ name: 'x', dtype: 'float32', dims: [4] }])).toThrow(
      `${path}: holds 2 values but its shape [4] needs 4; save it again with numpy.save.`,
    );
  });

  test('JSON values must suit the dtype and the layout must be consistent', () => {
    const model: IOInfo[] = [{ name: 'ids', dtype: 'int64', dims: [2] }];
    const frac = writeJson('frac.json', { ids: [1, 1.5] });
    expect(() => loadInputs(frac, model)).toThrow(
      `${frac}: input "ids" holds 1.5, which is not a valid int64 value; fix the data.`,
    );
    const words = writeJson('words.json', { text: ['a'] });
    expect(() => loadInputs(words, [{ name: 'text', dtype: 'string', dims: [1] }])).toThrow(
      `${words}: input "text" is string, which input files cannot hold; omit --inputs to use generated inputs.`,
    );
    const ragged = writeJson('ragged.json', { ids: [[1, 2], [3]] });
    expect(() => loadInputs(ragged, model)).toThrow(
      `${ragged}: input "ids" is not a rectangular nested array; give every row the same length.`,
    );
    const count = writeJson('count.json', { ids: { dims: [3], data: [1, 2] } });
    expect(() => loadInputs(count, model)).toThrow(
      `${count}: input "ids" has 2 values but dims [3] need 3; fix "data" or "dims".`,
    );
    const key = writeJson('key.json', { ids: { shape: [2], data: [1, 2] } });
    expect(() => loadInputs(key, model)).toThrow(
      `${key}: input "ids" has the key "shape"; write {"dims": [1, 8], "dtype": "int64", "data": [flat values]} (dtype optional) or nested arrays.`,
    );
    const dtype = writeJson('dtype.json', { ids: { dims: [2], dtype: 'long', data: [1, 2] } });
    expect(() => loadInputs(dtype, model)).toThrow(
      `${dtype}: input "ids" has dtype "long"; use one of float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool.`,
    );
  });

  test('JSON lists name the sample index; an empty list or a non-object sample is rejected', () => {
    const list = writeJson('bad-list.json', [
      { input_ids: [[1]], attention_mask: [[1]] },
      { input_ids: [[1]] },
    ]);
    expect(() => loadInputs(list, TEXT_MODEL)).toThrow(
      `${list}[1]: input "attention_mask" is missing; the model's inputs are input_ids, attention_mask.`,
    );
    const empty = writeJson('empty.json', []);
    expect(() => loadInputs(empty, TEXT_MODEL)).toThrow(
      `${empty}: the list holds no samples; add at least one {"<input>": ...} object.`,
    );
    const numbers = writeJson('numbers.json', [1, 2]);
    expect(() => loadInputs(numbers, TEXT_MODEL)).toThrow(
      `${numbers}[0]: a sample must be an object {"<input>": data, ...}, not 1.`,
    );
  });

  test('an unknown name in pairs or JSON is named with the model inputs', () => {
    const ids = writeFile('ids2.npy', encodeNpy(i64([1, 2], [7, 8])));
    const spec = `input_ids=${ids},mask=${ids}`;
    expect(() => loadInputs(spec, TEXT_MODEL)).toThrow(
      `--inputs ${spec}: "mask" is not an input of the model; its inputs are input_ids, attention_mask.`,
    );
    const json = writeJson('unknown.json', { input_ids: [[1]], attention_mask: [[1]], labels: [1] });
    expect(() => loadInputs(json, TEXT_MODEL)).toThrow(
      `${json}: "labels" is not an input of the model; its inputs are input_ids, attention_mask.`,
    );
  });

  test('malformed pairs, duplicate names and non-.npy pair files are rejected', () => {
    expect(() => loadInputs('input_ids=a.npy,mask', TEXT_MODEL)).toThrow(
      '--inputs: "mask" is not name=file.npy; write pairs like input_ids=ids.npy,attention_mask=mask.npy.',
    );
    expect(() => loadInputs('input_ids=a.npy,input_ids=b.npy', TEXT_MODEL)).toThrow(
      '--inputs: input "input_ids" is given twice in "input_ids=a.npy,input_ids=b.npy"; name each input once.',
    );
    expect(() => loadInputs('input_ids=a.json', TEXT_MODEL)).toThrow(
      '--inputs: a.json (for input "input_ids") is not a .npy file; give one .npy file per input.',
    );
  });
});
