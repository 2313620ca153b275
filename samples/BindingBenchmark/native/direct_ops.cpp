// Times ATen ops called directly from C++ (the unboxed at:: functions a C++ program would call), so the C#
// benchmark can set its own per-op cost beside them in the same process. Each function returns nanoseconds per
// iteration; every iteration creates its result tensor and frees it, as the C# loop does.
#include <ATen/ATen.h>
#include <chrono>
#include <cstdint>

#define BENCH_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
template <typename F>
double time_ns(int64_t iterations, F&& body) {
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) body();
  auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(iterations);
}
}  // namespace

BENCH_EXPORT double bench_add(int64_t rows, int64_t cols, int64_t iterations) noexcept {
  at::Tensor a = at::ones({rows, cols});
  at::Tensor b = at::ones({rows, cols});
  return time_ns(iterations, [&] { at::Tensor r = at::add(a, b); });
}

// The same 20-op chain as the C# side: (add, mul, tanh, sub, sigmoid) x 4 on one tensor.
BENCH_EXPORT double bench_chain20(int64_t rows, int64_t cols, int64_t iterations) noexcept {
  at::Tensor x = at::full({rows, cols}, 0.5);
  at::Tensor w = at::full({rows, cols}, 0.25);
  return time_ns(iterations, [&] {
    at::Tensor y = x;
    for (int k = 0; k < 4; ++k) {
      y = at::add(y, w);
      y = at::mul(y, w);
      y = at::tanh(y);
      y = at::sub(y, w);
      y = at::sigmoid(y);
    }
  });
}
