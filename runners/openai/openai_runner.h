#pragma once
// The `openai` runner: a model served by an OpenAI-compatible server (vLLM, SGLang, llama.cpp),
// for checkpoints too large for one machine. Requests, limits and server support: docs/serving.md.
#include <memory>

#include "runners/runner.h"

namespace dokpa {

std::unique_ptr<Runner> open_openai_runner(const RunnerOptions& options);

}  // namespace dokpa
