// build_plan: a short sequence of named steps per task: load the data, pick the shots, render
// each item, emit its requests. Everything iterates vectors in file order (no unordered maps).
#include "harness/plan/plan_builder.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <optional>

#include "common/error.h"
#include "common/file_io.h"
#include "common/sha256.h"
#include "harness/plan/plan_hash.h"
#include "harness/plan/task_items.h"
#include "common/python_random.h"

namespace dokpa {
namespace {

using plan_detail::ItemView;
using plan_detail::TaskRenderer;

struct LoadedFile {
  Dataset data;
  std::string sha256;
  uint64_t bytes = 0;
};

// Reads each file once per plan, whichever tasks share it.
class DataCache {
 public:
  DataCache(const SuiteConfig& suite, std::filesystem::path root, bool allow_changed)
      : suite_(suite), root_(std::move(root)), allow_changed_(allow_changed) {}

  const LoadedFile& load(const TaskConfig& task, const DataSource& source, const std::string& role, Plan& plan) {
    std::filesystem::path path = resolve(task, source);
    std::string key = path.string();
    auto found = files_.find(key);
    if (found == files_.end()) {
      std::string text = read_file(path);
      LoadedFile file;
      file.sha256 = sha256_hex(text);
      file.bytes = text.size();
      file.data = parse_dataset(text, source.format, key);
      if (file.data.rows.empty()) throw Error(key, "task '" + task.name + "': the " + role + " file has no rows");
      found = files_.emplace(key, std::move(file)).first;
    }
    const LoadedFile& file = found->second;
    if (!source.sha256.empty() && source.sha256 != file.sha256 && !allow_changed_) {
      throw Error(key, "task '" + task.name + "': " + role + " sha256 is " + file.sha256 + " but the suite pins " +
                           source.sha256 + " (the data changed; `dokpa data check` lists every file)");
    }
    plan.data_files.push_back({task.name, role, source.path, key, file.sha256, file.bytes, source.sha256});
    return file;
  }

  std::filesystem::path resolve(const TaskConfig& task, const DataSource& source) const {
    return resolve_data_path(suite_, root_, task.name, source);
  }

 private:
  const SuiteConfig& suite_;
  std::filesystem::path root_;
  bool allow_changed_;
  std::map<std::string, LoadedFile> files_;  // ordered; only looked up, never iterated into output
};

// lm-eval's default sampler for one item: sample(pool, n), or, when the shots come from the
// item's own file, sample(pool, n + 1) with every row equal to the item removed, first n kept.
std::vector<size_t> lm_eval_shots(PythonRandom& random, const Dataset& pool, size_t count, const Record* item) {
  if (item == nullptr) return random.sample(pool.rows.size(), count);
  std::vector<size_t> kept;
  for (size_t row : random.sample(pool.rows.size(), count + 1)) {
    if (pool.rows[row].fields() != item->fields() && kept.size() < count) kept.push_back(row);
  }
  return kept;
}

// Lays out one prompt (shots then item text) in the task's prompt format.
class ContextBuilder {
 public:
  ContextBuilder(const SuiteConfig& suite, const TaskConfig& config, const PlanOptions& options)
      : config_(config), format_(config.prompt_format.value_or(options.prompt_format)), options_(options) {
    if (format_ != PromptFormat::Raw && !options.render_chat) {
      throw Error(suite.source, "task '" + config.name + "': prompt format " + to_string(format_) +
                                    " needs a chat template, and none was loaded");
    }
  }

  std::string context(std::span<const LabeledExample> shots, std::string_view item_text) const {
    if (format_ == PromptFormat::Raw)
      return fewshot_context(shots, item_text, config_.target_delimiter, config_.fewshot_delimiter);
    ChatLayout layout{format_ == PromptFormat::ChatMultiturn, options_.system_prompt, config_.target_delimiter,
                      config_.fewshot_delimiter};
    return options_.render_chat(chat_turns(shots, item_text, layout));
  }

