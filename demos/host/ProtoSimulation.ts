// ProtoSimulation: the demo world run by Proto through the engine bridge — a bitECS world
// whose components live in Proto columns, wanderers, seekers and bullets as behaviour
// scripts (demos/host/behaviours/swarm.ts) on the main thread or a worker pool, and
// systems for integration and population. The same swarm as PlainSimulation (the
// baseline), so their frame times compare.
//
// Per step: scripts = steering and firing (behaviours); systems = integration, wrapping
// and the population change toward the target count; sync = the command buffers (spawned
// bullets and entities, despawns) and the frame's stats. Editing the behaviour file
// reloads it live (FileWatcher: a rename-save reloads too): entities keep their state,
// only code and defaults change.

import { fileURLToPath } from "node:url";
import { query } from "bitecs";
import {
  type BehaviourDef,
  type BridgeFrameRecord,
  BridgeWorld,
  FrameDriver,
  ScriptError,
} from "../../engine-bridge/index.ts";
import { EntityKind } from "../protocol/EntityKind.ts";
import { Body, bullet, G, seeker, Timer, wanderer } from "./behaviours/swarm.ts";
import { type FileWatch, watchFile } from "./FileWatcher.ts";
import { FAST_SPEED_SCALE, type PopulationMix, populationMix, randomGenerator } from "./Population.ts";
import type { EntitySnapshot, FrameError, ReloadOutcome, Simulation } from "./Simulation.ts";
import { FIRING } from "./SwarmParams.ts";

/** What frameErrors() returns for a clean frame (nothing allocated per frame). */
const NO_ERRORS: readonly FrameError[] = Object.freeze([]);

/** Options of {@link ProtoSimulation.create}. */
export interface ProtoSimulationOptions {
  /** Initial target entity count (default 10 000). */
  entities?: number;
  /** Initial Proto GC budget per frame in ms (default 0.5). */
  budgetMs?: number;
  /** World size (default 1600 × 900). */
  world?: { width: number; height: number };
  /**
   * Most entities the target may be (default max(100 000, 2 × entities)). The world's fixed
   * capacity is a tenth larger: a bullet fired in the frame its predecessor dies is spawned
   * before the dead one is despawned, so a full swarm needs room for both.
   */
  capacity?: number;
  /** Worker threads running the behaviours (default 0: the main thread). */
  workers?: number;
  /** Seed of the host's random generator (spawn positions; default 1). */
  seed?: number;
  /** The behaviour module (default demos/host/behaviours/swarm.ts). */
  behaviours?: URL;
  /**
   * Allocation (MiB) after which the Proto pacer starts a GC cycle, if this simulation
   * creates the process runtime (default: the runtime's, 16). The soak uses 1 so that the
   * bullets' churn runs several cycles.
   */
  gcTriggerMb?: number;
  /** Reload the behaviour module when its file changes (default false). */
  watch?: boolean;
  /** Observe V8 GC pauses through perf_hooks (default true). */
  observeV8Gc?: boolean;
  /** Collect V8's young generation in the frames' slack (FrameDriverOptions; default true). */
  youngGcInSlack?: boolean;
  /** The frame-time budget in ms (default 1000/60). */
  frameBudgetMs?: number;
  /** Told every reload outcome (default console.error). Frame errors are read with frameErrors(). */
  log?: (message: string) => void;
}

/** The Proto-backed demo swarm. Make it with {@link ProtoSimulation.create}. */
export class ProtoSimulation implements Simulation {
  readonly name = "proto";
  readonly world: { readonly width: number; readonly height: number };
  /** The bridge world (bitECS + Proto). */
  readonly bridge: BridgeWorld;
  /** The frame driver. */
  readonly driver: FrameDriver;
  /** Most entities the target may be (ProtoSimulationOptions.capacity). */
  readonly maxEntities: number;
  /** Completed live reloads of the behaviour module. */
  reloads = 0;
  /** Told every reload outcome (the demo host shows it on the page). */
  onReload: ((outcome: ReloadOutcome) => void) | undefined;

  private target: number;
  private readonly random: () => number;
  private readonly module: URL;
  private readonly log: (message: string) => void;
  private watcher: FileWatch | undefined;
  private lastErrors: readonly Error[] = [];
  private reloading: Promise<void> = Promise.resolve();
  private readonly snapshot: EntitySnapshot = {
    count: 0,
    x: new Float32Array(0),
    y: new Float32Array(0),
    kind: new Uint8Array(0),
  };
  private readonly kindOfScript: Uint8Array;
  private readonly body: { x: Float64Array; y: Float64Array };
  private readonly timer: Float32Array;
  private readonly bulletId: number;
  private mixFor = -1;
  private mixOf: PopulationMix = populationMix(0);

