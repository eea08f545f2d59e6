// hello.cpp — the smallest embedding of Proto: a runtime, an attached thread,
// a prototype with a greeting, and an object that inherits it.
#include <proto/runtime.h>

#include <iostream>

int main() {
  proto::Runtime runtime;
  proto::AttachScope attach(runtime);
  proto::Thread& thread = attach.thread();
  proto::HandleScope handles(thread);

  proto::Symbol greeting = runtime.symbol("greeting");
  auto base = thread.newObject(nullptr, {{greeting, proto::Value::symbol(runtime.symbol("Hello, Proto!"))}});
  auto greeter = thread.newObject(base, {});  // inherits `greeting`

  proto::Value v = thread.get(greeter, greeting);
  std::cout << runtime.symbolName(proto::toSymbol(v)) << '\n';
  return 0;
}
