// demos/host/behaviours/heavy.ts — the heavy soak's game (perf/README.md, js.frame.heavy.*):
// the demo swarm (demos/host/behaviours/swarm.ts, same scripts, names and parameters) plus
// the temporaries real games make every frame. Per entity per frame, a short-lived vector
// (even ids: a steering vector, made and read back) or an event record (odd ids: made and
// queued; the queue is handled, every record read, and emptied every 256 events); for one
// entity in ten, a label such as "hp: 37" whose length is read.
//
// The temporaries are made in the scripts' commit hook, after every update: the swarm's
// update runs exactly as in the swarm game, and the two stay small enough for V8 to
// optimise each whole (one function doing both is too big to inline its helpers, and its
// doubles end up boxed).
//
// Written both ways, chosen by the world's globals[H.TEMPS]:
// - 0, as JavaScript lets any script write them: object literals and a template string,
//   which are V8 garbage (what the plain-JS simulation's heavy game does too);
// - 1, with frame temporaries (ctx.temps, scripting/temps.ts): the same data in Proto's
//   heap through integer handles, which V8 never sees as objects.
import { type BehaviourContext, defineBehaviour } from "../../../engine-bridge/index.ts";
import { Body, bullet as swarmBullet, seeker as swarmSeeker, wanderer as swarmWanderer } from "./swarm.ts";

export { Body, G, Timer } from "./swarm.ts";

/** Slots of the world's globals the heavy game reads (after the swarm's). */
export const H = { TEMPS: 8 } as const;

/** A vector, as a game written in plain JS makes one. */
interface Vector {
  x: number;
  y: number;
}

/** An event record, as a game written in plain JS queues one. */
interface GameEvent {
  kind: number;
  from: number;
  amount: number;
}

/** Per world and thread (keyed by ctx): the frame's event queue and what handlers add up. */
interface HeavyState {
  frame: number;
  /** JS way: the frame's events (cleared when the next frame begins). */
  events: GameEvent[];
  /** Temps way: the frame's event handles. */
  handles: Int32Array;
  handleCount: number;
  /** The last vector and label made (what a game would hand on). */
  lastVector: Vector | undefined;
  lastLabel: string;
  /** What the handlers read, summed (keeps every temporary used). */
  sum: number;
  vec: number;
  event: number;
  hp: number;
  /** The Body velocity columns of this thread. */
  vx: Float64Array;
  vy: Float64Array;
}

const states = new WeakMap<BehaviourContext, HeavyState>();

/** Events are queued and handled in batches of this many (the queue is then emptied). */
const DISPATCH = 256;

function stateOf(ctx: BehaviourContext): HeavyState {
  let s = states.get(ctx);
  if (s === undefined) {
    const temps = ctx.temps;
    s = {
      frame: -1,
      events: [],
      handles: new Int32Array(DISPATCH),
      handleCount: 0,
      lastVector: undefined,
      lastLabel: "",
      sum: 0,
      vec: temps.shape("x", "y"),
      event: temps.shape("kind", "from", "amount"),
      hp: temps.text("hp: "),
      vx: ctx.store(Body).vx,
      vy: ctx.store(Body).vy,
    };
    states.set(ctx, s);
  }
  if (s.frame !== ctx.frame) {
    s.frame = ctx.frame;
    s.events.length = 0;
    s.handleCount = 0;
  }
  return s;
}

/** The JS way: object literals and a template string (V8 garbage). */
function temporariesInJs(s: HeavyState, eid: number, hp: number): void {
  const vx = s.vx[eid] as number;
  const vy = s.vy[eid] as number;
  if ((eid & 1) === 0) {
    const v: Vector = { x: vx * 0.5, y: vy * 0.5 };
    s.lastVector = v;
    s.sum += v.x + v.y;
  } else {
    const e: GameEvent = { kind: 1, from: eid, amount: hp };
    const events = s.events;
    events.push(e);
    if (events.length === DISPATCH) {
      for (let i = 0; i < DISPATCH; i++) s.sum += (events[i] as GameEvent).amount;
      events.length = 0;
    }
  }
  if (eid % 10 === 0) {
    const label = `hp: ${hp}`;
    s.lastLabel = label;
    s.sum += label.length;
  }
}

/** The Proto way: frame temporaries through integer handles (no V8 garbage). */
function temporariesInProto(s: HeavyState, ctx: BehaviourContext, eid: number, hp: number): void {
  const vx = s.vx[eid] as number;
  const vy = s.vy[eid] as number;
  const temps = ctx.temps;
  const io = temps.io;
  if ((eid & 1) === 0) {
    io[0] = vx * 0.5;
    io[1] = vy * 0.5;
    const v = temps.record(s.vec);
    temps.read(v);
    s.sum += (io[0] as number) + (io[1] as number);
  } else {
    io[0] = 1;
    io[1] = eid;
    io[2] = hp;
    s.handles[s.handleCount++] = temps.record(s.event);
    if (s.handleCount === DISPATCH) {
      for (let i = 0; i < DISPATCH; i++) {
        temps.read(s.handles[i] as number);
        s.sum += io[2] as number;
      }
      s.handleCount = 0;
    }
  }
  if (eid % 10 === 0) s.sum += temps.length(temps.label(s.hp, hp));
}

// Passes the entity's id, and each helper reads the velocity from the columns itself: a
// double passed to a call (or returned by an accessor) that V8 does not inline is boxed on
// its heap, and whether V8 inlines a call changes with the code around it.
function temporaries(eid: number, ctx: BehaviourContext): void {
  const s = stateOf(ctx);
  const hp = (eid * 7 + ctx.frame) % 100;
  if (ctx.globals[H.TEMPS] === 1) temporariesInProto(s, ctx, eid, hp);
  else temporariesInJs(s, eid, hp);
}

/** The swarm's wanderer, plus its temporaries (in commit). */
export const wanderer = defineBehaviour({
  name: "wanderer",
  uses: swarmWanderer.uses,
  params: swarmWanderer.params,
  update: swarmWanderer.hooks.update as never,
  commit(self, _dt, ctx) {
    temporaries(self.eid, ctx);
  },
});

/** The swarm's seeker, plus its temporaries. */
export const seeker = defineBehaviour({
  name: "seeker",
  uses: swarmSeeker.uses,
  params: swarmSeeker.params,
  prepare: swarmSeeker.hooks.prepare as never,
  update: swarmSeeker.hooks.update as never,
  commit(self, _dt, ctx) {
    temporaries(self.eid, ctx);
  },
});

/** The swarm's bullet, plus its temporaries. */
export const bullet = defineBehaviour({
  name: "bullet",
  uses: swarmBullet.uses,
  recycle: true,
  update: swarmBullet.hooks.update as never,
  commit(self, _dt, ctx) {
    temporaries(self.eid, ctx);
  },
});
