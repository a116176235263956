// A mutex and a condition variable behind one interface, so the condvar
// patterns (sync_adapters.hpp) are written once for std:: (threads only) and
// for pthread (PTHREAD_PROCESS_SHARED in processes mode).
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <string_view>

#include "benches/locks/pthread_support.hpp"

namespace primbench::locks {

struct StdCondPair {
  static constexpr std::string_view kName = "condvar_std";
  static constexpr bool kProcessShared = false;
  void init(bool /*process_shared*/) {}
  void destroy() {}
  void lock() { mutex.lock(); }
  void unlock() { mutex.unlock(); }
  // With the mutex held, like pthread_cond_wait.
  void wait() {
    std::unique_lock<std::mutex> held(mutex, std::adopt_lock);
    cv.wait(held);
    held.release();
  }
  void notify_one() { cv.notify_one(); }
  void notify_all() { cv.notify_all(); }
  std::mutex mutex;
  std::condition_variable cv;
};

struct PthreadCondPair {
  static constexpr std::string_view kName = "condvar_pthread";
  static constexpr bool kProcessShared = true;
  void init(bool process_shared) {
    init_mutex(mutex, {process_shared});
    try {
      init_cond(cv, process_shared);
    } catch (...) {
      pthread_mutex_destroy(&mutex);
      throw;
    }
  }
  void destroy() {
    pthread_cond_destroy(&cv);
    pthread_mutex_destroy(&mutex);
  }
  void lock() { pthread_check(pthread_mutex_lock(&mutex), "pthread_mutex_lock"); }
  void unlock() { pthread_check(pthread_mutex_unlock(&mutex), "pthread_mutex_unlock"); }
  void wait() { pthread_check(pthread_cond_wait(&cv, &mutex), "pthread_cond_wait"); }
  void notify_one() { pthread_check(pthread_cond_signal(&cv), "pthread_cond_signal"); }
  void notify_all() { pthread_check(pthread_cond_broadcast(&cv), "pthread_cond_broadcast"); }
  pthread_mutex_t mutex;
  pthread_cond_t cv;
};

}  // namespace primbench::locks
