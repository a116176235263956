#include "harness/run_identity.hpp"

#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace primbench {
namespace {

std::string make_run_id() {
  std::uint64_t random = 0;
  if (getrandom(&random, sizeof random, 0) != sizeof random) throw std::runtime_error("getrandom failed");
  return fmt::format("primbench-{}-{:016x}", getpid(), random);
}

std::string& current() {
  static std::string id = [] {
    const char* env = std::getenv(kRunIdEnv);
    return env && *env ? std::string(env) : make_run_id();
  }();
  return id;
}

}  // namespace

const std::string& run_id() { return current(); }

const std::string& start_new_run_id() {
  current() = make_run_id();
  setenv(kRunIdEnv, current().c_str(), 1);
  return current();
}

}  // namespace primbench
