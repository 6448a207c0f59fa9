#include "reports/model/run_selection.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dokpa::reports {

namespace {

std::string text_field(const nlohmann::json& json, const char* key) {
  return json.contains(key) && json[key].is_string() ? json[key].get<std::string>() : std::string();
}

// The first file both runs read with different contents, or empty when they agree on every
// file they share. A run of a task subset (--tasks) reads fewer files: that is not a conflict
// here; the item rule (task_items.h) reports it.
std::string data_conflict(const RunProvenance& run, const RunProvenance& reference) {
  std::map<std::string, std::string> expected;
  for (const DataFileRecord& file : reference.data_files) expected[file.path] = file.sha256;
  for (const DataFileRecord& file : run.data_files) {
    auto it = expected.find(file.path);
    if (it != expected.end() && it->second != file.sha256)
      return fmt::format("its {} has sha256 {}, the compared runs' has {}", file.path, file.sha256.substr(0, 12),
                         it->second.substr(0, 12));
  }
  return "";
}

// The suite to report: the one asked for (name or hash prefix), else the one of the runs asked
// for, else the one with the most complete runs (the latest on a tie).
std::string choose_suite(const std::vector<RunSummary>& runs, const ReportOptions& options, const std::string& store) {
  if (options.suite) {
    std::vector<std::string> matches;
    for (const RunSummary& run : runs)
      if ((run.suite_name == *options.suite || run.suite_hash.rfind(*options.suite, 0) == 0) &&
          std::find(matches.begin(), matches.end(), run.suite_hash) == matches.end())
        matches.push_back(run.suite_hash);
    if (matches.empty()) throw Error(store, fmt::format("no run of a suite named or hashed '{}'", *options.suite));
    if (matches.size() > 1)
      throw Error(store, fmt::format("'{}' matches {} suite hashes ({}); give a longer hash prefix", *options.suite,
                                     matches.size(), fmt::join(matches, ", ")));
    return matches.front();
  }
  std::map<std::string, std::pair<int, int64_t>> complete;  // hash -> (complete runs, latest id)
  for (const RunSummary& run : runs) {
    auto& entry = complete[run.suite_hash];
    if (run.status == RunStatus::Complete) entry.first += 1;
    entry.second = std::max(entry.second, run.id);
  }
  auto best = std::max_element(complete.begin(), complete.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return best->first;
}

}  // namespace

RunProvenance parse_run_provenance(const std::string& provenance_json, const std::string& source) {
  RunProvenance out;
  try {
    nlohmann::json json = nlohmann::json::parse(provenance_json);
    out.dokpa_version = text_field(json, "dokpa_version");
    out.plan_hash = text_field(json, "plan_hash");
    out.seed = json.value("seed", uint64_t{0});
    out.generation_cap = json.value("generation_cap", 0);
    if (json.contains("runner")) {
      const nlohmann::json& runner = json["runner"];
      out.runner = text_field(runner, "runner");
      out.architecture = text_field(runner, "architecture");
      out.dtype = text_field(runner, "dtype");
      out.device = text_field(runner, "device");
      if (runner.contains("versions") && runner["versions"].is_object())
        for (const auto& [name, value] : runner["versions"].items())
          out.versions[name] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    for (const nlohmann::json& file : json.value("data_files", nlohmann::json::array()))
      out.data_files.push_back({text_field(file, "path"), text_field(file, "sha256")});
    if (json.contains("checkpoint"))
      for (const nlohmann::json& file : json["checkpoint"].value("files", nlohmann::json::array()))
        out.checkpoint_files.push_back({text_field(file, "path"), text_field(file, "sha256"), file.value("bytes", int64_t{0})});
    if (json.contains("host")) {
      const nlohmann::json& host = json["host"];
      out.host = fmt::format("{} ({}, {} cores, {})", text_field(host, "hostname"), text_field(host, "cpu_model"),
                             host.value("logical_cores", 0), text_field(host, "os"));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, fmt::format("provenance is not valid JSON: {}", e.what()));
  }
  return out;
}

RunSelection select_runs(ResultStore& store, const ReportOptions& options) {
  const std::string store_name = store.path().string();
  std::vector<RunSummary> all = store.list_runs();
  if (!options.run_ids.empty()) {
    std::vector<RunSummary> chosen;
    for (int64_t id : options.run_ids) {
      auto it = std::find_if(all.begin(), all.end(), [&](const RunSummary& run) { return run.id == id; });
      if (it == all.end()) throw Error(store_name, fmt::format("no run with id {}", id));
      if (std::none_of(chosen.begin(), chosen.end(), [&](const RunSummary& run) { return run.id == id; })) chosen.push_back(*it);
    }
    std::sort(chosen.begin(), chosen.end(), [](const RunSummary& a, const RunSummary& b) { return a.id < b.id; });
    all = chosen;
  }
  if (all.empty()) throw Error(store_name, "the store holds no runs");

  RunSelection selection;
  selection.suite_hash = choose_suite(all, options, store_name);
  std::vector<ReportRun> candidates;
  for (const RunSummary& run : all) {
    if (run.suite_hash != selection.suite_hash) {
      selection.excluded.push_back({run, fmt::format("suite '{}' ({}) is not the reported suite ({})", run.suite_name,
                                                     run.suite_hash.substr(0, 12), selection.suite_hash.substr(0, 12))});
    } else if (run.status != RunStatus::Complete) {
      selection.excluded.push_back({run, fmt::format("the run is {}, not complete ({} of {} requests answered)",
                                                     to_string(run.status), run.n_results, run.n_requests)});
    } else {
      RunProvenance provenance = parse_run_provenance(store.provenance_json(run.id), fmt::format("{} (run {})", store_name, run.id));
      candidates.push_back({run, fmt::format("{} / {} (run {})", run.team, run.model, run.id), std::move(provenance), ""});
    }
  }
  // The reference is the run whose data agree with the most runs' (then: which read the most
  // files, then: the earliest). The plan hash is not compared: it covers each submission's own
  // chat template. Runs that scored other items (--tasks) are left out when the items are loaded.
  const ReportRun* reference = nullptr;
  size_t reference_agree = 0;
  for (const ReportRun& run : candidates) {
    size_t agree = 0;
    for (const ReportRun& other : candidates) agree += data_conflict(other.provenance, run.provenance).empty();
    if (!reference || agree > reference_agree ||
        (agree == reference_agree && run.provenance.data_files.size() > reference->provenance.data_files.size())) {
      reference = &run;
      reference_agree = agree;
    }
  }
  for (ReportRun& run : candidates) {
    std::string conflict = data_conflict(run.provenance, reference->provenance);
    if (!conflict.empty())
      selection.excluded.push_back({run.summary, "its data files differ: " + conflict});
    else if (run.provenance.generation_cap != reference->provenance.generation_cap)
      selection.excluded.push_back(
          {run.summary, fmt::format("it ran with --generation-cap {}, the compared runs with {}", run.provenance.generation_cap,
                                    reference->provenance.generation_cap == 0 ? std::string("the suite's limits")
                                                                              : std::to_string(reference->provenance.generation_cap))});
    else {
      run.digest = store.run_digest(run.summary.id);
      selection.runs.push_back(run);
    }
  }
  std::sort(selection.excluded.begin(), selection.excluded.end(),
            [](const ExcludedRun& a, const ExcludedRun& b) { return a.summary.id < b.summary.id; });
  if (selection.runs.empty())
    throw Error(store_name, fmt::format("no complete run of suite {} to report", selection.suite_hash.substr(0, 12)));
  return selection;
}

}  // namespace dokpa::reports
