// HybridGen's optional CUDA-graph backend: captures a graph twin (a TorchScript function of a unit TorchSharp
// compiled) as a CUDA graph for one static input signature, and replays it. It needs libtorch's C++ headers and a
// CUDA libtorch matching the one TorchSharp loads (2.10 for TorchSharp 0.107); no package these machines reach has
// them, so this file is built only where the build is pointed at such a libtorch (docs/cuda.md), and it has not
// been compiled yet. The C ABI below is all HybridGen.Runtime calls (Twins/CudaGraphBackend.cs): every export is
// noexcept, returns 0 on success, and leaves the failure's text for hgcg_last_error.
//
// Handles are TorchSharp's: tensors are torch::Tensor* (TorchSharp's Tensor.Handle), the unit is the
// std::shared_ptr<torch::jit::CompilationUnit>* that THSJIT_compile returned. Replay outputs are new
// torch::Tensor* the caller owns (TorchSharp's Tensor.UnsafeCreateTensor takes them).
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#define HGCG_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
thread_local std::string last_error;

template <typename F>
int32_t guarded(F&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {  // c10::Error, torch::jit::ErrorReport and the rest
    last_error = e.what();
  } catch (...) {
    last_error = "unknown C++ exception";
  }
  return 1;
}

struct captured_graph {
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  std::vector<at::Tensor> static_inputs;
  std::vector<at::Tensor> static_outputs;
};

// Captures are serialized process-wide (CUDA graph capture is not reentrant across threads on one device).
std::mutex& capture_mutex() {
  static std::mutex m;
  return m;
}

void collect_tensors(const c10::IValue& v, std::vector<at::Tensor>& out) {
  if (v.isTensor()) out.push_back(v.toTensor());
  else if (v.isTuple()) for (const auto& e : v.toTupleRef().elements()) collect_tensors(e, out);
  else if (v.isTensorList()) for (const at::Tensor& t : v.toTensorVector()) out.push_back(t);
  else TORCH_CHECK(false, "HybridGen: a captured CUDA graph can only return tensors");
}
}  // namespace

HGCG_EXPORT const char* hgcg_last_error() noexcept { return last_error.c_str(); }

HGCG_EXPORT int32_t hgcg_capture(void* unit, const char* function, torch::Tensor* const* tensors, int32_t count,
                                 int32_t warmups, void** out) noexcept {
  return guarded([&] {
    auto& compiled = *static_cast<std::shared_ptr<torch::jit::CompilationUnit>*>(unit);
    torch::jit::Function& fn = compiled->get_function(function);  // throws (caught) for an unknown name
    auto captured = std::make_unique<captured_graph>();
    std::vector<c10::IValue> inputs;
    for (int32_t k = 0; k < count; ++k) {
      at::Tensor buffer = tensors[k]->clone();  // the static input the graph reads; refreshed before each replay
      TORCH_CHECK(buffer.is_cuda(), "HybridGen: CUDA-graph capture needs every tensor argument on a CUDA device");
      captured->static_inputs.push_back(buffer);
      inputs.emplace_back(buffer);
    }
    std::lock_guard<std::mutex> lock(capture_mutex());
    // Warm-up and capture on a side stream, after the profiling executor's runs and cuBLAS handle creation.
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
    side.wait_stream(c10::cuda::getCurrentCUDAStream());
    {
      c10::cuda::CUDAStreamGuard guard(side);
      for (int32_t k = 0; k < warmups; ++k) fn(inputs);
      side.synchronize();
      captured->graph = std::make_unique<at::cuda::CUDAGraph>();
      captured->graph->capture_begin();
      c10::IValue result;
      try {
        result = fn(inputs);
      } catch (...) {
        try { captured->graph->capture_end(); } catch (...) {}  // end the capture whatever happened, then report
        throw;
      }
      captured->graph->capture_end();
      collect_tensors(result, captured->static_outputs);
    }
    c10::cuda::getCurrentCUDAStream().wait_stream(side);
    *out = captured.release();
  });
}

HGCG_EXPORT int32_t hgcg_replay(void* graph, torch::Tensor* const* tensors, int32_t count, torch::Tensor** outs,
                                int32_t capacity, int32_t* produced) noexcept {
  return guarded([&] {
    auto* captured = static_cast<captured_graph*>(graph);
    TORCH_CHECK(static_cast<size_t>(count) == captured->static_inputs.size(), "HybridGen: the replay's tensor count differs from the capture's");
    for (int32_t k = 0; k < count; ++k) captured->static_inputs[k].copy_(*tensors[k], /*non_blocking=*/true);
    captured->graph->replay();
    TORCH_CHECK(static_cast<int32_t>(captured->static_outputs.size()) <= capacity, "HybridGen: the captured graph has more outputs than expected");
    int32_t n = 0;
    // Outputs live in the graph's pool and the next replay overwrites them: the caller gets clones it owns.
    for (const at::Tensor& t : captured->static_outputs) outs[n++] = new torch::Tensor(t.clone());
    *produced = n;
  });
}

HGCG_EXPORT int32_t hgcg_free(void* graph) noexcept {
  return guarded([&] { delete static_cast<captured_graph*>(graph); });
}
