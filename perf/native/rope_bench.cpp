// rope_bench.cpp — strings and tuples: concat and slice on 1 MB / 1M-value
// inputs, insertion in the middle of 10 MB against std::string, chunk
// iteration throughput and tuple pushes. Metric ids: perf/README.md.
//
// Every operation runs on an attached thread inside a HandleScope that is
// renewed every kBatch iterations, so its results become garbage the
// background collector reclaims while the benchmark runs.
#include <benchmark/benchmark.h>
#include <proto/rope.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace strings = proto::strings;
namespace tuples = proto::tuples;
using proto::Value;

constexpr std::size_t kBatch = 1024;

// Reopens the thread's HandleScope every kBatch iterations.
class Batches {
 public:
  explicit Batches(proto::Thread& t) : t_(t) { scope_.emplace(t_); }
  void tick() {
    if (++n_ % kBatch == 0) {
      scope_.reset();
      scope_.emplace(t_);
    }
  }

 private:
  proto::Thread& t_;
  std::optional<proto::HandleScope> scope_;
  std::size_t n_ = 0;
};

std::uint64_t nextRandom(std::uint64_t& x) {
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x;
}

// Mostly ASCII text with a multi-byte character every so often, so code point
// indexing cannot take the all-ASCII shortcut.
std::string text(std::size_t bytes, std::uint64_t seed) {
  std::string s;
  s.reserve(bytes + 4);
  std::uint64_t x = seed | 1;
  while (s.size() < bytes) {
    std::uint64_t r = nextRandom(x);
    if (r % 64 == 0)
      s += "\xC3\xA9";  // é
    else if (r % 257 == 0)
      s += "\xF0\x9F\x98\x80";  // U+1F600
    else
      s += static_cast<char>('a' + r % 26);
  }
  return s;
}

void RopeConcat(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope keep(t);
  auto a = strings::fromUtf8(t, text(1 << 20, 1));
  auto b = strings::fromUtf8(t, text(1 << 20, 2));
  std::size_t expected = strings::length(a) + strings::length(b);
  Batches batches(t);
  bool flip = false;
  for (auto _ : state) {
    auto r = flip ? strings::concat(t, b, a) : strings::concat(t, a, b);
    benchmark::DoNotOptimize(r.get());
    if (strings::length(r) != expected) state.SkipWithError("wrong concat length");
    flip = !flip;
    batches.tick();
  }
}

void RopeSlice(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope keep(t);
  auto s = strings::fromUtf8(t, text(1 << 20, 3));
  std::size_t n = strings::length(s);
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::uint64_t x = 99;
  for (int i = 0; i < 1024; ++i) {
    std::size_t p = nextRandom(x) % n, q = nextRandom(x) % n;
    ranges.emplace_back(std::min(p, q), std::max(p, q));
  }
  Batches batches(t);
  std::size_t i = 0;
  for (auto _ : state) {
    auto [lo, hi] = ranges[i++ & 1023];
    auto r = strings::slice(t, s, lo, hi);
    benchmark::DoNotOptimize(r.get());
    if (strings::length(r) != hi - lo) state.SkipWithError("wrong slice length");
    batches.tick();
  }
}

void RopeInsertMid(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::Cell current;  // the growing string survives batch boundaries through this root
  {
    proto::HandleScope hs(t);
    current = t.newCell(strings::toValue(strings::fromUtf8(t, text(10 << 20, 4))));
  }
  proto::HandleScope keep(t);
  auto insert = strings::fromUtf8(t, "0123456789abcdef");
  std::optional<proto::HandleScope> batch;
  batch.emplace(t);
  const proto::String* s = strings::fromValue(current.load());
  const std::size_t initial = strings::byteLength(s);
  std::size_t n = 0;
  for (auto _ : state) {
    s = strings::insert(t, s, strings::length(s) / 2, insert);
    benchmark::DoNotOptimize(s);
    if (++n % kBatch == 0) {
      t.store(current, strings::toValue(s));
      batch.reset();
      batch.emplace(t);
    }
  }
  if (strings::byteLength(s) != initial + 16 * n) state.SkipWithError("wrong length after the inserts");
  batch.reset();
  t.freeCell(current);
}

void StdStringInsertMid(benchmark::State& state) {
  std::string base = text(10 << 20, 4);
  std::string s = base;
  const std::string insert = "0123456789abcdef";
  for (auto _ : state) {
    s.insert(s.size() / 2, insert);
    benchmark::DoNotOptimize(s.data());
    if (s.size() > base.size() + (1 << 20)) {
      state.PauseTiming();
      s = base;
      state.ResumeTiming();
    }
  }
}

