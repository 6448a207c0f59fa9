// `dokpa verify --recompute N`: re-runs a seeded draw of stored items on the run's checkpoint and
// confirms the stored results are its own. A tiny suite (3 four-choice items, 2 short generations)
// on the default model, run once per test process; each case works on a copy of that store and
// edits it with the sqlite3 C API, as an evaluator's shell would.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

namespace fs = std::filesystem;

const char* kMcCsv =
    "question,answer,A,B,C,D\n"
    "1 더하기 1은?,2,1,2,3,4\n"
    "하늘의 색은?,1,파랑,빨강,초록,검정\n"
    "한국의 수도는?,3,부산,대구,서울,광주\n";

const char* kGenJsonl =
    "{\"question\": \"2 더하기 3은?\", \"answer\": \"5\"}\n"
    "{\"question\": \"대한민국의 수도는?\", \"answer\": \"서울\"}\n";

const char* kSuite =
    "name: recompute\nversion: 1\nseed: 1\ntasks:\n"
    "  - name: tiny_mc\n    output: multiple_choice\n    dataset: {format: csv, path: mc.csv}\n"
    "    prompt: \"{{question}}\\nA. {{A}}\\nB. {{B}}\\nC. {{C}}\\nD. {{D}}\\n정답：\"\n"
    "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n    metrics: [acc, acc_norm]\n"
    "  - name: tiny_gen\n    output: generate\n    dataset: {format: jsonl, path: gen.jsonl}\n"
    "    prompt: \"질문: {{question}}\\n답:\"\n    gold: {field: answer}\n"
    "    generation: {until: [\"\\n\"], max_tokens: 8}\n    metrics: [exact_match]\n";

// A store with one complete run of the tiny suite in `dtype`, built once per test process and
// dtype (ctest runs the cases side by side), copied fresh for every case.
fs::path baseline_store(const fs::path& dir, const std::string& dtype = "float32") {
  static std::map<std::string, fs::path> baselines;
  fs::path& baseline = baselines[dtype];
  if (baseline.empty()) {
    fs::path base = scratch_dir("recompute_baseline_" + dtype + "_" + std::to_string(::getpid()));
    write_text(base / "mc.csv", kMcCsv);
    write_text(base / "gen.jsonl", kGenJsonl);
    write_text(base / "suite.yaml", kSuite);
    write_text(base / "submission.yaml",
               "team: test\nmodel: tiny\nkind: llm\ncheckpoint: " + default_model_dir().string() +
                   "\nrunner: native\ndtype: " + dtype + "\ndevice: cpu\nbatch_size: 4\n");
    CommandResult run = run_dokpa(run_args(base / "suite.yaml", base / "submission.yaml", base / "baseline.db"));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    baseline = base / "baseline.db";
  }
  fs::path copy = dir / "store.db";
  fs::copy_file(baseline, copy, fs::copy_options::overwrite_existing);
  return copy;
}

CommandResult verify(const fs::path& store, const std::string& extra) {
  return run_dokpa("verify --store " + shell_quote(store.string()) + " " + extra);
}

void execute(const fs::path& store, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(store.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  INFO(sql << ": " << (message ? message : ""));
  sqlite3_free(message);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// (task, item_id) of the run's items in plan order.
std::vector<std::pair<std::string, std::string>> items_in_plan_order(const fs::path& store) {
  std::vector<std::pair<std::string, std::string>> items;
  for (const std::string& row : query_rows(store, "SELECT task, item_id FROM requests ORDER BY plan_order")) {
    auto bar = row.find('|');
    std::pair<std::string, std::string> item{row.substr(0, bar), row.substr(bar + 1)};
    if (items.empty() || items.back() != item) items.push_back(item);
  }
  return items;
}

std::string item_label(const std::pair<std::string, std::string>& item) {
  return "task '" + item.first + "' item '" + item.second + "'";
}

// The per-item lines of a verify --recompute output.
std::vector<std::string> item_lines(const std::string& output) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    if (line.rfind("ok ", 0) == 0 || line.rfind("DIFFERS ", 0) == 0) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// The default model's folder with one weight of model.safetensors changed (config and tokenizer linked).
fs::path perturbed_checkpoint(const fs::path& dir) {
  fs::create_directories(dir);
  for (const fs::directory_entry& entry : fs::directory_iterator(default_model_dir()))
    if (entry.path().filename() != "model.safetensors") fs::create_symlink(entry.path(), dir / entry.path().filename());
  std::string bytes = read_file(default_model_dir() / "model.safetensors");
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, header_length));
  for (const auto& [name, tensor] : header.items()) {
    if (name == "__metadata__" || tensor.at("dtype") != "F32") continue;
    size_t at = 8 + header_length + tensor.at("data_offsets").at(0).get<size_t>();
    float value = 0;
    std::memcpy(&value, bytes.data() + at, 4);
    value += 0.01f;
    std::memcpy(bytes.data() + at, &value, 4);
    break;
  }
  REQUIRE(bytes != read_file(default_model_dir() / "model.safetensors"));
  write_text(dir / "model.safetensors", bytes);
  return dir;
}

}  // namespace

