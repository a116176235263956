// The libFuzzer entry point of one target, chosen at compile time
// (PRIMBENCH_FUZZ_TARGET, see scripts/fuzz.sh).
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz/fuzz_targets.hpp"

#ifndef PRIMBENCH_FUZZ_TARGET
#error "define PRIMBENCH_FUZZ_TARGET to one of the names in fuzz/fuzz_targets.hpp"
#endif

namespace {

const primbench::fuzz::Target& target() {
  static const primbench::fuzz::Target* chosen = [] {
    for (const auto& t : primbench::fuzz::kTargets)
      if (t.name == PRIMBENCH_FUZZ_TARGET) return &t;
    std::fprintf(stderr, "no fuzz target named %s\n", PRIMBENCH_FUZZ_TARGET);
    std::abort();
  }();
  return *chosen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  target().run({data, size});
  return 0;
}
