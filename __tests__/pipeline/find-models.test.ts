// findModels: format detection from bytes on a temp folder of real and hand-made model
// files, plus files written by Debian's torch (/usr/bin/python3).
//   npm test -- __tests__/pipeline/find-models

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { findModels } from '../../src/pipeline/find-models.js';
import { UserError } from '../../src/errors.js';

const VIT_ONNX = '/work/shared/fixtures/vit.legacy.onnx';

let root: string;
const write = (relativePath: string, bytes: Uint8Array | string): void => {
  const file = path.join(root, relativePath);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
};
const sizeOf = (relativePath: string): number => statSync(path.join(root, relativePath)).size;

/** Protobuf length-delimited field. */
const field = (tag: number, body: Uint8Array | string): Buffer => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  if (bytes.length > 127) throw new Error('test encoder handles short fields only');
  return Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
};

/** ModelProto { ir_version 8, graph { initializer { name "w", external_data { location } } } } */
const onnxWithExternalData = (location: string): Buffer => {
  const entry = Buffer.concat([field(0x0a, 'location'), field(0x12, location)]);
  const tensor = Buffer.concat([field(0x42, 'w'), field(0x6a, entry), Buffer.from([0x70, 0x01])]);
  return Buffer.concat([Buffer.from([0x08, 0x08]), field(0x3a, field(0x2a, tensor))]);
};

const safetensors = (): Buffer => {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header, Buffer.alloc(8)]);
};

