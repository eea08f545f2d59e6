// SwarmParams: what the demo swarm's two simulations share besides the behaviours'
// parameters (demos/host/behaviours/swarm.ts, which PlainSimulation reads too): the seekers'
// firing times and the target they chase. Milliseconds, seconds, world units.

/** Firing: a seeker's first shot comes r × firstShotMs after it spawns, later ones
 * refireMs + r × refireSpreadMs after the last (r uniform in [0, 1)). */
export const FIRING = Object.freeze({ firstShotMs: 3000, refireMs: 1000, refireSpreadMs: 2000 });

/** The x of the target the seekers chase at `time` seconds, in a world `width` wide. */
export function targetX(time: number, width: number): number {
  return width * (0.5 + 0.35 * Math.sin(time * 0.7));
}

/** The y of the target the seekers chase at `time` seconds, in a world `height` high. */
export function targetY(time: number, height: number): number {
  return height * (0.5 + 0.35 * Math.sin(time * 1.1 + 1));
}
