#include "common/error.h"
#include "runners/native/checkpoint/model_config.h"
#include "runners/native/native_runner.h"
#include "runners/openai/openai_runner.h"
#include "runners/runner.h"

namespace dokpa {

std::unique_ptr<Runner> open_runner(const RunnerOptions& options) {
  if (options.kind == "native") return open_native_runner(options);
  if (options.kind == "openai") return open_openai_runner(options);
  throw Error("runner", "unknown runner '" + options.kind + "' (this build has: native, openai)");
}

std::vector<std::string> supported_models(const std::string& kind) {
  if (kind == "native") return supported_model_types();
  if (kind == "openai") return {"any model an OpenAI-compatible server serves"};
  throw Error("runner", "unknown runner '" + kind + "' (this build has: native, openai)");
}

}  // namespace dokpa