/** Deterministic noise (LCG), so a failure reproduces. */
const noise = (bytes: number, seed: number): Buffer => {
  const out = Buffer.alloc(bytes);
  for (let i = 0, state = seed; i < bytes; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
};

const pickledModule = Buffer.from('\x80\x02ctorch.nn.modules.linear\nLinear\nq\x00)\x81}q\x01b.', 'latin1');
const pickledStateDict = Buffer.from(
  '\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x06\x00\x00\x00weightq\x02ctorch._utils\n_rebuild_tensor_v2\nq\x03.',
  'latin1',
);

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'find-models-'));
  copyFileSync(VIT_ONNX, path.join(root, 'vit.onnx'));
  // A valid ir_version prefix, then noise: not a model.
  write('noise.onnx', Buffer.concat([Buffer.from([0x08, 0x08]), noise(4096, 1)]));
  write('noise2.onnx', noise(4096, 2));
  write('ir/model.xml', '<?xml version="1.0"?>\n<!-- exported -->\n<net name="m" version="11">\n</net>\n');
  write('ir/model.bin', noise(1000, 3));
  write('ir/orphan.xml', '<net name="no-bin" version="11"></net>');
  write('ext/model.onnx', onnxWithExternalData('model.onnx.data'));
  write('ext/model.onnx.data', pickledModule); // raw weights that happen to look like a pickle: not listed
  write('weights/model.safetensors', safetensors());
  write(
    'torch/scripted.pt',
    zipSync(
      {
        'm/code/__torch__.py': strToU8('def forward(self): ...'),
        'm/constants.pkl': new Uint8Array([0x80, 0x02, 0x29, 0x2e]),
        'm/data.pkl': pickledModule,
      },
      { level: 0 },
    ),
  );
  write(
    'torch/exported.pt2',
    zipSync({
      'archive/archive_format': strToU8('pt2'),
      'archive/models/model.json': strToU8('{}'),
      'archive/data/weights/w0': new Uint8Array(16),
    }),
  );
  write(
    'torch/old-export.pt2',
    zipSync({ 'serialized_exported_program.json': strToU8('{}'), version: strToU8('1') }),
  );
  write(
    'torch/state.pth',
    zipSync(
      {
        'state/data.pkl': pickledStateDict,
        'state/data/0': new Uint8Array(16),
        'state/version': strToU8('3'),
      },
      { level: 0 },
    ),
  );
  write(
    'torch/module-deflated.pt',
    zipSync({ 'mod/data.pkl': pickledModule, 'mod/version': strToU8('3') }, { level: 6 }),
  );
  write('torch/module.pkl', pickledModule);
  write('torch/other.zip', zipSync({ 'readme.txt': strToU8('hello') }));
  write('torch/not-torch.pkl', Buffer.from('\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.', 'latin1'));
  write('node_modules/pkg/model.onnx', onnxWithExternalData('x.data'));
  write('.cache/model.safetensors', safetensors());
  write('deep/a/b/model.safetensors', safetensors());
  symlinkSync(path.join(root, 'vit.onnx'), path.join(root, 'link.onnx'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('lists each model once with its format and bytes, sorted by path', async () => {
  expect(await findModels(root)).toEqual([
    {
      path: 'deep/a/b/model.safetensors',
      format: 'safetensors',
      bytes: sizeOf('deep/a/b/model.safetensors'),
    },
    {
      path: 'ext/model.onnx',
      format: 'onnx-external-data',
      bytes: sizeOf('ext/model.onnx') + pickledModule.length,
    },
    { path: 'ir/model.xml', format: 'openvino-ir', bytes: sizeOf('ir/model.xml') + 1000 },
    { path: 'torch/exported.pt2', format: 'pytorch-exported-program', bytes: sizeOf('torch/exported.pt2') },
    { path: 'torch/module-deflated.pt', format: 'pytorch-pickle', bytes: sizeOf('torch/module-deflated.pt') },
    { path: 'torch/module.pkl', format: 'pytorch-pickle', bytes: pickledModule.length },
    {
      path: 'torch/old-export.pt2',
      format: 'pytorch-exported-program',
      bytes: sizeOf('torch/old-export.pt2'),
    },
    { path: 'torch/scripted.pt', format: 'torchscript', bytes: sizeOf('torch/scripted.pt') },
    { path: 'torch/state.pth', format: 'pytorch-state-dict', bytes: sizeOf('torch/state.pth') },
    { path: 'vit.onnx', format: 'onnx', bytes: statSync(VIT_ONNX).size },
    { path: 'weights/model.safetensors', format: 'safetensors', bytes: sizeOf('weights/model.safetensors') },
  ]);
});

test('maxDepth limits how far below the folder it looks', async () => {
  expect((await findModels(root, { maxDepth: 0 })).map((m) => m.path)).toEqual(['vit.onnx']);
  expect((await findModels(root, { maxDepth: 2 })).map((m) => m.path)).not.toContain(
    'deep/a/b/model.safetensors',
  );
  expect((await findModels(root, { maxDepth: 3 })).map((m) => m.path)).toContain(
    'deep/a/b/model.safetensors',
  );
});

test('a missing folder or a file is a UserError saying what to pass', async () => {
  const missing = path.join(root, 'missing');
  await expect(findModels(missing)).rejects.toThrow(
    new UserError(`find: "${missing}" is not a folder. Pass a folder to search for models.`),
  );
  await expect(findModels(path.join(root, 'vit.onnx'))).rejects.toBeInstanceOf(UserError);
});

test('recognises files written by torch (Debian /usr/bin/python3)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'find-models-torch-'));
  const script = [
    'import sys, torch',
    'd = sys.argv[1]',
    'torch.manual_seed(0)',
    'm = torch.nn.Linear(2, 2)',
    'torch.jit.save(torch.jit.script(m), d + "/scripted.pt")',
    'torch.save(m.state_dict(), d + "/state.pt")',
    'torch.save(m, d + "/module.pt")',
    'torch.save(m.state_dict(), d + "/legacy-state.pt", _use_new_zipfile_serialization=False)',
    'torch.save(m, d + "/legacy-module.pt", _use_new_zipfile_serialization=False)',
  ].join('\n');
  try {
    try {
      execFileSync('/usr/bin/python3', ['-c', script, dir], { stdio: 'pipe' });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
      throw new Error(`this test needs /usr/bin/python3 with torch (Debian python3-torch): ${stderr.trim()}`);
    }
    const found = await findModels(dir);
    expect(found.map((m) => [m.path, m.format])).toEqual([
      ['legacy-module.pt', 'pytorch-pickle'],
      ['legacy-state.pt', 'pytorch-state-dict'],
      ['module.pt', 'pytorch-pickle'],
      ['scripted.pt', 'torchscript'],
      ['state.pt', 'pytorch-state-dict'],
    ]);
    expect(found[3].bytes).toBe(statSync(path.join(dir, 'scripted.pt')).size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
