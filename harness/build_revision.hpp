// The source revision this binary was built from (`git describe --always
// --dirty`, "unknown" outside a git checkout).
//
// Read at every build, not when the build directory was configured: a build
// directory outlives many commits, and a result file that names the wrong
// revision cannot be reproduced.
#pragma once

namespace primbench {

const char* build_git_revision() noexcept;

}  // namespace primbench
