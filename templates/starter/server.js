// Runs the game. `node server.js --headless [--frames N]` steps N frames as fast as it can and
// prints a summary; `node server.js [--port N]` serves the page (vite build's dist/) and streams
// every frame's positions and record to it (server-sent events, 60 frames a second).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { createGame, positions, WORLD } from "./game.js";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const game = await createGame();

if (args.includes("--headless")) {
  const frames = option("--frames", 300);
  const times = [];
  let gcMs = 0;
  let overBudget = 0;
  let errors = 0;
  for (let i = 0; i < frames; i++) {
    const started = performance.now();
    const record = game.driver.step(1 / 60);
    times.push(performance.now() - started);
    gcMs += record.gcPauseMs + record.v8GcMs;
    overBudget += record.overBudget ? 1 : 0;
    errors += record.errors.length;
  }
  times.sort((a, b) => a - b);
  const p99 = times[Math.floor(times.length * 0.99)] ?? 0;
  console.log(
    JSON.stringify({
      frames: game.driver.frame,
      entities: game.world.entityCount,
      p99Ms: p99,
      gcMs,
      overBudget,
      errors,
    }),
  );
  await game.driver.dispose();
  process.exit(errors === 0 ? 0 : 1);
}

const dist = join(import.meta.dirname, "dist");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png" };
const clients = new Set();
const server = createServer(async (request, response) => {
  if (request.url === "/frames") {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.write(`data: ${JSON.stringify({ world: WORLD })}\n\n`);
    clients.add(response);
    request.on("close", () => clients.delete(response));
    return;
  }
  const path = normalize(join(dist, request.url === "/" ? "index.html" : (request.url ?? "").split("?")[0]));
  if (!path.startsWith(dist)) return void response.writeHead(403).end();
  try {
    const body = await readFile(path);
    response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch {
    response.writeHead(404).end("not found (run `npm run build` first)");
  }
});
setInterval(() => {
  const { errors: _errors, ...record } = game.driver.step(1 / 60);
  const message = `data: ${JSON.stringify({ record, xy: positions(game) })}\n\n`;
  for (const client of clients) client.write(message);
}, 1000 / 60);
server.listen(option("--port", 8080), "127.0.0.1", () => {
  console.log(`Proto starter: http://127.0.0.1:${server.address().port}/`);
});
