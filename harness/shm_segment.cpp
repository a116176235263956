#include "harness/shm_segment.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "basics/errors.hpp"
#include "harness/run_identity.hpp"

namespace primbench {
namespace {

std::system_error shm_error(const std::string& what, const std::string& name) {
  return std::system_error(errno, std::generic_category(), fmt::format("{} '{}'", what, name));
}

void* map_fd(int fd, std::size_t bytes, const std::string& name) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw shm_error("mmap of shared memory", name);
  return p;
}

// PRIMBENCH_SHM_FAIL_AFTER (see the header): true when this create is to fail.
bool injected_shm_full() {
  static const long budget = [] {
    const char* env = std::getenv(kShmFailAfterEnv);
    if (env == nullptr || *env == '\0') return -1L;
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    return end && *end == '\0' && n >= 0 ? n : -1L;
  }();
  static std::atomic<long> created{0};
  return budget >= 0 && created.fetch_add(1) >= budget;
}

}  // namespace

SharedSegment SharedSegment::create(std::string_view purpose, std::size_t bytes) {
  static std::atomic<unsigned> sequence{0};
  SharedSegment seg;
  seg.name_ = fmt::format("/{}-{}-{}-{}", run_id(), getpid(), sequence++, purpose);
  seg.size_ = bytes;
  const int fd = shm_open(seg.name_.c_str(), O_CREAT | O_EXCL | O_RDWR, S_IRUSR | S_IWUSR);
  if (fd < 0) throw shm_error("cannot create shared memory", seg.name_);
  seg.linked_ = true;
  seg.owner_pid_ = getpid();
  // posix_fallocate, not ftruncate: a full /dev/shm must fail here with ENOSPC,
  // not later with SIGBUS inside a benchmark.
  const int err = injected_shm_full() ? ENOSPC : posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  if (err != 0) {
    close(fd);
    shm_unlink(seg.name_.c_str());
    seg.linked_ = false;
    errno = err;
    throw shm_error(fmt::format("cannot reserve {} bytes of shared memory", bytes), seg.name_);
  }
  try {
    seg.data_ = map_fd(fd, bytes, seg.name_);
  } catch (...) {
    close(fd);
    throw;  // ~SharedSegment unlinks
  }
  close(fd);
  return seg;
}

SharedSegment SharedSegment::open_existing(const std::string& name, std::size_t bytes) {
  SharedSegment seg;
  seg.name_ = name;
  seg.size_ = bytes;
  const int fd = shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) throw shm_error("cannot open shared memory", name);
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) < bytes) {
    close(fd);
    throw std::runtime_error(fmt::format("shared memory '{}' is smaller than {} bytes", name, bytes));
  }
  seg.data_ = map_fd(fd, bytes, name);
  close(fd);
  return seg;
}

SharedSegment::SharedSegment(SharedSegment&& o) noexcept { *this = std::move(o); }

SharedSegment& SharedSegment::operator=(SharedSegment&& o) noexcept {
  if (this != &o) {
    release();
    name_ = std::move(o.name_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    linked_ = std::exchange(o.linked_, false);
    owner_pid_ = std::exchange(o.owner_pid_, 0);
  }
  return *this;
}

SharedSegment::~SharedSegment() { release(); }

void SharedSegment::unlink() {
  if (linked_ && owner_pid_ == getpid()) shm_unlink(name_.c_str());
  linked_ = false;
}

void SharedSegment::release() noexcept {
  unlink();
  if (data_) munmap(data_, size_);
  data_ = nullptr;
}

std::size_t sweep_segments(std::string_view run_id) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
    const std::string file = entry.path().filename().string();
    if (run_id.empty() || file.rfind(run_id, 0) != 0) continue;
    if (shm_unlink(("/" + file).c_str()) == 0) ++removed;
  }
  return removed;
}

void check_shared_memory_usable() {
  try {
    SharedSegment probe = SharedSegment::create("preflight", 4096);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("shared memory (/dev/shm), which every benchmark needs, is not usable: {}", e.what()));
  }
}

}  // namespace primbench
