// test_runtime.h — runtime settings the native tests share.
#pragma once

#include <proto/runtime.h>

#include <cstdlib>
#include <string>

namespace proto::testing {

// A runtime without the background collector: cycles run only through
// Runtime::collect() (or at every safepoint under PROTO_GC_STRESS=1).
inline RuntimeOptions quietOptions() {
  RuntimeOptions o;
  o.backgroundCollector = false;
  return o;
}

// True when the suite runs under GC stress (npm run test:native:stress).
inline bool gcStress() {
  const char* v = std::getenv("PROTO_GC_STRESS");
  return v && *v && std::string(v) != "0";
}

}  // namespace proto::testing
