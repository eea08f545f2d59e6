// Simulation: the contract between the demo host and whatever runs the world — the Proto engine
// bridge (bitECS + Proto behaviours) once it lands, or PlainSimulation, the plain-JS reference.
// The host only steps it, reads entity positions and forwards control changes.

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";

/**
 * The entities' state after a step, as structure-of-arrays. The arrays may be longer than
 * `count` (they are the simulation's own storage, reused across frames): only the first `count`
 * slots are meaningful, and they are valid only until the next `step`.
 */
export interface EntitySnapshot {
  /** Number of live entities. */
  count: number;
  /** X position per entity, world units in [0, world.width). */
  x: Float32Array;
  /** Y position per entity, world units in [0, world.height). */
  y: Float32Array;
  /** Kind code per entity (see demos/protocol EntityKind). */
  kind: Uint8Array;
}

/** One error of a frame, as the host shows it (the page's error panel, the terminal). */
export interface FrameError {
  /** The behaviour (script) that threw; "" for an error that is not a behaviour's. */
  readonly behaviour: string;
  /** The entity it threw for; -1 when none. */
  readonly entity: number;
  /** The error's message. */
  readonly message: string;
}

/** What became of a live reload of the behaviour file. */
export interface ReloadOutcome {
  /** True when the new code runs; false when loading it failed and the previous code runs on. */
  readonly ok: boolean;
  /** The file reloaded. */
  readonly file: string;
  /** "reloaded <file>" or "reload failed, keeping the previous code: <why>". */
  readonly message: string;
}

/** A world the demo host can run, one fixed step per frame. */
export interface Simulation {
  /** Short name shown to clients and in traces (for example "plain-js", "proto"). */
  readonly name: string;
  /** World size in world units. */
  readonly world: { readonly width: number; readonly height: number };
  /**
   * Advances the world by `dtMs` milliseconds and returns the statistics of that frame. The
   * record may be a slot the simulation reuses later (copy it to keep it), and its V8 pause
   * figures may still grow: perf_hooks reports a V8 pause after the task that ran it.
   */
  step(dtMs: number): FrameRecord;
  /**
   * Call after yielding to the event loop: places the V8 pauses reported since in the frames
   * they fell in and returns the last frame's record, now complete. Optional (a simulation
   * without it returns complete records from step()).
   */
  settle?(): FrameRecord | undefined;
  /** The entities after the last step (views into the simulation's storage; see EntitySnapshot). */
  entities(): EntitySnapshot;
  /** The most entities setEntityCount accepts (a world of fixed capacity); the host tells pages. */
  readonly maxEntities: number;
  /** The errors of the last step (empty for a clean frame). Optional: a simulation without it has none. */
  frameErrors?(): readonly FrameError[];
  /** Told every live-reload outcome, when the simulation reloads its behaviours (set by the host). */
  onReload?: ((outcome: ReloadOutcome) => void) | undefined;
  /** Sets the target number of live entities; spawning or despawning happens over the next steps. */
  setEntityCount(n: number): void;
  /** Sets the GC pause budget per frame, in milliseconds. */
  setBudget(ms: number): void;
  /** Releases what the simulation holds (observers, native handles). Optional. */
  dispose?(): void;
}
