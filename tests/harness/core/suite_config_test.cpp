#include <cstdlib>
#include <fstream>
#include <optional>

#include "common/error.h"
#include "harness/suite/submission.h"
#include "harness/suite/suite_config.h"
#include "tests/test_support.h"

using Catch::Matchers::Contains;
using namespace dokpa;

namespace {

const char* kSuite = R"(name: smoke
version: 1
seed: 1234
tasks:
  - name: kmmlu_fixture
    output: multiple_choice
    dataset: {format: csv, path: kmmlu/test.csv}
    fewshot: {count: 2, source: {format: csv, path: kmmlu/dev.csv}, sampler: seeded}
    prompt: "{{question|trim}}\nA. {{A}}\n정답："
    choices: [A, B, C, D]
    gold: {field: answer, base: 1}
    metrics: [acc, acc_norm]
  - name: short
    output: generate
    dataset: {format: jsonl, path: short.jsonl}
    prompt: "질문: {{question}}\n답:"
    gold: {field: answer}
    generation: {until: ["\n"], max_tokens: 32}
)";

SuiteConfig parse(const std::string& text) { return parse_suite(text, "smoke.yaml", "/data"); }

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("suite: a valid file parses with defaults filled in", "[suite]") {
  SuiteConfig suite = parse(kSuite);
  CHECK(suite.name == "smoke");
  CHECK(suite.seed == 1234);
  CHECK(suite.data_root == std::filesystem::path("/data"));
  REQUIRE(suite.tasks.size() == 2);
  const TaskConfig& mc = suite.tasks[0];
  CHECK(mc.output == OutputType::MultipleChoice);
  CHECK(mc.dataset.format == DataFormat::Csv);
  CHECK(mc.fewshot.count == 2);
  CHECK(mc.fewshot.has_source);
  CHECK(mc.fewshot.sampler == FewShotSamplerKind::Seeded);
  CHECK(mc.prompt == "{{question|trim}}\nA. {{A}}\n정답：");
  CHECK(mc.gold.base == 1);
  CHECK(mc.target_delimiter == " ");
  CHECK(mc.fewshot_delimiter == "\n\n");
  const TaskConfig& gen = suite.tasks[1];
  CHECK(gen.output == OutputType::Generate);
  CHECK(gen.generation.until == std::vector<std::string>{"\n"});
  CHECK(gen.generation.max_tokens == 32);
  CHECK(gen.metrics == std::vector<std::string>{"exact_match"});
  CHECK(suite.hash.size() == 64);
}

TEST_CASE("suite: the hash ignores formatting and data_root but not meaning", "[suite]") {
  std::string base = parse(kSuite).hash;
  CHECK(parse(std::string("# a comment\n") + kSuite).hash == base);
  CHECK(parse(replace(kSuite, "seed: 1234", "seed: 1234\ndata_root: elsewhere")).hash == base);
  CHECK(parse(replace(kSuite, "    metrics: [acc, acc_norm]\n", "    metrics: [acc, acc_norm]\n    target_delimiter: \" \"\n")).hash == base);
  CHECK(parse(replace(kSuite, "seed: 1234", "seed: 1235")).hash != base);
  CHECK(parse(replace(kSuite, "정답：", "정답:")).hash != base);
  CHECK(canonical_suite_json(parse(kSuite)).find("\"tasks\":[") != std::string::npos);
}

TEST_CASE("suite: validation errors name the file, the task and the field", "[suite]") {
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "    prompt: \"{{question", "    promt: \"{{question")),
                      Contains("smoke.yaml: task 'kmmlu_fixture': unknown field 'promt'"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "format: jsonl", "format: xml")),
                      Contains("smoke.yaml: task 'short': dataset: field 'format': unknown format 'xml'"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "output: generate", "output: judge")),
                      Contains("task 'short': field 'output'"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "    gold: {field: answer}\n", "")),
                      Contains("task 'short': field 'gold': is required"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "    choices: [A, B, C, D]\n", "")),
                      Contains("task 'kmmlu_fixture': give exactly one of 'choices' and 'choices_field'"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "metrics: [acc, acc_norm]", "metrics: [acc, exact_match]")),
                      Contains("'exact_match' is not a metric of output multiple_choice"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "sampler: seeded", "sampler: random")), Contains("field 'sampler'"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "seed: 1234", "seed: -4")), Contains("smoke.yaml: field 'seed'"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "name: short", "name: kmmlu_fixture")), Contains("duplicate task name"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "version: 1", "verison: 1")), Contains("smoke.yaml: unknown field 'verison' (line 2)"));
}

