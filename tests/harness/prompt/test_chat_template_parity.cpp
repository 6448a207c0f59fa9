// dokpa's ChatTemplate against transformers' apply_chat_template(..., tokenize=False):
// tests/reference/chat_template_reference.py renders the default model's real template and
// templates written there over several conversations and options; every render must match
// byte for byte, and every template error must carry the same message.
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "common/error.h"
#include "common/file_io.h"
#include "harness/prompt/chat_template.h"
#include "tests/test_support.h"

namespace {

using nlohmann::ordered_json;

const ordered_json& reference() {
  static const ordered_json data =
      ordered_json::parse(dokpa::read_file(dokpa::test::reference_dir() / "chat_template/cases.json"));
  return data;
}

std::vector<std::pair<std::string, nlohmann::json>> special_tokens() {
  std::vector<std::pair<std::string, nlohmann::json>> tokens;
  for (auto it = reference()["special_tokens"].begin(); it != reference()["special_tokens"].end(); ++it)
    tokens.emplace_back(it.key(), nlohmann::json::parse(it.value().dump()));
  return tokens;
}

dokpa::ChatRenderOptions options_for(const ordered_json& c) {
  dokpa::ChatRenderOptions options;
  options.add_generation_prompt = c["add_generation_prompt"].get<bool>();
  options.continue_final_message = c.value("continue_final_message", false);
  options.extra = c["extra"];
  // transformers takes tools as a named argument; dokpa passes them as a template variable.
  if (!c["tools"].is_null()) options.extra["tools"] = c["tools"];
  auto instant = std::chrono::system_clock::from_time_t(reference()["fixed_timestamp"].get<std::time_t>());
  options.now = [instant] { return instant; };
  return options;
}

}  // namespace

TEST_CASE("chat templates render byte-identical to transformers apply_chat_template", "[chat_template][parity]") {
  std::map<std::string, dokpa::ChatTemplate> templates;
  for (auto it = reference()["templates"].begin(); it != reference()["templates"].end(); ++it)
    templates.emplace(it.key(), dokpa::ChatTemplate(it.value().get<std::string>(), special_tokens(), it.key()));
  // The default model's template also comes through its tokenizer_config.json.
  templates.insert_or_assign("smollm2", dokpa::ChatTemplate::from_tokenizer_config(dokpa::test::default_model_dir() /
                                                                                   "tokenizer_config.json"));

  int rendered = 0, raised = 0;
  for (const auto& c : reference()["cases"]) {
    const std::string name = c["template"].get<std::string>();
    const auto& messages = reference()["conversations"][c["conversation"].get<std::string>()];
    INFO("template " << name << ", conversation " << c["conversation"].get<std::string>() << ", add_generation_prompt "
                     << c["add_generation_prompt"] << ", extra " << c["extra"].dump());
    const dokpa::ChatTemplate& t = templates.at(name);
    if (c.contains("error")) {
      const std::string expected = c["error"].get<std::string>();
      try {
        t.render(messages, options_for(c));
        FAIL("expected the error: " << expected);
      } catch (const dokpa::Error& e) {
        std::string what = e.what();
        CHECK(what.size() >= expected.size());
        CHECK(what.substr(what.size() - std::min(what.size(), expected.size())) == expected);
      }
      ++raised;
      continue;
    }
    std::string got = t.render(messages, options_for(c));
    REQUIRE(got == c["expected"].get<std::string>());
    ++rendered;
  }
  CHECK(rendered + raised == static_cast<int>(reference()["cases"].size()));
  CHECK(raised > 0);
}

TEST_CASE("ChatMessage lists render like the same messages as JSON", "[chat_template]") {
  auto t = dokpa::ChatTemplate::from_tokenizer_config(dokpa::test::default_model_dir() / "tokenizer_config.json");
  std::vector<dokpa::ChatMessage> messages = {{"user", "안녕"}, {"assistant", "네"}};
  dokpa::ChatRenderOptions options;
  options.add_generation_prompt = true;
  ordered_json json =
      ordered_json::array({{{"role", "user"}, {"content", "안녕"}}, {{"role", "assistant"}, {"content", "네"}}});
  CHECK(t.render(messages, options) == t.render(json, options));
  CHECK(t.render(messages, options) ==
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\n안녕<|im_end|>\n<|im_start|>assistant\n네<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("tokenizer_config.json problems name the file", "[chat_template]") {
  auto dir = dokpa::test::scratch_dir("chat_template_config");
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "tokenizer_config.json") << text;
    return dir / "tokenizer_config.json";
  };
  auto path = write(R"({"bos_token": "<s>"})");
  CHECK_THROWS_WITH(dokpa::ChatTemplate::from_tokenizer_config(path),
                    Catch::Contains(path.string()) && Catch::Contains("no chat template"));
  path = write(
      R"({"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "{{ bos_token }}D{{ eos_token }}"}],
                  "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>"})");
  CHECK(dokpa::ChatTemplate::from_tokenizer_config(path).render(std::vector<dokpa::ChatMessage>{}) == "<s>D</s>");
  CHECK(dokpa::ChatTemplate::from_tokenizer_config(path, "tool_use").render(std::vector<dokpa::ChatMessage>{}) == "T");
  CHECK_THROWS_WITH(dokpa::ChatTemplate::from_tokenizer_config(path, "rag"),
                    Catch::Contains("no chat template named 'rag'"));
  path = write(R"({"chat_template": "{% for m in messages %}{{ m.content }")");
  CHECK_THROWS_WITH(dokpa::ChatTemplate::from_tokenizer_config(path),
                    Catch::Contains(path.string()) && Catch::Contains("line 1"));
  path = write("{not json");
  CHECK_THROWS_WITH(dokpa::ChatTemplate::from_tokenizer_config(path), Catch::Contains("not valid JSON"));
}

TEST_CASE("a chat_template.jinja beside tokenizer_config.json takes priority", "[chat_template]") {
  auto dir = dokpa::test::scratch_dir("chat_template_jinja_file");
  std::ofstream(dir / "tokenizer_config.json") << R"({"chat_template": "from config", "eos_token": "</s>"})";
  std::ofstream(dir / "chat_template.jinja") << "from file{{ eos_token }}\n";
  auto t = dokpa::ChatTemplate::from_tokenizer_config(dir / "tokenizer_config.json");
  CHECK(t.render(std::vector<dokpa::ChatMessage>{}) == "from file</s>");  // jinja2 drops the final newline
  CHECK(t.source_name().find("chat_template.jinja") != std::string::npos);
}
