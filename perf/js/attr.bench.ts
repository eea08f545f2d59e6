// perf/js/attr.bench.ts — js.param.read (was js.attr.read): ns per read of a behaviour parameter
// (inherited two levels up: entity -> behaviour -> parent behaviour) through
// `self` as a hook sees it (the runner's cursor over the parameter column), against
// js.plainobject.read: the same read from a plain JS object with the same prototype
// chain. Both loops walk 1 024 entities so the read cannot be hoisted out of the loop.
import { BridgeWorld, defineBehaviour, defineComponent } from "../../engine-bridge/index.ts";
import { type BenchMetric, type BenchOptions, nsPerOp, wanted } from "./bench.ts";

export const ids = ["js.param.read", "js.plainobject.read"] as const;

const ENTITIES = 1024;
let sink = 0;

function timing(quick: boolean) {
  return quick
    ? { opsPerRound: 1_000_000, rounds: 5, warmupRounds: 3 }
    : { opsPerRound: 10_000_000, rounds: 21, warmupRounds: 5 };
}

function attrRead(quick: boolean): number {
  const world = new BridgeWorld({ capacity: ENTITIES });
  const Spot = defineComponent("Spot", { x: "f64" });
  const Base = defineBehaviour({ name: "mover", uses: [Spot], params: { speed: 1.5, radius: 2 } });
  const Walker = defineBehaviour({ name: "walker", extends: Base, params: { stride: 0.5 } });
  world.addBehaviour(Walker);
  for (let i = 0; i < ENTITIES; i++) world.spawn(Walker);
  const id = world.behaviours.entry(Walker, "attr.bench").id;
  const self = world.runner.behaviour(id)?.cursor as { eid: number; speed: number };
  const ns = nsPerOp((count) => {
    let sum = 0;
    for (let i = 0; i < count; i++) {
      self.eid = (i & (ENTITIES - 1)) + 1;
      sum += self.speed;
    }
    sink += sum;
  }, timing(quick));
  world.clear();
  return ns;
}

function plainRead(quick: boolean): number {
  const base = { speed: 1.5, radius: 2 };
  const walker = Object.create(base) as { speed: number; radius: number; stride: number };
  walker.stride = 0.5;
  const objects: { speed: number; x: number }[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    const o = Object.create(walker) as { speed: number; x: number };
    o.x = 0;
    objects.push(o);
  }
  return nsPerOp((count) => {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += (objects[i & (ENTITIES - 1)] as { speed: number }).speed;
    sink += sum;
  }, timing(quick));
}

export function run(options: BenchOptions): BenchMetric[] {
  const metrics: BenchMetric[] = [];
  if (wanted("js.plainobject.read", options))
    metrics.push({
      id: "js.plainobject.read",
      value: plainRead(options.quick),
      unit: "ns/op",
      better: "lower",
    });
  if (wanted("js.param.read", options))
    metrics.push({ id: "js.param.read", value: attrRead(options.quick), unit: "ns/op", better: "lower" });
  if (sink === Number.MIN_VALUE) console.log(sink);
  return metrics;
}
