#pragma once
// SHA-256 of bytes and of files (streamed, so multi-gigabyte shards need no extra memory).
#include <filesystem>
#include <string>
#include <string_view>

namespace dokpa {

// Lower-case hex digest of `bytes`.
std::string sha256_hex(std::string_view bytes);

// Lower-case hex digest of the file's contents; throws dokpa::Error naming the file.
std::string sha256_file_hex(const std::filesystem::path& path);

// Incremental hashing, for hashes over several fields (run keys, audit chains).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Appends bytes. Use add_field() for values whose boundaries matter.
  void update(std::string_view bytes);
  // Appends the length then the bytes, so ("ab","c") and ("a","bc") hash differently.
  void add_field(std::string_view bytes);
  std::string hex_digest();

 private:
  void flush();

  void* ctx_;
  // Small updates (add_field's length, colon and value) are gathered here and handed to
  // OpenSSL in large blocks: per-call overhead dominated hashing a store's rows field by field.
  std::string pending_;
};

}  // namespace dokpa
