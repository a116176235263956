// A primitive constructed in memory the caller provides (a worker group's
// shared region, or a segment), set up for threads or for processes, and torn
// down when the scope ends. The parent does both ends, so workers only ever see
// a fully initialised object: construct a Placed after the WorkerGroup (which
// owns the memory) and before starting the workers; it is destroyed first.
#pragma once

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace primbench::locks {

template <typename T>
class Placed {
 public:
  template <typename... InitArgs>
  Placed(void* memory, std::size_t bytes, bool process_shared, InitArgs&&... init_args) {
    if (bytes < sizeof(T))
      throw std::logic_error("Placed: " + std::to_string(bytes) + " bytes cannot hold a " + std::to_string(sizeof(T)) +
                             "-byte object");
    object_ = new (memory) T{};
    try {
      object_->init(process_shared, std::forward<InitArgs>(init_args)...);
    } catch (...) {
      object_->~T();
      throw;
    }
  }
  ~Placed() {
    object_->destroy();
    object_->~T();
  }
  Placed(const Placed&) = delete;
  Placed& operator=(const Placed&) = delete;

  T& operator*() const { return *object_; }
  T* operator->() const { return object_; }

 private:
  T* object_ = nullptr;
};

}  // namespace primbench::locks