TEST_CASE("suite: malformed YAML and missing files name the file", "[suite]") {
  REQUIRE_THROWS_WITH(parse("name: [unclosed\nseed: 1\n"), Contains("smoke.yaml: malformed YAML"));
  REQUIRE_THROWS_WITH(parse("- just\n- a list\n"), Contains("smoke.yaml: expected a mapping"));
  REQUIRE_THROWS_WITH(parse("name: \xff\nseed: 1\n"), Contains("smoke.yaml: invalid UTF-8 at byte 6 (line 1)"));
  REQUIRE_THROWS_WITH(load_suite("/nonexistent/dir/suite.yaml"), Contains("/nonexistent/dir/suite.yaml"));
}

TEST_CASE("suite: load_suite resolves data_root against the file's folder", "[suite]") {
  auto dir = test::scratch_dir("suite_load");
  std::ofstream(dir / "s.yaml") << replace(kSuite, "seed: 1234", "seed: 1234\ndata_root: ../data");
  SuiteConfig suite = load_suite(dir / "s.yaml");
  CHECK(suite.data_root == (dir / "../data").lexically_normal());
  CHECK(suite.source == (dir / "s.yaml").string());
}

TEST_CASE("suite: data paths stay inside the data root", "[suite][paths]") {
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "path: short.jsonl", "path: ../short.jsonl")),
                      Contains("smoke.yaml: task 'short': dataset: field 'path': '../short.jsonl' climbs out of the "
                               "data root with '..' (line 15)"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "path: kmmlu/dev.csv", "path: kmmlu/../../dev.csv")),
                      Contains("task 'kmmlu_fixture': fewshot: source: field 'path': 'kmmlu/../../dev.csv' climbs out"));
  REQUIRE_THROWS_WITH(parse(replace(kSuite, "path: short.jsonl", "path: /data/short.jsonl")),
                      Contains("'/data/short.jsonl' is absolute; data paths are relative to the data root"));
  CHECK(parse(replace(kSuite, "path: short.jsonl", "path: x/../short.jsonl")).tasks[1].dataset.path ==
        "x/../short.jsonl");  // stays inside: allowed

  // Symlinks: inside the root they may point anywhere inside it; a file leading out is refused.
  auto dir = test::scratch_dir("suite_data_symlinks");
  std::filesystem::create_directories(dir / "root" / "sub");
  std::filesystem::create_directories(dir / "real");
  std::ofstream(dir / "root" / "sub" / "in.csv") << "a\n1\n";
  std::ofstream(dir / "outside.csv") << "a\n1\n";
  std::filesystem::create_symlink(dir / "root" / "sub" / "in.csv", dir / "root" / "link_in.csv");
  std::filesystem::create_symlink(dir / "outside.csv", dir / "root" / "link_out.csv");
  std::filesystem::create_symlink(dir / "root", dir / "root_link");  // the root itself may be a link
  SuiteConfig suite = parse(kSuite);
  auto resolve = [&](const std::string& root, const std::string& path) {
    return resolve_data_path(suite, dir / root, "t", DataSource{DataFormat::Csv, path, ""});
  };
  CHECK(resolve("root", "link_in.csv") == dir / "root" / "link_in.csv");
  CHECK(resolve("root_link", "sub/in.csv") == dir / "root_link" / "sub" / "in.csv");
  CHECK(resolve("root/", "missing.csv") == dir / "root" / "missing.csv");  // its reader says "file not found"
  REQUIRE_THROWS_WITH(resolve("root", "link_out.csv"),
                      Contains("smoke.yaml: task 't': data file 'link_out.csv' leads through a symlink to '" +
                               (dir / "outside.csv").string() + "', outside the data root"));
}

