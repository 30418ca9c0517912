// readGitHubEvent: pull requests give their base branch, pushes their branch and the default
// branch, tag pushes and release events the release to publish to.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDefaultBranchPush, readGitHubEvent } from '../../src/action/event-context.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-event-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function payload(data: unknown): string {
  const file = path.join(tmp, 'event.json');
  writeFileSync(file, JSON.stringify(data));
  return file;
}

test('pull_request: the base branch from the payload', () => {
  const event = readGitHubEvent({
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: payload({ pull_request: { number: 12, base: { ref: 'main' } } }),
  });
  expect(event).toEqual({ kind: 'pull_request', baseRef: 'main', number: 12 });
});

test('pull_request without a readable payload falls back to GITHUB_BASE_REF', () => {
  expect(
    readGitHubEvent({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path.join(tmp, 'no.json'),
      GITHUB_BASE_REF: 'dev',
    }),
  ).toEqual({ kind: 'pull_request', baseRef: 'dev', number: undefined });
});

test('push: branch and default branch; only a push to the default branch stores baselines', () => {
  const main = readGitHubEvent({
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_PATH: payload({ repository: { default_branch: 'main' } }),
  });
  expect(main).toEqual({ kind: 'push', branch: 'main', defaultBranch: 'main' });
  expect(isDefaultBranchPush(main)).toBe(true);
  expect(isDefaultBranchPush({ kind: 'push', branch: 'feature/x', defaultBranch: 'main' })).toBe(false);
});

test('tag pushes and release events', () => {
  expect(readGitHubEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.2.0' })).toEqual({
    kind: 'tag',
    tag: 'v1.2.0',
  });
  const release = readGitHubEvent({
    GITHUB_EVENT_NAME: 'release',
    GITHUB_REF: 'refs/tags/v2',
    GITHUB_EVENT_PATH: payload({
      release: {
        id: 9,
        tag_name: 'v2',
        upload_url: 'https://uploads.example/r/9/assets{?name,label}',
        html_url: 'https://x',
      },
    }),
  });
  expect(release).toEqual({
    kind: 'release',
    tag: 'v2',
    releaseId: 9,
    uploadUrl: 'https://uploads.example/r/9/assets{?name,label}',
    htmlUrl: 'https://x',
  });
});

test('anything else (or nothing, on a local run) is "other"', () => {
  expect(readGitHubEvent({ GITHUB_EVENT_NAME: 'workflow_dispatch' })).toEqual({
    kind: 'other',
    name: 'workflow_dispatch',
  });
  expect(readGitHubEvent({})).toEqual({ kind: 'other', name: '' });
});
