#include "runners/native/tokenizer/post_processor.h"

namespace dokpa::tokenizer {

namespace {

class NoOpProcessor : public PostProcessor {
 public:
  std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const override { return ids; }
};

// The single template as a list of pieces: fixed ids, or the sequence itself (empty optional).
class TemplateProcessor : public PostProcessor {
 public:
  explicit TemplateProcessor(std::vector<std::optional<std::vector<int32_t>>> pieces)
      : pieces_(std::move(pieces)) {}
  std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const override {
    std::vector<int32_t> out;
    for (const auto& piece : pieces_) {
      if (piece)
        out.insert(out.end(), piece->begin(), piece->end());
      else
        out.insert(out.end(), ids.begin(), ids.end());
    }
    return out;
  }

 private:
  std::vector<std::optional<std::vector<int32_t>>> pieces_;
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps)
      : steps_(std::move(steps)) {}
  std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const override {
    for (const auto& step : steps_) ids = step->add_special_tokens(std::move(ids));
    return ids;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

std::unique_ptr<PostProcessor> make_template(const Json& spec, const std::string& source) {
  const std::string context = "post_processor";
  const Json& single = require_field(spec, "single", source, context);
  const Json& specials = field_or(spec, "special_tokens", Json::object(), source, context);
  if (!single.is_array()) throw Error(source, "post_processor.single must be a list");
  std::vector<std::optional<std::vector<int32_t>>> pieces;
  for (const Json& item : single) {
    if (item.contains("Sequence")) {
      if (require_string(item.at("Sequence"), "id", source, context + ".single") != "A") {
        throw Error(source, "post_processor.single may only use sequence A");
      }
      pieces.emplace_back(std::nullopt);
    } else if (item.contains("SpecialToken")) {
      std::string name = require_string(item.at("SpecialToken"), "id", source, context + ".single");
      if (!specials.contains(name))
        throw Error(source, "post_processor special token '" + name + "' is not defined");
      const Json& ids =
          require_field(specials.at(name), "ids", source, context + ".special_tokens");
      try {
        pieces.emplace_back(ids.get<std::vector<int32_t>>());
      } catch (const Json::exception&) {
        throw Error(source,
                    "post_processor.special_tokens['" + name + "'].ids must be a list of ids");
      }
    } else {
      throw Error(source, "post_processor.single entries must be Sequence or SpecialToken");
    }
  }
  return std::make_unique<TemplateProcessor>(std::move(pieces));
}

// BertProcessing / RobertaProcessing: cls A sep, each given as [token, id].
std::unique_ptr<PostProcessor> make_cls_sep(const Json& spec, const std::string& source) {
  auto id_of = [&](const char* key) {
    const Json& pair = require_field(spec, key, source, "post_processor");
    if (!pair.is_array() || pair.size() != 2 || !pair[1].is_number_integer()) {
      throw Error(source, std::string("post_processor.") + key + " must be [token, id]");
    }
    return pair[1].get<int32_t>();
  };
  std::vector<std::optional<std::vector<int32_t>>> pieces;
  pieces.emplace_back(std::vector<int32_t>{id_of("cls")});
  pieces.emplace_back(std::nullopt);
  pieces.emplace_back(std::vector<int32_t>{id_of("sep")});
  return std::make_unique<TemplateProcessor>(std::move(pieces));
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const Json& spec, const std::string& source) {
  if (spec.is_null()) return nullptr;
  std::string type = component_type(spec, source, "post_processor");
  if (type == "ByteLevel") return std::make_unique<NoOpProcessor>();  // only trims offsets
  if (type == "TemplateProcessing") return make_template(spec, source);
  if (type == "BertProcessing" || type == "RobertaProcessing") return make_cls_sep(spec, source);
  if (type == "Sequence") {
    const Json& list = require_field(spec, "processors", source, "post_processor");
    if (!list.is_array()) throw Error(source, "post_processor.processors must be a list");
    std::vector<std::unique_ptr<PostProcessor>> steps;
    for (const Json& item : list) {
      if (auto step = make_post_processor(item, source)) steps.push_back(std::move(step));
    }
    return std::make_unique<SequenceProcessor>(std::move(steps));
  }
  throw Error(source, "unsupported post_processor type '" + type + "'");
}

}  // namespace dokpa::tokenizer
