// demos/client/vite.config.ts — builds the demo client into build/demo-client (served by the
// demo host). `vite --config demos/client/vite.config.ts` runs a dev server that proxies the
// WebSocket and /trace.json to a host on PROTO_DEMO_HOST_PORT (default 8080).

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const hostPort = process.env.PROTO_DEMO_HOST_PORT ?? "8080";

export default defineConfig({
  root: here,
  base: "./",
  clearScreen: false,
  build: {
    outDir: resolve(here, "../../build/demo-client"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // pixi.js alone is ~500 kB minified; one chunk is fine for a local demo.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/ws": { target: `ws://127.0.0.1:${hostPort}`, ws: true },
      "/trace.json": { target: `http://127.0.0.1:${hostPort}` },
    },
  },
});
