#pragma once
// The in-process libtorch runner for checkpoints in Hugging Face layout.
#include <memory>

#include "runners/runner.h"

namespace dokpa {

std::unique_ptr<Runner> open_native_runner(const RunnerOptions& options);

}  // namespace dokpa
