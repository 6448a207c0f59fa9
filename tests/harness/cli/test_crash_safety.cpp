// Issue 7, crash safety: a run killed with SIGKILL at 20 seeded points (while loading weights,
// inside a write transaction, between batches) and restarted each time ends with the store of an
// uninterrupted run, row for row; a full disk and a read-only store give one clear error and lose
// nothing committed. The kills come from common/crash_point.h (DOKPA_CRASH_POINT); the full disk
// and the read-only file system are tmpfs mounts the test makes, so it must run as root (CI does).
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <fmt/format.h>

#include <cstring>
#include <regex>
#include <set>

#include "tests/harness/cli/cli_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

namespace fs = std::filesystem;

constexpr int kMcItems = 48;
constexpr int kGenerateItems = 16;
constexpr int kItems = kMcItems + kGenerateItems;

// splitmix64: the test's own seeded generator (the kill points must not depend on the platform).
struct SeededDraw {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int64_t in(int64_t low, int64_t high) { return low + static_cast<int64_t>(next() % static_cast<uint64_t>(high - low + 1)); }
};

// A suite of one multiple-choice and one generation task, written into `dir`.
fs::path write_crash_suite(const fs::path& dir) {
  std::string csv = "question,answer,A,B,C,D\n";
  for (int i = 0; i < kMcItems; ++i)
    csv += fmt::format("{} 더하기 {}은?,{},{},{},{},{}\n", i, i % 7, 1 + i % 4, i + i % 7, i + 1, i + 2, i + 3);
  write_text(dir / "crash_mc.csv", csv);
  std::string jsonl;
  for (int i = 0; i < kGenerateItems; ++i)
    jsonl += fmt::format("{{\"question\": \"{}의 다음 수는?\", \"answer\": \"{}\"}}\n", i * 3, i * 3 + 1);
  write_text(dir / "crash_gen.jsonl", jsonl);
  write_text(dir / "crash.yaml",
             "name: crash\nversion: 1\nseed: 7\ntasks:\n"
             "  - name: crash_mc\n    output: multiple_choice\n    dataset: {format: csv, path: crash_mc.csv}\n"
             "    prompt: \"{{question}}\\nA. {{A}}\\nB. {{B}}\\nC. {{C}}\\nD. {{D}}\\n정답：\"\n"
             "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n    metrics: [acc]\n"
             "  - name: crash_gen\n    output: generate\n    dataset: {format: jsonl, path: crash_gen.jsonl}\n"
             "    prompt: \"질문: {{question}}\\n답:\"\n    gold: {field: answer}\n"
             "    generation: {until: [\"\\n\"], max_tokens: 6}\n    metrics: [exact_match]\n");
  write_text(dir / "submission.yaml", "team: crash\nmodel: SmolLM2-135M-Instruct\nkind: llm\ncheckpoint: " +
                                          default_model_dir().string() +
                                          "\nrunner: native\ndtype: float32\ndevice: cpu\nbatch_size: 4\n");
  return dir;
}

// One item per chunk, so every item is its own committed batch.
std::string crash_run_args(const fs::path& suite_dir, const fs::path& store) {
  return run_args(suite_dir / "crash.yaml", suite_dir / "submission.yaml", store) + " --chunk-items 1";
}

// Items of the plan with no stored result yet (chunks are single items, so each is one batch ahead).
int64_t items_pending(const fs::path& store) {
  if (!fs::exists(store)) return kItems;
  auto planned = query_rows(store, "SELECT count(*) FROM (SELECT DISTINCT task, item_id FROM requests)");
  if (planned.empty() || planned[0] == "0") return kItems;
  auto done = query_rows(store, "SELECT count(*) FROM (SELECT DISTINCT task, item_id FROM results)");
  return std::stoll(planned[0]) - std::stoll(done[0]);
}