TEST_CASE("verify --recompute passes on an intact run and leaves the store untouched", "[cli][recompute][smollm2]") {
  fs::path dir = scratch_dir("recompute_intact");
  fs::path store = baseline_store(dir);
  const std::string bytes_before = read_file(store);
  const auto rows_before = stored_results(store);

  CommandResult check = verify(store, "--recompute 5 --seed 1");
  INFO(check.output);
  REQUIRE(check.exit_code == 0);
  CHECK(check.output.find("has the run's sha256") != std::string::npos);
  CHECK(check.output.find("recomputed 5 items (14 requests) of run 1: 5 agree, 0 differ") != std::string::npos);
  CHECK(item_lines(check.output).size() == 5);
  CHECK(check.output.find("DIFFERS") == std::string::npos);
  CHECK(check.output.rfind("ok\n") == check.output.size() - 3);

  CHECK(read_file(store) == bytes_before);
  CHECK(stored_results(store) == rows_before);
}

TEST_CASE("verify --recompute names a stored log-probability edited beyond the tolerance",
          "[cli][recompute][smollm2]") {
  fs::path dir = scratch_dir("recompute_logprob");
  fs::path store = baseline_store(dir);
  auto items = items_in_plan_order(store);
  REQUIRE(items.size() == 5);
  // A gross edit, and one just past the float32 tolerance (1e-3 + 1e-4 per token).
  execute(store, "UPDATE results SET logprob = logprob + 0.5 WHERE task = 'tiny_mc' AND item_id = '" + items[1].second +
                     "' AND request_index = 2");
  execute(store, "UPDATE results SET logprob = logprob - 0.005 WHERE task = 'tiny_mc' AND item_id = '" +
                     items[2].second + "' AND request_index = 0");

  CommandResult check = verify(store, "--recompute 100 --seed 3");  // N above the item count: every item
  INFO(check.output);
  CHECK(check.exit_code == 1);
  auto lines = item_lines(check.output);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].rfind("ok       " + item_label(items[0]), 0) == 0);
  CHECK(lines[1].rfind("DIFFERS  " + item_label(items[1]) + ": request 2: logprob stored ", 0) == 0);
  CHECK(lines[2].rfind("DIFFERS  " + item_label(items[2]) + ": request 0: logprob stored ", 0) == 0);
  CHECK(lines[3].rfind("ok ", 0) == 0);
  CHECK(lines[4].rfind("ok ", 0) == 0);
  CHECK(check.output.find("5 items (14 requests) of run 1: 3 agree, 2 differ") != std::string::npos);
  CHECK(check.output.find("dokpa: error: " + store.string()) != std::string::npos);
  CHECK(check.output.find("2 of 5 recomputed items of run 1 differ from the stored results") != std::string::npos);
  CHECK(check.output.find("audit problem") != std::string::npos);  // the chain sees the edit too
}

TEST_CASE("verify --recompute catches an edited generation", "[cli][recompute][smollm2]") {
  fs::path dir = scratch_dir("recompute_text");
  fs::path store = baseline_store(dir);
  auto items = items_in_plan_order(store);
  REQUIRE(items.size() == 5);
  execute(store, "UPDATE results SET response_text = ' 편집된 답' WHERE task = 'tiny_gen' AND item_id = '" +
                     items[3].second + "'");

  CommandResult check = verify(store, "--recompute 5");
  INFO(check.output);
  CHECK(check.exit_code == 1);
  auto lines = item_lines(check.output);
  REQUIRE(lines.size() == 5);
  CHECK(lines[3].rfind("DIFFERS  " + item_label(items[3]) + ": response_text stored \" 편집된 답\", recomputed ", 0) ==
        0);
  CHECK(lines[4].rfind("ok ", 0) == 0);
  CHECK(check.output.find("1 of 5 recomputed items of run 1 differ from the stored results") != std::string::npos);
}

