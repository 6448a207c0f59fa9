#include "runners/openai/http_pool.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "common/error.h"

namespace dokpa::openai {

namespace {

using Clock = std::chrono::steady_clock;

// An answer larger than this is refused rather than buffered: no completion dokpa asks for
// comes near it, so it is a broken or hostile server.
constexpr size_t kMaxAnswerBytes = size_t{256} << 20;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

uint64_t mix64(uint64_t x) {  // splitmix64's finaliser: a well-spread hash of one word
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool retryable_transport_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool retryable_status(long status) { return status == 429 || (status >= 500 && status <= 599); }

std::string excerpt(const std::string& body) {
  std::string text = body.substr(0, 300);
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text.empty() ? "(empty body)" : text + (body.size() > 300 ? " ..." : "");
}

}  // namespace

double backoff_seconds(const RetryPolicy& retry, size_t index, int retry_number) {
  double base = retry.initial_backoff_s * std::ldexp(1.0, std::min(retry_number - 1, 30));
  base = std::min(base, retry.max_backoff_s);
  uint64_t h = mix64(mix64(static_cast<uint64_t>(index)) ^ static_cast<uint64_t>(retry_number));
  double unit = static_cast<double>(h >> 11) * 0x1.0p-53;  // [0, 1)
  return base * (0.5 + 0.5 * unit);
}

// One try of one request.
struct HttpPool::Transfer {
  CURL* easy = nullptr;
  size_t index = 0;
  int attempt = 1;
  Clock::time_point started;
  std::string body;
  bool too_large = false;
  ~Transfer() { curl_easy_cleanup(easy); }

