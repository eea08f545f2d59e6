// hello.cpp — the smallest embedding of Proto: print the runtime's greeting.
#include <proto/version.h>

#include <iostream>

int main() {
  std::cout << proto::greeting() << '\n';
  return 0;
}
