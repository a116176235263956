#include "harness/peer_session.hpp"

namespace primbench {

PeerSession::PeerSession(const Topology& topo, ExecMode mode, PuPair pair, std::size_t shared_bytes,
                         std::string label, std::function<void(WorkerContext&)> peer_body)
    : pin_(topo, pair.a),
      group_(topo, WorkerGroup::Options{mode, {pair.b}, shared_bytes, std::move(label), default_worker_deadline()}) {
  group_.launch(std::move(peer_body));
  group_.wait_ready();
  group_.release();
}

std::vector<ObservedPlacement> PeerSession::finish() {
  const ObservedPlacement side_a = pin_.observe();
  group_.join();
  return {side_a, group_.slots()[0].placement};
}

}  // namespace primbench