// Runs `dokpa <args>` with DOKPA_CRASH_POINT=<point> and requires that it died of SIGKILL there.
void run_killed_at(const std::string& args, const std::string& point) {
  pid_t pid = start_dokpa(args, "DOKPA_CRASH_POINT=" + shell_quote(point));
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("dokpa with DOKPA_CRASH_POINT=" << point << " exited with status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
}

std::string printed_digest(const std::string& output) {
  std::smatch match;
  REQUIRE(std::regex_search(output, match, std::regex("run \\d+ digest ([0-9a-f]{64})")));
  return match[1];
}

// Every result the store holds equals the uninterrupted run's result for that key.
void require_subset_of(const std::vector<std::string>& stored, const std::vector<std::string>& complete) {
  std::set<std::string> expected(complete.begin(), complete.end());
  for (const std::string& row : stored) {
    INFO("stored result not in the uninterrupted run: " << row);
    REQUIRE(expected.count(row) == 1);
  }
}

const std::string kResultRows =
    "SELECT task, item_id, request_index, prompt_hash, logprob, is_greedy, n_tokens, response_text, finish_reason "
    "FROM results ORDER BY 1, 2, 3";

// Folds the store's write-ahead log into the file (what closing the last writer does).
void fold_write_ahead_log(const fs::path& store) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(store.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE(!fs::exists(store.string() + "-wal"));
}

// A tmpfs of `bytes` at `dir`, unmounted when the guard goes (also when a REQUIRE fails).
class TmpfsMount {
 public:
  TmpfsMount(fs::path dir, size_t bytes) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    std::string options = "size=" + std::to_string(bytes);
    INFO("mounting a tmpfs needs root (CI runs as root): " << std::strerror(errno));
    REQUIRE(::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0);
  }
  ~TmpfsMount() { ::umount2(dir_.c_str(), MNT_DETACH); }
  void remount(unsigned long flags, const std::string& options = "") {
    INFO("remount " << dir_ << ": " << std::strerror(errno));
    REQUIRE(::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | flags, options.empty() ? nullptr : options.c_str()) == 0);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

// The uninterrupted run every test here compares against, made once per process.
struct Baseline {
  fs::path suite_dir;
  fs::path store;
  std::string digest;
};

const Baseline& baseline() {
  static Baseline made;
  if (made.store.empty()) {
    fs::path dir = scratch_dir("crash_baseline_" + std::to_string(::getpid()));
    write_crash_suite(dir);
    CommandResult run = run_dokpa(crash_run_args(dir, dir / "uninterrupted.db"));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    made = {dir, dir / "uninterrupted.db", printed_digest(run.output)};
    REQUIRE(query_rows(made.store, "SELECT count(*) FROM (SELECT DISTINCT task, item_id FROM results)") ==
            std::vector<std::string>{std::to_string(kItems)});
  }
  return made;
}

void require_equal_stores(const fs::path& actual, const fs::path& expected) {
  auto want = stored_results(expected);
  auto got = stored_results(actual);
  for (const auto& [table, rows] : want) {
    INFO("table " << table);
    CHECK(got[table] == rows);
  }
}

}  // namespace

