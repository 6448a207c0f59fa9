#pragma once
// CPython's random.Random, bit for bit: dokpa's one documented PRNG (DESIGN.md, determinism).
// It reproduces lm-evaluation-harness's default few-shot sampler, which draws shots with
// random.Random(1234).sample(pool, n), one generator per task consumed item after item, and
// drives the reports' bootstrap, so a Python script can redraw every resample exactly.
//
// Generator: MT19937 (Matsumoto & Nishimura), seeded as CPython seeds it from an integer: the
// absolute value split into 32-bit words, least significant first, fed to init_by_array.
// randbelow(n): k = bit_length(n); draw getrandbits(k) until it is < n (CPython's
// _randbelow_with_getrandbits). sample(n, k): CPython 3.11's Random.sample on indices 0..n-1,
// including its switch from the pool method to the set method for large n.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dokpa {

class PythonRandom {
 public:
  explicit PythonRandom(uint64_t seed);

  uint32_t next_uint32();  // genrand_uint32
  uint64_t getrandbits(int bits);  // 0 < bits <= 64
  uint64_t randbelow(uint64_t n);  // n > 0
  // random.sample(range(n), k): k distinct indices in draw order; requires k <= n.
  std::vector<size_t> sample(size_t n, size_t k);

 private:
  static constexpr int kN = 624;
  void init_genrand(uint32_t seed);
  void twist();

  std::array<uint32_t, kN> state_{};
  int index_ = kN + 1;
};

}  // namespace dokpa
