// Release publishing: with `release: true` on a release event (or a pushed tag), attach the
// verified variants' files, report.json and summary.md to the GitHub release through the REST
// API (GITHUB_API_URL, the release's upload_url, the workflow's token). A tag without a release
// gets one; an asset of the same name is replaced, so re-running a job is safe.
//   const result = await publishRelease({ apiUrl, token, repository: 'o/r', event, assets, info });

import { openAsBlob } from 'node:fs';
import path from 'node:path';
import type { Report } from '../report/types.js';
import type { GitHubEvent } from './event-context.js';

export interface ReleaseAsset {
  /** Asset name on the release (unique within it). */
  name: string;
  /** Local file. */
  file: string;
}

export interface PublishReleaseRequest {
  /** GITHUB_API_URL, e.g. https://api.github.com */
  apiUrl: string;
  token: string;
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string;
  event: Extract<GitHubEvent, { kind: 'release' } | { kind: 'tag' }>;
  assets: ReleaseAsset[];
  info(message: string): void;
  /** Per API request; uploads get `uploadTimeoutMs`. */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
}

export interface PublishedRelease {
  htmlUrl: string;
  uploaded: string[];
}

interface ReleaseJson {
  id: number;
  upload_url: string;
  html_url?: string;
}

interface AssetJson {
  id: number;
  name: string;
}

const API_TIMEOUT_MS = 60_000;
const UPLOAD_TIMEOUT_MS = 30 * 60_000;
const ASSETS_PER_PAGE = 100;

/** What each variant, the report and the summary are called on the release. */
export function releaseAssets(report: Report, outDir: string, prefix: string): ReleaseAsset[] {
  const model = path.basename(report.model.path).replace(/\.[^.]+$/, '') || 'model';
  const assets: ReleaseAsset[] = [];
  for (const variant of report.variants) {
    if (variant.status !== 'pass') continue;
    for (const file of variant.files) {
      assets.push({ name: `${model}-${file.split('/').join('-')}`, file: path.join(outDir, file) });
    }
  }
  assets.push({ name: `${prefix}-report.json`, file: path.join(outDir, 'report.json') });
  assets.push({ name: `${prefix}-summary.md`, file: path.join(outDir, 'summary.md') });
  return assets;
}

class ReleaseApi {
  constructor(private readonly request: PublishReleaseRequest) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${this.request.token}`,
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'model-convert',
      ...extra,
    };
  }

  async call<T>(
    method: string,
    url: string,
    init: {
      body?: Blob | string;
      headers?: Record<string, string>;
      timeoutMs?: number;
      allow404?: boolean;
    } = {},
  ): Promise<T | undefined> {
    const response = await fetch(url, {
      method,
      headers: this.headers(init.headers),
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs ?? this.request.timeoutMs ?? API_TIMEOUT_MS),
    });
    if (init.allow404 && response.status === 404) return undefined;
    if (!response.ok) {
      const text = (await response.text()).replace(/\s+/g, ' ').slice(0, 300);
      const hint =
        response.status === 401 || response.status === 403 || response.status === 404
          ? ' (the token needs "permissions: contents: write")'
          : '';
      throw new Error(
        `GitHub API ${method} ${new URL(url).pathname} answered ${response.status}${hint}: ${text}`,
      );
    }
    return response.status === 204 ? undefined : ((await response.json()) as T);
  }

  repoUrl(suffix: string): string {
    return `${this.request.apiUrl.replace(/\/+$/, '')}/repos/${this.request.repository}${suffix}`;
  }
}

/** The release of the event: the payload's on a release event; found or created for a tag. */
async function resolveRelease(
  api: ReleaseApi,
  event: PublishReleaseRequest['event'],
  info: (m: string) => void,
): Promise<ReleaseJson> {
  if (event.kind === 'release') {
    return { id: event.releaseId, upload_url: event.uploadUrl, html_url: event.htmlUrl };
  }
  const tag = encodeURIComponent(event.tag);
  const found = await api.call<ReleaseJson>('GET', api.repoUrl(`/releases/tags/${tag}`), { allow404: true });
  if (found) return found;
  info(`no release for tag ${event.tag}: creating one`);
  const created = await api.call<ReleaseJson>('POST', api.repoUrl('/releases'), {
    body: JSON.stringify({ tag_name: event.tag, name: event.tag }),
    headers: { 'Content-Type': 'application/json' },
  });
  return created!;
}

async function listAssets(api: ReleaseApi, releaseId: number): Promise<AssetJson[]> {
  const all: AssetJson[] = [];
  for (let page = 1; ; page++) {
    const batch =
      (await api.call<AssetJson[]>(
        'GET',
        api.repoUrl(`/releases/${releaseId}/assets?per_page=${ASSETS_PER_PAGE}&page=${page}`),
      )) ?? [];
    all.push(...batch);
    if (batch.length < ASSETS_PER_PAGE) return all;
  }
}

/** Attaches every asset to the event's release, replacing same-named ones; errors are thrown. */
export async function publishRelease(request: PublishReleaseRequest): Promise<PublishedRelease> {
  const api = new ReleaseApi(request);
  const release = await resolveRelease(api, request.event, request.info);
  const existing = new Map((await listAssets(api, release.id)).map((a) => [a.name, a.id]));
  const uploadBase = release.upload_url.replace(/\{[^}]*\}$/, '');
  const uploaded: string[] = [];
  for (const asset of request.assets) {
    const old = existing.get(asset.name);
    if (old !== undefined) await api.call('DELETE', api.repoUrl(`/releases/assets/${old}`));
    const contentType = asset.name.endsWith('.json')
      ? 'application/json'
      : asset.name.endsWith('.md')
        ? 'text/markdown'
        : 'application/octet-stream';
    await api.call('POST', `${uploadBase}?name=${encodeURIComponent(asset.name)}`, {
      body: await openAsBlob(asset.file),
      headers: { 'Content-Type': contentType },
      timeoutMs: request.uploadTimeoutMs ?? UPLOAD_TIMEOUT_MS,
    });
    uploaded.push(asset.name);
  }
  request.info(`attached ${uploaded.length} files to release ${request.event.tag}`);
  return { htmlUrl: release.html_url ?? '', uploaded };
}
