#include "cli/cli_dispatch.hpp"

#include <fmt/format.h>

#include "basics/errors.hpp"

namespace primbench::cli {

int usage_failure(const std::string& message) {
  fmt::print(stderr, "primbench: error: {}\n", message);
  return 2;
}

DispatchResult dispatch(CLI::App& app, int argc, char** argv, const int& command_status) {
  DispatchResult r;
  try {
    app.parse(argc, argv);
    r.exit_status = command_status;
  } catch (const CLI::CallForHelp& e) {
    r.exit_status = app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    r.exit_status = app.exit(e);
  } catch (const CLI::ParseError& e) {
    r.message = fmt::format("{} (see primbench --help)", e.what());
    r.exit_status = usage_failure(r.message);
  } catch (const UsageError& e) {
    r.message = e.what();
    r.exit_status = usage_failure(r.message);
  } catch (const std::exception& e) {
    r.message = e.what();
    r.internal_error = true;
    fmt::print(stderr, "primbench: internal error: {}\n", e.what());
    r.exit_status = 3;
  }
  return r;
}

}  // namespace primbench::cli
