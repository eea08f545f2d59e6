// Browser test of the demo: Debian's chromium (through playwright-core) opens the client served
// by a DemoHost running the Proto simulation, and drives what a new user would do: a GC budget
// of 0.001 ms and 50 000 entities set from the page (each reply matched), a behaviour file that
// throws saved by rename and then fixed the same way, the trace exported from the page. It
// checks that the overlay received every frame's record, that frames over the GC budget (red)
// and over the frame time (magenta) show their colours in a screenshot it keeps in
// tests/artifacts/, that the error panel and the reload notices show, that the export keeps the
// trace-event format's rules, that the layout works at 390 px and that no console error appears.
// Without /usr/bin/chromium the test is skipped and says how to install it.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KIND_TINTS } from "../../demos/client/KindTints.ts";
import { DemoHost } from "../../demos/host/DemoHost.ts";
import { ProtoSimulation } from "../../demos/host/ProtoSimulation.ts";
import { DEFAULT_OVERLAY_COLORS } from "../../demos/overlay/OverlayColors.ts";
import { traceFormatProblems } from "./fixtures/traceFormat.ts";

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

/** What the page's test hook (window.protoDemo.stats()) reports. */
interface PageStats {
  framesReceived: number;
  statsReceived: number;
  entities: number;
  overlayFrames: number;
  missedFrames: number;
  overBudget: number;
  overFrameTime: number;
  lastFrame: number;
  hostRate: number;
  drawRate: number;
}

/** The page's stats; all zero until the client has started. */
async function stats(page: Page): Promise<PageStats> {
  const s = await page.evaluate(() =>
    (window as unknown as { protoDemo?: { stats(): PageStats } }).protoDemo?.stats(),
  );
  return (
    s ?? {
      framesReceived: 0,
      statsReceived: 0,
      entities: 0,
      overlayFrames: 0,
      missedFrames: 0,
      overBudget: 0,
      overFrameTime: 0,
      lastFrame: -1,
      hostRate: 0,
      drawRate: 0,
    }
  );
}