TEST_CASE("submission: the chat template comes from the submission's or the checkpoint's folder",
          "[suite][submission][paths]") {
  auto dir = test::scratch_dir("submission_template_paths");
  const std::string base = "team: t\nmodel: m\nkind: llm\ncheckpoint: " + (dir / "ckpt").string() +
                           "\nprompt_format: chat\nchat_template: ";
  auto parse_in = [&](const std::string& file) { return parse_submission(base + file + "\n", "sub.yaml", dir / "sub"); };
  CHECK(parse_in("tc.json").chat.template_file == (dir / "sub" / "tc.json").string());
  CHECK(parse_in((dir / "ckpt" / "t.json").string()).chat.template_file == (dir / "ckpt" / "t.json").string());
  CHECK(parse_in("../ckpt/t.json").chat.template_file == (dir / "ckpt" / "t.json").string());
  REQUIRE_THROWS_WITH(parse_in("../elsewhere/t.json"),
                      Contains("sub.yaml: field 'chat_template': '" + (dir / "elsewhere" / "t.json").string() +
                               "' is outside both the checkpoint folder and the submission's folder"));
  REQUIRE_THROWS_WITH(parse_in("/etc/passwd"), Contains("'/etc/passwd' is outside both"));
}

// Sets an environment variable for one test and restores it afterwards.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("submission: fields, defaults, expansion and errors", "[suite][submission]") {
  ScopedEnv models("DOKPA_TEST_MODELS", "/models");
  ScopedEnv home("HOME", "/home/tester");
  const std::string text =
      "team: reference\nmodel: SmolLM2-135M-Instruct\nkind: llm\n"
      "checkpoint: ~/.cache/dokpa/models/SmolLM2-135M-Instruct\nruntime_note: x\n";
  REQUIRE_THROWS_WITH(parse_submission(text, "sub.yaml"), Contains("sub.yaml: unknown field 'runtime_note'"));
  SubmissionConfig sub = parse_submission(replace(text, "runtime_note: x\n", ""), "sub.yaml");
  CHECK(sub.checkpoint == "/home/tester/.cache/dokpa/models/SmolLM2-135M-Instruct");
  CHECK(sub.checkpoint_as_written == "~/.cache/dokpa/models/SmolLM2-135M-Instruct");
  CHECK(sub.runner.kind == "native");
  CHECK(sub.runner.dtype == "float32");
  CHECK(sub.runner.device == "auto");
  CHECK(sub.runner.batch_size == 8);
  CHECK(sub.runner.checkpoint == sub.checkpoint);

  std::string full = replace(text, "runtime_note: x\n", "runner: openai\ndtype: bfloat16\ndevice: cuda:1\nbatch_size: 32\nthreads: 4\nmax_length: 4096\n"
                                               "server:\n  base_url: http://10.0.0.5:8000/v1\n  api_key_env: TEAM_KEY\n"
                                               "  generation_endpoint: chat\n  request_timeout_s: 90.5\n");
  full = replace(full, "~/.cache/dokpa/models", "${DOKPA_TEST_MODELS}");
  sub = parse_submission(full, "sub.yaml");
  CHECK(sub.checkpoint == "/models/SmolLM2-135M-Instruct");
  CHECK(sub.runner.kind == "openai");
  CHECK(sub.runner.dtype == "bfloat16");
  CHECK(sub.runner.device == "cuda:1");
  CHECK(sub.runner.batch_size == 32);
  CHECK(sub.runner.threads == 4);
  CHECK(sub.runner.max_length == 4096);
  CHECK(sub.runner.openai.base_url == "http://10.0.0.5:8000/v1");
  CHECK(sub.runner.openai.api_key_env == "TEAM_KEY");
  CHECK(sub.runner.openai.generation_endpoint == "chat");
  CHECK(sub.runner.openai.request_timeout_s == 90.5);
  CHECK(sub.runner.openai.max_in_flight == 32);
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "api_key_env: TEAM_KEY", "api_key_env: sk-123"), "sub.yaml"),
                      Contains("field 'api_key_env': must be the name of an environment variable"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "http://10.0.0.5", "ftp://10.0.0.5"), "sub.yaml"),
                      Contains("field 'base_url': must start with http://"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "http://10.0.0.5", "http://team:sk-123@10.0.0.5"), "sub.yaml"),
                      Contains("field 'base_url': must not carry credentials (user:key@host)"));
  CHECK(parse_submission(replace(full, "/v1\n", "/v1?tag=a@b\n"), "sub.yaml").runner.openai.base_url ==
        "http://10.0.0.5:8000/v1?tag=a@b");  // an '@' past the host is no credential
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "request_timeout_s: 90.5", "request_timeout_s: -1"), "sub.yaml"),
                      Contains("field 'request_timeout_s'"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "runner: openai\n", ""), "sub.yaml"),
                      Contains("field 'server': only the openai runner talks to a server"));

  REQUIRE_THROWS_WITH(parse_submission(replace(full, "kind: llm", "kind: robot"), "sub.yaml"),
                      Contains("sub.yaml: field 'kind': must be one of llm, vlm, vla"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "dtype: bfloat16", "dtype: int4"), "sub.yaml"), Contains("field 'dtype'"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "batch_size: 32", "batch_size: 0"), "sub.yaml"), Contains("field 'batch_size'"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "${DOKPA_TEST_MODELS}", "${DOKPA_TEST_UNSET_VAR}"), "sub.yaml"),
                      Contains("sub.yaml: field 'checkpoint': environment variable 'DOKPA_TEST_UNSET_VAR' is not set"));
  REQUIRE_THROWS_WITH(parse_submission(replace(full, "team: reference\n", ""), "sub.yaml"), Contains("field 'team': is required"));
}

