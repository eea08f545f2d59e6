// demos/client/main.ts — the demo's browser side: connects to the host's WebSocket (same host
// and port as the page), draws every entity with EntityView, feeds the FrameOverlay, wires the
// controls (entity count, GC budget) and exports the last frames as a Chrome trace.

import { Application, Graphics } from "pixi.js";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { FrameOverlay } from "../overlay/FrameOverlay.ts";
import type { HelloMessage } from "../protocol/ControlMessage.ts";
import type { DecodedFrame } from "../protocol/FrameMessage.ts";
import { toChromeTrace } from "../trace/ChromeTrace.ts";
import { EntityView } from "./EntityView.ts";
import { HostConnection } from "./HostConnection.ts";
import { RecordHistory } from "./RecordHistory.ts";

/** Frames kept for the trace export (about 20 s at 60 Hz). */
const TRACE_FRAMES = 1200;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html is missing #${id}`);
  return el;
}

/** Starts the client: pixi application, connection, render loop and controls. */
async function start(): Promise<void> {
  const status = element("status", HTMLDivElement);
  const entitiesInput = element("entities", HTMLInputElement);
  const budgetInput = element("budget", HTMLInputElement);

  const app = new Application();
  await app.init({ resizeTo: window, background: 0x0b0e12, antialias: false, autoStart: false });
  document.body.prepend(app.canvas);

  const dot = new Graphics().circle(0, 0, 3).fill(0xffffff);
  const texture = app.renderer.generateTexture(dot);
  let world = { width: 1600, height: 900 };
  const entities = new EntityView(texture, world);
  const overlay = new FrameOverlay();
  overlay.position.set(8, 8);
  app.stage.addChild(entities, overlay);

  const layout = () => {
    const scale = Math.min(app.screen.width / world.width, app.screen.height / world.height);
    entities.scale.set(scale);
    entities.position.set(
      (app.screen.width - world.width * scale) / 2,
      (app.screen.height - world.height * scale) / 2,
    );
    overlay.resize(Math.min(520, app.screen.width - 16), 200);
  };
  layout();
  app.renderer.on("resize", layout);

  const history = new RecordHistory(TRACE_FRAMES);
  const pending: FrameRecord[] = [];
  let latest: DecodedFrame | undefined;
  let hello: HelloMessage | undefined;
  let lastRenderMs = 0;
  let framesReceived = 0;
  let entitiesShown = 0;

  const connection = new HostConnection(
    `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
    {
      onHello(message) {
        hello = message;
        world = message.world;
        entities.setWorld(world);
        layout();
        if (document.activeElement !== entitiesInput) entitiesInput.value = String(message.entities);
        if (document.activeElement !== budgetInput) budgetInput.value = String(message.budgetMs);
        status.textContent = `${message.simulation} simulation at ${message.hz} Hz`;
      },
      onFrame(frame) {
        latest = frame;
        framesReceived++;
        if (frame.record !== undefined) pending.push(frame.record);
      },
      onStatus(text) {
        status.textContent = text;
      },
    },
  );

  element("apply-entities", HTMLButtonElement).onclick = () => {
    const count = Number(entitiesInput.value);
    if (!connection.send({ type: "setEntities", count })) status.textContent = "not connected";
  };
  element("apply-budget", HTMLButtonElement).onclick = () => {
    const ms = Number(budgetInput.value);
    if (!connection.send({ type: "setBudget", ms })) status.textContent = "not connected";
  };
  element("export-trace", HTMLButtonElement).onclick = () => {
    const records = history.records();
    const trace = toChromeTrace(records, {
      metadata: {
        simulation: hello?.simulation ?? "unknown",
        entities: hello?.entities ?? 0,
        budgetMs: hello?.budgetMs ?? 0,
        exportedAt: new Date().toISOString(),
      },
    });
    const url = URL.createObjectURL(new Blob([JSON.stringify(trace)], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `proto-demo-trace-${records[0]?.frame ?? 0}-${records[records.length - 1]?.frame ?? 0}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `exported ${records.length} frames (open in ui.perfetto.dev)`;
  };

  // Test hook (read by the browser test): how much the client has received and drawn.
  Object.assign(window, {
    protoDemo: {
      stats: () => ({ framesReceived, entities: entitiesShown, overlayFrames: overlay.frameCount }),
    },
  });

  // Own render loop so the render phase can be timed: the host does not render, the client fills
  // renderMs of incoming records with its most recent render time.
  const loop = () => {
    const t0 = performance.now();
    if (latest !== undefined) {
      entities.show(latest);
      entitiesShown = latest.count;
      latest = undefined;
    }
    for (const record of pending) {
      const withRender: FrameRecord = { ...record, phases: { ...record.phases, renderMs: lastRenderMs } };
      overlay.push(withRender);
      history.push(withRender);
    }
    pending.length = 0;
    app.render();
    lastRenderMs = performance.now() - t0;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}

start().catch((error: unknown) => {
  const status = document.getElementById("status");
  if (status !== null) status.textContent = `client failed to start: ${String(error)}`;
  console.error(error);
});
