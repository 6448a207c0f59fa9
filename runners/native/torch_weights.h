#pragma once
// Loads a checkpoint folder of any family ModelConfig accepts (llama, mistral, qwen2, qwen3,
// exaone4, qwen3_moe, mixtral) into a LlamaModel on the requested device and dtype.
#include <ATen/ATen.h>

#include <filesystem>
#include <memory>

#include "runners/native/checkpoint/checkpoint_files.h"
#include "runners/native/checkpoint/model_config.h"
#include "runners/native/llama_model.h"

namespace dokpa {

struct LoadedLlama {
  ModelConfig config;
  std::unique_ptr<WeightSource> weights_file;  // keeps the memory maps alive for zero-copy tensors
  std::unique_ptr<LlamaModel> model;
  int64_t parameters = 0;  // distinct weights (a tied LM head counts once)
};

LoadedLlama load_llama_checkpoint(const std::filesystem::path& checkpoint_dir, const at::Device& device,
                                  at::ScalarType dtype);

}  // namespace dokpa