  private constructor(
    options: ProtoSimulationOptions,
    bridge: BridgeWorld,
    driver: FrameDriver,
    module: URL,
  ) {
    this.world = options.world ?? { width: 1600, height: 900 };
    this.target = options.entities ?? 10_000;
    this.random = randomGenerator(options.seed ?? 1);
    this.bridge = bridge;
    this.driver = driver;
    this.module = module;
    this.maxEntities = options.capacity ?? Math.max(100_000, 2 * this.target);
    this.log = options.log ?? ((message) => console.error(`proto simulation: ${message}`));
    this.kindOfScript = new Uint8Array(bridge.behaviourDefs().length + 1);
    bridge.behaviourDefs().forEach((s, i) => {
      this.kindOfScript[i + 1] =
        s.name === "seeker"
          ? EntityKind.seeker
          : s.name === "bullet"
            ? EntityKind.bullet
            : EntityKind.wanderer;
    });
    bridge.globals[G.WIDTH] = this.world.width;
    bridge.globals[G.HEIGHT] = this.world.height;
    const body = bridge.store(Body);
    const bulletId = bridge.behaviourDefs().findIndex((s) => s.name === "bullet") + 1;
    this.body = body;
    this.timer = bridge.store(Timer).timer;
    this.bulletId = bulletId;
    // Every entity of this world runs a script and has a Body: the system walks the rows
    // (behaviourIds) rather than calling bitECS's query(), which builds a hash string per call.
    driver.addSystem("integrate", (w, dt) => {
      const { x, y, vx, vy } = body;
      const { width, height } = this.world;
      const ids = w.behaviourIds;
      for (let e = 1, end = w.maxEid; e < end; e++) {
        if (ids[e] === 0) continue;
        let px = (x[e] as number) + (vx[e] as number) * dt;
        let py = (y[e] as number) + (vy[e] as number) * dt;
        if (ids[e] !== bulletId) {
          px = px < 0 ? px + width : px >= width ? px - width : px;
          py = py < 0 ? py + height : py >= height ? py - height : py;
        }
        x[e] = px;
        y[e] = py;
      }
    });
    driver.addSystem("population", () => this.population());
    driver.setBudget(options.budgetMs ?? 0.5);
  }

  /** Loads the behaviours, starts the workers (if any) and the file watcher (if asked). */
  static async create(options: ProtoSimulationOptions = {}): Promise<ProtoSimulation> {
    const entities = options.entities ?? 10_000;
    const capacity = Math.ceil((options.capacity ?? Math.max(100_000, 2 * entities)) * 1.1);
    const module = options.behaviours ?? new URL("./behaviours/swarm.ts", import.meta.url);
    const bridge = new BridgeWorld({
      capacity,
      ...(options.gcTriggerMb === undefined ? {} : { runtime: { gcTriggerMb: options.gcTriggerMb } }),
    });
    await bridge.loadBehaviours(module.href);
    const driver = new FrameDriver(bridge, {
      ...(options.observeV8Gc === false ? { observeV8Gc: false } : {}),
      ...(options.youngGcInSlack === undefined ? {} : { youngGcInSlack: options.youngGcInSlack }),
      ...(options.frameBudgetMs === undefined ? {} : { frameBudgetMs: options.frameBudgetMs }),
    });
    const simulation = new ProtoSimulation(options, bridge, driver, module);
    simulation.setEntityCount(entities);
    if ((options.workers ?? 0) > 0) await driver.setWorkers(options.workers ?? 0);
    if (options.watch === true) simulation.watch();
    return simulation;
  }

