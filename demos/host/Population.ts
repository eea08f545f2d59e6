// Population: the demo swarm's mix of kinds and its seeded random generator, shared by
// PlainSimulation (the plain-JS baseline) and ProtoSimulation (the engine bridge), so both
// run the same population and their frame times compare.

/** Share of the target count that may be live bullets. */
const BULLET_SHARE = 0.1;
/** Share of the non-bullet population that are seekers (the rest wander). */
const SEEKER_SHARE = 0.4;

/** Speed multiplier of the "fast" entities (about one in ten, chosen at spawn). */
export const FAST_SPEED_SCALE = 1.5;

/** How many entities of each kind a target count means. */
export interface PopulationMix {
  readonly seekers: number;
  readonly wanderers: number;
  /** The most bullets that may be live at once. */
  readonly bullets: number;
}

/** Splits a target entity count (bullets included) into kinds. */
export function populationMix(target: number): PopulationMix {
  const bullets = Math.round(target * BULLET_SHARE);
  const nonBullets = target - bullets;
  const seekers = Math.round(nonBullets * SEEKER_SHARE);
  return { seekers, wanderers: nonBullets - seekers, bullets };
}

/** Deterministic 32-bit PRNG (mulberry32) in [0, 1): reproducible runs for baselines. */
export function randomGenerator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
