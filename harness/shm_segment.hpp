// Named POSIX shared memory, created so that it cannot leak or be hijacked.
//
// Names are "/<run id>-<sequence>-<purpose>", created O_CREAT|O_EXCL with mode
// 0600. The creator unlinks on destruction; code that only forks its peers
// should call unlink() as soon as the mapping exists (children inherit it), so
// not even SIGKILL of the whole run can leave the segment behind.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace primbench {

class SharedSegment {
 public:
  // Creates and maps a zero-filled segment of `bytes` bytes.
  static SharedSegment create(std::string_view purpose, std::size_t bytes);
  // Maps an existing segment by name (for peers started by exec).
  static SharedSegment open_existing(const std::string& name, std::size_t bytes);

  SharedSegment() = default;  // maps nothing
  SharedSegment(SharedSegment&& other) noexcept;
  SharedSegment& operator=(SharedSegment&& other) noexcept;
  SharedSegment(const SharedSegment&) = delete;
  SharedSegment& operator=(const SharedSegment&) = delete;
  ~SharedSegment();

  void* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& name() const { return name_; }
  bool linked() const { return linked_; }
  void unlink();  // idempotent; only the creating process unlinks

 private:
  void release() noexcept;

  std::string name_;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  bool linked_ = false;
  int owner_pid_ = 0;  // a forked copy of this object must not unlink the parent's name
};

// Unlinks every segment in /dev/shm whose name starts with `run_id`; returns
// how many. The supervisor's safety net after a crashed or killed child.
std::size_t sweep_segments(std::string_view run_id);

// Creates and removes one small segment, so that a run whose /dev/shm is full
// or unusable stops with one line (UsageError naming the cause) before it
// measures anything: every benchmark needs shared memory.
void check_shared_memory_usable();

// Fault injection for tests (docs/RELIABILITY.md): with
// PRIMBENCH_SHM_FAIL_AFTER=N in the environment, each process creates its
// first N segments as usual and every later create fails with ENOSPC, where a
// full /dev/shm fails (the reservation). 0: full from the start, the run's
// check_shared_memory_usable() fails; 1: the supervisor's check passes and
// /dev/shm "fills up" inside the benchmark processes.
inline constexpr const char* kShmFailAfterEnv = "PRIMBENCH_SHM_FAIL_AFTER";

}  // namespace primbench
