// Browser test of the demo: Debian's chromium (through playwright-core) opens the client served
// by a DemoHost running the plain-JS simulation, waits for frames, and checks from a screenshot
// that entities and the overlay are drawn. The screenshot is kept in tests/artifacts/.
// Without /usr/bin/chromium the test is skipped and says how to install it.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KIND_TINTS } from "../../demos/client/KindTints.ts";
import { DemoHost } from "../../demos/host/DemoHost.ts";
import { createSimulation } from "../../demos/host/HeadlessRun.ts";
import { DEFAULT_OVERLAY_COLORS } from "../../demos/overlay/OverlayColors.ts";

const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "apt-get install -y chromium";
const hasChromium = existsSync(CHROMIUM);
const root = resolve(import.meta.dirname, "../..");
// A separate output directory, rebuilt by every run, so the test never sees a stale client and
// never clobbers the one `npm start` serves.
const clientDir = resolve(root, "build/demo-client-test");
const artifacts = resolve(root, "tests/artifacts");

if (!hasChromium)
  console.warn(`demo browser test skipped: ${CHROMIUM} is missing; install it with: ${INSTALL}`);

describe.skipIf(!hasChromium)(
  `demo in chromium (skipped when ${CHROMIUM} is missing; install: ${INSTALL})`,
  () => {
    let host: DemoHost;
    let browser: Browser;
    let url: string;

    beforeAll(async () => {
      await build({
        configFile: resolve(root, "demos/client/vite.config.ts"),
        logLevel: "warn",
        build: { outDir: clientDir, sourcemap: false },
      });
      // The demo's main job: the Proto-backed simulation, with a small GC
      // trigger so that collections run while the page draws.
      host = new DemoHost({
        simulation: await createSimulation("proto", { entities: 10_000, budgetMs: 0.5, gcTriggerMb: 1 }),
        staticDir: clientDir,
        port: 0,
      });
      host.configure(10_000, 0.5);
      url = await host.start();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await host?.stop();
    });

    it("draws at least 10 000 entities and the overlay", async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(url);
      // The client exposes window.protoDemo.stats() for this test.
      await page.waitForFunction(
        () => {
          type Stats = { framesReceived: number; entities: number; overlayFrames: number };
          const stats = (window as unknown as { protoDemo?: { stats(): Stats } }).protoDemo?.stats();
          return stats !== undefined && stats.overlayFrames > 60 && stats.entities >= 9000;
        },
        null,
        { timeout: 60_000 },
      );
      await mkdir(artifacts, { recursive: true });
      const png = await page.screenshot({ path: resolve(artifacts, "demo-browser.png") });

      // Let the browser decode its own screenshot and count pixels near the colours we expect.
      const overlayColors = ["scripts", "systems", "sync", "render", "protoGc", "v8Gc"].map(
        (k) => DEFAULT_OVERLAY_COLORS[k as keyof typeof DEFAULT_OVERLAY_COLORS],
      );
      const counts = await page.evaluate(
        async ({ b64, kinds, segments }) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const canvas = document.createElement("canvas");
          canvas.width = img.width;
          canvas.height = img.height;
          const ctx = canvas.getContext("2d");
          if (ctx === null) throw new Error("no 2d context");
          ctx.drawImage(img, 0, 0);
          const data = ctx.getImageData(0, 0, img.width, img.height).data;
          const near = (i: number, rgb: number) =>
            Math.abs((data[i] ?? 0) - ((rgb >> 16) & 255)) < 14 &&
            Math.abs((data[i + 1] ?? 0) - ((rgb >> 8) & 255)) < 14 &&
            Math.abs((data[i + 2] ?? 0) - (rgb & 255)) < 14;
          const entityPixels = new Int32Array(kinds.length);
          const overlayPixels = new Int32Array(segments.length);
          for (let y = 0; y < img.height; y++) {
            for (let x = 0; x < img.width; x++) {
              const i = (y * img.width + x) * 4;
              const inOverlay = x >= 8 && x < 528 && y >= 8 && y < 208;
              const palette = inOverlay ? segments : kinds;
              const counts = inOverlay ? overlayPixels : entityPixels;
              for (let k = 0; k < palette.length; k++) {
                if (near(i, palette[k] as number)) counts[k] = (counts[k] as number) + 1;
              }
            }
          }
          return { entityPixels: Array.from(entityPixels), overlayPixels: Array.from(overlayPixels) };
        },
        { b64: png.toString("base64"), kinds: [...KIND_TINTS], segments: overlayColors },
      );
      expect(errors).toEqual([]);
      // Wanderers and seekers cover thousands of pixels outside the overlay.
      expect(counts.entityPixels[0]).toBeGreaterThan(2000);
      expect(counts.entityPixels[1]).toBeGreaterThan(2000);
      // Every legend swatch is drawn, and the scripts bars add far more blue than its swatch alone.
      for (const n of counts.overlayPixels) expect(n).toBeGreaterThan(30);
      expect(counts.overlayPixels[0]).toBeGreaterThan(300);
    }, 120_000);
  },
);
