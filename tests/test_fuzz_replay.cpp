// Replays every committed fuzz input (fuzz/corpus/<target>/ and the inputs
// that once crashed, fuzz/crashes/<target>/) through its target in the
// ordinary builds, so a fixed finding stays fixed without clang or libFuzzer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The CLI target prints a "primbench: error: ..." line per rejected input:
// a thousand of them would bury a failure in the test log, whose tail is
// all a CI report keeps. The assertions report on stdout.
class StderrSilenced {
 public:
  StderrSilenced() : saved_(dup(STDERR_FILENO)) {
    const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) close(null);
  }
  ~StderrSilenced() {
    if (saved_ < 0) return;
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  StderrSilenced(const StderrSilenced&) = delete;
  StderrSilenced& operator=(const StderrSilenced&) = delete;

 private:
  int saved_;
};

class FuzzReplay : public ::testing::TestWithParam<fuzz::Target> {};

TEST_P(FuzzReplay, EveryCorpusAndCrashInputIsHandled) {
  const fuzz::Target& target = GetParam();
  const fs::path root = test::source_dir() / "fuzz";
  const auto corpus = inputs_of(root / "corpus" / target.name);
  EXPECT_GE(corpus.size(), 3u) << "fuzz/corpus/" << target.name << " needs seeds";
  auto all = corpus;
  const auto crashes = inputs_of(root / "crashes" / target.name);
  all.insert(all.end(), crashes.begin(), crashes.end());
  const StderrSilenced quiet;
  for (const fs::path& file : all) {
    const auto data = bytes_of(file);
    EXPECT_NO_THROW(target.run({data.data(), data.size()})) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(fuzz::kTargets),
                         [](const ::testing::TestParamInfo<fuzz::Target>& param) { return std::string(param.param.name); });

// The targets reject bad input the way the CLI does, without escaping.
TEST(FuzzTargets, BadInputIsRejectedNotThrown) {
  const std::string garbage = "{\"benchmarks\": [";
  const std::vector<std::uint8_t> bytes(garbage.begin(), garbage.end());
  const StderrSilenced quiet;
  for (const fuzz::Target& t : fuzz::kTargets) EXPECT_NO_THROW(t.run({bytes.data(), bytes.size()})) << t.name;
  const std::string huge = "pack:1000 core:1000 pu:1000";
  EXPECT_NO_THROW(fuzz::synthetic_topology({reinterpret_cast<const std::uint8_t*>(huge.data()), huge.size()}));
}

}  // namespace
}  // namespace primbench