void RopeIterate(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope keep(t);
  // Built by many appends, so the leaves are spread like those of a real edit history.
  const proto::String* s = strings::fromUtf8(t, "");
  std::string src = text(16 << 20, 5);
  for (std::size_t at = 0; at < src.size();) {
    std::size_t end = std::min(src.size(), at + (64 << 10));
    while (end < src.size() && (static_cast<unsigned char>(src[end]) & 0xC0) == 0x80)
      ++end;  // whole characters
    s = strings::concat(t, s, strings::fromUtf8(t, std::string_view(src).substr(at, end - at)));
    at = end;
  }
  std::size_t bytes = strings::byteLength(s), codePoints = strings::length(s);
  std::size_t total = 0;
  for (auto _ : state) {
    std::size_t count = 0;
    strings::forEachChunk(s, [&](std::string_view chunk) {
      std::size_t c = 0;  // code points: bytes that do not continue a sequence
      for (char ch : chunk) c += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
      count += c;
    });
    benchmark::DoNotOptimize(count);
    if (count != codePoints) state.SkipWithError("wrong code point count");
    total += bytes;
  }
  state.counters["value"] = benchmark::Counter(static_cast<double>(total) / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel("unit=GB/s");
}

std::vector<Value> numbers(std::size_t n, std::int32_t offset) {
  std::vector<Value> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(Value::integer(static_cast<std::int32_t>(i) + offset));
  return v;
}

void TupleConcat(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope keep(t);
  auto a = tuples::fromValues(t, numbers(1000000, 0));
  auto b = tuples::fromValues(t, numbers(1000000, 7));
  Batches batches(t);
  bool flip = false;
  for (auto _ : state) {
    auto r = flip ? tuples::concat(t, b, a) : tuples::concat(t, a, b);
    benchmark::DoNotOptimize(r.get());
    if (tuples::size(r) != 2000000) state.SkipWithError("wrong concat size");
    flip = !flip;
    batches.tick();
  }
}

void TupleSlice(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope keep(t);
  auto tup = tuples::fromValues(t, numbers(1000000, 0));
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::uint64_t x = 77;
  for (int i = 0; i < 1024; ++i) {
    std::size_t p = nextRandom(x) % 1000000, q = nextRandom(x) % 1000000;
    ranges.emplace_back(std::min(p, q), std::max(p, q));
  }
  Batches batches(t);
  std::size_t i = 0;
  for (auto _ : state) {
    auto [lo, hi] = ranges[i++ & 1023];
    auto r = tuples::slice(t, tup, lo, hi);
    benchmark::DoNotOptimize(r.get());
    if (tuples::size(r) != hi - lo) state.SkipWithError("wrong slice size");
    batches.tick();
  }
}

// Pushes at the back of a growing tuple (starting at 1M values): the
// amortized cost the deque root buys.
void TuplePushBack(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::Cell current;
  {
    proto::HandleScope hs(t);
    current = t.newCell(tuples::toValue(tuples::fromValues(t, numbers(1000000, 0))));
  }
  std::optional<proto::HandleScope> batch;
  batch.emplace(t);
  const proto::Tuple* tup = tuples::fromValue(current.load());
  std::int32_t n = 0;
  for (auto _ : state) {
    tup = tuples::pushBack(t, tup, Value::integer(n++));
    benchmark::DoNotOptimize(tup);
    if (n % static_cast<std::int32_t>(kBatch) == 0) {
      t.store(current, tuples::toValue(tup));
      batch.reset();
      batch.emplace(t);
    }
  }
  if (tuples::size(tup) != 1000000u + static_cast<std::size_t>(n)) state.SkipWithError("wrong size");
  batch.reset();
  t.freeCell(current);
}

}  // namespace

BENCHMARK(RopeConcat)->Name("native.rope.concat.1MB");
BENCHMARK(RopeSlice)->Name("native.rope.slice.1MB");
BENCHMARK(RopeInsertMid)->Name("native.rope.insert_mid.10MB");
BENCHMARK(StdStringInsertMid)->Name("native.std_string.insert_mid.10MB");
BENCHMARK(RopeIterate)->Name("native.rope.iterate")->Unit(benchmark::kMillisecond);
BENCHMARK(TupleConcat)->Name("native.tuple.concat.1M");
BENCHMARK(TupleSlice)->Name("native.tuple.slice.1M");
BENCHMARK(TuplePushBack)->Name("native.tuple.push_back.1M");

BENCHMARK_MAIN();
