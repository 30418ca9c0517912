// Regenerates src/onnx/proto/onnx.js (+ .d.ts) from the ONNX schema the project keeps.
// Usage: npm run proto. The output is committed; nothing parses .proto files at run time.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const dir = 'src/onnx/proto';
const bin = 'node_modules/protobufjs-cli/bin';
execFileSync(
  process.execPath,
  [
    `${bin}/pbjs`,
    '-t',
    'static-module',
    '-w',
    'es6',
    '--no-create',
    '--no-verify',
    '--no-convert',
    '--no-delimited',
    '--no-service',
    '--no-typeurl',
    '--no-beautify',
    '-o',
    `${dir}/onnx.js`,
    `${dir}/onnx.proto`,
  ],
  { stdio: 'inherit' },
);
// Node's ESM resolver needs the file extension.
const js = readFileSync(`${dir}/onnx.js`, 'utf8').replace('"protobufjs/minimal"', '"protobufjs/minimal.js"');
writeFileSync(`${dir}/onnx.js`, js);
execFileSync(process.execPath, [`${bin}/pbts`, '--no-comments', '-o', `${dir}/onnx.d.ts`, `${dir}/onnx.js`], {
  stdio: 'inherit',
});
