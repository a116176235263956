// Running a helper program to completion: its input in, both streams back,
// a runaway stopped, and a program that is not installed is an answer, not an
// exception.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "harness/program_output.hpp"

namespace primbench {
namespace {

TEST(ProgramOutput, InputGoesInAndBothStreamsComeBack) {
  const auto r = run_program({"sh", "-c", "tr a-z A-Z; echo warning >&2; exit 3"}, "hello\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out, "HELLO\n");
  EXPECT_EQ(r->err, "warning\n");
  EXPECT_EQ(r->exit_status, 3);
}

TEST(ProgramOutput, LargeOutputOnBothStreamsDoesNotBlock) {
  // More than a pipe holds (64 KiB) on each stream: files, not pipes, take it.
  const auto r = run_program({"sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"}, "");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out.size(), 300000u);
  EXPECT_EQ(r->err.size(), 300000u);
}

TEST(ProgramOutput, AProgramPastItsLimitsIsStopped) {
  const auto endless = run_program({"yes"}, "", {std::chrono::seconds(10), 4096});
  ASSERT_TRUE(endless.has_value());
  EXPECT_NE(endless->stopped.find("more than 4096 bytes"), std::string::npos) << endless->stopped;
  EXPECT_LE(endless->out.size(), 4096u);
  const auto slow = run_program({"sleep", "10"}, "", {std::chrono::milliseconds(50), 4096});
  ASSERT_TRUE(slow.has_value());
  EXPECT_NE(slow->stopped.find("ran past"), std::string::npos) << slow->stopped;
  EXPECT_EQ(slow->exit_status, -1);
}

TEST(ProgramOutput, AProgramThatIsNotInstalledIsNoOutput) {
  EXPECT_FALSE(run_program({"primbench-no-such-program"}, "").has_value());
}

}  // namespace
}  // namespace primbench
