// The page's files (dist/web/: index.html and assets/ as tools/build-web.ts writes them), read once when the gateway
// starts and served from memory. Only files found then exist: no path from a request ever reaches the file system,
// so there is nothing to traverse. Compressible files are gzipped once, up front.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export type PageAsset = {
  body: Buffer;
  /** Present when smaller than the body. */
  gzip?: Buffer;
  type: string;
  etag: string;
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths of the page itself (the app routes them): each answers index.html. */
const PAGE_ROUTES = /^\/(?:|incidents(?:\/.*)?|traces\/[^/]+|components|rules|silences|notifications|help)$/;

export class PageAssets {
  private constructor(private readonly files: ReadonlyMap<string, PageAsset>) {}

  /** Reads `directory`; throws when it holds no index.html (the page was not built). */
  static load(directory: string): PageAssets {
    const files = new Map<string, PageAsset>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          walk(path);
          continue;
        }
        const extension = /\.[a-z0-9]+$/.exec(entry)?.[0] ?? '';
        const type = CONTENT_TYPES[extension];
        if (type === undefined) continue;
        const body = readFileSync(path);
        const gzip = /^(text|application\/json|image\/svg)/.test(type) ? gzipSync(body, { level: 9 }) : undefined;
        files.set(`/${relative(directory, path).split(sep).join('/')}`, {
          body,
          ...(gzip !== undefined && gzip.length < body.length ? { gzip } : {}),
          type,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        });
      }
    };
    try {
      walk(directory);
    } catch (error) {
      throw new Error(`cannot read the dashboard page in ${directory}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (build it: npm run build)`);
    }
    if (!files.has('/index.html')) throw new Error(`the dashboard page is not built: no index.html in ${directory} (npm run build)`);
    return new PageAssets(files);
  }

  /** The file a GET of `pathname` answers with; undefined for none. */
  find(pathname: string): PageAsset | undefined {
    if (PAGE_ROUTES.test(pathname)) return this.files.get('/index.html');
    if (pathname === '/index.html') return undefined; // one address per page
    return this.files.get(pathname);
  }

  /** Every file's path and size, for the bench and the build's report. */
  sizes(): Array<{ path: string; bytes: number; gzipBytes: number }> {
    return [...this.files].map(([path, asset]) => ({ path, bytes: asset.body.length, gzipBytes: (asset.gzip ?? asset.body).length }));
  }
}
