// Tests of demos/host: the plain-JS reference simulation and the host serving it over HTTP and
// WebSocket (real sockets on 127.0.0.1, nothing mocked).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { DemoHost, WS_PATH } from "../../demos/host/DemoHost.ts";
import { PlainSimulation } from "../../demos/host/PlainSimulation.ts";
import { decodeFrame, EntityKind, type HostMessage, parseHostMessage } from "../../demos/protocol/index.ts";

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
function listen(socket: WebSocket) {
  const texts: HostMessage[] = [];
  const frames: Buffer[] = [];
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) frames.push(data);
    else texts.push(parseHostMessage(data.toString()));
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(done()).toBe(true);
  };
  return { texts, frames, until };
}

describe("DemoHost", () => {
  let host: DemoHost;
  let url: string;
  let staticDir: string;

  beforeEach(async () => {
    staticDir = await mkdtemp(join(tmpdir(), "demo-client-"));
    await writeFile(join(staticDir, "index.html"), "<!doctype html><p>demo</p>");
    host = new DemoHost({ simulation: new PlainSimulation({ entities: 2000 }), staticDir, port: 0 });
    host.configure(2000, 0.5);
    url = await host.start();
  });

  afterEach(async () => {
    await host.stop();
    await rm(staticDir, { recursive: true, force: true });
  });

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

  it("greets a client and streams decodable frames", async () => {
    const socket = new WebSocket(`${url.replace("http", "ws")}${WS_PATH.slice(1)}`);
    const inbox = listen(socket);
    await inbox.until(() => inbox.frames.length >= 3);
    expect(inbox.texts[0]).toMatchObject({
      type: "hello",
      simulation: "plain-js",
      entities: 2000,
      budgetMs: 0.5,
    });
    const frame = decodeFrame(inbox.frames[2] as Buffer);
    expect(frame.count).toBeGreaterThan(1000);
    expect(frame.record?.frame).toBe(frame.frame);
    socket.close();
  });

  it("applies control messages and tells every client", async () => {
    const socket = new WebSocket(`${url.replace("http", "ws")}ws`);
    const inbox = listen(socket);
    await inbox.until(() => inbox.texts.length >= 1);
    socket.send(JSON.stringify({ type: "setEntities", count: 300 }));
    socket.send(JSON.stringify({ type: "setBudget", ms: 2 }));
    await inbox.until(() => inbox.texts.some((m) => m.type === "hello" && m.budgetMs === 2));
    expect(inbox.texts.at(-1)).toMatchObject({ entities: 300, budgetMs: 2 });
    const before = inbox.frames.length;
    await inbox.until(() => inbox.frames.length > before + 2);
    expect(decodeFrame(inbox.frames.at(-1) as Buffer).count).toBeLessThanOrEqual(300);
    socket.close();
  });

  it("answers a bad control message with an error and keeps the connection", async () => {
    const socket = new WebSocket(`${url.replace("http", "ws")}ws`);
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

  it("exports recent frames as a Chrome trace at /trace.json", async () => {
    await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`${url}trace.json?frames=5`);
    expect(res.status).toBe(200);
    const trace = (await res.json()) as { traceEvents: { cat: string }[]; otherData: { frames: number } };
    expect(trace.otherData.frames).toBe(5);
    expect(trace.traceEvents.filter((e) => e.cat === "frame")).toHaveLength(5);
  });
});
