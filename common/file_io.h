#pragma once
// Whole-file reads and writes and memory maps, with errors that name the file.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace dokpa {

// Reads the whole file; throws dokpa::Error("<path>", "...") if it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

// Writes a file whole or not at all: `write` fills "<file>.tmp", which is renamed over `file`
// once complete and flushed, so a reader never sees half a file. On any failure (an exception
// from `write`, a full disk) the temporary file is removed and dokpa::Error names `file`.
void write_file_atomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write);

// Whether `path` lies inside `folder` (or is it) once both are made absolute and every symlink
// in them is followed (std::filesystem::weakly_canonical: a part that does not exist yet is
// taken as written). False when either cannot be resolved.
bool is_within_folder(const std::filesystem::path& path, const std::filesystem::path& folder);

// A read-only memory map of a whole file. Movable, not copyable; unmaps on destruction.
class MappedFile {
 public:
  static MappedFile open(const std::filesystem::path& path);
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  // Drops the pages wholly inside [begin, begin + nbytes) of a map from this process's memory,
  // once their bytes have been copied elsewhere (a dtype conversion, an upload to a GPU): the
  // loaded model then does not hold the checkpoint twice. The bytes stay readable (the map is
  // read-only and file-backed, so a later read faults them in again from the file).
  static void release_pages(const std::byte* begin, size_t nbytes);

 private:
  std::filesystem::path path_;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace dokpa
