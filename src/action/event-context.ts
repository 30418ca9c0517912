// What triggered the workflow, read from GITHUB_EVENT_NAME, GITHUB_REF and the event payload
// at GITHUB_EVENT_PATH: the PR gate needs a pull request's base branch, baselines are stored
// on pushes to the default branch, and releases get their assets on release and tag events.
//   const event = readGitHubEvent(process.env);
//   if (event.kind === 'pull_request') restoreBaseline(event.baseRef);

import { readFileSync } from 'node:fs';

export type GitHubEvent =
  | { kind: 'pull_request'; baseRef: string; number: number | undefined }
  | { kind: 'push'; branch: string; defaultBranch: string | undefined }
  | { kind: 'tag'; tag: string }
  | { kind: 'release'; tag: string; releaseId: number; uploadUrl: string; htmlUrl: string | undefined }
  | { kind: 'other'; name: string };

type Env = Record<string, string | undefined>;

interface Payload {
  pull_request?: { number?: number; base?: { ref?: string } };
  repository?: { default_branch?: string };
  release?: { id?: number; tag_name?: string; upload_url?: string; html_url?: string };
  ref?: string;
}

/** The event payload, or {} when GITHUB_EVENT_PATH is unset or unreadable (e.g. a local run). */
function readPayload(env: Env): Payload {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return data && typeof data === 'object' ? (data as Payload) : {};
  } catch {
    return {};
  }
}

export function readGitHubEvent(env: Env): GitHubEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env);
  const ref = env.GITHUB_REF ?? payload.ref ?? '';
  if (
    (name === 'pull_request' || name === 'pull_request_target') &&
    (payload.pull_request?.base?.ref || env.GITHUB_BASE_REF)
  ) {
    return {
      kind: 'pull_request',
      baseRef: payload.pull_request?.base?.ref || env.GITHUB_BASE_REF!,
      number: payload.pull_request?.number,
    };
  }
  const release = payload.release;
  if (name === 'release' && release?.id !== undefined && release.upload_url) {
    return {
      kind: 'release',
      tag: release.tag_name ?? ref.replace(/^refs\/tags\//, ''),
      releaseId: release.id,
      uploadUrl: release.upload_url,
      htmlUrl: release.html_url,
    };
  }
  if (name === 'push' && ref.startsWith('refs/tags/'))
    return { kind: 'tag', tag: ref.slice('refs/tags/'.length) };
  if (name === 'push' && ref.startsWith('refs/heads/')) {
    return {
      kind: 'push',
      branch: ref.slice('refs/heads/'.length),
      defaultBranch: payload.repository?.default_branch,
    };
  }
  return { kind: 'other', name };
}

/** True on a push to the repository's default branch: the run whose report becomes the baseline. */
export function isDefaultBranchPush(event: GitHubEvent): boolean {
  return event.kind === 'push' && event.defaultBranch !== undefined && event.branch === event.defaultBranch;
}
