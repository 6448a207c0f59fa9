#include "runners/openai/request_body.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dokpa::openai {

using nlohmann::json;

int64_t count_code_points(std::string_view text) {
  int64_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // every byte but continuation bytes
  return n;
}

std::string image_data_url(const RequestImage& image) {
  std::string encoded(4 * ((image.bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(image.bytes.data()),
                                static_cast<int>(image.bytes.size()));
  encoded.resize(static_cast<size_t>(written));
  return "data:" + image.mime + ";base64," + encoded;
}

std::string loglikelihood_body(const std::string& model, const std::string& prompt_json) {
  json body{{"model", model}, {"max_tokens", 1}, {"temperature", 0}, {"logprobs", 1}, {"echo", true}};
  body["prompt"] = json::parse(prompt_json);
  return body.dump();
}

namespace {

json message_json(const RequestMessage& message) {
  if (message.images.empty()) return {{"role", message.role}, {"content", message.content}};
  json parts = json::array({{{"type", "text"}, {"text", message.content}}});
  for (const RequestImage& image : message.images)
    parts.push_back({{"type", "image_url"}, {"image_url", {{"url", image_data_url(image)}}}});
  return {{"role", message.role}, {"content", parts}};
}

}  // namespace

std::string generation_body(const GenerateRequest& request, const GenerationBodyOptions& options) {
  json body{{"model", options.model}, {"max_tokens", request.max_tokens}, {"temperature", 0}, {"seed", options.seed}};
  if (!request.stop.empty()) body["stop"] = request.stop;
  if (options.chat) {
    if (request.messages.empty())
      throw Error("generation_endpoint", "generation_endpoint: chat needs a chat prompt_format (chat or "
                                         "chat_multiturn): this prompt is raw text");
    json messages = json::array();
    for (const RequestMessage& message : request.messages) messages.push_back(message_json(message));
    body["messages"] = messages;
  } else {
    for (const RequestMessage& message : request.messages)
      if (!message.images.empty())
        throw Error("generation_endpoint", "a prompt with images needs generation_endpoint: chat");
    body["prompt"] = request.prompt;
  }
  return body.dump();
}

}  // namespace dokpa::openai
