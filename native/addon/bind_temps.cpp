// bind_temps.cpp — temps.*: frame temporaries (temps.h), records and labels
// made in Proto and named by integer handles.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"

namespace proto_addon {

void TempArena::release(proto::Thread& thread) {
  for (std::size_t i = 0; i < used; ++i) thread.store(cells[i], proto::Value::nil());
  used = 0;
  epoch = (epoch + 1) % 1024;
}

double* TempArena::io(std::size_t slots, const char* fn) const {
  if (ioData == nullptr) typeError(std::string(fn) + ": no io array; call temps.io(array) first");
  if (ioLength < slots)
    rangeError(std::string(fn) + ": the io array holds " + std::to_string(ioLength) + " numbers, " +
               std::to_string(slots) + " needed");
  return ioData;
}

double TempArena::keep(proto::Thread& thread, proto::Value value, std::int32_t shape) {
  if (used == kMax) rangeError("a frame may make at most 1048576 temporaries");
  if (used == cells.size()) {
    const std::size_t grow = std::max<std::size_t>(1024, cells.size());
    for (std::size_t i = 0; i < grow; ++i) cells.push_back(thread.newCell(proto::Value::nil()));
    shapeOf.resize(cells.size(), -1);
  }
  thread.store(cells[used], value);
  shapeOf[used] = shape;
  return static_cast<double>((epoch << kIndexBits) | used++);
}

std::size_t TempArena::index(const Napi::Value& v, const char* fn) const {
  const std::uint64_t h = indexArg(v, std::string(fn) + ": handle", 2147483647.0);
  const std::size_t i = h & (kMax - 1);
  if ((h >> kIndexBits) != epoch || i >= used)
    rangeError(
        std::string(fn) + ": handle " + std::to_string(h) +
        " is not a temporary of this frame (temporaries end with their frame; keep() one to hold it longer)");
  return i;
}

namespace {

// io(array: Float64Array): the numbers temporaries are made from and read into.
Napi::Value Io(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.io");
  double* data = float64Arg(info[0], 8, "temps.io(array)");
  e.temps.ioRef = Napi::Persistent(info[0].As<Napi::Object>());
  e.temps.ioData = data;
  e.temps.ioLength = info[0].As<Napi::Float64Array>().ElementLength();
  return info.Env().Undefined();
}

// shape(names: string[]): number — a record shape (at most 8 numeric fields).
Napi::Value Shape(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.shape");
  if (!info[0].IsArray())
    typeError(std::string("temps.shape(names): expected an array, got ") + typeName(info[0]));
  Napi::Array names = info[0].As<Napi::Array>();
  if (names.Length() == 0 || names.Length() > 8)
    rangeError("temps.shape(names): a shape has 1 to 8 fields, got " + std::to_string(names.Length()));
  std::vector<proto::Symbol> shape;
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    Napi::Value n = names.Get(i);
    if (!n.IsString())
      typeError("temps.shape(names): names must be strings, got " + std::string(typeName(n)));
    shape.push_back(e.runtime().symbol(textArg(n, "temps.shape(names): a name")));
  }
  e.temps.shapes.push_back(std::move(shape));
  return Napi::Number::New(info.Env(), static_cast<double>(e.temps.shapes.size() - 1));
}

// record(shape): handle — an object of the shape's fields, from io[0..fields).
Napi::Value Record(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.record");
  const std::uint64_t shape = indexArg(info[0], "temps.record(shape): shape", 1e9);
  if (shape >= e.temps.shapes.size())
    rangeError("temps.record(shape): unknown shape " + std::to_string(shape));
  const std::vector<proto::Symbol>& names = e.temps.shapes[shape];
  const double* io = e.temps.io(names.size(), "temps.record(shape)");
  proto::Attribute attrs[8];
  for (std::size_t i = 0; i < names.size(); ++i)
    attrs[i] = proto::Attribute{names[i], proto::Value::number(io[i]), false};
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  proto::Local<proto::Object> object =
      inside.thread().newObject(nullptr, std::span<const proto::Attribute>(attrs, names.size()));
  return Napi::Number::New(info.Env(), e.temps.keep(inside.thread(), proto::objectValue(object.get()),
                                                    static_cast<std::int32_t>(shape)));
}

// read(handle): writes a record's fields into io[0..fields); returns how many.
Napi::Value Read(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.read");
  const std::size_t index = e.temps.index(info[0], "temps.read(handle)");
  const std::int32_t shape = e.temps.shapeOf[index];
  if (shape < 0) typeError("temps.read(handle): the temporary is a string, not a record");
  const std::vector<proto::Symbol>& names = e.temps.shapes[static_cast<std::size_t>(shape)];
  double* io = e.temps.io(names.size(), "temps.read(handle)");
  InsideRuntime inside(e);
  const proto::Object* object = proto::toObject(e.temps.cells[index].load());
  for (std::size_t i = 0; i < names.size(); ++i) {
    proto::Value v = inside.thread().get(object, names[i]);
    io[i] = v.isNumeric() ? v.toDoubleUnchecked() : std::nan("");
  }
  return Napi::Number::New(info.Env(), static_cast<double>(names.size()));
}

// text(text: string): number — a piece of text labels are made from (interned once).
Napi::Value Text(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.text");
  if (!info[0].IsString())
    typeError(std::string("temps.text(text): expected a string, got ") + typeName(info[0]));
  e.temps.texts.push_back(textArg(info[0], "temps.text(text): text"));
  return Napi::Number::New(info.Env(), static_cast<double>(e.temps.texts.size() - 1));
}

// label(text): handle — a Proto string: the text, then io[0] as JavaScript prints it
// ("hp: 37"), made without a JS string.
Napi::Value Label(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.label");
  const std::uint64_t text = indexArg(info[0], "temps.label(text): text", 1e9);
  if (text >= e.temps.texts.size()) rangeError("temps.label(text): unknown text " + std::to_string(text));
  const double* io = e.temps.io(1, "temps.label(text)");
  std::string label = e.temps.texts[text] + formatNumber(io[0]);
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  proto::Local<proto::String> s = proto::strings::fromUtf8(inside.thread(), label);
  return Napi::Number::New(info.Env(), e.temps.keep(inside.thread(), proto::strings::toValue(s.get()), -1));
}

// length(handle): a string temporary's length in code points.
Napi::Value Length(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.length");
  const std::size_t index = e.temps.index(info[0], "temps.length(handle)");
  if (e.temps.shapeOf[index] >= 0) typeError("temps.length(handle): the temporary is a record, not a string");
  const proto::String* s = proto::strings::fromValue(e.temps.cells[index].load());
  return Napi::Number::New(info.Env(), static_cast<double>(proto::strings::length(s)));
}

// keep(handle): number — a share token that keeps the temporary after its frame
// (open a record with objects.open(token); objects.unshare(token) drops it).
Napi::Value Keep(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "temps.keep");
  const std::size_t index = e.temps.index(info[0], "temps.keep(handle)");
  if (e.temps.shapeOf[index] < 0)
    typeError("temps.keep(handle): only records can be kept (strings: copy the text)");
  InsideRuntime inside(e);
  auto root = std::make_shared<proto::Persistent<proto::Object>>(
      inside.thread(), proto::toObject(e.temps.cells[index].load()));
  return Napi::Number::New(info.Env(), static_cast<double>(e.process().share(std::move(root))));
}

// release(): ends this environment's temporaries now (frames.end() does it for the
// thread that marks frames; a worker does it at the start of each frame's round).
Napi::Value Release(Environment& e, const Napi::CallbackInfo& info) {
  InsideRuntime inside(e);
  e.temps.release(inside.thread());
  return info.Env().Undefined();
}

// count(): temporaries made since the frame began.
Napi::Value Count(Environment& e, const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(e.temps.used));
}

}  // namespace

void defineTemps(Group& temps) {
  temps.add<Io, Shape, Record, Read, Text, Label, Length, Keep, Release, Count>(
      {"io", "shape", "record", "read", "text", "label", "length", "keep", "release", "count"});
}

}  // namespace proto_addon
