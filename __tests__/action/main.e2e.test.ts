// End to end: runAction with an in-memory GitHubIO converts the bundled tiny model through the
// real makePlan/runPipeline into a temp folder. Needs examples/tiny/model.onnx and the pipeline.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GitHubIO } from '../../src/action/github-io.js';
import { runAction } from '../../src/action/main.js';

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('converts examples/tiny/model.onnx to onnx/fp32, passes, and publishes outputs and the summary', async () => {
  const outDir = await mkdtemp(path.join(tmpdir(), 'model-convert-e2e-'));
  const inputs: Record<string, string> = {
    model: path.join(repoRoot, 'examples', 'tiny', 'model.onnx'),
    'output-dir': outDir,
    cache: 'false',
    'upload-artifacts': 'false',
  };
  const outputs: Record<string, string> = {};
  const failures: string[] = [];
  const summaries: string[] = [];
  const gh: GitHubIO = {
    getInput: (name) => inputs[name] ?? '',
    info: () => {},
    warning: () => {},
    setFailed: (msg) => failures.push(msg),
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    writeSummary: async (markdown) => {
      summaries.push(markdown);
    },
    cache: undefined,
    artifacts: undefined,
    env: {},
  };
  try {
    const exitCode = await runAction(gh);
    expect(failures).toEqual([]);
    expect(exitCode).toBe(0);
    expect(outputs.passed).toBe('true');
    expect(outputs.report).toBe(path.join(outDir, 'report.json'));
    expect(outputs.summary).toBe(path.join(outDir, 'summary.md'));
    expect(outputs['artifact-id']).toBe('');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('### onnx');
    expect(summaries[0]).toContain('## model-convert: model.onnx — ✅ passed');
    const report = JSON.parse(await readFile(outputs.report, 'utf8')) as { passed: boolean };
    expect(report.passed).toBe(true);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
