// Shared-memory segments: unique, owner-only, exclusive, and never left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "harness/run_identity.hpp"
#include "harness/shm_segment.hpp"

namespace primbench {
namespace {

bool exists_in_dev_shm(const std::string& name) { return std::filesystem::exists("/dev/shm" + name); }

TEST(SharedSegment, CreatedOwnerOnlyWithTheRunIdAndZeroed) {
  SharedSegment seg = SharedSegment::create("test", 4096);
  EXPECT_EQ(seg.name().rfind("/" + run_id(), 0), 0u) << seg.name();
  struct stat st {};
  ASSERT_EQ(stat(("/dev/shm" + seg.name()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, getuid());
  const auto* bytes = static_cast<const unsigned char*>(seg.data());
  for (std::size_t i = 0; i < seg.size(); ++i) ASSERT_EQ(bytes[i], 0);
}

TEST(SharedSegment, NamesAreExclusive) {
  SharedSegment seg = SharedSegment::create("test", 64);
  const int fd = shm_open(seg.name().c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, EEXIST);
  SharedSegment other = SharedSegment::create("test", 64);
  EXPECT_NE(seg.name(), other.name());
}

TEST(SharedSegment, UnlinkedOnDestructionAndOnRequest) {
  std::string name;
  {
    SharedSegment seg = SharedSegment::create("test", 64);
    name = seg.name();
    EXPECT_TRUE(exists_in_dev_shm(name));
  }
  EXPECT_FALSE(exists_in_dev_shm(name));
  SharedSegment early = SharedSegment::create("test", 64);
  early.unlink();
  EXPECT_FALSE(exists_in_dev_shm(early.name()));
  static_cast<char*>(early.data())[0] = 1;  // still mapped and usable
}

TEST(SharedSegment, OpenExistingSeesTheSameBytes) {
  SharedSegment seg = SharedSegment::create("test", 128);
  static_cast<char*>(seg.data())[5] = 42;
  SharedSegment peer = SharedSegment::open_existing(seg.name(), 128);
  EXPECT_EQ(static_cast<char*>(peer.data())[5], 42);
  EXPECT_THROW(SharedSegment::open_existing(seg.name(), 1 << 20), std::runtime_error);
}

TEST(SharedSegment, SweepRemovesOnlyThisRunsSegments) {
  const std::string foreign = "/primbench-someone-else-test";
  const int fd = shm_open(foreign.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  SharedSegment seg = SharedSegment::create("test", 64);
  EXPECT_GE(sweep_segments(run_id()), 1u);
  EXPECT_FALSE(exists_in_dev_shm(seg.name()));
  EXPECT_TRUE(exists_in_dev_shm(foreign));
  shm_unlink(foreign.c_str());
}

}  // namespace
}  // namespace primbench