TEST_CASE("verify --recompute refuses a checkpoint whose sha256 is not the run's", "[cli][recompute][smollm2]") {
  fs::path dir = scratch_dir("recompute_checkpoint");
  fs::path store = baseline_store(dir);
  fs::path other = perturbed_checkpoint(dir / "other-checkpoint");
  CommandResult check = verify(store, "--recompute 5 --checkpoint " + shell_quote(other.string()));
  INFO(check.output);
  CHECK(check.exit_code == 1);
  CHECK(check.output.find("dokpa: error: " + other.string() + ": checkpoint sha256 ") != std::string::npos);
  CHECK(check.output.find("model.safetensors has sha256 ") != std::string::npos);
  CHECK(check.output.find("nothing was recomputed") != std::string::npos);
  CHECK(item_lines(check.output).empty());

  // The same files elsewhere are accepted.
  fs::path same = dir / "same-checkpoint";
  fs::create_directories(same);
  for (const fs::directory_entry& entry : fs::directory_iterator(default_model_dir()))
    fs::create_symlink(entry.path(), same / entry.path().filename());
  CommandResult elsewhere = verify(store, "--recompute 1 --checkpoint " + shell_quote(same.string()));
  INFO(elsewhere.output);
  CHECK(elsewhere.exit_code == 0);
  fs::remove_all(other);  // a full copy of the weights
}

TEST_CASE("the --recompute draw is seeded: the same seed draws the same items and another seed others", "[cli][recompute][smollm2]") {
  fs::path dir = scratch_dir("recompute_draw");
  fs::path store = baseline_store(dir);
  auto items = items_in_plan_order(store);
  REQUIRE(items.size() == 5);
  auto drawn = [&](const std::string& seed) {
    CommandResult check = verify(store, "--recompute 3 --seed " + seed);
    INFO(check.output);
    REQUIRE(check.exit_code == 0);
    return item_lines(check.output);
  };
  auto first = drawn("3"), again = drawn("3"), other = drawn("4");
  CHECK(first == again);
  CHECK(first != other);
  // Python's sorted(random.Random(3).sample(range(5), 3)) == [1, 3, 4]; seed 4: [0, 1, 2].
  REQUIRE(first.size() == 3);
  REQUIRE(other.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(first[i].find(item_label(items[std::vector<size_t>{1, 3, 4}[i]])) != std::string::npos);
    CHECK(other[i].find(item_label(items[i])) != std::string::npos);
  }
}

TEST_CASE("a bfloat16 run replays bit for bit: its tolerance catches an edit the batch effect would hide",
          "[cli][recompute][smollm2]") {
  fs::path dir = scratch_dir("recompute_bf16");
  fs::path store = baseline_store(dir, "bfloat16");
  auto items = items_in_plan_order(store);
  REQUIRE(items.size() == 5);

  // Two items drawn: each is re-run inside its whole chunk (the run's runner call), so the
  // batches are the run's own and every log-probability comes back bit for bit.
  CommandResult check = verify(store, "--recompute 2 --seed 4");  // items 1 and 2 (tiny_mc)
  INFO(check.output);
  REQUIRE(check.exit_code == 0);
  CHECK(check.output.find(
            "in bfloat16: replaying the run's runner call holding them (1 chunk of 8 items, 12 requests)") !=
        std::string::npos);
  auto lines = item_lines(check.output);
  REQUIRE(lines.size() == 2);
  for (const std::string& line : lines) CHECK(line.find("max |Δ logprob| 0)") != std::string::npos);
  CHECK(check.output.find("recomputed 2 items (8 requests) of run 1: 2 agree, 0 differ") != std::string::npos);

  // 0.01 nats: inside any tolerance a batch effect (up to 0.76 in bfloat16) would need, outside this one.
  execute(store, "UPDATE results SET logprob = logprob + 0.01 WHERE task = 'tiny_mc' AND item_id = '" +
                     items[1].second + "' AND request_index = 0");
  CommandResult edited = verify(store, "--recompute 100");
  INFO(edited.output);
  CHECK(edited.exit_code == 1);
  lines = item_lines(edited.output);
  REQUIRE(lines.size() == 5);
  CHECK(lines[1].rfind("DIFFERS  " + item_label(items[1]) + ": request 0: logprob stored ", 0) == 0);
  CHECK(edited.output.find("1 of 5 recomputed items of run 1 differ from the stored results") != std::string::npos);
}
