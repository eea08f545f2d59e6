// EntityView: draws every entity of a decoded frame as a particle in one ParticleContainer, all
// sharing one texture and tinted by kind. Particles are pooled; a frame only rewrites position
// and colour of the live ones (entities move slots on despawn, so colour is per frame too).

import { Particle, ParticleContainer, Rectangle, type Texture } from "pixi.js";
import { EntityKind } from "../protocol/EntityKind.ts";
import type { DecodedFrame } from "../protocol/FrameMessage.ts";
import { KIND_TINTS } from "./KindTints.ts";

/** Renders entity positions in world units; scale and place the container to fit the screen. */
export class EntityView extends ParticleContainer<Particle> {
  private readonly pool: Particle[] = [];
  private readonly kindColors: Uint32Array;
  private readonly particleTexture: Texture;

  /** Creates an empty view whose particles use `texture` (anchored at its centre). */
  constructor(texture: Texture, world: { width: number; height: number }) {
    super({
      texture,
      dynamicProperties: { position: true, color: true, vertex: false, rotation: false, uvs: false },
    });
    this.particleTexture = texture;
    this.kindColors = Uint32Array.from(KIND_TINTS, (rgb) => {
      const p = new Particle({ texture, tint: rgb });
      return p.color >>> 0;
    });
    this.setWorld(world);
  }

  /** Sets the world size, used as the container's bounds. */
  setWorld(world: { width: number; height: number }): void {
    this.boundsArea = new Rectangle(0, 0, world.width, world.height);
  }

  /** Shows the entities of `frame`; grows the pool when the count exceeds it. */
  show(frame: DecodedFrame): void {
    const n = frame.count;
    const live = this.particleChildren;
    if (live.length !== n) {
      while (this.pool.length < n) {
        this.pool.push(new Particle({ texture: this.particleTexture, anchorX: 0.5, anchorY: 0.5 }));
      }
      if (live.length > n) {
        live.length = n;
      } else {
        for (let i = live.length; i < n; i++) live.push(this.pool[i] as Particle);
      }
      this.update();
    }
    const { x, y, kind } = frame;
    const colors = this.kindColors;
    const fallback = colors[EntityKind.wanderer] as number;
    for (let i = 0; i < n; i++) {
      const p = live[i] as Particle;
      p.x = x[i] as number;
      p.y = y[i] as number;
      p.color = colors[kind[i] as number] ?? fallback;
    }
  }
}
