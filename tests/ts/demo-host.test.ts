// Tests of demos/host: the plain-JS reference simulation and the host serving it over HTTP and
// WebSocket (real sockets on 127.0.0.1; the simulation's errors and reloads are driven by hand).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { DemoHost, WS_PATH } from "../../demos/host/DemoHost.ts";
import { PlainSimulation } from "../../demos/host/PlainSimulation.ts";
import type { FrameError, ReloadOutcome } from "../../demos/host/Simulation.ts";
import {
  decodeFrame,
  decodeStats,
  EntityKind,
  type HostMessage,
  isStatsMessage,
  parseHostMessage,
} from "../../demos/protocol/index.ts";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { traceFormatProblems } from "./fixtures/traceFormat.ts";

function kindCounts(sim: PlainSimulation): number[] {
  const e = sim.entities();
  const counts = [0, 0, 0];
  for (let i = 0; i < e.count; i++) counts[e.kind[i] as number] = (counts[e.kind[i] as number] ?? 0) + 1;
  return counts;
}

describe("PlainSimulation", () => {
  it("reaches the target count after one step", () => {
    const sim = new PlainSimulation({ entities: 5000, observeV8Gc: false });
    const record = sim.step(16);
    expect(record.entities).toBe(4500); // bullets come later, fired by seekers
    expect(sim.entities().count).toBe(4500);
  });

  it("spawns and despawns bullets so the population churns", () => {
    const sim = new PlainSimulation({ entities: 5000, observeV8Gc: false });
    let maxBullets = 0;
    for (let f = 0; f < 240; f++) {
      sim.step(1000 / 60);
      maxBullets = Math.max(maxBullets, kindCounts(sim)[EntityKind.bullet] ?? 0);
    }
    expect(maxBullets).toBeGreaterThan(100);
    expect(maxBullets).toBeLessThanOrEqual(500);
  });

  it("keeps every entity inside the world", () => {
    const sim = new PlainSimulation({ entities: 3000, observeV8Gc: false });
    for (let f = 0; f < 120; f++) sim.step(1000 / 60);
    const e = sim.entities();
    for (let i = 0; i < e.count; i++) {
      expect(e.x[i]).toBeGreaterThanOrEqual(0);
      expect(e.x[i]).toBeLessThan(sim.world.width);
      expect(e.y[i]).toBeGreaterThanOrEqual(0);
      expect(e.y[i]).toBeLessThan(sim.world.height);
    }
  });

  it("follows a lowered and a raised entity target", () => {
    const sim = new PlainSimulation({ entities: 4000, observeV8Gc: false });
    for (let f = 0; f < 60; f++) sim.step(16);
    sim.setEntityCount(1000);
    sim.step(16);
    expect(sim.entities().count).toBeLessThanOrEqual(1000);
    sim.setEntityCount(8000);
    sim.step(16);
    expect(sim.entities().count).toBeGreaterThanOrEqual(7200);
  });

  it("is deterministic for a given seed", () => {
    const a = new PlainSimulation({ entities: 1000, seed: 7, observeV8Gc: false });
    const b = new PlainSimulation({ entities: 1000, seed: 7, observeV8Gc: false });
    for (let f = 0; f < 50; f++) {
      a.step(16);
      b.step(16);
    }
    const ea = a.entities();
    const eb = b.entities();
    expect(ea.count).toBe(eb.count);
    expect(Array.from(ea.x.subarray(0, ea.count))).toEqual(Array.from(eb.x.subarray(0, eb.count)));
  });

  it("numbers frames and echoes the budget in its records", () => {
    const sim = new PlainSimulation({ entities: 100, budgetMs: 0.25, observeV8Gc: false });
    expect(sim.step(16).frame).toBe(0);
    sim.setBudget(1.5);
    const record = sim.step(16);
    expect(record).toMatchObject({ frame: 1, budgetMs: 1.5, gcPauseMs: 0, overBudget: false });
    expect(record.phases.scriptsMs).toBeGreaterThanOrEqual(0);
  });

  it("rejects an invalid entity count or budget", () => {
    const sim = new PlainSimulation({ observeV8Gc: false });
    expect(() => sim.setEntityCount(-1)).toThrow(RangeError);
    expect(() => sim.setBudget(0)).toThrow(RangeError);
  });
});

/** Collects a socket's messages so a test can wait for the one it needs. */
function listen(socket: WebSocket, ack = true) {
  const texts: HostMessage[] = [];
  const frames: Buffer[] = [];
  const stats: FrameRecord[] = [];
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary) texts.push(parseHostMessage(data.toString()));
    else if (isStatsMessage(data)) stats.push(decodeStats(data));
    else {
      frames.push(data);
      // Done with these positions, as the page says once it drew them: the host sends more.
      if (ack) socket.send(JSON.stringify({ type: "drawn", frame: decodeFrame(data).frame }));
    }
  });
  const until = async (done: () => boolean, tries = 200) => {
    for (let i = 0; i < tries && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(done()).toBe(true);
  };
  return { texts, frames, stats, until };
}

