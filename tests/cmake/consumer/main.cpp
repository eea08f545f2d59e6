// main.cpp — a C++ consumer of the installed package: a prototype and an
// object that inherits from it. Prints "cpp ok <version>".
#include <proto/runtime.h>
#include <proto/version.h>

#include <iostream>

int main() {
  proto::Runtime runtime;
  proto::AttachScope attach(runtime);
  proto::Thread& thread = attach.thread();
  proto::HandleScope handles(thread);
  proto::Symbol speed = runtime.symbol("speed");
  auto base = thread.newObject(nullptr, {{speed, proto::Value::number(2.5)}});
  auto entity = thread.newObject(base, {});
  if (proto::toNumber(thread.get(entity, speed)) != 2.5) return 1;
  std::cout << "cpp ok " << proto::version() << '\n';
  return 0;
}