TEST_CASE("submission: chat settings", "[suite][submission][chat]") {
  ScopedEnv home("HOME", "/home/tester");
  const std::string base = "team: t\nmodel: m\nkind: llm\ncheckpoint: /models/m\n";
  SubmissionConfig sub = parse_submission(base, "sub.yaml");
  CHECK(sub.chat.format == PromptFormat::Raw);
  CHECK(sub.chat.template_file.empty());
  CHECK(sub.chat.kwargs_json == "{}");

  sub = parse_submission(base + "prompt_format: chat_multiturn\nchat_template: ~/tc.json\n"
                                "chat_template_kwargs: {enable_thinking: false, budget: 3, tag: 'true', name: x}\n"
                                "system_prompt: 한국어로 답하세요.\n",
                         "sub.yaml");
  CHECK(sub.chat.format == PromptFormat::ChatMultiturn);
  CHECK(sub.chat.template_file == "/home/tester/tc.json");
  // plain YAML scalars keep their YAML type, quoted ones stay strings; keys sorted
  CHECK(sub.chat.kwargs_json == R"({"budget":3,"enable_thinking":false,"name":"x","tag":"true"})");
  CHECK(sub.chat.system_prompt == "한국어로 답하세요.");

  REQUIRE_THROWS_WITH(parse_submission(base + "prompt_format: jinja\n", "sub.yaml"),
                      Contains("sub.yaml: field 'prompt_format': must be one of raw, chat, chat_multiturn"));
  REQUIRE_THROWS_WITH(parse_submission(base + "system_prompt: hi\n", "sub.yaml"),
                      Contains("field 'system_prompt': needs prompt_format chat or chat_multiturn"));
  REQUIRE_THROWS_WITH(parse_submission(base + "prompt_format: chat\nchat_template_kwargs: [a]\n", "sub.yaml"),
                      Contains("field 'chat_template_kwargs': must be a mapping"));
  // Found by fuzz_submission_yaml: invalid UTF-8 in a kwargs key escaped as nlohmann's type_error.
  REQUIRE_THROWS_WITH(parse_submission(base + "prompt_format: chat\nchat_template_kwargs: {enable_t\x98ink: 1}\n", "sub.yaml"),
                      Contains("sub.yaml: invalid UTF-8 at byte 100 (line 6)"));
  // ... and a NUL byte there, which yaml-cpp turned into a stray 0x85 byte.
  REQUIRE_THROWS_WITH(parse_submission(base + "prompt_format: chat\nchat_template_kwargs: {a: fals\x07" + std::string(1, '\0') + "e}\n", "sub.yaml"),
                      Contains("sub.yaml: control character 0x07 at byte 99 (line 6)"));
}

TEST_CASE("submission: the shipped reference manifest is valid", "[suite][submission]") {
  SubmissionConfig sub = load_submission(test::source_dir() / "configs/submissions/smollm2.yaml");
  CHECK(sub.team == "reference");
  CHECK(sub.model == "SmolLM2-135M-Instruct");
  CHECK(sub.kind == "llm");
  CHECK(sub.runner.kind == "native");
  CHECK(sub.runner.batch_size == 8);
  CHECK(sub.chat.format == PromptFormat::Raw);
  CHECK(load_submission(test::source_dir() / "configs/submissions/smollm2-chat.yaml").chat.format ==
        PromptFormat::ChatMultiturn);
}
