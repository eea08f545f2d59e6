// perf/js/napi.bench.ts — the cost of crossing from JS into the addon:
// js.napi.noop is ns per call of proto.node's empty noop(), loop included;
// js.object.get is ns per ProtoObject.get(symbol) of an attribute inherited two
// levels up (entity -> walker -> mover), read through the runtime on every call
// (the fast read path: a slot id and a symbol id in, a kind and a number out;
// native/addon/bind_reads.cpp). Its baseline is noop in the same process, so
// noop is measured whenever js.object.get is.

import { type ProtoObject, Runtime } from "../../scripting/index.ts";
import { loadAddon } from "../../scripting/native.ts";
import { type BenchMetric, type BenchOptions, nsPerOp, wanted } from "./bench.ts";

export const ids = ["js.napi.noop", "js.object.get"] as const;

const ENTITIES = 1024;
let sink = 0;

function timing(quick: boolean) {
  return quick
    ? { opsPerRound: 200_000, rounds: 5, warmupRounds: 3 }
    : { opsPerRound: 2_000_000, rounds: 21, warmupRounds: 5 };
}

function noop(quick: boolean): number {
  const addon = loadAddon();
  return nsPerOp((count) => {
    for (let i = 0; i < count; i++) addon.noop();
  }, timing(quick));
}

function objectGet(quick: boolean): number {
  const runtime = new Runtime();
  const mover = runtime.object({ speed: 1.5, radius: 2 });
  const walker = mover.extend({ stride: 0.5 });
  const entities: ProtoObject[] = [];
  for (let i = 0; i < ENTITIES; i++) entities.push(walker.extend({ x: i }));
  const speed = runtime.symbol("speed");
  if (entities[0]?.get(speed) !== 1.5) throw new Error("js.object.get: the read is wrong");
  return nsPerOp((count) => {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += (entities[i & (ENTITIES - 1)] as ProtoObject).get(speed) as number;
    sink += sum;
  }, timing(quick));
}

export function run(options: BenchOptions): BenchMetric[] {
  const metrics: BenchMetric[] = [];
  const objectGetWanted = wanted("js.object.get", options);
  if (wanted("js.napi.noop", options) || objectGetWanted)
    metrics.push({ id: "js.napi.noop", value: noop(options.quick), unit: "ns/op", better: "lower" });
  if (objectGetWanted)
    metrics.push({ id: "js.object.get", value: objectGet(options.quick), unit: "ns/op", better: "lower" });
  if (sink === Number.MIN_VALUE) console.log(sink);
  return metrics;
}
