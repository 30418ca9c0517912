// The repository's workflow files: each parses, the reusable convert.yml declares the
// documented inputs and outputs with least-privilege permissions, ci.yml runs the Action and
// the reusable workflow end to end, and no `run:` script expands `${{ inputs.* }}` or
// `${{ github.event.* }}` (inputs reach scripts only through env:).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const repo = path.resolve(import.meta.dirname, '../..');
const workflowDir = path.join(repo, '.github', 'workflows');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  needs?: string | string[];
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function readWorkflow(name: string): Workflow {
  return parseYaml(readFileSync(path.join(workflowDir, name), 'utf8')) as Workflow;
}

const workflowFiles = readdirSync(workflowDir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));

test('ci.yml, check-dist.yml and convert.yml are all there and parse', () => {
  expect(workflowFiles.sort()).toEqual(['check-dist.yml', 'ci.yml', 'convert.yml']);
  for (const file of workflowFiles) {
    const workflow = readWorkflow(file);
    expect([file, typeof workflow.jobs]).toEqual([file, 'object']);
    expect([file, workflow.permissions?.contents]).toEqual([file, 'read']);
  }
});

test.each(workflowFiles)('%s: no ${{ inputs.* }} or ${{ github.event.* }} inside run: scripts', (file) => {
  const workflow = readWorkflow(file);
  const scripts = Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).map((s) => s.run ?? ''));
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) {
    expect(script).not.toMatch(/\$\{\{\s*inputs\./);
    expect(script).not.toMatch(/\$\{\{\s*github\.event\./);
    expect(script).not.toContain('${{'); // stricter: no expression at all in a script
  }
});

test('convert.yml is a workflow_call with the documented inputs and outputs, and only reads', () => {
  const workflow = readWorkflow('convert.yml');
  const call = workflow.on.workflow_call as {
    inputs: Record<string, { required?: boolean; default?: string; type: string }>;
    outputs: Record<string, { value: string }>;
  };
  expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
  expect(Object.keys(call.inputs)).toEqual([
    'model',
    'targets',
    'precisions',
    'config',
    'runs-on',
    'fail-on',
    'action-repository',
    'action-ref',
  ]);
  expect(call.inputs.model.required).toBe(true);
  expect(call.inputs.targets.default).toBe('onnx');
  expect(call.inputs['runs-on'].default).toBe('ubuntu-latest');
  expect(call.outputs.passed.value).toBe('${{ jobs.merge.outputs.passed }}');
  expect(call.outputs.report.value).toBe('${{ jobs.merge.outputs.report }}');
  expect(workflow.permissions).toEqual({ contents: 'read' });
});

test('convert.yml runs one job per target and merges their reports with merge-reports', () => {
  const { jobs } = readWorkflow('convert.yml');
  const convert = jobs.convert as Job & { strategy: { matrix: { target: string } }; 'runs-on': string };
  expect(convert.strategy.matrix.target).toBe('${{ fromJSON(needs.plan.outputs.targets) }}');
  expect(convert['runs-on']).toBe('${{ inputs.runs-on }}');
  const action = convert.steps!.find((s) => s.uses === './.model-convert')!;
  expect(action.with).toMatchObject({ targets: '${{ matrix.target }}', model: '${{ inputs.model }}' });
  expect(jobs.merge.needs).toEqual(['plan', 'convert']);
  const merge = jobs.merge.steps!.find((s) => s.run?.includes('merge-reports'))!;
  expect(merge.run).toContain(
    'node .model-convert/dist/cli/index.js merge-reports reports --out model-convert-merged',
  );
  expect(merge.env).toEqual({ CONVERT_RESULT: '${{ needs.convert.result }}' });
  expect(jobs.plan.steps![0].env).toEqual({ TARGETS: '${{ inputs.targets }}' });
});

test('ci.yml runs the Action with uses: ./ and the reusable workflow end to end', () => {
  const { jobs } = readWorkflow('ci.yml');
  const steps = Object.values(jobs).flatMap((job) => job.steps ?? []);
  expect(steps.some((s) => s.uses === './')).toBe(true);
  const reusable = Object.values(jobs).find((job) => job.uses === './.github/workflows/convert.yml');
  expect(reusable?.with).toMatchObject({
    model: 'examples/tiny/model.onnx',
    'action-ref': '${{ github.sha }}',
  });
});

test('check-dist.yml rebuilds dist/ and fails on a difference', () => {
  const scripts = Object.values(readWorkflow('check-dist.yml').jobs).flatMap((job) =>
    (job.steps ?? []).map((s) => s.run ?? ''),
  );
  expect(scripts).toContain('npm run build');
  expect(scripts.some((s) => s.includes('git diff --exit-code') && s.includes('dist'))).toBe(true);
});
