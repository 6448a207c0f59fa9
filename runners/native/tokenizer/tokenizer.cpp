// load_checkpoint_tokenizer: which tokenizer file of a Hugging Face checkpoint folder to use.
#include "runners/native/tokenizer/tokenizer.h"

#include "common/error.h"

namespace dokpa {

std::unique_ptr<Tokenizer> load_checkpoint_tokenizer(const std::filesystem::path& checkpoint_dir) {
  if (std::filesystem::exists(checkpoint_dir / "tokenizer.json")) {
    return load_bpe_tokenizer(checkpoint_dir / "tokenizer.json");
  }
  if (std::filesystem::exists(checkpoint_dir / "tokenizer.model")) {
    return load_sentencepiece_tokenizer(checkpoint_dir / "tokenizer.model");
  }
  throw Error(checkpoint_dir.string(), "has neither tokenizer.json nor tokenizer.model");
}

}  // namespace dokpa
