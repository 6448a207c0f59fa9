#include "common/error.h"
#include "runners/native/checkpoint/model_config.h"
#include "runners/native/native_runner.h"
#include "runners/runner.h"

namespace dokpa {

std::unique_ptr<Runner> open_runner(const RunnerOptions& options) {
  if (options.kind == "native") return open_native_runner(options);
  throw Error("runner", "unknown runner '" + options.kind + "' (this build has: native)");
}

std::vector<std::string> supported_models(const std::string& kind) {
  if (kind == "native") return supported_model_types();
  throw Error("runner", "unknown runner '" + kind + "' (this build has: native)");
}

}  // namespace dokpa
