// The wasm module in a page: Debian's chromium (through playwright-core) loads
// build/wasm/proto_wasm.js from a server that sends the cross-origin isolation headers
// (COOP/COEP, which SharedArrayBuffer and so threads need), makes a runtime with the
// collector on its own Web Worker, builds and reads objects, collects, and reports.
// Skipped without chromium or without the module (`npm run build:wasm`); under
// `npm run test:wasm` (PROTO_WASM_REQUIRED=1) a missing module fails instead.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wasmModulePath } from "../../scripting/wasm/module.ts";

const CHROMIUM = "/usr/bin/chromium";
const built = existsSync(wasmModulePath());
if (!built && process.env.PROTO_WASM_REQUIRED === "1") {
  throw new Error(`PROTO_WASM_REQUIRED=1 but ${wasmModulePath()} is not built`);
}

// Runs in the page: the C ABI straight from the module, as scripting/wasm/ drives it.
const pageScript = `
(async () => {
  try {
    const m = await createProtoWasm();
    const out = m._malloc(1024), opts = m._malloc(256);
    const ok = (st, what) => { if (st !== 0) throw new Error(what + ": " + m.UTF8ToString(m._proto_last_error())); };
    m._proto_runtime_options_init(opts);
    ok(m._proto_runtime_create(opts, out), "create");
    const rt = m.HEAPU32[out >> 2];
    ok(m._proto_thread_attach(rt, out), "attach");
    const th = m.HEAPU32[out >> 2];
    const name = m._malloc(8);
    m.stringToUTF8("speed", name, 8);
    ok(m._proto_symbol_intern(rt, name, 5, out), "intern");
    const speed = m.HEAPU32[out >> 2];
    const attr = m._malloc(24);
    m.HEAPU32[attr >> 2] = speed;
    m.HEAPF64[(attr + 8) >> 3] = 2.5;
    m.HEAPU32[(attr + 16) >> 2] = 0;
    const NIL = 0xfffan << 48n;
    ok(m._proto_object_new(th, NIL, attr, 1, out), "object");
    const base = m.HEAPU64[out >> 3];
    ok(m._proto_object_new(th, base, 0, 0, out), "child");
    const child = m.HEAPU64[out >> 3];
    ok(m._proto_persistent_new(th, child, out), "persistent");
    const keep = m.HEAPU32[out >> 2];
    for (let i = 0; i < 20000; i++) ok(m._proto_object_new(th, base, 0, 0, out), "garbage");
    ok(m._proto_runtime_collect(rt), "collect");
    ok(m._proto_persistent_get(th, keep, out), "get persistent");
    ok(m._proto_get(th, m.HEAPU64[out >> 3], speed, out), "get");
    const value = m.HEAPF64[out >> 3];
    ok(m._proto_runtime_gc_stats(rt, out), "stats");
    const cycles = Number(m.HEAPU64[out >> 3]);
    ok(m._proto_persistent_release(keep), "release");
    ok(m._proto_thread_detach(th), "detach");
    ok(m._proto_runtime_destroy(rt), "destroy");
    window.result = { isolated: crossOriginIsolated, version: m.UTF8ToString(m._proto_version()), value, cycles };
  } catch (error) {
    window.result = { error: String(error && error.stack || error) };
  }
})();`;

const page = `<!doctype html><meta charset="utf-8"><title>proto wasm</title>
<script src="proto_wasm.js"></script><script>${pageScript}</script>`;

const types: Record<string, string> = { ".js": "text/javascript", ".wasm": "application/wasm" };

describe.skipIf(!built || !existsSync(CHROMIUM))(
  `the wasm module in chromium (skipped without ${CHROMIUM} or build/wasm)`,
  () => {
    let server: Server;
    let browser: Browser;
    let url = "";
    beforeAll(async () => {
      const dir = dirname(wasmModulePath());
      server = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        const headers = {
          "Cross-Origin-Opener-Policy": "same-origin",
          "Cross-Origin-Embedder-Policy": "require-corp",
        };
        if (path === "/") {
          res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(page);
          return;
        }
        const file = join(dir, path.replace(/^\/+/, ""));
        const ext = /\.[a-z]+$/.exec(path)?.[0] ?? "";
        if (!/^\/proto_wasm(\.worker)?\.(js|wasm)$/.test(path) || !existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { ...headers, "Content-Type": types[ext] ?? "application/octet-stream" });
        res.end(readFileSync(file));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
        ],
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    it("runs a runtime with its collector thread in a cross-origin isolated page", async () => {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(String(e)));
      await tab.goto(url);
      await tab.waitForFunction(
        () => (window as unknown as { result?: unknown }).result !== undefined,
        null,
        {
          timeout: 90_000,
        },
      );
      const result = await tab.evaluate(
        () => (window as unknown as { result: Record<string, unknown> }).result,
      );
      expect(result.error).toBeUndefined();
      expect(result.isolated).toBe(true);
      expect(result.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(result.value).toBe(2.5);
      expect(result.cycles).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    }, 120_000);
  },
);
