#pragma once
// Many JSON POSTs to one server at once (libcurl's multi interface, on the calling thread), with
// a limit on requests in flight, a timeout per try, and retries with exponential backoff and
// jitter on 429, 5xx, timeouts and broken connections. Each answer is handed to the caller as
// it arrives. Other statuses (400, 401, 404, 422, ...) are errors at once: retrying cannot help.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace dokpa::openai {

struct RetryPolicy {
  double timeout_s = 600;  // per try
  int max_retries = 6;  // tries after the first
  double initial_backoff_s = 0.5;  // before the first retry; doubled per retry
  double max_backoff_s = 30;
};

struct HttpAnswer {
  long status = 0;  // HTTP status
  std::string body;
  int attempts = 1;  // tries it took
  double latency_ms = 0;  // the successful try's time
};

// Counts since the pool was made, for progress lines and the run's timings.
struct HttpCounters {
  size_t in_flight = 0;
  size_t done = 0;
  size_t failed = 0;  // requests given up on (each ends the call with an error)
  size_t retried = 0;  // retries sent
};

class HttpPool {
 public:
  // `base_url` without a trailing slash (e.g. http://host:8000/v1); `headers` are sent with every
  // request ("Authorization: Bearer ..." stays in memory only).
  HttpPool(std::string base_url, std::vector<std::string> headers, int max_in_flight, RetryPolicy retry);
  ~HttpPool();
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // POSTs every body to base_url + path. `on_answers` gets each batch of 2xx answers as they
  // arrive (indices into `bodies`); if it throws, the call stops and rethrows. A request that
  // fails for good throws dokpa::Error naming the URL, the status or transport error and the tries.
  using AnswerHandler = std::function<void(std::span<const size_t> indices, std::span<HttpAnswer> answers)>;
  void post_all(const std::string& path, std::span<const std::string> bodies, const AnswerHandler& on_answers);

  // One request, with the same retries; the 2xx answer, or throws like post_all. A `path` that
  // starts with "http" is a whole URL (e.g. the server's root, above /v1).
  HttpAnswer get(const std::string& path);
  HttpAnswer post(const std::string& path, const std::string& body);

  const HttpCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = {}; }
  const std::string& base_url() const { return base_url_; }

 private:
  struct Transfer;
  void run(const std::string& method, const std::string& path, std::span<const std::string> bodies,
           const AnswerHandler& on_answers);

  std::string base_url_;
  std::vector<std::string> headers_;
  int max_in_flight_;
  RetryPolicy retry_;
  HttpCounters counters_;
  void* multi_ = nullptr;  // CURLM*, kept across calls so connections are reused
};

// The wait before retry number `retry` (1-based) of request `index`: initial * 2^(retry-1),
// capped, times a jitter factor in [0.5, 1) drawn from a hash of (index, retry), so that
// clients retrying together spread out, and the same run waits the same way.
double backoff_seconds(const RetryPolicy& retry, size_t index, int retry_number);

}  // namespace dokpa::openai
