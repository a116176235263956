// The one file that sees the generated revision header: a new revision
// recompiles this file alone.
#include "harness/build_revision.hpp"

#include "primbench_git_revision.h"

namespace primbench {

const char* build_git_revision() noexcept { return PRIMBENCH_GIT_REVISION_AT_BUILD; }

}  // namespace primbench
