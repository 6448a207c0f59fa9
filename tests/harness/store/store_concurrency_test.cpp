// Several processes writing one store (shards, resumed runs racing): nothing lost, nothing duplicated.
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <fstream>

#include "common/error.h"
#include "tests/harness/store/store_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

// The k-th request of `worker`'s share, or nullptr when it belongs to another worker. Workers 0 and
// 1 are shards (even / odd items); 2 and 3 race over everything, from opposite ends of the plan.
const RequestRow* share_request(const std::vector<RequestRow>& requests, int worker, size_t k) {
  const RequestRow& request = requests[worker == 3 ? requests.size() - 1 - k : k];
  int item = std::stoi(request.key.item_id.substr(5));
  return worker < 2 && item % 2 != worker ? nullptr : &request;
}

// A child's work: write results for its share of the plan in batches, taking what is still
// pending each time (as a resumed run does), until its share is complete. A batch that loses a
// race to another process fails whole and is retried. Returns rows this process wrote.
int64_t write_share(const std::filesystem::path& path, const std::vector<RequestRow>& requests, int worker,
                    int start_gate) {
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  char byte = 0;
  while (read(start_gate, &byte, 1) > 0) {
  }  // EOF once the parent has forked every worker: all start writing together
  int64_t written = 0;
  for (int round = 0; round < 10000; ++round) {
    std::set<RequestKey> done = store->completed_requests(run);
    std::vector<ResultRow> batch;
    for (size_t k = 0; k < requests.size() && batch.size() < 4; ++k) {
      const RequestRow* request = share_request(requests, worker, k);
      if (request && !done.count(request->key)) batch.push_back(result_for(*request));
    }
    if (batch.empty()) return written;
    try {
      store->put_results(run, batch);
      written += static_cast<int64_t>(batch.size());
    } catch (const Error& error) {
      if (std::string(error.what()).find("already stored") == std::string::npos) throw;
    }
  }
  throw Error(path.string(), "worker did not finish");
}

// Creates the store with one started run planned as `requests`, and closes it: a forked child
// must never use its parent's connection.
void plan_run(const std::filesystem::path& path, const std::vector<RequestRow>& requests) {
  auto store = open_result_store(path);
  int64_t run = store->begin_run(sample_run_start(*store)).id;
  store->put_requests(run, requests);
}

// Forks `workers` processes running write(worker, start_gate), which all start writing together
// once every one is forked; each child's row count goes to written-<w> (its error to error-<w>).
// Returns the seconds from the start until the last child exited, and the rows written in all.
template <typename Write>
std::pair<double, int64_t> run_writers(const std::filesystem::path& dir, int workers, const Write& write) {
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  std::vector<pid_t> children;
  for (int worker = 0; worker < workers; ++worker) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(gate[1]);
      int status = 0;
      try {
        std::ofstream(dir / ("written-" + std::to_string(worker))) << write(worker, gate[0]);
      } catch (const std::exception& error) {
        std::ofstream(dir / ("error-" + std::to_string(worker))) << error.what();
        status = 1;
      }
      _exit(status);  // no Catch2 or static destructors in the child
    }
    children.push_back(pid);
  }
  auto started = std::chrono::steady_clock::now();
  close(gate[0]);
  close(gate[1]);
  for (int worker = 0; worker < workers; ++worker) {
    int status = 0;
    REQUIRE(waitpid(children[worker], &status, 0) == children[worker]);
    std::filesystem::path error = dir / ("error-" + std::to_string(worker));
    INFO("worker " << worker << " error: " << (std::filesystem::exists(error) ? read_file(error) : ""));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int64_t written = 0;
  for (int worker = 0; worker < workers; ++worker) {
    int64_t rows = std::stoll(read_file(dir / ("written-" + std::to_string(worker))));
    UNSCOPED_INFO("worker " << worker << " wrote " << rows << " rows");
    written += rows;
  }
  return {seconds, written};
}

}  // namespace

