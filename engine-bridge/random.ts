// engine-bridge/random.ts — hashRandom: a deterministic pseudo-random number from integers,
// so that behaviours give the same results on any number of threads.

/**
 * A deterministic pseudo-random number in [0, 1) from up to three integers (for example
 * entity id, frame and a stream number). Scripts that use it instead of Math.random give
 * the same results on any number of threads.
 */
export function hashRandom(a: number, b = 0, c = 0): number {
  let h =
    Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^
    Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
