// Building catalogues with the casebook binary and serving the output folder over HTTP.
// The harness (harness.js) builds the bundled catalogue once and passes its URL and folder to the
// test files in environment variables; a test file run on its own builds and serves it itself.

import { spawnSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, extname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (two folders above tests/browser/). */
export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/** The folder of the browser suite. */
export const SUITE = resolve(ROOT, 'tests', 'browser');
/** The casebook binary under test; run.sh builds it with `cargo build` first. */
export const BIN = process.env.CASEBOOK_BIN || join(ROOT, 'target', 'debug', 'casebook');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

/** The MIME type the server sends for a file name. */
export function mimeType(file) {
  return MIME[extname(file).toLowerCase()] || 'application/octet-stream';
}

const temporary = [];
process.on('exit', () => {
  if (process.env.CASEBOOK_KEEP_TEMP) return;
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the process exits (unless CASEBOOK_KEEP_TEMP is set). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `casebook-browser-${prefix}-`));
  temporary.push(dir);
  return dir;
}

/** Fails with a clear message if the casebook binary is missing. */
export function requireBinary() {
  if (!existsSync(BIN)) {
    throw new Error(`casebook binary not found at ${BIN}: run \`cargo build\` first (run.sh does)`);
  }
}

/**
 * Runs `casebook build`. Returns `{ status, stdout, stderr }`; throws with the diagnostics when
 * `expectSuccess` is true and the build fails.
 */
export function buildCatalogue({ root = ROOT, output, baseUrl, search = true, expectSuccess = true }) {
  requireBinary();
  const args = ['--root', root, 'build', '--output', output, '--base-url', baseUrl];
  if (!search) args.push('--no-search');
  const run = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (run.error) throw run.error;
  if (expectSuccess && run.status !== 0) {
    throw new Error(`casebook build failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return run;
}

/** Runs `casebook check --format json` and returns exit status and parsed diagnostics. */
export function checkCatalogue(root) {
  requireBinary();
  const run = spawnSync(BIN, ['--root', root, 'check', '--format', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Serves `dir` on 127.0.0.1 (port 0 = any free port). Directories answer with their
 * index.html, unknown paths with 404.html and status 404, like a static host.
 * Resolves to `{ url, port, close() }`.
 */
export function serveFolder(dir, port = 0) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    let file = resolve(root, '.' + path);
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let status = 200;
    let stat = statOrNull(file);
    if (stat && stat.isDirectory()) {
      if (!path.endsWith('/')) {
        res.writeHead(301, { Location: path + '/' }).end();
        return;
      }
      file = join(file, 'index.html');
      stat = statOrNull(file);
    }
    if (!stat || !stat.isFile()) {
      status = 404;
      file = join(root, '404.html');
      stat = statOrNull(file);
      if (!stat) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
    }
    res.writeHead(status, {
      'Content-Type': mimeType(file),
      'Content-Length': stat.size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const actual = server.address().port;
      ok({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () => new Promise((done) => server.close(() => done())),
        server,
      });
    });
  });
}

function statOrNull(file) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** A port that was free a moment ago (for programs that need a port number up front). */
export async function freePort() {
  const s = await serveFolder(tmpdir());
  const { port } = s;
  await s.close();
  return port;
}

/**
 * Builds `root` into a temp folder and serves it; the base URL matches the server, so absolute
 * links (canonical, feeds) point at it too. Resolves to `{ url, dir, close() }`.
 */
export async function buildAndServe({ root = ROOT, search = true, name = 'site' } = {}) {
  const dir = join(tempDir(name), 'site');
  const server = await serveFolder(dir);
  try {
    buildCatalogue({ root, output: dir, baseUrl: server.url, search });
  } catch (e) {
    await server.close();
    throw e;
  }
  return { url: server.url, dir, close: server.close };
}

let shared = null;

/**
 * The bundled catalogue as built by the harness (`CASEBOOK_SITE_URL`, `CASEBOOK_SITE_DIR`), or,
 * when a test file runs on its own, built and served by this process.
 */
export async function bundledSite() {
  if (process.env.CASEBOOK_SITE_URL && process.env.CASEBOOK_SITE_DIR) {
    return { url: process.env.CASEBOOK_SITE_URL, dir: process.env.CASEBOOK_SITE_DIR, close: async () => {} };
  }
  if (!shared) shared = buildAndServe({ name: 'bundled' });
  return shared;
}

/** Starts a long-running child process, collecting its output for error messages. */
export function startProcess(cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const log = [];
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  return { child, output: () => log.join('') };
}
