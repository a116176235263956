// The shape of every two-party benchmark (ping-pong, producer/consumer): the
// benchmark's own thread is side A, pinned to pair.a for the session; side B
// is one worker, a thread or a forked process, pinned to pair.b, started and
// released before the measurement and joined after it. Side B must return once
// side A signals it (through the shared region) to stop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/pinning.hpp"
#include "harness/placement.hpp"
#include "harness/workers.hpp"

namespace primbench {

class PeerSession {
 public:
  PeerSession(const Topology& topo, ExecMode mode, PuPair pair, std::size_t shared_bytes, std::string label,
              std::function<void(WorkerContext&)> peer_body);
  PeerSession(const PeerSession&) = delete;
  PeerSession& operator=(const PeerSession&) = delete;

  void* shared() const { return group_.shared(); }
  WorkerSlot& peer_slot() { return group_.slots()[0]; }
  // Joins side B (throws WorkerFailure if it failed or hung) and reads back
  // where both sides ran: {side A, side B}.
  std::vector<ObservedPlacement> finish();

 private:
  ScopedThreadPin pin_;
  WorkerGroup group_;
};

}  // namespace primbench