/** Waits until the page's stats satisfy `done` (polled), then returns them. */
async function waitForStats(page: Page, done: (s: PageStats) => boolean, ms = 30_000): Promise<PageStats> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await stats(page);
    if (done(s) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the text of `selector` satisfies `done` (polled from Node); returns the text. */
async function waitForText(
  page: Page,
  selector: string,
  done: (text: string) => boolean,
  ms = 30_000,
): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const text = (await page.textContent(selector)) ?? "";
    if (done(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Saves `text` the way vim and `sed -i` do: a new file renamed over the old one. */
function renameSave(path: string, text: string): void {
  const temp = `${path}.swp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** Console errors, page errors and failed requests (a favicon 404 among them) of a page. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

describe.skipIf(!hasChromium)(
  `demo in chromium (skipped when ${CHROMIUM} is missing; install: ${INSTALL})`,
  () => {
    let host: DemoHost;
    let browser: Browser;
    let url: string;
    let dir: string;
    let behaviourFile: string;
    let original: string;

    beforeAll(async () => {
      await build({
        configFile: resolve(root, "demos/client/vite.config.ts"),
        logLevel: "warn",
        build: { outDir: clientDir, sourcemap: false },
      });
      // The demo's behaviour file, copied (imports made absolute) so the test can save over it.
      dir = mkdtempSync(join(tmpdir(), "proto-demo-browser-"));
      behaviourFile = join(dir, "swarm.ts");
      original = readFileSync(resolve(root, "demos/host/behaviours/swarm.ts"), "utf8").replaceAll(
        '"../../../',
        `"${pathToFileURL(root).href}/`,
      );
      writeFileSync(behaviourFile, original);
      // The Proto simulation with a small GC trigger (collections run while the page draws) and
      // a 3 ms frame-time budget (a frame of 50 000 entities breaks it on any machine).
      const simulation = await ProtoSimulation.create({
        entities: 10_000,
        budgetMs: 0.5,
        gcTriggerMb: 1,
        frameBudgetMs: 3,
        behaviours: pathToFileURL(behaviourFile),
        watch: true,
        log: () => {},
      });
      host = new DemoHost({ simulation, staticDir: clientDir, port: 0, log: () => {} });
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
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it("shows every frame, both budgets' colours, script errors, reloads, and exports a valid trace", async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
      const problems = watchConsole(page);
      await page.goto(url);
      const first = await waitForStats(page, (s) => s.statsReceived > 30 && s.entities >= 9000);
      expect(first.entities).toBeGreaterThanOrEqual(9000);

      // From the page: a budget of 0.001 ms and 50 000 entities; each reply is the request's own.
      await page.fill("#budget", "0.001");
      await page.click("#apply-budget");
      expect(await waitForText(page, "#status", (t) => t === "GC budget set to 0.001 ms")).toBe(
        "GC budget set to 0.001 ms",
      );
      await page.fill("#entities", "");
      await page.click("#apply-entities");
      expect(await waitForText(page, "#status", (t) => t.startsWith("entities: enter"))).toMatch(
        /^entities: enter a whole number from 0 to 100000/,
      );
      await page.fill("#entities", "50000");
      await page.click("#apply-entities");
      expect(await waitForText(page, "#status", (t) => t === "entities set to 50000")).toBe(
        "entities set to 50000",
      );

      // 50 000 entities on screen, then a stretch of frames at that size.
      const big = await waitForStats(page, (s) => s.entities >= 45_000);
      expect(big.entities).toBeGreaterThanOrEqual(45_000);
      const before = await stats(page);
      await waitForStats(page, (s) => s.lastFrame >= before.lastFrame + 20);

      // A wanderer that throws now and then, saved by rename; then the fix, saved the same way.
      renameSave(
        behaviourFile,
        original.replace(
          /(export const wanderer = \w+\(\{[\s\S]*?update\([^)]*\)\s*\{)/,
          '$1\n    if (Math.random() < 0.01) throw new Error("boom from the browser test");',
        ),
      );
      expect(await waitForText(page, "#errors", (t) => t.includes("boom from the browser test"))).toMatch(
        /wanderer \(entity \d+\): .*boom from the browser test — \d+× in frame \d+/,
      );
      renameSave(behaviourFile, original);
      const notices = await waitForText(page, "#notices", (t) => (t.match(/reloaded/g) ?? []).length >= 2);
      expect(notices.match(/reloaded/g)).toHaveLength(2);

      // Every frame's record reached the overlay: no gap since the first one, at 50 000 entities too.
      // Frames over each budget (a 0.001 ms GC budget breaks at the first stall or V8 pause).
      const after = await waitForStats(page, (s) => s.overBudget > 0 && s.overFrameTime > 0);
      expect(after.missedFrames).toBe(0);
      expect(after.overlayFrames).toBeGreaterThan(before.overlayFrames + 20);
      expect(after.overBudget).toBeGreaterThan(0);
      expect(after.overFrameTime).toBeGreaterThan(0);
      expect(after.hostRate).toBeGreaterThan(0);
      expect(after.drawRate).toBeGreaterThan(0);

      await mkdir(artifacts, { recursive: true });
      const png = await page.screenshot({ path: resolve(artifacts, "demo-browser.png") });
      const c = DEFAULT_OVERLAY_COLORS;
      const counts = await countColours(
        page,
        png,
        [...KIND_TINTS],
        [c.scripts, c.overBudget, c.overFrameTime],
      );
      // Wanderers and seekers cover thousands of pixels outside the overlay.
      expect(counts.entityPixels[0]).toBeGreaterThan(2000);
      expect(counts.entityPixels[1]).toBeGreaterThan(2000);
      // Bars, far more than their legend swatches (81 pixels each): scripts, red, magenta.
      expect(counts.overlayPixels[0]).toBeGreaterThan(300);
      expect(counts.overlayPixels[1]).toBeGreaterThan(300);
      expect(counts.overlayPixels[2]).toBeGreaterThan(300);

      // The page's export keeps the trace-event format's rules.
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-trace")]);
      const path = await download.path();
      const trace = JSON.parse(readFileSync(path, "utf8")) as { otherData: { frames: number } };
      expect(trace.otherData.frames).toBeGreaterThan(100);
      expect(traceFormatProblems(trace)).toEqual([]);
      expect(problems).toEqual([]);
      // Back to 10 000 entities for the next test.
      await page.fill("#entities", "10000");
      await page.click("#apply-entities");
      await waitForText(page, "#status", (t) => t === "entities set to 10000");
      await page.close();
    }, 120_000);

    it("lays out the overlay and the panel apart at 390 px, with no console error on load", async () => {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const problems = watchConsole(page);
      await page.goto(url);
      await waitForStats(page, (s) => s.statsReceived > 10);
      const overlay = await page.evaluate(() =>
        (
          window as unknown as {
            protoDemo: { overlayBox(): { x: number; y: number; width: number; height: number } };
          }
        ).protoDemo.overlayBox(),
      );
      const side = await page.locator("#side").boundingBox();
      expect(side).not.toBeNull();
      const s = side as { x: number; y: number; width: number; height: number };
      expect(overlay.x + overlay.width).toBeLessThanOrEqual(390);
      expect(s.x + s.width).toBeLessThanOrEqual(390);
      const apart =
        overlay.y + overlay.height <= s.y ||
        s.y + s.height <= overlay.y ||
        overlay.x + overlay.width <= s.x ||
        s.x + s.width <= overlay.x;
      expect(apart).toBe(true);
      await page.screenshot({ path: resolve(artifacts, "demo-browser-390.png") });
      expect(problems).toEqual([]);
      await page.close();
    }, 60_000);
  },
);

/** Counts pixels near each colour: entity tints outside the overlay's box, overlay colours inside it. */
async function countColours(page: Page, png: Buffer, kinds: number[], overlayColours: number[]) {
  const box = await page.evaluate(() =>
    (
      window as unknown as {
        protoDemo: { overlayBox(): { x: number; y: number; width: number; height: number } };
      }
    ).protoDemo.overlayBox(),
  );
  return page.evaluate(
    async ({ b64, kinds, segments, box }) => {
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
          const inOverlay = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
          const palette = inOverlay ? segments : kinds;
          const counts = inOverlay ? overlayPixels : entityPixels;
          for (let k = 0; k < palette.length; k++) {
            if (near(i, palette[k] as number)) counts[k] = (counts[k] as number) + 1;
          }
        }
      }
      return { entityPixels: Array.from(entityPixels), overlayPixels: Array.from(overlayPixels) };
    },
    { b64: png.toString("base64"), kinds, segments: overlayColours, box },
  );
}
