// Small helpers for initialising pthread objects for threads or processes.
//
// pthread calls return an error number instead of setting errno; pthread_check
// turns a non-zero one into an exception naming the call. Attribute objects are
// RAII so that a failing init cannot leak them.
#pragma once

#include <pthread.h>

#include <cerrno>
#include <system_error>

namespace primbench::locks {

inline void pthread_check(int rc, const char* call) {
  if (rc != 0) [[unlikely]]
    throw std::system_error(rc, std::generic_category(), call);
}

inline int pshared_flag(bool process_shared) {
  return process_shared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
}

struct MutexOptions {
  bool process_shared = false;
  int type = PTHREAD_MUTEX_DEFAULT;
  bool robust = false;
};

inline void init_mutex(pthread_mutex_t& mutex, const MutexOptions& options) {
  pthread_mutexattr_t attr;
  pthread_check(pthread_mutexattr_init(&attr), "pthread_mutexattr_init");
  int rc = pthread_mutexattr_setpshared(&attr, pshared_flag(options.process_shared));
  if (rc == 0) rc = pthread_mutexattr_settype(&attr, options.type);
  if (rc == 0 && options.robust) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (rc == 0) rc = pthread_mutex_init(&mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  pthread_check(rc, "pthread_mutex_init");
}

inline void init_cond(pthread_cond_t& cond, bool process_shared) {
  pthread_condattr_t attr;
  pthread_check(pthread_condattr_init(&attr), "pthread_condattr_init");
  int rc = pthread_condattr_setpshared(&attr, pshared_flag(process_shared));
  if (rc == 0) rc = pthread_cond_init(&cond, &attr);
  pthread_condattr_destroy(&attr);
  pthread_check(rc, "pthread_cond_init");
}

inline void init_barrier(pthread_barrier_t& barrier, bool process_shared, unsigned parties) {
  pthread_barrierattr_t attr;
  pthread_check(pthread_barrierattr_init(&attr), "pthread_barrierattr_init");
  int rc = pthread_barrierattr_setpshared(&attr, pshared_flag(process_shared));
  if (rc == 0) rc = pthread_barrier_init(&barrier, &attr, parties);
  pthread_barrierattr_destroy(&attr);
  pthread_check(rc, "pthread_barrier_init");
}

}  // namespace primbench::locks