  /** Sets the target entity count (bullets included), at most the world's capacity. */
  setEntityCount(n: number): void {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`entity count must be a non-negative integer, got ${n}`);
    if (n > this.maxEntities)
      throw new RangeError(`entity count ${n} is over this world's fixed capacity of ${this.maxEntities}`);
    this.target = n;
  }

  /** Sets the Proto GC pause budget per frame (ms). */
  setBudget(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0)
      throw new RangeError(`GC budget must be a positive number of ms, got ${ms}`);
    this.driver.setBudget(ms);
  }

  /** Advances the world by `dtMs` and returns the frame's record. */
  step(dtMs: number): BridgeFrameRecord {
    if (!Number.isFinite(dtMs) || dtMs < 0)
      throw new RangeError(`dtMs must be a non-negative number, got ${dtMs}`);
    this.bridge.globals[G.BULLETS_FREE] =
      this.mix().bullets - this.bridge.count(bullet) + this.dyingBullets(dtMs);
    const record = this.driver.step(dtMs / 1000);
    this.lastErrors = record.errors;
    return record;
  }

  /** The errors of the last step, behaviour and entity named for a script's (empty for a clean frame). */
  frameErrors(): readonly FrameError[] {
    if (this.lastErrors.length === 0) return NO_ERRORS;
    return this.lastErrors.map((error) =>
      error instanceof ScriptError
        ? { behaviour: error.script, entity: error.eid, message: error.message }
        : { behaviour: "", entity: -1, message: error.message },
    );
  }

  // Bullets whose update will despawn them this frame (life out, or outside the world): their
  // slots are free for seekers firing in the same frame, so a dying bullet and a new one are
  // spawned and despawned together, and the bullet script recycles the entity.
  private dyingBullets(dtMs: number): number {
    const w = this.bridge;
    const id = this.bulletId;
    const ids = w.behaviourIds;
    const { x, y } = this.body;
    const timer = this.timer;
    const { width, height } = this.world;
    let dying = 0;
    for (let e = 1, end = w.maxEid; e < end; e++) {
      if (ids[e] !== id) continue;
      const px = x[e] as number;
      const py = y[e] as number;
      if ((timer[e] as number) - dtMs <= 0 || px < 0 || py < 0 || px >= width || py >= height) dying++;
    }
    return dying;
  }

  /** Places the V8 pauses reported since in their frames; returns the last frame's record. */
  settle(): BridgeFrameRecord | undefined {
    return this.driver.settle();
  }

  /** The live entities, packed (views valid until the next step or entities() call). */
  entities(): EntitySnapshot {
    const w = this.bridge;
    const snap = this.snapshot;
    if (snap.x.length < w.entityCount) {
      const n = Math.max(1024, w.entityCount * 2);
      snap.x = new Float32Array(n);
      snap.y = new Float32Array(n);
      snap.kind = new Uint8Array(n);
    }
    const { x, y } = w.store(Body);
    const ids = w.behaviourIds;
    const kinds = this.kindOfScript;
    let n = 0;
    for (let e = 1, end = w.maxEid; e < end; e++) {
      const id = ids[e] as number;
      if (id === 0) continue;
      snap.x[n] = x[e] as number;
      snap.y[n] = y[e] as number;
      snap.kind[n] = kinds[id] as number;
      n++;
    }
    snap.count = n;
    return snap;
  }

  /** Reloads the behaviour module now (what the file watcher does on a change). */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      const file = fileURLToPath(this.module);
      let outcome: ReloadOutcome;
      try {
        await this.bridge.reloadBehaviours(this.module.href);
        this.reloads++;
        outcome = { ok: true, file, message: `reloaded ${file}` };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        outcome = { ok: false, file, message: `reload failed, keeping the previous code: ${why}` };
      }
      this.log(outcome.message);
      this.onReload?.(outcome);
    });
    return this.reloading;
  }

  /** Watches the behaviour file and reloads it when it changes, however it is saved (debounced). */
  watch(): void {
    if (this.watcher !== undefined) return;
    this.watcher = watchFile(fileURLToPath(this.module), () => void this.reload());
  }

  /** Stops the watcher, the workers and the V8 GC observer. */
  dispose(): void {
    this.watcher?.close();
    void this.driver.dispose();
    this.bridge.clear();
  }

  // The mix of the current target (made again only when the target changes).
  private mix(): PopulationMix {
    if (this.mixFor !== this.target) {
      this.mixOf = populationMix(this.target);
      this.mixFor = this.target;
    }
    return this.mixOf;
  }

  // Moves the population toward the target: kinds in Plain's proportions; surplus goes
  // newest first. Runs as a system, so its spawns and despawns apply at frame end. Counts
  // come from the bridge; bitECS is queried only when there is a surplus to find.
  private population(): void {
    const w = this.bridge;
    const mix = this.mix();
    this.adjust(seeker, mix.seekers);
    this.adjust(wanderer, mix.wanderers);
    if (w.count(bullet) > mix.bullets) {
      const bullets = query(w.ecs, [w.tag(bullet)]);
      for (let i = bullets.length - 1, surplus = bullets.length - mix.bullets; surplus > 0; i--, surplus--)
        w.commands.despawn(bullets[i] as number);
    }
  }

  private adjust(script: BehaviourDef, want: number): void {
    const w = this.bridge;
    const have = w.count(script);
    if (have === want) return;
    const { width, height } = this.world;
    for (let n = have; n < want; n++) {
      const angle = this.random() * Math.PI * 2;
      // The spawn's writer takes any of the script's fields and parameters.
      const s = w.commands.spawn(script) as unknown as Record<string, number>;
      s.x = this.random() * width;
      s.y = this.random() * height;
      s.vx = Math.cos(angle) * 40;
      s.vy = Math.sin(angle) * 40;
      if (script === seeker) s.timer = this.random() * FIRING.firstShotMs;
      if (this.random() < 0.1) s.speed = (script.params.speed as number) * FAST_SPEED_SCALE;
    }
    if (have > want) {
      const entities = query(w.ecs, [w.tag(script)]);
      for (let i = entities.length - 1, surplus = entities.length - want; surplus > 0; i--, surplus--)
        w.commands.despawn(entities[i] as number);
    }
  }
}
