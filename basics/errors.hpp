// Error types the CLI turns into one line on stderr and exit status 2.
//
// UsageError covers everything a user can get wrong (flags, files, requests the
// machine cannot meet); anything else escaping to main() is a primbench bug.
#pragma once

#include <stdexcept>
#include <string>

namespace primbench {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TopologyError : UsageError {
  using UsageError::UsageError;
};

struct PlacementError : UsageError {
  using UsageError::UsageError;
};

}  // namespace primbench
