// The locks under test, behind one small interface so that the measuring code
// (contended.hpp, wakeup.hpp, uncontended in bench_glue.hpp) is written once.
//
// Every adapter has
//   kName            its name in benchmark names
//   kProcessShared   whether it can work between processes in shared memory;
//                    the std:: locks cannot (no process-shared attribute
//                    exists for them), so only their threads entries exist
//   init(process_shared), destroy()
//                    called by the parent on the zero-filled object it
//                    placement-constructed, before any worker starts and
//                    after all have finished
//   lock(), unlock()
// Reader-writer adapters add kReadPercent, lock_shared() and unlock_shared().
#pragma once

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <system_error>

#include "benches/locks/futex_lock.hpp"
#include "benches/locks/pthread_support.hpp"
#include "benches/locks/ticket_lock.hpp"
#include "benches/locks/ttas_spinlock.hpp"
#include "harness/run_identity.hpp"

namespace primbench::locks {

// For the locks that need no setup: plain atomics, valid when zero-filled.
struct NoSetup {
  static constexpr bool kProcessShared = true;
  void init(bool /*process_shared*/) {}
  void destroy() {}
};

// std:: locks: constructed by placement new, threads only.
struct ThreadsOnlySetup {
  static constexpr bool kProcessShared = false;
  void init(bool /*process_shared*/) {}
  void destroy() {}
};

struct StdMutexLock : ThreadsOnlySetup {
  static constexpr std::string_view kName = "std_mutex";
  void lock() { mutex.lock(); }
  void unlock() { mutex.unlock(); }
  std::mutex mutex;
};

// std::recursive_mutex taken `Depth` times per acquisition: the cost of
// re-entering a lock the thread already holds (the `RLock` pattern).
template <unsigned Depth>
struct RecursiveMutexLock : ThreadsOnlySetup {
  static_assert(Depth >= 1);
  static constexpr std::string_view kName = Depth == 1 ? "recursive_mutex_depth1" : "recursive_mutex_depth4";
  static_assert(Depth == 1 || Depth == 4, "add a name for this depth");
  void lock() {
    for (unsigned i = 0; i < Depth; ++i) mutex.lock();
  }
  void unlock() {
    for (unsigned i = 0; i < Depth; ++i) mutex.unlock();
  }
  std::recursive_mutex mutex;
};

// std::shared_mutex under a mix of readers and writers: each acquisition is a
// shared one with probability ReadPercent %.
template <unsigned ReadPercent>
struct SharedMutexLock : ThreadsOnlySetup {
  static_assert(ReadPercent == 90 || ReadPercent == 10, "add a name for this mix");
  static constexpr std::string_view kName = ReadPercent == 90 ? "shared_mutex_read_heavy" : "shared_mutex_write_heavy";
  static constexpr unsigned kReadPercent = ReadPercent;
  void lock() { mutex.lock(); }
  void unlock() { mutex.unlock(); }
  void lock_shared() { mutex.lock_shared(); }
  void unlock_shared() { mutex.unlock_shared(); }
  std::shared_mutex mutex;
};

template <typename Lock>
concept ReaderWriterLock = requires(Lock& l) {
  Lock::kReadPercent;
  l.lock_shared();
  l.unlock_shared();
};

// pthread_mutex_t of a given type; PTHREAD_PROCESS_SHARED in processes mode.
struct PthreadMutexBase {
  static constexpr bool kProcessShared = true;
  void lock() { pthread_check(pthread_mutex_lock(&mutex), "pthread_mutex_lock"); }
  void unlock() { pthread_check(pthread_mutex_unlock(&mutex), "pthread_mutex_unlock"); }
  void destroy() { pthread_mutex_destroy(&mutex); }
  pthread_mutex_t mutex;
};

struct PthreadMutexLock : PthreadMutexBase {
  static constexpr std::string_view kName = "pthread_mutex";
  void init(bool process_shared) { init_mutex(mutex, {process_shared, PTHREAD_MUTEX_DEFAULT}); }
};

// glibc's adaptive mutex spins a bounded number of times before sleeping.
struct PthreadAdaptiveMutexLock : PthreadMutexBase {
  static constexpr std::string_view kName = "pthread_mutex_adaptive";
  void init(bool process_shared) { init_mutex(mutex, {process_shared, PTHREAD_MUTEX_ADAPTIVE_NP}); }
};

// A robust mutex: when its holder dies, the next lock() returns EOWNERDEAD;
// this adapter then marks it consistent and counts the recovery, so a run
// survives a dead holder and says it happened.
struct RobustMutexLock : PthreadMutexBase {
  static constexpr std::string_view kName = "robust_mutex";
  void init(bool /*process_shared*/) { init_mutex(mutex, {true, PTHREAD_MUTEX_DEFAULT, true}); }
  void lock() {
    const int rc = pthread_mutex_lock(&mutex);
    if (rc == EOWNERDEAD) [[unlikely]] {
      pthread_check(pthread_mutex_consistent(&mutex), "pthread_mutex_consistent");
      ++recoveries;  // under the lock now
      return;
    }
    pthread_check(rc, "pthread_mutex_lock");
  }
  std::uint64_t recoveries = 0;
};

struct PthreadSpinLock {
  static constexpr std::string_view kName = "pthread_spinlock";
  static constexpr bool kProcessShared = true;
  void init(bool process_shared) {
    pthread_check(pthread_spin_init(&spin, pshared_flag(process_shared)), "pthread_spin_init");
  }
  void destroy() { pthread_spin_destroy(&spin); }
  void lock() { pthread_check(pthread_spin_lock(&spin), "pthread_spin_lock"); }
  void unlock() { pthread_check(pthread_spin_unlock(&spin), "pthread_spin_unlock"); }
  pthread_spinlock_t spin;
};

struct TtasLock : TtasSpinLock, NoSetup {
  static constexpr std::string_view kName = "ttas_spinlock";
};
struct TicketSpinLock : TicketLock, NoSetup {
  static constexpr std::string_view kName = "ticket_lock";
};
struct RawFutexLock : FutexLock, NoSetup {
  static constexpr std::string_view kName = "futex_lock";
};

// A POSIX named semaphore of value 1 used as a lock. The name (unique per run:
// it starts with the run id) exists only between sem_open and sem_unlink a few
// lines later: threads share the pointer and forked workers inherit the
// mapping, so nothing is left in /dev/shm even if the run is killed.
struct NamedSemaphoreLock {
  static constexpr std::string_view kName = "named_semaphore";
  static constexpr bool kProcessShared = true;
  void init(bool /*process_shared*/) {
    static std::atomic<unsigned> sequence{0};
    const std::string name = fmt::format("/{}-lock-{}-{}", run_id(), getpid(), sequence.fetch_add(1));
    sem = sem_open(name.c_str(), O_CREAT | O_EXCL, 0600, 1);
    if (sem == SEM_FAILED) throw std::system_error(errno, std::generic_category(), "sem_open " + name);
    if (sem_unlink(name.c_str()) != 0) {
      const int err = errno;
      sem_close(sem);
      throw std::system_error(err, std::generic_category(), "sem_unlink " + name);
    }
  }
  void destroy() { sem_close(sem); }
  void lock() {
    while (sem_wait(sem) != 0)
      if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "sem_wait");
  }
  void unlock() {
    if (sem_post(sem) != 0) throw std::system_error(errno, std::generic_category(), "sem_post");
  }
  sem_t* sem = nullptr;
};

}  // namespace primbench::locks
