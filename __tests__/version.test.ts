// Facts stated in two places must agree: the tool version (package.json vs src/version.ts)
// and the README's default tolerance table vs DEFAULT_TOLERANCES.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ORT_VERSION, TOOL_VERSION, WEBGPU_VERSION } from '../src/version.js';
import { DEFAULT_TOLERANCES } from '../src/verify/tolerance.js';

const repo = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

test('TOOL_VERSION and ORT_VERSION match package.json', () => {
  expect(TOOL_VERSION).toBe(pkg.version);
  expect(ORT_VERSION).toBe(pkg.dependencies['onnxruntime-node']);
  expect(WEBGPU_VERSION).toBe(pkg.dependencies.webgpu);
});

test('the README tolerance table lists every precision with the bounds in DEFAULT_TOLERANCES', () => {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  for (const [precision, t] of Object.entries(DEFAULT_TOLERANCES)) {
    const row = readme.split('\n').find((l) => l.startsWith(`| ${precision} |`));
    expect(row).toBeDefined();
    const [, relL2, cosine, nanInf] = row!
      .split('|')
      .map((c) => c.trim())
      .filter(Boolean);
    expect([Number(relL2), Number(cosine), Number(nanInf)]).toEqual([t.rel_l2, t.cosine, t.nan]);
  }
});

test('README starts with the example command and npm test', () => {
  const lines = readFileSync(path.join(repo, 'README.md'), 'utf8').split('\n');
  const first = lines.indexOf('```bash');
  expect(lines[first + 1]).toContain('convert examples/tiny/model.onnx');
  expect(lines[first + 2]).toBe('npm test');
});
