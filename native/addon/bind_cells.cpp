// bind_cells.cpp — cells.*: numeric columns, contiguous typed blocks of the
// mutability table that JavaScript views as ArrayBuffers with no copy. A
// block lives while any view of it does (SharedBlock, process_runtime.h).
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "bindings.h"
#include "convert.h"
#include "errors.h"

namespace proto_addon {
namespace {

// The finalize hint of a column's ArrayBuffer: one reference to the block.
// While the buffer is being made it has two owners, the making call and
// Node's finalizer, and whichever lets go last deletes it. That matters when
// making the buffer fails: Node then calls the finalizer anyway (now, or —
// Node 20 — later from an immediate) or never (a pending exception, an
// environment that cannot run JS), so the making call cannot know whether
// the hint is still to be finalized. It drops the block reference at once
// (the block is retired exactly once, when its last reference goes) and
// leaves the empty hint to the finalizer if one is still to come. (node-addon-
// api's ArrayBuffer::New deleted its own finalizer data on failure while
// Node still ran the finalizer on it later: a double free.)
struct ColumnView {
  explicit ColumnView(std::shared_ptr<SharedBlock> b) : block(std::move(b)) {}
  std::shared_ptr<SharedBlock> block;
  std::atomic<int> owners{2};
  static void release(ColumnView* view) {
    view->block.reset();
    if (view->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete view;
  }
};

Napi::Value columnBuffer(Napi::Env env, const std::shared_ptr<SharedBlock>& block) {
  auto* view = new ColumnView(block);
  napi_value buffer = nullptr;
  napi_status status = napi_create_external_arraybuffer(
      env, block->block.data, block->block.bytes,
      [](napi_env, void*, void* hint) { ColumnView::release(static_cast<ColumnView*>(hint)); }, view,
      &buffer);
  if (status == napi_ok) {
    view->owners.fetch_sub(1, std::memory_order_acq_rel);  // the finalizer owns it now
    return Napi::Value(env, buffer);
  }
  ColumnView::release(view);
  std::string reason = takePendingExceptionMessage(env);
  rangeError("could not make an ArrayBuffer of " + std::to_string(block->block.bytes) +
             " bytes over the column" + (reason.empty() ? std::string() : " (" + reason + ")"));
}

// newColumn(type: "f64"|"f32"|"i32"|"u32"|"u8", count): ArrayBuffer over a
// fresh zeroed numeric block.
Napi::Value NewColumn(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "cells.newColumn");
  if (!info[0].IsString()) typeError(std::string("a column type must be a string, got ") + typeName(info[0]));
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::optional<proto::NumericType> type = columnTypeFromName(name);
  if (!type) typeError("unknown column type '" + name + "' (use f64, f32, i32, u32 or u8)");
  std::uint64_t count = indexArg(info[1], "column length", 2147483648.0);
  if (count == 0) rangeError("column length must be at least 1");
  const double size = static_cast<double>(proto::numericTypeSize(*type));
  if (static_cast<double>(count) * size > e.maxArrayBufferBytes)
    rangeError("cells.newColumn(type, count): expected count ≤ " +
               formatNumber(std::floor(e.maxArrayBufferBytes / size)) + " for " + name + " (" +
               formatNumber(size) + " bytes each; the largest ArrayBuffer this platform allows is " +
               formatNumber(e.maxArrayBufferBytes) + " bytes), got " +
               formatNumber(static_cast<double>(count)));
  InsideRuntime inside(e);
  proto::NumericBlock raw = inside.thread().newNumericBlock(*type, count);
  std::shared_ptr<SharedBlock> block;
  try {
    block = std::make_shared<SharedBlock>(raw);
  } catch (...) {
    inside.thread().freeNumericBlock(raw);
    throw;
  }
  e.process().registerBlock(block);
  return columnBuffer(info.Env(), block);
}

// shareColumn(buffer: ArrayBuffer): number — a token for a column's block.
Napi::Value ShareColumn(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "cells.shareColumn");
  if (!info[0].IsArrayBuffer())
    typeError(std::string("cells.shareColumn() expects a column's ArrayBuffer, got ") + typeName(info[0]));
  std::shared_ptr<SharedBlock> block = e.process().blockAt(info[0].As<Napi::ArrayBuffer>().Data());
  if (!block) typeError("this ArrayBuffer is not a Proto column (make columns with cells.newColumn)");
  return Napi::Number::New(info.Env(), static_cast<double>(e.process().share(block)));
}

// openColumn(token): [ArrayBuffer, type] — another view of a shared column.
Napi::Value OpenColumn(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "cells.openColumn");
  std::optional<SharedEntry> entry = sharedArg(e, info[0]);
  auto* block = std::get_if<std::shared_ptr<SharedBlock>>(&*entry);
  if (!block) typeError("share token " + info[0].ToString().Utf8Value() + " names an object, not a column");
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, columnBuffer(env, *block));
  out.Set(1u, Napi::String::New(env, proto::numericTypeName((*block)->block.type)));
  return out;
}

}  // namespace

void defineCells(Group& cells) {
  cells.add<NewColumn, ShareColumn, OpenColumn>({"newColumn", "shareColumn", "openColumn"});
}

}  // namespace proto_addon