  static size_t on_data(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    size_t bytes = size * count;
    if (transfer->body.size() + bytes > kMaxAnswerBytes) {
      transfer->too_large = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    transfer->body.append(data, bytes);
    return bytes;
  }
};

HttpPool::HttpPool(std::string base_url, std::vector<std::string> headers, int max_in_flight, RetryPolicy retry)
    : base_url_(std::move(base_url)), headers_(std::move(headers)), max_in_flight_(std::max(1, max_in_flight)),
      retry_(retry) {
  static CurlGlobal global;
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  multi_ = curl_multi_init();
  if (!multi_) throw Error(base_url_, "cannot initialise libcurl");
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_in_flight_));
}

HttpPool::~HttpPool() { curl_multi_cleanup(static_cast<CURLM*>(multi_)); }

void HttpPool::post_all(const std::string& path, std::span<const std::string> bodies, const AnswerHandler& on_answers) {
  run("POST", path, bodies, on_answers);
}

HttpAnswer HttpPool::post(const std::string& path, const std::string& body) {
  HttpAnswer out;
  run("POST", path, std::span<const std::string>(&body, 1),
      [&](std::span<const size_t>, std::span<HttpAnswer> answers) { out = std::move(answers.front()); });
  return out;
}

HttpAnswer HttpPool::get(const std::string& path) {
  HttpAnswer out;
  std::string none;
  run("GET", path, std::span<const std::string>(&none, 1),
      [&](std::span<const size_t>, std::span<HttpAnswer> answers) { out = std::move(answers.front()); });
  return out;
}

void HttpPool::run(const std::string& method, const std::string& path, std::span<const std::string> bodies,
                   const AnswerHandler& on_answers) {
  CURLM* multi = static_cast<CURLM*>(multi_);
  const std::string url = path.rfind("http", 0) == 0 ? path : base_url_ + path;
  curl_slist* header_list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const std::string& header : headers_) header_list = curl_slist_append(header_list, header.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(header_list, curl_slist_free_all);

  std::vector<std::unique_ptr<Transfer>> active;
  // Abandon what is in flight if this call throws (the answers were never delivered, so a
  // resumed run asks again).
  struct ActiveGuard {
    CURLM* multi;
    std::vector<std::unique_ptr<Transfer>>& active;
    ~ActiveGuard() {
      for (auto& transfer : active) curl_multi_remove_handle(multi, transfer->easy);
    }
  } guard{multi, active};

  struct Waiting {
    Clock::time_point ready;
    size_t index;
    int attempt;
  };
  std::vector<Waiting> waiting;  // retries, waiting out their backoff
  size_t next = 0;

  auto start = [&](size_t index, int attempt) {
    auto transfer = std::make_unique<Transfer>();
    transfer->index = index;
    transfer->attempt = attempt;
    transfer->started = Clock::now();
    transfer->easy = curl_easy_init();
    if (!transfer->easy) throw Error(url, "cannot create a libcurl handle");
    CURL* easy = transfer->easy;
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list);
    if (method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, bodies[index].data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bodies[index].size()));
    }
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_data);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(retry_.timeout_s * 1000));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(retry_.timeout_s, 30.0) * 1000));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) throw Error(url, "cannot start a request (libcurl)");
    active.push_back(std::move(transfer));
    ++counters_.in_flight;
  };

  while (next < bodies.size() || !waiting.empty() || !active.empty()) {
    // ---- start retries whose wait is over, then new requests, up to the limit ----
    auto now = Clock::now();
    std::sort(waiting.begin(), waiting.end(), [](const Waiting& a, const Waiting& b) { return a.ready > b.ready; });
    while (static_cast<int>(active.size()) < max_in_flight_) {
      if (!waiting.empty() && waiting.back().ready <= now) {
        start(waiting.back().index, waiting.back().attempt);
        waiting.pop_back();
      } else if (next < bodies.size()) {
        start(next++, 1);
      } else {
        break;
      }
    }
    if (active.empty()) {  // only retries waiting: sleep until the first is due
      std::this_thread::sleep_until(waiting.back().ready);
      continue;
    }

    int running = 0;
    curl_multi_perform(multi, &running);

    // ---- collect finished tries ----
    std::vector<size_t> indices;
    std::vector<HttpAnswer> answers;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
      CURLcode code = message->data.result;
      curl_multi_remove_handle(multi, raw->easy);
      auto it = std::find_if(active.begin(), active.end(), [&](const auto& t) { return t.get() == raw; });
      std::unique_ptr<Transfer> transfer = std::move(*it);
      active.erase(it);
      --counters_.in_flight;

      long status = 0;
      curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
      if (transfer->too_large)
        throw Error(url, fmt::format("the answer is larger than {} MiB; refusing it", kMaxAnswerBytes >> 20));
      bool ok = code == CURLE_OK && status >= 200 && status < 300;
      if (ok) {
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - transfer->started).count();
        indices.push_back(transfer->index);
        answers.push_back({status, std::move(transfer->body), transfer->attempt, ms});
        ++counters_.done;
        continue;
      }
      std::string problem = code != CURLE_OK ? fmt::format("{} (libcurl error {})", curl_easy_strerror(code),
                                                           static_cast<int>(code))
                                             : fmt::format("HTTP {}: {}", status, excerpt(transfer->body));
      bool retryable = code != CURLE_OK ? retryable_transport_error(code) : retryable_status(status);
      if (!retryable) {
        ++counters_.failed;
        throw Error(url, fmt::format("request {} failed: {} (not retried: the server refused it)", transfer->index,
                                     problem));
      }
      if (transfer->attempt > retry_.max_retries) {
        ++counters_.failed;
        throw Error(url, fmt::format("request {} failed after {} tries: {}", transfer->index, transfer->attempt,
                                     problem));
      }
      ++counters_.retried;
      double wait = backoff_seconds(retry_, transfer->index, transfer->attempt);
      waiting.push_back({Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait)),
                         transfer->index, transfer->attempt + 1});
    }
    if (!answers.empty()) on_answers(indices, answers);

    if (!active.empty()) {
      int wait_ms = 200;
      if (!waiting.empty()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::min_element(waiting.begin(), waiting.end(), [](const Waiting& a, const Waiting& b) {
              return a.ready < b.ready;
            })->ready - Clock::now());
        wait_ms = static_cast<int>(std::clamp<int64_t>(until.count(), 0, 200));
      }
      curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
  }
}

}  // namespace dokpa::openai