TEST_CASE("processes writing one store concurrently lose and duplicate nothing", "[store][concurrency]") {
  auto dir = scratch_dir("store-concurrency");
  auto path = dir / "results.sqlite";
  auto requests = sample_requests(150, 2);
  plan_run(path, requests);

  constexpr int kWorkers = 4;
  auto [seconds, written] = run_writers(dir, kWorkers, [&](int worker, int gate) {
    return write_share(path, requests, worker, gate);
  });
  REQUIRE(written == static_cast<int64_t>(requests.size()));  // each row written by exactly one process

  auto store = open_result_store(path);
  int64_t run = store->list_runs().at(0).id;
  auto stored = store->results(run);
  REQUIRE(stored.size() == requests.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    REQUIRE(stored[i].key == requests[i].key);
    REQUIRE(stored[i].logprob == result_for(requests[i]).logprob);
  }
  REQUIRE(raw_query(path, "SELECT count(*) FROM run_attempts") == std::to_string(1 + kWorkers));
  VerifyReport report = store->verify();
  INFO((report.ok() ? "" : report.problems[0].message));
  REQUIRE(report.ok());
  REQUIRE(report.entries == std::stoll(raw_query(path, "SELECT count(*) FROM audit")));
}

namespace {

// A sustained writer: batches of 8 from its share of the plan, refreshing what is done only when a
// batch loses a race, until its share is stored. Returns the rows it wrote.
int64_t write_share_sustained(const std::filesystem::path& path, const std::vector<RequestRow>& requests, int worker,
                              int start_gate) {
  auto store = open_result_store(path);
  int64_t run = store->list_runs().at(0).id;
  char byte = 0;
  while (read(start_gate, &byte, 1) > 0) {
  }
  std::set<RequestKey> done = store->completed_requests(run);
  int64_t written = 0;
  size_t cursor = 0;
  while (true) {
    std::vector<ResultRow> batch;
    const size_t batch_start = cursor;
    for (; cursor < requests.size() && batch.size() < 8; ++cursor) {
      const RequestRow* request = share_request(requests, worker, cursor);
      if (request && !done.count(request->key)) batch.push_back(result_for(*request));
    }
    if (batch.empty()) return written;
    try {
      store->put_results(run, batch);
      written += static_cast<int64_t>(batch.size());
      for (const ResultRow& row : batch) done.insert(row.key);
    } catch (const Error& error) {
      if (std::string(error.what()).find("already stored") == std::string::npos) throw;
      done = store->completed_requests(run);  // lost a race: take what the others stored, redo the rest
      cursor = batch_start;
    }
  }
}

}  // namespace

TEST_CASE("four processes writing one store for a sustained period lose and duplicate nothing",
          "[store][concurrency][sustained]") {
  auto dir = scratch_dir("store-concurrency-sustained");
  auto path = dir / "results.sqlite";
  auto requests = sample_requests(10000, 2);
  plan_run(path, requests);

  auto [seconds, written] = run_writers(dir, 4, [&](int worker, int gate) {
    return write_share_sustained(path, requests, worker, gate);
  });
  const int64_t batches = std::stoll(raw_query(path, "SELECT count(*) FROM audit WHERE kind = 'results'"));
  WARN(fmt::format("4 writers, one store: {} rows in {} batches in {:.1f} s = {:.0f} rows/s, {:.0f} commits/s",
                   written, batches, seconds, static_cast<double>(written) / seconds, static_cast<double>(batches) / seconds));
  REQUIRE(written == static_cast<int64_t>(requests.size()));  // each row written by exactly one process
  REQUIRE(raw_query(path, "SELECT count(*) FROM results") == std::to_string(requests.size()));

  auto store = open_result_store(path, StoreAccess::ReadOnly);
  auto stored = store->results(store->list_runs().at(0).id);
  REQUIRE(stored.size() == requests.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    REQUIRE(stored[i].key == requests[i].key);
    REQUIRE(stored[i].logprob == result_for(requests[i]).logprob);
  }
  VerifyReport report = store->verify();
  INFO((report.ok() ? "" : report.problems[0].message));
  REQUIRE(report.ok());
}