/** The plain simulation, with errors in chosen frames (a test double of the Proto one's frameErrors). */
class FailingSimulation extends PlainSimulation {
  failing = false;
  onReload: ((outcome: ReloadOutcome) => void) | undefined = undefined;
  frameErrors(): FrameError[] {
    if (!this.failing) return [];
    return Array.from({ length: 30 }, (_, i) => ({
      behaviour: "wanderer",
      entity: i + 1,
      message: `script 'wanderer' threw in update() of entity ${i + 1} on the main thread: boom`,
    }));
  }
}

describe("DemoHost", () => {
  let host: DemoHost;
  let url: string;
  let staticDir: string;
  let simulation: FailingSimulation;
  let logged: string[];

  beforeEach(async () => {
    staticDir = await mkdtemp(join(tmpdir(), "demo-client-"));
    await writeFile(join(staticDir, "index.html"), "<!doctype html><p>demo</p>");
    simulation = new FailingSimulation({ entities: 2000, maxEntities: 5000 });
    logged = [];
    host = new DemoHost({ simulation, staticDir, port: 0, log: (line) => logged.push(line) });
    host.configure(2000, 0.5);
    url = await host.start();
  });

  afterEach(async () => {
    await host.stop();
    await rm(staticDir, { recursive: true, force: true });
  });

  const connect = () => new WebSocket(`${url.replace("http", "ws")}${WS_PATH.slice(1)}`);

  it("listens on 127.0.0.1 and serves the built client", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("demo");
  });

  it("answers 404 for a missing file and never serves outside its directory", async () => {
    expect((await fetch(`${url}nope.js`)).status).toBe(404);
    expect([403, 404]).toContain((await fetch(`${url}..%2f..%2fetc%2fpasswd`)).status);
  });

  it("greets a page with its run, capacity and settings, then streams stats and positions", async () => {
    const socket = connect();
    const inbox = listen(socket);
    await inbox.until(() => inbox.frames.length >= 3 && inbox.stats.length >= 3);
    expect(inbox.texts[0]).toMatchObject({
      type: "hello",
      run: host.run,
      simulation: "plain-js",
      entities: 2000,
      capacity: 5000,
      budgetMs: 0.5,
    });
    const frame = decodeFrame(inbox.frames[2] as Buffer);
    expect(frame.count).toBeGreaterThan(1000);
    expect(frame.record).toBeUndefined();
    expect(inbox.stats.map((r) => r.frame).includes(frame.frame)).toBe(true);
    socket.close();
  });

  it("sends a page that never says it drew them at most two positions, and every frame's stats", async () => {
    const socket = connect();
    const inbox = listen(socket, false);
    await inbox.until(() => inbox.stats.length >= 20);
    expect(inbox.frames.length).toBe(2);
    socket.send(JSON.stringify({ type: "drawn", frame: 0 }));
    await inbox.until(() => inbox.frames.length === 3);
    const frames = inbox.stats.map((r) => r.frame);
    for (let i = 1; i < frames.length; i++) expect(frames[i]).toBe((frames[i - 1] as number) + 1);
    socket.close();
  });

  it("answers each request by its id, and refuses an entity count over its capacity", async () => {
    const socket = connect();
    const inbox = listen(socket);
    await inbox.until(() => inbox.texts.length >= 1);
    socket.send(JSON.stringify({ type: "setEntities", count: 300, id: 7 }));
    socket.send(JSON.stringify({ type: "setBudget", ms: 0.001, id: 8 }));
    socket.send(JSON.stringify({ type: "setEntities", count: 5001, id: 9 }));
    socket.send(JSON.stringify({ type: "setEntities", count: -1, id: 10 }));
    const replies = () => inbox.texts.filter((m) => m.type === "reply");
    await inbox.until(() => replies().length >= 4);
    expect(replies()).toEqual([
      { type: "reply", id: 7, ok: true, message: "entities set to 300" },
      { type: "reply", id: 8, ok: true, message: "GC budget set to 0.001 ms" },
      {
        type: "reply",
        id: 9,
        ok: false,
        message: expect.stringMatching(/5001 is over this host's capacity of 5000/),
      },
      { type: "reply", id: 10, ok: false, message: expect.stringMatching(/count must be an integer/) },
    ]);
    expect(inbox.texts.filter((m) => m.type === "hello").at(-1)).toMatchObject({
      entities: 300,
      budgetMs: 0.001,
    });
    const before = inbox.frames.length;
    await inbox.until(() => inbox.frames.length > before + 2);
    expect(decodeFrame(inbox.frames.at(-1) as Buffer).count).toBeLessThanOrEqual(300);
    socket.close();
  });

  it("answers a bad control message without an id with an error and keeps the connection", async () => {
    const socket = connect();
    const inbox = listen(socket);
    await inbox.until(() => inbox.texts.length >= 1);
    socket.send("not json");
    socket.send(JSON.stringify({ type: "setEntities", count: -5 }));
    await inbox.until(() => inbox.texts.filter((m) => m.type === "error").length >= 2);
    expect(
      inbox.texts.filter((m) => m.type === "error").map((m) => (m.type === "error" ? m.message : "")),
    ).toEqual([expect.stringMatching(/not JSON/), expect.stringMatching(/count must be an integer/)]);
    const before = inbox.frames.length;
    await inbox.until(() => inbox.frames.length > before);
    socket.close();
  });

  it("tells pages a frame's script errors, grouped, and logs each kind once", async () => {
    const socket = connect();
    const inbox = listen(socket);
    await inbox.until(() => inbox.texts.length >= 1);
    simulation.failing = true;
    const digests = () => inbox.texts.filter((m) => m.type === "scriptErrors");
    await inbox.until(() => digests().length >= 5);
    simulation.failing = false;
    const first = digests()[0];
    expect(first).toMatchObject({ total: 30, errors: [{ behaviour: "wanderer", count: 30 }] });
    expect(first?.type === "scriptErrors" && first.errors).toHaveLength(1);
    expect(logged.filter((line) => line.includes("boom"))).toHaveLength(1);
    socket.close();
  });

  it("tells pages and the terminal every reload outcome", async () => {
    const socket = connect();
    const inbox = listen(socket);
    await inbox.until(() => inbox.texts.length >= 1);
    simulation.onReload?.({ ok: true, file: "swarm.ts", message: "reloaded swarm.ts" });
    simulation.onReload?.({
      ok: false,
      file: "swarm.ts",
      message: "reload failed, keeping the previous code: SyntaxError",
    });
    simulation.onReload?.({ ok: true, file: "swarm.ts", message: "reloaded swarm.ts" });
    await inbox.until(() => inbox.texts.filter((m) => m.type === "notice").length >= 3);
    expect(inbox.texts.filter((m) => m.type === "notice")).toEqual([
      { type: "notice", level: "info", text: "reloaded swarm.ts" },
      { type: "notice", level: "error", text: "reload failed, keeping the previous code: SyntaxError" },
      { type: "notice", level: "info", text: "reloaded swarm.ts" },
    ]);
    expect(logged.filter((line) => line.includes("reload"))).toHaveLength(3);
    socket.close();
  });

  it("exports recent frames as a Chrome trace at /trace.json", async () => {
    await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`${url}trace.json?frames=5`);
    expect(res.status).toBe(200);
    const trace = (await res.json()) as { traceEvents: { cat: string }[]; otherData: { frames: number } };
    expect(trace.otherData.frames).toBe(5);
    expect(trace.traceEvents.filter((e) => e.cat === "frame")).toHaveLength(5);
    expect(traceFormatProblems(trace)).toEqual([]);
  });
});

