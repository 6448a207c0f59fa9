#include "common/error.h"
#include "runners/native/native_runner.h"
#include "runners/runner.h"

namespace dokpa {

std::unique_ptr<Runner> open_runner(const RunnerOptions& options) {
  if (options.kind == "native") return open_native_runner(options);
  throw Error("runner", "unknown runner '" + options.kind + "' (this build has: native)");
}

}  // namespace dokpa
