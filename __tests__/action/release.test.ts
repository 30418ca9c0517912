// publishRelease against a fake GitHub API on 127.0.0.1: a tag without a release gets one,
// assets land on the release's upload_url with the token, same-named assets are replaced,
// and an API refusal is an error that says which permission is missing.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishRelease, releaseAssets, type PublishReleaseRequest } from '../../src/action/release.js';
import type { Report, VariantReport } from '../../src/report/types.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './fixtures/fake-github-api.js';

let tmp: string;
let api: FakeGitHubApi | undefined;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-release-'));
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  rmSync(tmp, { recursive: true, force: true });
});

function file(rel: string, text: string): string {
  const full = path.join(tmp, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

function request(overrides: Partial<PublishReleaseRequest>): PublishReleaseRequest {
  return {
    apiUrl: api!.url,
    token: 'ghs_test',
    repository: 'o/r',
    event: { kind: 'tag', tag: 'v1.0.0' },
    assets: [{ name: 'model-onnx-fp32-model.onnx', file: file('onnx/fp32/model.onnx', 'ONNX') }],
    info: () => {},
    timeoutMs: 5000,
    uploadTimeoutMs: 5000,
    ...overrides,
  };
}

test('a pushed tag without a release gets one, and the files are uploaded with the token', async () => {
  api = await startFakeGitHubApi();
  const published = await publishRelease(request({}));
  expect(published).toEqual({
    htmlUrl: 'https://github.example/o/r/releases/tag/v1.0.0',
    uploaded: ['model-onnx-fp32-model.onnx'],
  });
  expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /repos/o/r/releases/tags/v1.0.0',
    'POST /repos/o/r/releases',
    'GET /repos/o/r/releases/500/assets?per_page=100&page=1',
    'POST /uploads/repos/o/r/releases/500/assets?name=model-onnx-fp32-model.onnx',
  ]);
  expect(api.requests.every((r) => r.authorization === 'Bearer ghs_test')).toBe(true);
  expect(api.requests[3].contentType).toBe('application/octet-stream');
  expect(api.releases[0].assets.map((a) => [a.name, a.body.toString()])).toEqual([
    ['model-onnx-fp32-model.onnx', 'ONNX'],
  ]);
});

test('on a release event the payload upload_url is used and a same-named asset is replaced', async () => {
  api = await startFakeGitHubApi({
    releases: [{ id: 7, tag: 'v2', assets: ['m-report.json', 'other.bin'] }],
  });
  const published = await publishRelease(
    request({
      event: {
        kind: 'release',
        tag: 'v2',
        releaseId: 7,
        uploadUrl: api.uploadUrl(7),
        htmlUrl: 'https://x/v2',
      },
      assets: [{ name: 'm-report.json', file: file('report.json', '{"passed":true}') }],
    }),
  );
  expect(published.htmlUrl).toBe('https://x/v2');
  expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /repos/o/r/releases/7/assets?per_page=100&page=1',
    'DELETE /repos/o/r/releases/assets/100',
    'POST /uploads/repos/o/r/releases/7/assets?name=m-report.json',
  ]);
  expect(api.requests[2].contentType).toBe('application/json');
  expect(api.releases[0].assets.map((a) => [a.name, a.body.toString()])).toEqual([
    ['other.bin', 'old'],
    ['m-report.json', '{"passed":true}'],
  ]);
});

test('a 403 names the permission the token lacks', async () => {
  api = await startFakeGitHubApi({ failWith: 403 });
  await expect(publishRelease(request({}))).rejects.toThrow(
    'GitHub API GET /repos/o/r/releases/tags/v1.0.0 answered 403 (the token needs "permissions: contents: write"): {"message":"Resource not accessible by integration"}',
  );
});

test('releaseAssets: passing variants only, names prefixed by model and made flat, report and summary last', () => {
  const v = (precision: string, status: VariantReport['status'], files: string[]): VariantReport => ({
    target: 'onnx',
    precision,
    files,
    bytes: 1,
    compression: 1,
    reference: 'source',
    runtime: '',
    outputs: {},
    tolerance: {},
    status,
    samples: 1,
    seconds: { convert: 0, verify: 0 },
  });
  const report = {
    model: { path: 'models/bert.onnx' },
    variants: [
      v('fp32', 'pass', ['onnx/fp32/model.onnx', 'onnx/fp32/model.onnx.data']),
      v('int4', 'fail', ['onnx/int4/model.onnx']),
    ],
  } as Report;
  expect(releaseAssets(report, '/out', 'model-convert-bert-convert')).toEqual([
    { name: 'bert-onnx-fp32-model.onnx', file: path.join('/out', 'onnx/fp32/model.onnx') },
    { name: 'bert-onnx-fp32-model.onnx.data', file: path.join('/out', 'onnx/fp32/model.onnx.data') },
    { name: 'model-convert-bert-convert-report.json', file: path.join('/out', 'report.json') },
    { name: 'model-convert-bert-convert-summary.md', file: path.join('/out', 'summary.md') },
  ]);
});
