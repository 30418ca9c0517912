// Test helper: a static file server for a folder on 127.0.0.1 (random port) that also takes
// a page's report (POST /report) — how the browser tests of the generated webnn and webgpu
// modules serve model.js + weights to headless Chromium and get the outputs back.
//   const server = new LoopbackServer(root); await server.listen(); const body = await server.waitForReport(25_000);

import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** A static file server for `root` on 127.0.0.1 (random port); POST /report hands its body to waitForReport(). */
export class LoopbackServer {
  private readonly server: http.Server;
  private readonly reports: string[] = [];
  private readonly waiters: ((body: string) => void)[] = [];
  port = 0;

  constructor(private readonly root: string) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(file: string): string {
    return `http://127.0.0.1:${this.port}/${file}`;
  }

  /** The next report's body; rejects when none arrives within `timeoutMs` or when `signal` aborts. */
  waitForReport(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const queued = this.reports.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const stop = (error: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(error);
      };
      const waiter = (body: string): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        resolve(body);
      };
      const abort = (): void => stop(new Error('stopped waiting for the page'));
      const timer = setTimeout(
        () => stop(new Error(`no report from the page within ${timeoutMs} ms`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', abort);
      this.waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (req.method === 'POST' && pathname === '/report') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(204).end();
        const body = Buffer.concat(chunks).toString('utf8');
        const waiter = this.waiters.shift();
        if (waiter) waiter(body);
        else this.reports.push(body);
      });
      return;
    }
    const file = path.join(this.root, path.normalize(pathname));
    if (
      req.method !== 'GET' ||
      !file.startsWith(this.root + path.sep) ||
      !existsSync(file) ||
      !statSync(file).isFile()
    ) {
      res.writeHead(404).end();
      return;
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(readFileSync(file));
  }
}
