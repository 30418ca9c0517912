// README's "GitHub Action" section documents every input of action.yml and convert.yml with
// its default, every output, and shows the job summary picture that is committed under docs/.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const repo = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## GitHub Action\n'), readme.indexOf('\n## CLI\n'));

interface Spec {
  default?: string;
  required?: boolean;
}

function documentedDefault(spec: Spec): string {
  if (spec.required) return '(required)';
  return spec.default === undefined || spec.default === '' ? "`''`" : `\`${spec.default}\``;
}

test('every action.yml input is a table row with its default, and every output is listed', () => {
  const action = parseYaml(readFileSync(path.join(repo, 'action.yml'), 'utf8')) as {
    inputs: Record<string, Spec>;
    outputs: Record<string, unknown>;
  };
  for (const [name, spec] of Object.entries(action.inputs)) {
    expect(section).toContain(`| \`${name}\` | ${documentedDefault(spec)} |`);
  }
  for (const name of Object.keys(action.outputs)) expect(section).toContain(`| \`${name}\` |`);
});

test('every convert.yml workflow input is a table row with its default; both outputs are named', () => {
  const workflow = parseYaml(readFileSync(path.join(repo, '.github/workflows/convert.yml'), 'utf8')) as {
    on: { workflow_call: { inputs: Record<string, Spec>; outputs: Record<string, unknown> } };
  };
  for (const [name, spec] of Object.entries(workflow.on.workflow_call.inputs)) {
    expect(section).toContain(`| \`${name}\` | ${documentedDefault(spec)} |`);
  }
  expect(section).toContain('Workflow outputs: `passed`');
  expect(section).toContain('`report` (the merged `report.json`');
});

test('the section shows the three uses and the committed job summary picture', () => {
  expect(section).toContain('**In CI**');
  expect(section).toContain('**As a PR gate**');
  expect(section).toContain('**On a release**');
  expect(section).toContain('](docs/job-summary.png)');
  const png = readFileSync(path.join(repo, 'docs/job-summary.png'));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(existsSync(path.join(repo, 'scripts/job-summary-picture.sh'))).toBe(true);
});
