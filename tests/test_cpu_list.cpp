#include <gtest/gtest.h>

#include "harness/cpu_list.hpp"
#include "basics/errors.hpp"

namespace primbench {
namespace {

TEST(CpuList, FormatsRangesLikeTheKernel) {
  EXPECT_EQ(format_cpu_list({5, 0, 1, 2}), "0-2,5");
  EXPECT_EQ(format_cpu_list({3}), "3");
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({1, 1, 2}), "1-2");
}

TEST(CpuList, ParsesWhatItFormats) {
  const std::vector<unsigned> cpus{0, 1, 2, 5, 7, 8};
  EXPECT_EQ(parse_cpu_list(format_cpu_list(cpus)), cpus);
  EXPECT_EQ(parse_cpu_list("4"), (std::vector<unsigned>{4}));
}

TEST(CpuList, RejectsBadInputNamingIt) {
  for (const char* bad : {"", "a", "3-1", "1,,2", "1-", "-2", "1.5"}) {
    try {
      parse_cpu_list(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("CPU list"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace primbench