describe("DemoHost with a page that reads slowly", () => {
  it("skips positions but sends every frame's stats, in order (50 000 entities)", async () => {
    const staticDir = await mkdtemp(join(tmpdir(), "demo-client-"));
    const host = new DemoHost({
      simulation: new PlainSimulation({ entities: 50_000, observeV8Gc: false }),
      staticDir,
      port: 0,
      log: () => {},
    });
    host.configure(50_000, 0.5);
    const url = await host.start();
    try {
      const socket = new WebSocket(`${url.replace("http", "ws")}ws`);
      const inbox = listen(socket);
      await inbox.until(() => inbox.stats.length >= 2, 500);
      // Stop reading: the host's socket fills and it must skip positions.
      socket.pause();
      await new Promise((r) => setTimeout(r, 1500));
      socket.resume();
      const sent = host.statsSent;
      await inbox.until(() => inbox.stats.length >= sent, 500);
      const frames = inbox.stats.map((r) => r.frame);
      for (let i = 1; i < frames.length; i++) expect(frames[i]).toBe((frames[i - 1] as number) + 1);
      expect(host.droppedFrames).toBeGreaterThan(0);
      expect(inbox.frames.length).toBeLessThan(inbox.stats.length);
      socket.close();
    } finally {
      await host.stop();
      await rm(staticDir, { recursive: true, force: true });
    }
  }, 30_000);
});
