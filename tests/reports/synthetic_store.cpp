// dokpa_synthetic_store: writes a store of made-up but internally consistent runs through the
// ResultStore API, for the report tests and bench/report_bench.py. Nothing here is a model:
// each run "answers" an item right with a probability set per run, drawn from a hash, so the
// store has known, reproducible differences between runs.
//
//   dokpa_synthetic_store --out FILE [--runs 4] [--tasks 4] [--items 40] [--seed 7] [--extras]
//
// Suite "synthetic": tasks mc_0..mc_{T-1} (multiple choice, 4 choices, acc and acc_norm) and
// one generation task gen_f1 (a per-item metric f1 in {0, .25, .5, .75, 1}); groups first_half
// and second_half over the mc tasks (acc, macro and micro). Run r answers right with
// probability 0.35 + 0.12 r. --extras adds five runs a report must leave out: one on other
// data, one still running, one of another suite, one made with --generation-cap, one of a
// task subset (--tasks).
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "harness/store/result_store.h"

namespace {

using dokpa::ResultStore;

struct Settings {
  std::string out;
  int runs = 4;
  int tasks = 4;
  int items = 40;
  uint64_t seed = 7;
  bool extras = false;
};

// A uniform number in [0, 1) from a hash of the arguments.
double uniform(uint64_t seed, const std::string& what) {
  std::string digest = dokpa::sha256_hex(fmt::format("{}\n{}", seed, what));
  return static_cast<double>(std::stoull(digest.substr(0, 13), nullptr, 16)) / static_cast<double>(1ULL << 52);
}

std::string suite_text(const std::string& name, int tasks) {
  nlohmann::json suite = {{"format", "dokpa-suite-v1"}, {"name", name}, {"version", 1}, {"seed", 1234}, {"description", "synthetic"}};
  std::vector<std::string> mc;
  for (int t = 0; t < tasks; ++t) {
    std::string task = fmt::format("mc_{}", t);
    mc.push_back(task);
    suite["tasks"].push_back({{"name", task}, {"output", "multiple_choice"}, {"choices", {"A", "B", "C", "D"}},
                              {"fewshot", {{"count", t % 2 == 0 ? 0 : 5}, {"sampler", "first_n"}}}, {"metrics", {"acc", "acc_norm"}},
                              {"target_delimiter", " "}, {"prompt", "{{question}}"}});
  }
  suite["tasks"].push_back({{"name", "gen_f1"}, {"output", "generate"}, {"fewshot", {{"count", 0}}}, {"metrics", {"f1"}},
                            {"generation", {{"max_tokens", 16}, {"until", {"\n"}}}}, {"prompt", "{{question}}"}});
  size_t half = mc.size() / 2;
  suite["groups"] = {
      {{"name", "first_half"}, {"tasks", std::vector<std::string>(mc.begin(), mc.begin() + static_cast<long>(half))}, {"metrics", {"acc"}}, {"averaging", {"macro", "micro"}}},
      {{"name", "second_half"}, {"tasks", std::vector<std::string>(mc.begin() + static_cast<long>(half), mc.end())}, {"metrics", {"acc"}}, {"averaging", {"macro", "micro"}}}};
  return suite.dump();
}

// How one run differs from a plain complete run.
struct RunVariant {
  std::string data_tag = "v1";  // another tag: other data file contents
  double answered = 1.0;  // < 1: that share of requests answered, the run left running
  int generation_cap = 0;  // recorded in the provenance as dokpa run --generation-cap does
  int tasks = -1;  // >= 0: only the first `tasks` multiple-choice tasks (a --tasks subset)
};

void write_run(ResultStore& store, const Settings& settings, int64_t suite_id, const std::string& suite_name, int run,
               const RunVariant& variant) {
  const std::string& data_tag = variant.data_tag;
  const double answered = variant.answered;
  std::string team = fmt::format("team-{}", static_cast<char>('A' + run % 26));
  dokpa::SubmissionRecord submission{team, fmt::format("model-{}", run), "llm", "synthetic",
                                     dokpa::sha256_hex(fmt::format("checkpoint {} {}", run, data_tag)), "synthetic: true\n", {}};
  int64_t submission_id = store.put_submission(submission);
  std::vector<dokpa::DataFileRecord> data = {{"synthetic/items.jsonl", dokpa::sha256_hex("synthetic data " + data_tag)}};
  nlohmann::json provenance = {
      {"format", 1}, {"dokpa_version", "synthetic"}, {"seed", 1234}, {"plan_hash", dokpa::sha256_hex("plan " + suite_name)},
      {"runner", {{"runner", "synthetic"}, {"architecture", "none"}, {"dtype", "float32"}, {"device", "cpu"}, {"versions", {{"libtorch", "none"}}}}},
      {"checkpoint", {{"sha256", submission.checkpoint_sha256}, {"files", nlohmann::json::array()}}},
      {"data_files", {{{"path", data[0].path}, {"sha256", data[0].sha256}}}}};
  if (variant.generation_cap > 0) provenance["generation_cap"] = variant.generation_cap;
  std::string run_key = dokpa::sha256_hex(
      fmt::format("run {} {} {} {} {} {}", run, data_tag, suite_name, variant.generation_cap, variant.tasks, answered));
  int64_t run_id = store.begin_run({submission_id, suite_id, run_key, provenance.dump(), data}).id;

  double skill = 0.35 + 0.12 * run;
  std::vector<dokpa::RequestRow> requests;
  std::vector<dokpa::ResultRow> results;
  std::vector<dokpa::ItemScoreRow> scores;
  std::vector<dokpa::TaskMetricRow> metrics;
  auto add = [&](const std::string& task, const std::string& item, int index, const nlohmann::json& request, std::optional<double> logprob,
                 std::optional<std::string> text) {
    std::string json = request.dump();
    dokpa::RequestKey key{task, item, index};
    std::string hash = dokpa::sha256_hex(json);
    requests.push_back({key, static_cast<int64_t>(requests.size()), hash, json});
    if (uniform(settings.seed, fmt::format("answered {} {} {}", run, task, item)) < answered)
      results.push_back({key, hash, logprob, logprob ? std::optional<bool>(index == 0) : std::nullopt, 1, text,
                         text ? std::optional<std::string>("stop") : std::nullopt, 1.0, 1});
  };
  for (int t = 0; t <= settings.tasks; ++t) {
    bool generation = t == settings.tasks;
    if (variant.tasks >= 0 && (generation || t >= variant.tasks)) continue;
    std::string task = generation ? "gen_f1" : fmt::format("mc_{}", t);
    double sum = 0.0;
    for (int i = 0; i < settings.items; ++i) {
      std::string item = fmt::format("{:05d}", i);
      std::string question = fmt::format("질문 {}-{}: 다음 중 옳은 것은?\n정답：", task, i);
      if (generation) {
        double f1 = std::floor(uniform(settings.seed, fmt::format("f1 {} {} {}", run, t, i)) * 4.0 + skill * 1.5) / 4.0;
        f1 = std::min(1.0, f1);
        add(task, item, 0, {{"type", "generate"}, {"prompt", question}, {"max_tokens", 16}}, std::nullopt, fmt::format("답 {}", f1));
        scores.push_back({task, item, "f1", f1});
        sum += f1;
        continue;
      }
      int gold = i % 4;
      bool right = uniform(settings.seed, fmt::format("right {} {} {}", run, t, i)) < skill;
      int chosen = right ? gold : (gold + 1) % 4;
      for (int c = 0; c < 4; ++c)
        add(task, item, c, {{"type", "multiple_choice"}, {"context", question}, {"continuation", fmt::format(" {}", "ABCD"[c])}},
            c == chosen ? -0.5 : -2.0 - 0.1 * c, std::nullopt);
      scores.push_back({task, item, "acc", right ? 1.0 : 0.0});
      scores.push_back({task, item, "acc_norm", right ? 1.0 : 0.0});
      sum += right;
    }
    double mean = sum / settings.items;
    if (generation) metrics.push_back({task, "f1", mean, std::nullopt, settings.items});
    else for (const char* metric : {"acc", "acc_norm"}) metrics.push_back({task, metric, mean, std::nullopt, settings.items});
  }
  store.put_requests(run_id, requests);
  for (size_t start = 0; start < results.size(); start += 20000) {
    size_t end = std::min(results.size(), start + 20000);
    store.put_results(run_id, std::span<const dokpa::ResultRow>(results.data() + start, end - start));
  }
  if (answered < 1.0) return;  // left running
  store.put_scores(run_id, scores, metrics);
  store.finish_run(run_id, dokpa::RunStatus::Complete, "{}");
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--out") settings.out = value();
    else if (arg == "--runs") settings.runs = std::stoi(value());
    else if (arg == "--tasks") settings.tasks = std::stoi(value());
    else if (arg == "--items") settings.items = std::stoi(value());
    else if (arg == "--seed") settings.seed = std::stoull(value());
    else if (arg == "--extras") settings.extras = true;
    else {
      std::cerr << "unknown argument " << arg << "\n";
      return 2;
    }
  }
  if (settings.out.empty()) {
    std::cerr << "usage: dokpa_synthetic_store --out FILE [--runs N] [--tasks N] [--items N] [--seed N] [--extras]\n";
    return 2;
  }
  try {
    auto store = dokpa::open_result_store(settings.out);
    std::string text = suite_text("synthetic", settings.tasks);
    int64_t suite_id = store->put_suite("synthetic", dokpa::sha256_hex(text), text);
    for (int run = 0; run < settings.runs; ++run) write_run(*store, settings, suite_id, "synthetic", run, {});
    if (settings.extras) {
      write_run(*store, settings, suite_id, "synthetic", 0, {.data_tag = "v2"});  // other data
      write_run(*store, settings, suite_id, "synthetic", 1, {.answered = 0.5});  // still running
      std::string other = suite_text("synthetic-other", settings.tasks + 1);
      int64_t other_id = store->put_suite("synthetic-other", dokpa::sha256_hex(other), other);
      write_run(*store, settings, other_id, "synthetic-other", 2, {});
      write_run(*store, settings, suite_id, "synthetic", 2, {.generation_cap = 8});
      write_run(*store, settings, suite_id, "synthetic", 3, {.tasks = 1});
    }
  } catch (const std::exception& e) {
    std::cerr << "dokpa_synthetic_store: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
