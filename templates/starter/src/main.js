// The page: draws the entities the server streams, and the frame-time overlay (each frame's
// phases and GC pauses of both heaps against the budget).
import { Application, Particle, ParticleContainer, Texture } from "pixi.js";
import { FrameOverlay } from "proto/overlay";

const app = new Application();
await app.init({ resizeTo: window, background: "#10131a" });
document.body.appendChild(app.canvas);
const dots = new ParticleContainer({ dynamicProperties: { position: true } });
const overlay = new FrameOverlay();
app.stage.addChild(dots, overlay);

const particles = [];
const stats = { frames: 0, entities: 0 };
window.starter = stats; // read by the starter's test
new EventSource("/frames").onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.world !== undefined) {
    dots.scale.set(
      Math.min(app.screen.width / message.world.width, app.screen.height / message.world.height),
    );
    return;
  }
  const { record, xy } = message;
  while (particles.length < xy.length / 2) {
    const dot = new Particle({ texture: Texture.WHITE, scaleX: 3, scaleY: 3, tint: 0x66ccff });
    particles.push(dot);
    dots.addParticle(dot);
  }
  particles.forEach((dot, i) => {
    dot.x = xy[2 * i] ?? -10;
    dot.y = xy[2 * i + 1] ?? -10;
  });
  overlay.push(record);
  stats.frames++;
  stats.entities = xy.length / 2;
};
