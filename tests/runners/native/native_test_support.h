#pragma once
// Helpers for the native runner's tests: reference tensors written by tests/reference scripts.
// libtorch first: c10 defines a glog-style CHECK that would otherwise replace Catch's.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#undef CHECK

#include <string>

#include "runners/native/checkpoint/safetensors_file.h"
#include "tests/test_support.h"

namespace dokpa::test {

// A tensor of a reference file, copied out of the memory map (float32 or int64).
inline at::Tensor reference_tensor(const SafetensorsFile& file, const std::string& name) {
  const TensorView* view = file.find(name);
  REQUIRE(view != nullptr);
  at::ScalarType type = view->dtype == Dtype::I64 ? at::kLong : at::kFloat;
  return at::from_blob(const_cast<std::byte*>(view->data), view->shape, at::TensorOptions().dtype(type)).clone();
}

// max |a - b| / max |b|: the parity measure the issue names.
inline double relative_max_error(const at::Tensor& actual, const at::Tensor& expected) {
  double scale = expected.abs().max().item<double>();
  return (actual.to(at::kDouble) - expected.to(at::kDouble)).abs().max().item<double>() / (scale > 0 ? scale : 1.0);
}

}  // namespace dokpa::test
