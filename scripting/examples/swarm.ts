// scripting/examples/swarm.ts — the swarm workload (perf/README.md): each
// entity seeks a target, keeps away from its nearest neighbours found through a
// uniform grid, limits its speed and integrates its position.
//
// The math lives here once, as plain functions over typed arrays, so the
// scripted behaviour (defineSwarm) and the hand-written bitECS system in
// perf/js/swarm.bench.ts do exactly the same work per entity.

/** Neighbours considered for separation: the first this many found within the radius. */
export const MAX_NEIGHBOURS = 8;

/** A uniform grid over a square world, rebuilt every frame by counting sort. */
export interface SwarmGrid {
  readonly worldSize: number;
  readonly cellSize: number;
  /** Cells per side. */
  readonly side: number;
  /** start[c]..start[c+1] indexes `items` for cell c. */
  readonly start: Int32Array;
  /** Entity ids sorted by cell. */
  readonly items: Int32Array;
  /** Scratch for the fill pass. */
  readonly cursor: Int32Array;
}

/** What the steering reads besides the entity itself. */
export interface SwarmWorld {
  readonly grid: SwarmGrid;
  /** Positions of every entity, indexed by entity id (slot or eid). */
  xs: Float64Array;
  ys: Float64Array;
  /** The target every entity seeks. */
  targetX: number;
  targetY: number;
}

/** A grid for `capacity` entities on a worldSize × worldSize square. */
export function createGrid(worldSize: number, cellSize: number, capacity: number): SwarmGrid {
  const side = Math.max(1, Math.ceil(worldSize / cellSize));
  return {
    worldSize,
    cellSize,
    side,
    start: new Int32Array(side * side + 1),
    items: new Int32Array(capacity),
    cursor: new Int32Array(side * side),
  };
}

function cellOf(grid: SwarmGrid, x: number, y: number): number {
  const side = grid.side;
  let cx = Math.floor(x / grid.cellSize);
  let cy = Math.floor(y / grid.cellSize);
  cx = cx < 0 ? 0 : cx >= side ? side - 1 : cx;
  cy = cy < 0 ? 0 : cy >= side ? side - 1 : cy;
  return cy * side + cx;
}

/** Sorts the `count` entities of `ids` into the grid's cells by position. */
export function buildGrid(
  grid: SwarmGrid,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  ids: ArrayLike<number>,
  count: number,
): void {
  const { start, items, cursor } = grid;
  start.fill(0);
  for (let k = 0; k < count; k++) {
    const id = ids[k] as number;
    const c = cellOf(grid, xs[id] as number, ys[id] as number) + 1;
    start[c] = (start[c] as number) + 1;
  }
  const cells = grid.side * grid.side;
  for (let c = 0; c < cells; c++) {
    start[c + 1] = (start[c + 1] as number) + (start[c] as number);
    cursor[c] = start[c] as number;
  }
  for (let k = 0; k < count; k++) {
    const id = ids[k] as number;
    const c = cellOf(grid, xs[id] as number, ys[id] as number);
    const at = cursor[c] as number;
    items[at] = id;
    cursor[c] = at + 1;
  }
}

/**
 * The neighbour search: the sum of (offset / distance²) from entity `id` (at xs[id],
 * ys[id]) to the first MAX_NEIGHBOURS other entities of the grid closer than `radius`,
 * written to out[0] and out[1]. Scaled by speed × radius, it is the swarm's separation push
 * (the demo's seekers, both of its simulations, and the benchmark's swarm all use it). The
 * position is read here, not passed: a double passed to a call that is not inlined is boxed,
 * a heap number per call.
 */
export function separation(
  grid: SwarmGrid,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  id: number,
  radius: number,
  out: Float64Array,
): void {
  const x = xs[id] as number;
  const y = ys[id] as number;
  const { start, items, side, cellSize } = grid;
  const r2 = radius * radius;
  const cx0 = Math.max(0, Math.floor((x - radius) / cellSize));
  const cy0 = Math.max(0, Math.floor((y - radius) / cellSize));
  const cx1 = Math.min(side - 1, Math.floor((x + radius) / cellSize));
  const cy1 = Math.min(side - 1, Math.floor((y + radius) / cellSize));
  let sx = 0;
  let sy = 0;
  let found = 0;
  for (let cy = cy0; cy <= cy1 && found < MAX_NEIGHBOURS; cy++) {
    for (let cx = cx0; cx <= cx1 && found < MAX_NEIGHBOURS; cx++) {
      const c = cy * side + cx;
      const end = start[c + 1] as number;
      for (let k = start[c] as number; k < end; k++) {
        const j = items[k] as number;
        if (j === id) continue;
        const ox = x - (xs[j] as number);
        const oy = y - (ys[j] as number);
        const dist2 = ox * ox + oy * oy;
        if (dist2 >= r2 || dist2 === 0) continue;
        sx += ox / dist2;
        sy += oy / dist2;
        if (++found === MAX_NEIGHBOURS) break;
      }
    }
  }
  out[0] = sx;
  out[1] = sy;
}

/**
 * One entity's step. Reads its position (x, y), velocity (vx, vy) and
 * parameters (speed, radius); writes the new x, y, vx, vy to out[0..3].
 */
export function steer(
  id: number,
  x: number,
  y: number,
  vx: number,
  vy: number,
  speed: number,
  radius: number,
  world: SwarmWorld,
  dt: number,
  out: Float64Array,
): void {
  // Seek: steer towards the target at full speed.
  const dx = world.targetX - x;
  const dy = world.targetY - y;
  const d = Math.sqrt(dx * dx + dy * dy) + 1e-9;
  let ax = (dx / d) * speed - vx;
  let ay = (dy / d) * speed - vy;

  // Separation: push away from the nearest neighbours within the radius.
  separation(world.grid, world.xs, world.ys, id, radius, out);
  ax += (out[0] as number) * speed * radius;
  ay += (out[1] as number) * speed * radius;

  // Integrate velocity, limit speed, integrate position (stay in the world).
  let nvx = vx + ax * dt;
  let nvy = vy + ay * dt;
  const v2 = nvx * nvx + nvy * nvy;
  if (v2 > speed * speed) {
    const k = speed / Math.sqrt(v2);
    nvx *= k;
    nvy *= k;
  }
  const size = world.grid.worldSize;
  const nx = Math.min(Math.max(x + nvx * dt, 0), size);
  const ny = Math.min(Math.max(y + nvy * dt, 0), size);
  out[0] = nx;
  out[1] = ny;
  out[2] = nvx;
  out[3] = nvy;
}

/** Where entity `i` of `count` starts: a deterministic scatter over the world. */
export function startPosition(i: number, worldSize: number): [number, number] {
  const golden = 0.6180339887498949;
  return [((i * golden) % 1) * worldSize, ((i * golden * golden * 7.31) % 1) * worldSize];
}

/** The swarm's parameter defaults (inherited from the behaviour prototype). */
export const SWARM_PARAMS = { speed: 60, radius: 8 } as const;

/** Every tenth entity overrides its speed with this. */
export const SWARM_FAST_SPEED = 90;

/** The side of the square world for `count` entities (constant density). */
export function swarmWorldSize(count: number): number {
  return Math.sqrt(count) * 8;
}

/** Moves the target along a circle; both implementations call it once per frame. */
export function moveTarget(world: SwarmWorld, frame: number): void {
  const half = world.grid.worldSize / 2;
  world.targetX = half + Math.cos(frame * 0.01) * half * 0.5;
  world.targetY = half + Math.sin(frame * 0.01) * half * 0.5;
}
