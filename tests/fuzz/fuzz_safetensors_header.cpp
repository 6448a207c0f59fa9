// A whole .safetensors file (8-byte header length, JSON header, data section) as the input.
// Whatever SafetensorsFile::open accepts must be consistent: each tensor exactly shape x dtype
// size long, the tensors disjoint and together no larger than the file.
#include <algorithm>
#include <vector>

#include "runners/native/checkpoint/safetensors_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& path = dokpa::fuzz::write_input(data, size, "model.safetensors");
  dokpa::fuzz::expect_clean([&] {
    auto file = dokpa::SafetensorsFile::open(path);
    std::vector<const dokpa::TensorView*> by_offset;
    uint64_t total = 0;
    for (const auto& tensor : file.tensors()) {
      if (static_cast<uint64_t>(tensor.numel()) * dokpa::dtype_size(tensor.dtype) != tensor.nbytes)
        dokpa::fuzz::fail("tensor '" + tensor.name + "': nbytes differs from shape x dtype size");
      if (file.find(tensor.name) != &tensor) dokpa::fuzz::fail("find('" + tensor.name + "') misses it");
      total += tensor.nbytes;
      if (tensor.nbytes > 0) by_offset.push_back(&tensor);
    }
    if (total > size) dokpa::fuzz::fail("tensors hold more bytes than the file");
    std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->data < b->data; });
    for (size_t i = 1; i < by_offset.size(); ++i)
      if (by_offset[i - 1]->data + by_offset[i - 1]->nbytes > by_offset[i]->data)
        dokpa::fuzz::fail("tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name + "' overlap");
  });
  return 0;
}
