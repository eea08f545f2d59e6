// StaticFiles: serves the built demo client (build/demo-client) over HTTP, confined to its root
// directory, with a helpful page when the client has not been built yet.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, resolve, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

/** The command that builds the client, shown when it is missing. */
export const CLIENT_BUILD_COMMAND = "npx vite build --config demos/client/vite.config.ts";

/**
 * Answers a GET/HEAD request with a file under `root` ("/" means index.html). Never serves a path
 * outside `root`; answers 404 for missing files and 503 with build instructions when the client
 * has not been built.
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const base = resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    res.writeHead(400).end("bad request path\n");
    return;
  }
  const file = resolve(join(base, pathname.endsWith("/") ? `${pathname}index.html` : pathname));
  const rel = relative(base, file);
  if (rel.startsWith(`..${sep}`) || rel === ".." || resolve(base, rel) !== file) {
    res.writeHead(403).end("forbidden\n");
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    const indexMissing = (await stat(join(base, "index.html")).catch(() => undefined)) === undefined;
    if (indexMissing) {
      res
        .writeHead(503, { "content-type": "text/plain; charset=utf-8" })
        .end(
          `The demo client is not built (no ${join(base, "index.html")}).\nBuild it with: ${CLIENT_BUILD_COMMAND}\n`,
        );
    } else {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    }
    return;
  }
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-cache",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file)
    .on("error", () => res.destroy())
    .pipe(res);
}
