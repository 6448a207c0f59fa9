#include "common/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "common/error.h"

namespace dokpa {

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path.string(), "file not found");
  if (std::filesystem::is_directory(path, ec)) throw Error(path.string(), "is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string(), "cannot open file");
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw Error(path.string(), "read error");
  return contents.str();
}

bool is_within_folder(const std::filesystem::path& path, const std::filesystem::path& folder) {
  std::error_code path_error, folder_error;
  const std::filesystem::path real = std::filesystem::weakly_canonical(path, path_error);
  const std::filesystem::path real_folder = std::filesystem::weakly_canonical(folder, folder_error);
  if (path_error || folder_error) return false;
  auto inside = real.begin();
  for (const std::filesystem::path& part : real_folder) {
    if (part.empty()) continue;  // "dir/" ends in an empty part
    if (inside == real.end() || *inside != part) return false;
    ++inside;
  }
  return true;
}

MappedFile MappedFile::open(const std::filesystem::path& path) {
  MappedFile file;
  file.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path.string(), std::string("cannot open: ") + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    throw Error(path.string(), "cannot stat file");
  }
  file.size_ = static_cast<size_t>(info.st_size);
  if (file.size_ > 0) {
    void* mapped = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      ::close(fd);
      throw Error(path.string(), std::string("cannot map file: ") + std::strerror(errno));
    }
    file.data_ = static_cast<const std::byte*>(mapped);
  }
  ::close(fd);
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

void MappedFile::release_pages(const std::byte* begin, size_t nbytes) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<uintptr_t>(begin);
  const uintptr_t first = (start + page - 1) / page * page;  // pages shared with a neighbour stay
  const uintptr_t last = (start + nbytes) / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);  // advisory: errors ignored
}

void write_file_atomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write) {
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  try {
    {
      std::ofstream out(temporary, std::ios::binary);
      if (!out) throw Error(file.string(), "cannot create the file");
      write(out);
      out.flush();
      if (!out) throw Error(file.string(), "write failed (disk full?)");
    }
    std::error_code error;
    std::filesystem::rename(temporary, file, error);
    if (error) throw Error(file.string(), "cannot move the finished file into place: " + error.message());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

}  // namespace dokpa