  // The chat messages context() renders (empty for raw prompts), for servers' chat endpoints.
  std::vector<std::pair<std::string, std::string>> messages(std::span<const LabeledExample> shots,
                                                            std::string_view item_text) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (format_ == PromptFormat::Raw) return out;
    ChatLayout layout{format_ == PromptFormat::ChatMultiturn, options_.system_prompt, config_.target_delimiter,
                      config_.fewshot_delimiter};
    for (ChatTurn& turn : chat_turns(shots, item_text, layout)) out.emplace_back(turn.role, std::move(turn.content));
    return out;
  }

  // lm-eval: with a chat template the choice follows the generation prompt directly.
  std::string continuation(const std::string& choice) const {
    return format_ == PromptFormat::Raw ? config_.target_delimiter + choice : choice;
  }

 private:
  const TaskConfig& config_;
  PromptFormat format_;
  const PlanOptions& options_;
};

void plan_task(const SuiteConfig& suite, const TaskConfig& config, const PlanOptions& options, DataCache& cache,
               Plan& plan) {
  const Dataset& data = cache.load(config, config.dataset, "dataset", plan).data;
  TaskRenderer renderer(config, suite.source);
  ContextBuilder layout(suite, config, options);

  // Few-shot source: its own file, or the task's dataset (then an item is never its own shot).
  const Dataset* shots_data = nullptr;
  bool same_source = true;
  if (config.fewshot.count > 0) {
    shots_data = &data;
    if (config.fewshot.has_source) {
      shots_data = &cache.load(config, config.fewshot.source, "fewshot", plan).data;
      same_source = cache.resolve(config, config.fewshot.source) == cache.resolve(config, config.dataset);
    }
    size_t available = shots_data->rows.size() - (same_source ? 1 : 0);
    if (available < static_cast<size_t>(config.fewshot.count)) {
      throw Error(suite.source, "task '" + config.name + "': fewshot.count is " + std::to_string(config.fewshot.count) +
                                    " but " + shots_data->source + " offers only " + std::to_string(available) + " shots");
    }
  }
  FewShotSampler sampler(config.fewshot.sampler, static_cast<size_t>(config.fewshot.count), suite.seed, config.name);
  std::optional<PythonRandom> lm_eval_random;  // one generator per task, consumed in item order
  if (config.fewshot.sampler == FewShotSamplerKind::LmEvalRandom) lm_eval_random.emplace(suite.seed);
  std::vector<std::optional<LabeledExample>> rendered_shots(shots_data ? shots_data->rows.size() : 0);

  PlannedTask task;
  task.name = config.name;
  task.type = config.output;
  task.metrics = config.metrics;
  task.extract = config.answer.extract;
  task.compare = config.answer.compare;
  task.circular = config.circular;
  for (size_t row = 0; row < data.rows.size(); ++row) {
    ItemView view = renderer.render(data, row);

    // Step 1: the few-shot context around the item's prompt.
    std::vector<LabeledExample> shots;
    if (shots_data != nullptr) {
      std::vector<size_t> picked;
      if (lm_eval_random) {
        picked = lm_eval_shots(*lm_eval_random, *shots_data, static_cast<size_t>(config.fewshot.count),
                               same_source ? &data.rows[row] : nullptr);
      } else {
        std::optional<size_t> exclude = same_source ? std::optional<size_t>(row) : std::nullopt;
        picked = sampler.select(shots_data->rows.size(), data.ids[row], exclude);
      }
      for (size_t shot_row : picked) {
        if (!rendered_shots[shot_row]) rendered_shots[shot_row] = renderer.render_shot(*shots_data, shot_row);
        shots.push_back(*rendered_shots[shot_row]);
      }
    }
    std::string context = layout.context(shots, view.prompt);

    // Step 2: the item and its requests.
    PlannedItem item;
    item.task = config.name;
    item.item_id = data.ids[row];
    item.choices = view.choices;
    item.gold_index = view.gold_index;
    item.gold_text = view.gold_text;
    item.first_request = plan.requests.size();
    if (config.output == OutputType::MultipleChoice) {
      for (size_t i = 0; i < view.choices.size(); ++i) {
        PlannedRequest request;
        request.task = config.name;
        request.item_id = item.item_id;
        request.request_index = static_cast<int>(i);
        request.type = OutputType::MultipleChoice;
        request.context = context;
        request.continuation = layout.continuation(view.choices[i]);
        request.prompt_hash = request_hash(request);
        plan.requests.push_back(std::move(request));
      }
    } else {
      // Generate: one prompt; GenerateChoice: one per rotation of the options in circular mode,
      // each behind the same (unrotated) shots.
      std::vector<std::string> prompts = {context};
      std::vector<std::vector<std::pair<std::string, std::string>>> messages = {layout.messages(shots, view.prompt)};
      if (config.circular) {
        prompts.clear();
        messages.clear();
        for (const std::string& rotated : view.rotated_prompts) {
          prompts.push_back(layout.context(shots, rotated));
          messages.push_back(layout.messages(shots, rotated));
        }
      }
      for (size_t r = 0; r < prompts.size(); ++r) {
        PlannedRequest request;
        request.task = config.name;
        request.item_id = item.item_id;
        request.request_index = static_cast<int>(r);
        request.type = OutputType::Generate;
        request.prompt = std::move(prompts[r]);
        request.messages = std::move(messages[r]);
        request.stop = config.generation.until;
        request.max_tokens = config.generation.max_tokens;
        request.prompt_hash = request_hash(request);
        plan.requests.push_back(std::move(request));
      }
    }
    item.request_count = plan.requests.size() - item.first_request;
    task.items.push_back(std::move(item));
  }
  plan.tasks.push_back(std::move(task));
}

// Which tasks PlanOptions::only_tasks keeps (all when it is empty).
std::vector<bool> select_tasks(const SuiteConfig& suite, const std::vector<std::string>& patterns) {
  std::vector<bool> selected(suite.tasks.size(), patterns.empty());
  for (const std::string& pattern : patterns) {
    bool matched = false;
    for (size_t i = 0; i < suite.tasks.size(); ++i) {
      if (::fnmatch(pattern.c_str(), suite.tasks[i].name.c_str(), 0) == 0) selected[i] = matched = true;
    }
    if (!matched) throw Error(suite.source, "--tasks: no task of the suite matches '" + pattern + "'");
  }
  return selected;
}

}  // namespace

Plan build_plan(const SuiteConfig& suite, const PlanOptions& options) {
  Plan plan;
  plan.suite_name = suite.name;
  plan.suite_hash = suite.hash;
  plan.seed = suite.seed;
  DataCache cache(suite, options.data_root, options.allow_changed_data);
  std::vector<bool> selected = select_tasks(suite, options.only_tasks);
  for (size_t i = 0; i < suite.tasks.size(); ++i)
    if (selected[i]) plan_task(suite, suite.tasks[i], options, cache, plan);
  for (const PlannedGroup& group : suite.groups) {
    bool complete = std::all_of(group.tasks.begin(), group.tasks.end(), [&](const std::string& name) {
      return std::any_of(plan.tasks.begin(), plan.tasks.end(), [&](const PlannedTask& task) { return task.name == name; });
    });
    if (complete) plan.groups.push_back(group);
  }
  if (options.generation_cap > 0) {
    for (PlannedRequest& request : plan.requests) {
      if (request.type != OutputType::Generate || request.max_tokens <= options.generation_cap) continue;
      request.max_tokens = options.generation_cap;
      request.prompt_hash = request_hash(request);
    }
  }
  plan.hash = plan_hash(plan);
  return plan;
}

}  // namespace dokpa
