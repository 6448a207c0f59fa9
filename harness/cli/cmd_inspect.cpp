#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "harness/cli/commands.h"
#include "runners/native/checkpoint/checkpoint_files.h"
#include "runners/native/checkpoint/model_config.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "runners/runner.h"

namespace dokpa::cli {

// Reads only headers and configs (no weights are loaded), so it is quick on any checkpoint size.
// `dokpa inspect --supported` lists the checkpoint families the native runner can load instead.
void add_inspect_command(CLI::App& app) {
  auto checkpoint = std::make_shared<std::string>();
  auto supported = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("inspect", "Architecture, parameters, dtypes and tokenizer of a checkpoint");
  cmd->add_option("checkpoint", *checkpoint, "checkpoint folder in Hugging Face layout");
  cmd->add_flag("--supported", *supported, "list the model types (config.json model_type) the native runner loads");
  cmd->callback([=] {
    if (*supported) {
      std::cout << "the native runner loads these model_type values (architecture):\n";
      for (const std::string& model : supported_models("native")) std::cout << "  " << model << "\n";
      return;
    }
    if (checkpoint->empty()) throw CLI::RequiredError("checkpoint (or --supported)");
    std::filesystem::path dir = *checkpoint;
    ModelConfig config = load_model_config(dir / "config.json");
    WeightSource weights = WeightSource::open(dir);
    std::map<std::string, int64_t> by_dtype;
    for (const std::string& name : weights.names()) {
      const TensorView& view = weights.at(name);
      by_dtype[std::string(dtype_name(view.dtype))] += view.numel();
    }
    std::unique_ptr<Tokenizer> tokenizer = load_checkpoint_tokenizer(dir);
    std::cout << fmt::format("checkpoint    {}\n", dir.string());
    std::cout << fmt::format("architecture  {} (model_type {}, family {})\n", config.architecture, config.model_type,
                             family_name(config.family));
    std::cout << fmt::format("parameters    {} ({:.1f}M) in {} tensors, {} file(s)\n", weights.parameter_count(),
                             static_cast<double>(weights.parameter_count()) / 1e6, weights.names().size(),
                             weights.files().size());
    for (const auto& [dtype, count] : by_dtype) std::cout << fmt::format("  dtype {:<6} {} parameters\n", dtype, count);
    std::cout << fmt::format("shape         hidden {}, layers {}, heads {} (kv {}), head_dim {}, mlp {}, vocab {}\n",
                             config.hidden_size, config.num_hidden_layers, config.num_attention_heads,
                             config.num_key_value_heads, config.head_dim, config.intermediate_size, config.vocab_size);
    std::cout << fmt::format("rope          {} theta {} factor {}\n", config.rope.type_name, config.rope.theta,
                             config.rope.factor);
    int64_t sliding = std::count(config.sliding_layers.begin(), config.sliding_layers.end(), true);
    if (config.sliding_window)
      std::cout << fmt::format("attention     sliding window {} in {} of {} layers\n", *config.sliding_window, sliding,
                               config.num_hidden_layers);
    if (config.moe)
      std::cout << fmt::format("experts       {} per token of {} (expert mlp {}) in {} of {} layers\n",
                               config.moe->experts_per_token, config.moe->num_experts, config.moe->intermediate_size,
                               std::count(config.moe_layers.begin(), config.moe_layers.end(), true),
                               config.num_hidden_layers);
    std::cout << fmt::format("context       {} positions, tied embeddings: {}\n", config.max_position_embeddings,
                             config.tie_word_embeddings ? "yes" : "no");
    std::cout << fmt::format("tokenizer     {}, vocabulary {}\n", tokenizer->describe(), tokenizer->vocab_size());
  });
}

}  // namespace dokpa::cli
