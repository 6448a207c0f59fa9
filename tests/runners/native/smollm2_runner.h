#pragma once
// The default model (SmolLM2-135M-Instruct) as a native runner on the CPU.
#include <memory>

#include "runners/runner.h"
#include "tests/test_support.h"

namespace dokpa::test {

inline std::unique_ptr<Runner> smollm2(int batch_size) {
  RunnerOptions options;
  options.checkpoint = default_model_dir().string();
  options.device = "cpu";
  options.batch_size = batch_size;
  return open_runner(options);
}

}  // namespace dokpa::test
