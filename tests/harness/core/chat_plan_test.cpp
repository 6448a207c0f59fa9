// Chat prompt formats in the plan: the turns handed to the chat template follow
// lm-evaluation-harness 0.4's layout (checked here with a recording renderer; the rendering itself
// is checked against transformers in the chat template parity tests).
#include <catch2/catch.hpp>

#include <fstream>

#include "common/error.h"
#include "harness/plan/plan_builder.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;

namespace {

const char* kTestCsv =
    "question,answer,A,B\n"
    "하늘의 색은?,1,파랑,빨강\n";
const char* kDevCsv =
    "question,answer,A,B\n"
    "물의 화학식은?,1,H2O,CO2\n"
    "1 더하기 1은?,2,3,2\n";

std::string suite_text(const std::string& extra_task_field) {
  return "name: chat_plan\nversion: 1\nseed: 1\ntasks:\n"
         "  - name: mc\n    output: multiple_choice\n"
         "    dataset: {format: csv, path: test.csv}\n"
         "    fewshot: {count: 2, source: {format: csv, path: dev.csv}}\n"
         "    prompt: \"{{question}}\\nA. {{A}}\\nB. {{B}}\\n답:\"\n"
         "    choices: [A, B]\n    gold: {field: answer, base: 1}\n" +
         extra_task_field;
}

SuiteConfig make_suite(const std::string& name, const std::string& extra_task_field = "") {
  auto dir = test::scratch_dir(name);
  std::ofstream(dir / "test.csv", std::ios::binary) << kTestCsv;
  std::ofstream(dir / "dev.csv", std::ios::binary) << kDevCsv;
  std::ofstream(dir / "suite.yaml", std::ios::binary) << suite_text(extra_task_field);
  return load_suite(dir / "suite.yaml");
}

// Renders turns as "[role]content" lines and remembers what it was given.
struct RecordingRenderer {
  std::vector<std::vector<ChatTurn>> calls;
  std::string operator()(const std::vector<ChatTurn>& turns) {
    calls.push_back(turns);
    std::string out;
    for (const ChatTurn& turn : turns) out += "[" + turn.role + "]" + turn.content + "\n";
    return out + "[assistant]";
  }
};

std::vector<std::pair<std::string, std::string>> pairs(const std::vector<ChatTurn>& turns) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ChatTurn& turn : turns) out.emplace_back(turn.role, turn.content);
  return out;
}

}  // namespace

TEST_CASE("chat format: one user turn holding the raw few-shot text, choices without delimiter", "[plan][chat]") {
  SuiteConfig suite = make_suite("chat_plan_single");
  RecordingRenderer renderer;
  PlanOptions options;
  options.prompt_format = PromptFormat::Chat;
  options.system_prompt = "한국어로 답하세요.";
  options.render_chat = [&](const std::vector<ChatTurn>& turns) { return renderer(turns); };
  Plan plan = build_plan(suite, options);

  REQUIRE(renderer.calls.size() == 1);
  std::string raw = "물의 화학식은?\nA. H2O\nB. CO2\n답: A\n\n1 더하기 1은?\nA. 3\nB. 2\n답: B\n\n하늘의 색은?\nA. 파랑\nB. 빨강\n답:";
  CHECK(pairs(renderer.calls[0]) ==
        std::vector<std::pair<std::string, std::string>>{{"system", "한국어로 답하세요."}, {"user", raw}});
  REQUIRE(plan.requests.size() == 2);
  CHECK(plan.requests[0].context == "[system]한국어로 답하세요.\n[user]" + raw + "\n[assistant]");
  CHECK(plan.requests[0].continuation == "A");
  CHECK(plan.requests[1].continuation == "B");
}

TEST_CASE("chat_multiturn format: each shot a user and an assistant turn", "[plan][chat]") {
  SuiteConfig suite = make_suite("chat_plan_multi");
  RecordingRenderer renderer;
  PlanOptions options;
  options.prompt_format = PromptFormat::ChatMultiturn;
  options.render_chat = [&](const std::vector<ChatTurn>& turns) { return renderer(turns); };
  Plan plan = build_plan(suite, options);

  REQUIRE(renderer.calls.size() == 1);
  CHECK(pairs(renderer.calls[0]) == std::vector<std::pair<std::string, std::string>>{
                                        {"user", "물의 화학식은?\nA. H2O\nB. CO2\n답:"},
                                        {"assistant", "A"},
                                        {"user", "1 더하기 1은?\nA. 3\nB. 2\n답:"},
                                        {"assistant", "B"},
                                        {"user", "하늘의 색은?\nA. 파랑\nB. 빨강\n답:"}});
  CHECK(plan.requests[0].continuation == "A");
}

TEST_CASE("a task's pinned prompt format wins over the submission's", "[plan][chat]") {
  SuiteConfig suite = make_suite("chat_plan_pinned", "    prompt_format: raw\n");
  PlanOptions options;
  options.prompt_format = PromptFormat::Chat;
  options.render_chat = [](const std::vector<ChatTurn>&) -> std::string { FAIL("a raw task was rendered as chat"); return ""; };
  Plan plan = build_plan(suite, options);
  CHECK(plan.requests[0].continuation == " A");
  CHECK_THAT(plan.requests[0].context, Catch::StartsWith("물의 화학식은?"));
}

TEST_CASE("a chat format without a chat template is refused naming the task", "[plan][chat]") {
  SuiteConfig suite = make_suite("chat_plan_missing", "    prompt_format: chat_multiturn\n");
  CHECK_THROWS_WITH(build_plan(suite, PlanOptions{}), Contains("task 'mc'") && Contains("needs a chat template"));
}

TEST_CASE("chat and raw plans of the same suite differ in hash", "[plan][chat]") {
  SuiteConfig suite = make_suite("chat_plan_hash");
  PlanOptions chat;
  chat.prompt_format = PromptFormat::Chat;
  chat.render_chat = [](const std::vector<ChatTurn>& turns) { return "<chat>" + turns.back().content; };
  CHECK(build_plan(suite, chat).hash != build_plan(suite, PlanOptions{}).hash);
}
