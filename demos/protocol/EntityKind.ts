// EntityKind: the kinds of entity in the demo swarm, as one byte per entity on the wire.

/** Kind codes sent per entity (Uint8). */
export const EntityKind = {
  /** Drifts around with a random walk. */
  wanderer: 0,
  /** Steers toward a moving target, keeping away from its neighbours. */
  seeker: 1,
  /** Short-lived projectile fired by seekers; spawns and dies often, so the heap churns. */
  bullet: 2,
} as const;

/** A kind code: 0 wanderer, 1 seeker, 2 bullet. */
export type EntityKind = (typeof EntityKind)[keyof typeof EntityKind];

/** Number of kinds; any byte at or above it is invalid. */
export const ENTITY_KIND_COUNT = 3;

/** Human-readable names, indexed by kind code. */
export const ENTITY_KIND_NAMES: readonly string[] = ["wanderer", "seeker", "bullet"];
