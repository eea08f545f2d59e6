// PlainSimulation: the non-Proto baseline. A plain-JS swarm of wanderers, seekers and bullets
// over typed arrays (no Proto objects, no Proto GC), doing the Proto side's work the ordinary
// way: the behaviours' parameters (behaviours/swarm.ts), the firing times and target of
// SwarmParams.ts, the neighbour grid and search of scripting/examples/swarm.ts.
//
// Per step: scripts = steering (grid, seek, separation, wander, firing); systems =
// integration, wrapping, bullet ageing; sync = despawns, spawned bullets and the population
// change. Proto fields of the record are zero; V8 pauses are placed in their frames by the
// same FrameRecorder the engine bridge uses, so both sides count a frame's GC alike.

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { FrameRecorder } from "../../engine-bridge/index.ts";
import { buildGrid, createGrid, type SwarmGrid, separation } from "../../scripting/examples/swarm.ts";
import { v8HeapUsed } from "../../scripting/v8.ts";
import { EntityKind } from "../protocol/EntityKind.ts";
import { seeker, wanderer } from "./behaviours/swarm.ts";
import { FAST_SPEED_SCALE, type PopulationMix, populationMix, randomGenerator } from "./Population.ts";
import type { EntitySnapshot, Simulation } from "./Simulation.ts";
import { FIRING, targetX, targetY } from "./SwarmParams.ts";

/** Options of {@link PlainSimulation}. */
export interface PlainSimulationOptions {
  /** Initial target entity count (default 10 000). */
  entities?: number;
  /** Initial GC budget in ms, only echoed in records here (default 0.5). */
  budgetMs?: number;
  /** World size (default 1600 × 900). */
  world?: { width: number; height: number };
  /** Seed of the deterministic random generator (default 1). */
  seed?: number;
  /** Observe V8 GC pauses through perf_hooks (default true). */
  observeV8Gc?: boolean;
  /** The frame-time budget in ms (default 1000/60). */
  frameBudgetMs?: number;
  /** Most entities the target may be (default max(100 000, entities)). */
  maxEntities?: number;
  /**
   * "heavy": the heavy soak's game — per entity per frame a vector or an event record, for
   * one in ten a label "hp: 37", as plain JS objects and strings (the same temporaries as
   * demos/host/behaviours/heavy.ts). Default "swarm".
   */
  game?: "swarm" | "heavy";
}

// The swarm's parameters are the Proto behaviours' defaults (read once, at load).
const { speed: wandererSpeed, maxForce } = wanderer.params;
const { speed: seekerSpeed, radius, bulletSpeed, bulletLife } = seeker.params;

/** The plain-JS reference swarm (no Proto). See the file comment for what each phase covers. */
export class PlainSimulation implements Simulation {
  readonly name = "plain-js";
  readonly world: { readonly width: number; readonly height: number };
  /** Most entities the target may be. */
  readonly maxEntities: number;

  private target: number;
  private budgetMs: number;
  private readonly random: () => number;
  private readonly recorder: FrameRecorder;
  private readonly heavy: boolean;
  // The heavy game's frame state: its event queue, the last vector and label handed on,
  // and what the handlers read (keeps every temporary used).
  private readonly events: { kind: number; from: number; amount: number }[] = [];
  private lastVector: { x: number; y: number } | undefined;
  private lastLabel = "";
  private heavySum = 0;
  private frame = 0;
  private timeMs = 0;

  private count = 0;
  private capacity = 0;
  private x = new Float32Array(0);
  private y = new Float32Array(0);
  private vx = new Float32Array(0);
  private vy = new Float32Array(0);
  private speedScale = new Float32Array(0);
  /** Bullets: remaining life in ms. Seekers: ms until they may fire again. Wanderers: unused. */
  private timer = new Float32Array(0);
  private kind = new Uint8Array(0);
  private readonly kindCount = [0, 0, 0];

  private grid: SwarmGrid;
  private gridIds = new Int32Array(0);
  private readonly push = new Float64Array(2);

  // Command buffer, applied in the sync phase.
  private despawns = new Int32Array(0);
  private despawnCount = 0;
  private readonly bulletSpawns: number[] = [];

  private readonly snapshot: EntitySnapshot;
  private mixFor = -1;
  private mixOf: PopulationMix = populationMix(0);

