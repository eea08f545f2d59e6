// demos/client/main.ts — the demo's browser side: connects to the host's WebSocket (same host
// and port as the page), draws every entity with EntityView, feeds the FrameOverlay every
// frame's record (gaps where frames never arrived), shows script errors and reload notices,
// the host's real rate beside the page's own draw rate, wires the controls (entity count
// bounded by the host's capacity, GC budget; each reply matched to its request) and exports
// the frames of this run of the host as a Chrome trace.

import { Application, Graphics } from "pixi.js";
import { FrameOverlay } from "../overlay/FrameOverlay.ts";
import { formatMs } from "../overlay/OverlayFormat.ts";
import type { ControlRequest } from "../protocol/ControlMessage.ts";
import type { DecodedFrame } from "../protocol/FrameMessage.ts";
import type { HelloMessage } from "../protocol/HostMessage.ts";
import { toChromeTrace } from "../trace/ChromeTrace.ts";
import { type InputResult, parseBudgetInput, parseEntityInput } from "./ControlInput.ts";
import { EntityView } from "./EntityView.ts";
import { ErrorPanel } from "./ErrorPanel.ts";
import { HostConnection } from "./HostConnection.ts";
import { RateMeter } from "./RateMeter.ts";
import { RecordHistory } from "./RecordHistory.ts";

/** Frames kept for the trace export (about 20 s at 60 Hz). */
const TRACE_FRAMES = 1200;
/** Overlay height in pixels. */
const OVERLAY_HEIGHT = 200;
/** Widths up to this are narrow: the side panel moves to the bottom (index.html's media query). */
const NARROW_PX = 760;
/** The side panel's width and margins on a wide screen (index.html). */
const SIDE_PANEL_PX = 336;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html is missing #${id}`);
  return el;
}

/** Starts the client: pixi application, connection, render loop and controls. */
async function start(): Promise<void> {
  const status = element("status", HTMLDivElement);
  const rates = element("rates", HTMLDivElement);
  const entitiesInput = element("entities", HTMLInputElement);
  const budgetInput = element("budget", HTMLInputElement);
  const capacityLabel = element("capacity", HTMLSpanElement);
  const panel = new ErrorPanel(element("errors", HTMLDivElement), element("notices", HTMLUListElement));

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
    // Beside the side panel on a wide screen; above it (it moves to the bottom) on a narrow one.
    const side = app.screen.width > NARROW_PX ? SIDE_PANEL_PX : 0;
    overlay.resize(Math.min(560, app.screen.width - 16 - side), OVERLAY_HEIGHT);
  };
  layout();
  app.renderer.on("resize", layout);

  const history = new RecordHistory(TRACE_FRAMES);
  const hostRate = new RateMeter();
  const drawRate = new RateMeter();
  let latest: DecodedFrame | undefined;
  let hello: HelloMessage | undefined;
  let positionsReceived = 0;
  let statsReceived = 0;
  let entitiesShown = 0;
  let drawMs = 0;

  const connection = new HostConnection(
    `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
    {
      onHello(message) {
        // A new run of the host (a restart): its frames and clock are not the old run's.
        if (hello !== undefined && hello.run !== message.run) {
          history.clear();
          overlay.clear();
          hostRate.reset();
          panel.clear();
        }
        hello = message;
        world = message.world;
        entities.setWorld(world);
        layout();
        entitiesInput.max = String(message.capacity);
        capacityLabel.textContent = `max ${message.capacity}`;
        if (document.activeElement !== entitiesInput) entitiesInput.value = String(message.entities);
        if (document.activeElement !== budgetInput) budgetInput.value = String(message.budgetMs);
      },
      onStats(record) {
        statsReceived++;
        hostRate.add(record.startMs);
        overlay.push(record);
        history.push(record);
      },
      onFrame(frame) {
        // Positions not drawn yet are dropped for newer ones: done with them too.
        if (latest !== undefined) connection.drawn(latest.frame);
        latest = frame;
        positionsReceived++;
      },
      onScriptErrors(message) {
        panel.showErrors(message);
      },
      onNotice(notice) {
        panel.addNotice(notice);
      },
      onStatus(text) {
        status.textContent = text;
      },
    },
  );

  // Sends a control request from a field, or says why the field cannot be sent.
  const submit = async (input: InputResult, message: (value: number) => ControlRequest) => {
    if (!input.ok) {
      status.textContent = input.error;
      return;
    }
    status.textContent = "…";
    const reply = await connection.request(message(input.value));
    status.textContent = reply.ok ? reply.message : `refused: ${reply.message}`;
  };
  element("apply-entities", HTMLButtonElement).onclick = () =>
    submit(parseEntityInput(entitiesInput.value, hello?.capacity ?? 0), (count) => ({
      type: "setEntities",
      count,
    }));
  element("apply-budget", HTMLButtonElement).onclick = () =>
    submit(parseBudgetInput(budgetInput.value), (ms) => ({ type: "setBudget", ms }));
  element("export-trace", HTMLButtonElement).onclick = () => {
    const records = history.records();
    const trace = toChromeTrace(records, {
      metadata: {
        run: hello?.run ?? "",
        simulation: hello?.simulation ?? "unknown",
        entities: hello?.entities ?? 0,
        budgetMs: hello?.budgetMs ?? 0,
        exportedAt: new Date().toISOString(),
      },
    });
    const url = URL.createObjectURL(new Blob([JSON.stringify(trace)], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `proto-demo-trace-${hello?.run ?? "run"}-${records[0]?.frame ?? 0}-${records.at(-1)?.frame ?? 0}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `exported ${records.length} frames (open in ui.perfetto.dev)`;
  };

  // Test hook (read by the browser test): what the page has received and drawn, and where.
  Object.assign(window, {
    protoDemo: {
      stats: () => ({
        framesReceived: positionsReceived,
        statsReceived,
        entities: entitiesShown,
        overlayFrames: overlay.frameCount,
        missedFrames: overlay.missedFrames,
        ...overlay.overCounts,
        lastFrame: overlay.latest?.frame ?? -1,
        hostRate: hostRate.rate,
        drawRate: drawRate.rate,
      }),
      overlayBox: () => ({ x: overlay.x, y: overlay.y, ...overlay.panelSize }),
    },
  });

  let lastRatesMs = 0;
  const showRates = (now: number) => {
    if (now - lastRatesMs < 500) return;
    lastRatesMs = now;
    const aim = hello === undefined ? "" : ` (aims at ${hello.hz})`;
    rates.textContent =
      `${hello?.simulation ?? "…"}: host ${hostRate.rate.toFixed(1)} Hz${aim} · page draws ${drawRate.rate.toFixed(0)} fps` +
      ` (${formatMs(drawMs)} ms) · ${overlay.missedFrames} frames missed`;
    panel.update(overlay.latest?.frame ?? 0);
  };

  const loop = (now: number) => {
    const t0 = performance.now();
    if (latest !== undefined) {
      entities.show(latest);
      entitiesShown = latest.count;
      connection.drawn(latest.frame);
      latest = undefined;
    }
    app.render();
    drawMs = performance.now() - t0;
    drawRate.add(now);
    showRates(now);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}

start().catch((error: unknown) => {
  const status = document.getElementById("status");
  if (status !== null) status.textContent = `client failed to start: ${String(error)}`;
  console.error(error);
});