TEST_CASE("a run SIGKILLed at 20 seeded points and restarted equals an uninterrupted run", "[cli][crash][smollm2]") {
  const Baseline& base = baseline();
  const std::vector<std::string> complete = query_rows(base.store, kResultRows);
  fs::path store = scratch_dir("crash_torture") / "killed.db";
  const std::string args = crash_run_args(base.suite_dir, store);

  // Points: while loading weights (SmolLM2-135M has 272 tensors), inside a write transaction
  // (just before COMMIT), or between batches (just after one). Each kill advances the run by at
  // most 3 batches, so 20 kills leave work for the next one: every planned kill happens.
  SeededDraw draw{20261206};
  std::map<std::string, int> kills;
  for (int k = 0; k < 20; ++k) {
    const int64_t pending = items_pending(store);
    REQUIRE(pending > 0);
    const int64_t ahead = std::min<int64_t>(pending, 3);
    std::string point;
    switch (draw.in(0, 2)) {
      case 0: point = "load.tensor:" + std::to_string(draw.in(1, 272)); break;
      case 1: point = "store.commit:" + std::to_string(draw.in(1, ahead)); break;
      default: point = "store.committed:" + std::to_string(draw.in(1, ahead)); break;
    }
    INFO("kill " << k << " at " << point << ", " << pending << " items pending");
    run_killed_at(args, point);
    ++kills[point.substr(0, point.find(':'))];
    // What survived a kill is consistent (the audit chain covers it) and true (each row is
    // the uninterrupted run's).
    if (fs::exists(store)) {
      require_subset_of(query_rows(store, kResultRows), complete);
      CommandResult verify = run_dokpa("verify --store " + shell_quote(store.string()));
      INFO(verify.output);
      REQUIRE(verify.exit_code == 0);
    }
  }
  for (const auto& [point, count] : kills) WARN(count << " kills at " << point);
  REQUIRE(kills.size() == 3);  // the seed draws every kind of point

  CommandResult finished = run_dokpa(crash_run_args(base.suite_dir, store));
  INFO(finished.output);
  REQUIRE(finished.exit_code == 0);
  require_equal_stores(store, base.store);
  CHECK(printed_digest(finished.output) == base.digest);
  CommandResult verify = run_dokpa("verify --store " + shell_quote(store.string()) + " --digest " + base.digest);
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("a full disk stops the run with a clear error and keeps what was committed", "[cli][crash][disk-full][smollm2]") {
  const Baseline& base = baseline();
  const std::vector<std::string> complete = query_rows(base.store, kResultRows);
  TmpfsMount disk(scratch_dir("crash_disk_full") / "disk", 64u << 20);
  fs::path store = disk.dir() / "store.db";
  const std::string args = crash_run_args(base.suite_dir, store);

  // Ten batches in, then the disk is filled to within 64 KiB of full and the run resumed.
  run_killed_at(args, "store.committed:10");
  const size_t before = query_rows(store, kResultRows).size();
  REQUIRE(before > 0);
  struct statvfs fsinfo {};
  REQUIRE(::statvfs(disk.dir().c_str(), &fsinfo) == 0);
  const uint64_t free_bytes = static_cast<uint64_t>(fsinfo.f_bavail) * fsinfo.f_frsize;
  REQUIRE(free_bytes > (64u << 10));
  {
    std::ofstream filler(disk.dir() / "filler", std::ios::binary);
    std::string block(1 << 16, 'x');
    for (uint64_t left = free_bytes - (64u << 10); left > 0;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, block.size()));
      filler.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
  }

  CommandResult full = run_dokpa(args);
  INFO(full.output);
  REQUIRE(full.exit_code == 1);
  CHECK(full.output.find("dokpa: error: " + store.string() + ": ") != std::string::npos);
  CHECK(full.output.find("the disk holding the store is full") != std::string::npos);
  auto kept = query_rows(store, kResultRows);
  WARN("full disk: " << before << " results before the resume, " << kept.size() << " when the disk was full, "
                     << complete.size() << " planned; " << full.output.substr(full.output.find("dokpa: error:")));
  CHECK(kept.size() >= before);
  CHECK(kept.size() < complete.size());
  require_subset_of(kept, complete);
  CommandResult verify = run_dokpa("verify --store " + shell_quote(store.string()));
  INFO(verify.output);
  CHECK(verify.exit_code == 0);

  // With space again, the same command resumes to the uninterrupted run's store.
  fs::remove(disk.dir() / "filler");
  CommandResult resumed = run_dokpa(args);
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  require_equal_stores(store, base.store);
  CHECK(printed_digest(resumed.output) == base.digest);
}

TEST_CASE("a read-only store is refused by run and read by results, verify and report", "[cli][crash][read-only][smollm2]") {
  const Baseline& base = baseline();
  TmpfsMount disk(scratch_dir("crash_read_only") / "disk", 64u << 20);
  fs::path store = disk.dir() / "store.db";
  const std::string args = crash_run_args(base.suite_dir, store);
  run_killed_at(args, "store.committed:12");
  fold_write_ahead_log(store);  // as a run that stopped with an error leaves it
  fs::path complete = disk.dir() / "complete.db";
  fs::copy_file(base.store, complete);
  auto before = stored_results(store);
  auto complete_before = stored_results(complete);
  REQUIRE(!before["results"].empty());
  disk.remount(MS_RDONLY);

  // Refused before the model is loaded: one error line and nothing else.
  CommandResult run = run_dokpa(args);
  CHECK(run.exit_code == 1);
  CHECK(run.output == "dokpa: error: " + store.string() +
                          ": the store is read-only (its file or file system cannot be written); this command writes to "
                          "it. Commands that only read (results, report, verify) open it as it is\n");
  const fs::path report_dir = scratch_dir("crash_read_only_report") / "report";
  for (const std::string& reader :
       {"results --store " + shell_quote(store.string()), "verify --store " + shell_quote(store.string()),
        "verify --store " + shell_quote(complete.string()) + " --digest " + base.digest,
        "report --store " + shell_quote(complete.string()) + " --format md,json --out " + shell_quote(report_dir.string())}) {
    CommandResult read = run_dokpa(reader);
    INFO(reader << "\n" << read.output);
    CHECK(read.exit_code == 0);
  }
  CHECK(fs::exists(report_dir / "report.md"));
  CHECK(stored_results(store) == before);
  CHECK(stored_results(complete) == complete_before);

  // Writable again: the run resumes and completes as if nothing had happened.
  disk.remount(0);
  CommandResult resumed = run_dokpa(args);
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  require_equal_stores(store, base.store);
}
