#include "runners/native/host_allocator.h"

#include <cstdlib>  // defines __GLIBC__ on glibc
#include <limits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dokpa {

void keep_freed_host_memory() {
#if defined(__GLIBC__)
  // Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and a heap is not
  // trimmed back to the kernel until 2 GiB (mallopt's largest value) of it is free.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}

}  // namespace dokpa
