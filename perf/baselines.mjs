// perf/baselines.mjs — which metric each metric is compared with, in the same run
// (the "baseline in the same run" of each id). ratio = value / baseline value.
// A benchmark may also name its baseline itself (native: label `baseline=ID`; JS:
// the metric's `baseline` field), which wins over this table.

/** @type {Readonly<Record<string, string>>} */
export const baselines = Object.freeze({
  "native.attr.hot.depth1": "native.attr.walk.depth1",
  "native.attr.hot.depth8": "native.attr.walk.depth8",
  "native.attr.hot.depth32": "native.attr.walk.depth32",
  "native.counter.shared.cas.threads2": "native.counter.shared.mutex.threads2",
  "native.counter.private.cas.threads2": "native.counter.private.mutex.threads2",
  "native.attr.pressure": "native.attr.floor.struct_chain",
  "native.rope.insert_mid.10MB": "native.std_string.insert_mid.10MB",
  "js.param.read": "js.plainobject.read",
  "js.object.get": "js.napi.noop",
  "js.behaviour.swarm.10k": "js.bitecs.swarm.10k",
  "js.behaviour.swarm.100k": "js.bitecs.swarm.100k",
  "js.workers.swarm.100k.w2": "js.behaviour.swarm.100k",
});