  /** Creates the swarm; entities spawn during the first step's sync phase. */
  constructor(options: PlainSimulationOptions = {}) {
    this.target = options.entities ?? 10_000;
    this.maxEntities = options.maxEntities ?? Math.max(100_000, this.target);
    this.budgetMs = options.budgetMs ?? 0.5;
    this.world = options.world ?? { width: 1600, height: 900 };
    this.random = randomGenerator(options.seed ?? 1);
    this.heavy = options.game === "heavy";
    this.recorder = new FrameRecorder({
      ...(options.observeV8Gc === false ? { observeV8Gc: false } : {}),
      ...(options.frameBudgetMs === undefined ? {} : { frameBudgetMs: options.frameBudgetMs }),
    });
    this.grid = createGrid(Math.max(this.world.width, this.world.height), radius, 0);
    this.snapshot = { count: 0, x: this.x, y: this.y, kind: this.kind };
  }

  /** The heavy game's checksum of what its handlers read (0 for the swarm). */
  get heavyChecksum(): number {
    return this.heavySum + (this.lastVector?.x ?? 0) + this.lastLabel.length;
  }

  /** Sets the target entity count (bullets included); the next sync phase spawns or despawns. */
  setEntityCount(n: number): void {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`entity count must be a non-negative integer, got ${n}`);
    if (n > this.maxEntities)
      throw new RangeError(`entity count ${n} is over this simulation's limit of ${this.maxEntities}`);
    this.target = n;
  }

  /** Sets the GC budget echoed in records (this simulation has no Proto GC to pace). */
  setBudget(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0)
      throw new RangeError(`GC budget must be a positive number of ms, got ${ms}`);
    this.budgetMs = ms;
  }

  /** The entities after the last step; views into this simulation's storage, valid until the next step. */
  entities(): EntitySnapshot {
    this.snapshot.count = this.count;
    this.snapshot.x = this.x;
    this.snapshot.y = this.y;
    this.snapshot.kind = this.kind;
    return this.snapshot;
  }

  /** Stops observing V8 GC. */
  dispose(): void {
    this.recorder.close();
  }

  /** Places the V8 pauses reported since in their frames; returns the last frame's record. */
  settle(): FrameRecord | undefined {
    this.recorder.settle();
    return this.recorder.latest();
  }

  /** Advances the swarm by `dtMs` and returns the frame's record. */
  step(dtMs: number): FrameRecord {
    if (!Number.isFinite(dtMs) || dtMs < 0)
      throw new RangeError(`dtMs must be a non-negative number, got ${dtMs}`);
    this.recorder.settle();
    const startMs = performance.now();
    const record = this.recorder.begin(startMs);
    this.timeMs += dtMs;
    const dt = dtMs / 1000;

    this.runScripts(dt, dtMs);
    if (this.heavy) this.temporaries();
    this.frame++;
    const scriptsEnd = performance.now();
    this.runSystems(dt, dtMs);
    const systemsEnd = performance.now();
    this.applyCommands();
    const syncEnd = performance.now();

    this.recorder.phases(record, scriptsEnd, systemsEnd, syncEnd, 0, false);
    record.budgetMs = this.budgetMs;
    record.entities = this.count;
    record.heapBytes = v8HeapUsed();
    this.recorder.end(record, performance.now());
    return record;
  }

  // Bullets that runSystems will despawn this frame (life out, or leaving the world).
  private dyingBullets(dtMs: number): number {
    const { x, y, vx, vy, kind, timer } = this;
    const w = this.world.width;
    const h = this.world.height;
    const dt = dtMs / 1000;
    let dying = 0;
    for (let i = 0; i < this.count; i++) {
      if (kind[i] !== EntityKind.bullet) continue;
      const px = (x[i] as number) + (vx[i] as number) * dt;
      const py = (y[i] as number) + (vy[i] as number) * dt;
      if ((timer[i] as number) - dtMs <= 0 || px < 0 || py < 0 || px >= w || py >= h) dying++;
    }
    return dying;
  }

  // The mix of the current target (made again only when the target changes).
  private mix(): PopulationMix {
    if (this.mixFor !== this.target) {
      this.mixOf = populationMix(this.target);
      this.mixFor = this.target;
    }
    return this.mixOf;
  }

  // The heavy game's temporaries, written as plain JS writes them (see the options).
  private temporaries(): void {
    const { vx, vy } = this;
    for (let i = 0; i < this.count; i++) {
      const eid = i + 1;
      const hp = (eid * 7 + this.frame) % 100;
      if ((eid & 1) === 0) {
        const v = { x: (vx[i] as number) * 0.5, y: (vy[i] as number) * 0.5 };
        this.lastVector = v;
        this.heavySum += v.x + v.y;
      } else {
        const e = { kind: 1, from: eid, amount: hp };
        const events = this.events;
        events.push(e);
        if (events.length === 256) {
          for (let k = 0; k < 256; k++) this.heavySum += (events[k] as { amount: number }).amount;
          events.length = 0;
        }
      }
      if (eid % 10 === 0) {
        const label = `hp: ${hp}`;
        this.lastLabel = label;
        this.heavySum += label.length;
      }
    }
  }

  private runScripts(dt: number, dtMs: number): void {
    const { x, y, vx, vy, kind, timer, speedScale, grid, gridIds, push, random } = this;
    let n = 0; // the neighbour grid over wanderers and seekers
    for (let i = 0; i < this.count; i++) if (kind[i] !== EntityKind.bullet) gridIds[n++] = i;
    buildGrid(grid, x, y, gridIds, n);
    const t = this.timeMs / 1000;
    const tx = targetX(t, this.world.width);
    const ty = targetY(t, this.world.height);
    const bulletCap = this.mix().bullets;
    // Bullets that die this frame free their slots for seekers firing in it (as on the
    // Proto side, where a dying bullet's entity is recycled for a new one).
    let bullets = (this.kindCount[EntityKind.bullet] as number) - this.dyingBullets(dtMs);

    for (let i = 0; i < this.count; i++) {
      const k = kind[i];
      if (k === EntityKind.bullet) continue;
      const px = x[i] as number;
      const py = y[i] as number;
      let ax = 0;
      let ay = 0;
      const maxSpeed = (k === EntityKind.seeker ? seekerSpeed : wandererSpeed) * (speedScale[i] as number);
      if (k === EntityKind.seeker) {
        const dx = tx - px;
        const dy = ty - py;
        const len = Math.sqrt(dx * dx + dy * dy) || 1;
        ax += (dx / len) * maxSpeed - (vx[i] as number);
        ay += (dy / len) * maxSpeed - (vy[i] as number);
        separation(grid, x, y, i, radius, push);
        ax += (push[0] as number) * radius * maxSpeed;
        ay += (push[1] as number) * radius * maxSpeed;
        timer[i] = (timer[i] as number) - dtMs;
        if ((timer[i] as number) <= 0 && bullets < bulletCap) {
          const vxi = vx[i] as number;
          const vyi = vy[i] as number;
          const vlen = Math.sqrt(vxi * vxi + vyi * vyi) || 1;
          this.bulletSpawns.push(
            px,
            py,
            ((vx[i] as number) / vlen) * bulletSpeed,
            ((vy[i] as number) / vlen) * bulletSpeed,
          );
          bullets++;
          timer[i] = FIRING.refireMs + random() * FIRING.refireSpreadMs;
        }
      } else {
        ax += (random() - 0.5) * 4 * maxForce;
        ay += (random() - 0.5) * 4 * maxForce;
      }
      const alen = Math.sqrt(ax * ax + ay * ay);
      if (alen > maxForce) {
        ax *= maxForce / alen;
        ay *= maxForce / alen;
      }
      let nvx = (vx[i] as number) + ax * dt;
      let nvy = (vy[i] as number) + ay * dt;
      const speed = Math.sqrt(nvx * nvx + nvy * nvy);
      if (speed > maxSpeed) {
        nvx *= maxSpeed / speed;
        nvy *= maxSpeed / speed;
      }
      vx[i] = nvx;
      vy[i] = nvy;
    }
  }

  private runSystems(dt: number, dtMs: number): void {
    const { x, y, vx, vy, kind, timer } = this;
    const w = this.world.width;
    const h = this.world.height;
    this.despawnCount = 0;
    for (let i = 0; i < this.count; i++) {
      let px = (x[i] as number) + (vx[i] as number) * dt;
      let py = (y[i] as number) + (vy[i] as number) * dt;
      if (kind[i] === EntityKind.bullet) {
        timer[i] = (timer[i] as number) - dtMs;
        if ((timer[i] as number) <= 0 || px < 0 || py < 0 || px >= w || py >= h) {
          this.despawns[this.despawnCount++] = i;
        }
      } else {
        px = px < 0 ? px + w : px >= w ? px - w : px;
        py = py < 0 ? py + h : py >= h ? py - h : py;
      }
      x[i] = px;
      y[i] = py;
    }
  }

  private applyCommands(): void {
    // Despawns were queued in ascending order; removing back to front keeps swap-remove correct.
    for (let d = this.despawnCount - 1; d >= 0; d--) this.remove(this.despawns[d] as number);
    this.despawnCount = 0;
    const spawns = this.bulletSpawns;
    for (let s = 0; s < spawns.length; s += 4) {
      const i = this.add(EntityKind.bullet, spawns[s] as number, spawns[s + 1] as number);
      this.vx[i] = spawns[s + 2] as number;
      this.vy[i] = spawns[s + 3] as number;
      this.timer[i] = bulletLife * (0.5 + this.random());
    }
    spawns.length = 0;

    const mix = this.mix();
    this.adjustKind(EntityKind.seeker, mix.seekers);
    this.adjustKind(EntityKind.wanderer, mix.wanderers);
    // Lowering the target also retires surplus bullets.
    this.adjustKind(EntityKind.bullet, Math.min(this.kindCount[EntityKind.bullet] as number, mix.bullets));
  }

  private adjustKind(k: EntityKind, want: number): void {
    while ((this.kindCount[k] as number) < want) {
      const i = this.add(k, this.random() * this.world.width, this.random() * this.world.height);
      const angle = this.random() * Math.PI * 2;
      this.vx[i] = Math.cos(angle) * wandererSpeed;
      this.vy[i] = Math.sin(angle) * wandererSpeed;
      this.timer[i] = this.random() * FIRING.firstShotMs;
    }
    // Despawn surplus from the back: the newest entities of that kind go first.
    for (let i = this.count - 1; i >= 0 && (this.kindCount[k] as number) > want; i--) {
      if (this.kind[i] === k) this.remove(i);
    }
  }

  private add(k: EntityKind, px: number, py: number): number {
    if (this.count === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    const i = this.count++;
    this.x[i] = px;
    this.y[i] = py;
    this.vx[i] = 0;
    this.vy[i] = 0;
    this.timer[i] = 0;
    this.kind[i] = k;
    this.speedScale[i] = this.random() < 0.1 ? FAST_SPEED_SCALE : 1;
    this.kindCount[k] = (this.kindCount[k] as number) + 1;
    return i;
  }

  /** Swap-remove: the last entity moves into slot i. */
  private remove(i: number): void {
    const last = --this.count;
    const k = this.kind[i] as EntityKind;
    this.kindCount[k] = (this.kindCount[k] as number) - 1;
    if (i !== last) {
      this.x[i] = this.x[last] as number;
      this.y[i] = this.y[last] as number;
      this.vx[i] = this.vx[last] as number;
      this.vy[i] = this.vy[last] as number;
      this.timer[i] = this.timer[last] as number;
      this.kind[i] = this.kind[last] as number;
      this.speedScale[i] = this.speedScale[last] as number;
    }
  }

  private grow(capacity: number): void {
    const f32 = (old: Float32Array) => {
      const next = new Float32Array(capacity);
      next.set(old);
      return next;
    };
    this.x = f32(this.x);
    this.y = f32(this.y);
    this.vx = f32(this.vx);
    this.vy = f32(this.vy);
    this.timer = f32(this.timer);
    this.speedScale = f32(this.speedScale);
    const kind = new Uint8Array(capacity);
    kind.set(this.kind);
    this.kind = kind;
    this.gridIds = new Int32Array(capacity);
    this.grid = createGrid(this.grid.worldSize, radius, capacity);
    const despawns = new Int32Array(capacity);
    despawns.set(this.despawns);
    this.despawns = despawns;
    this.capacity = capacity;
  }
}
