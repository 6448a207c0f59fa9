// A submission with a chat prompt format, end to end on the default model: the stored prompts
// are what transformers' apply_chat_template renders over lm-eval's turns
// (tests/reference/chat_format_reference.py), choices follow them without a delimiter, and the
// run scores.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

const char* kSuite =
    "name: chat_format\nversion: 1\nseed: 1\ntasks:\n"
    "  - name: mc\n    output: multiple_choice\n"
    "    dataset: {format: csv, path: test.csv}\n"
    "    fewshot: {count: 2, source: {format: csv, path: dev.csv}}\n"
    "    prompt: \"{{question}}\\nA. {{A}}\\nB. {{B}}\\n답:\"\n"
    "    choices: [A, B]\n    gold: {field: answer, base: 1}\n    metrics: [acc]\n";

std::string submission(const std::string& format) {
  return "team: test\nmodel: smollm2\nkind: llm\ncheckpoint: " + default_model_dir().string() +
         "\ndtype: float32\ndevice: cpu\nbatch_size: 4\nprompt_format: " + format +
         "\nsystem_prompt: 당신은 한국어 시험을 푸는 조수입니다.\n";
}

}  // namespace

TEST_CASE("chat prompt formats store the chat-templated prompts transformers renders", "[cli][chat][smollm2]") {
  const std::filesystem::path reference = reference_dir() / "chat_format";
  nlohmann::json expected = nlohmann::json::parse(read_file(reference / "expected.json"));
  for (const std::string format : {"chat", "chat_multiturn"}) {
    SECTION(format) {
      std::filesystem::path dir = scratch_dir("chat_format_" + format);
      write_text(dir / "suite.yaml", kSuite);
      write_text(dir / "submission.yaml", submission(format));
      std::filesystem::copy_file(reference / "test.csv", dir / "test.csv");
      std::filesystem::copy_file(reference / "dev.csv", dir / "dev.csv");
      CommandResult run = run_dokpa("run --suite " + shell_quote((dir / "suite.yaml").string()) + " --submission " +
                                    shell_quote((dir / "submission.yaml").string()) + " --store " +
                                    shell_quote((dir / "store.db").string()) + " --threads 1");
      INFO(run.output);
      REQUIRE(run.exit_code == 0);
      std::vector<std::string> requests = query_rows(dir / "store.db", "SELECT request FROM requests ORDER BY plan_order");
      REQUIRE(requests.size() == 4);  // 2 items x 2 choices
      for (size_t i = 0; i < requests.size(); ++i) {
        nlohmann::json request = nlohmann::json::parse(requests[i]);
        CHECK(request["context"] == expected[format][i / 2]);
        CHECK(request["continuation"] == (i % 2 == 0 ? "A" : "B"));
      }
      CHECK(query_rows(dir / "store.db", "SELECT count(*) FROM results") == std::vector<std::string>{"4"});
      CHECK(query_rows(dir / "store.db", "SELECT count(*) FROM task_metrics WHERE task = 'mc' AND metric = 'acc'") ==
            std::vector<std::string>{"1"});
    }
  }
}
