// Google Benchmark 1.7.1 prints a non-finite number as a bare NaN or Infinity:
// the supervisor reads such a child's output, the value as null.
#include <gtest/gtest.h>

#include "harness/gbench_output.hpp"

namespace primbench {
namespace {

// What GB 1.7.1 wrote for the cv aggregate of a counter that was 0 in both repetitions.
constexpr const char* kCvOfAZeroCounter = R"({
  "context": {"host_name": "h"},
  "benchmarks": [
    {"name": "countdown/x_cv", "run_name": "countdown/x", "run_type": "aggregate", "aggregate_name": "cv",
     "real_time": 1.2e-02, "workers_sharing_a_core": NaN, "up": Infinity, "down": -Infinity, "neg": -NaN}
  ]
})";

TEST(GbenchOutput, NonFiniteNumbersAreReadAsNull) {
  const auto doc = parse_gbench_output(kCvOfAZeroCounter);
  const auto& cv = doc["benchmarks"][0];
  EXPECT_TRUE(cv["workers_sharing_a_core"].is_null());
  EXPECT_TRUE(cv["up"].is_null());
  EXPECT_TRUE(cv["down"].is_null());
  EXPECT_TRUE(cv["neg"].is_null());
  EXPECT_DOUBLE_EQ(cv["real_time"].get<double>(), 0.012) << "finite numbers are kept";
}

TEST(GbenchOutput, TheWordsInsideStringsAreKept) {
  const auto doc = parse_gbench_output(
      R"({"name": "NaN \"Infinity\" -NaN", "error_message": "value was NaN", "list": [NaN, 1, -Infinity]})");
  EXPECT_EQ(doc["name"], "NaN \"Infinity\" -NaN");
  EXPECT_EQ(doc["error_message"], "value was NaN");
  EXPECT_EQ(doc["list"], nlohmann::json::parse("[null, 1, null]"));
}

TEST(GbenchOutput, ATruncatedFileIsStillAnError) {
  EXPECT_THROW(parse_gbench_output(R"({"context": {}, "benchmarks": [{"name": "x", "real_time": 1)"),
               nlohmann::json::parse_error);
  EXPECT_THROW(parse_gbench_output(""), nlohmann::json::parse_error);
  EXPECT_THROW(parse_gbench_output("{\"x\": NaNa}"), nlohmann::json::parse_error);
}

}  // namespace
}  // namespace primbench
