#pragma once
// Host memory allocator settings for inference on the CPU.

namespace dokpa {

// Makes glibc's malloc keep freed blocks for reuse instead of handing every large tensor buffer
// back to the kernel and faulting in fresh zeroed pages on the next allocation: a forward pass
// allocates and frees the same activation sizes once per layer, and measured on the 2-core
// machine the page faults cost ~15% of multiple-choice scoring time. Peak memory is unchanged
// (freed memory is reused, not added). A no-op where the C library is not glibc.
void keep_freed_host_memory();

}  // namespace dokpa
