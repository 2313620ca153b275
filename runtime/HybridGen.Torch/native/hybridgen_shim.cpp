// HybridGen's C ABI over libtorch.
//
// Tensor handles are c10::TensorImpl pointers that own one reference (what at::Tensor::unsafeReleaseTensorImpl
// gives): no allocation of our own per result, and freeing is one decref.
//
// Rules (DESIGN.md decision 3): opaque handles, every export is noexcept and returns a status (0 = ok), and the
// message of a failure is kept per thread for hg_last_error. No C++ exception may cross this boundary: one that
// does aborts the .NET process.
//
// Ops are table-driven (decision 2): the managed side resolves an ATen operator once by its schema name
// (hg_op_find) and calls it boxed (hg_op_call), so a new binding op needs no new native code.
#include <torch/script.h>
#include <torch/jit.h>
#include <torch/utils.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/CPUGeneratorImpl.h>

#include <malloc.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#define HG_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// Value kinds shared with HybridGen.Torch's NativeValue (keep in sync).
enum hg_kind : int32_t {
  HG_NONE = 0,
  HG_TENSOR = 1,       // p: c10::TensorImpl* (a handle)
  HG_INT = 2,          // i
  HG_DOUBLE = 3,       // d
  HG_BOOL = 4,         // i != 0
  HG_INT_LIST = 5,     // p: const int64_t*, i: length
  HG_TENSOR_LIST = 6,  // p: handles, i: length; reserved 1: Tensor?[] (null entries are None)
  HG_STRING = 7,       // p: UTF-8 bytes, i: length
  HG_DEVICE = 8,       // i: c10::DeviceType, reserved: device index (-1: current)
  HG_GENERATOR = 9,    // p: at::Generator*
  HG_DOUBLE_LIST = 10, // p: const double*, i: length
};

struct hg_value {
  int32_t kind;
  int32_t reserved;
  int64_t i;
  double d;
  void* p;
};
static_assert(sizeof(hg_value) == 32, "hg_value layout is shared with C#");

thread_local std::string last_error;

template <typename F>
int32_t guarded(F&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const c10::Error& e) {
    last_error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown C++ exception in libtorch";
  }
  return 1;
}

using TensorPtr = c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>;

// A new reference to the tensor behind a handle (the handle keeps its own).
at::Tensor as_tensor(void* handle) {
  TORCH_CHECK(handle != nullptr, "HybridGen: null tensor handle");
  return at::Tensor(TensorPtr::reclaim_copy(static_cast<c10::TensorImpl*>(handle)));
}

// Turns a tensor into a handle that owns its reference.
void* to_handle(at::Tensor t) { return t.unsafeReleaseTensorImpl(); }

void free_handle(void* handle) {
  if (handle != nullptr) TensorPtr::reclaim(static_cast<c10::TensorImpl*>(handle));  // drops the reference
}

c10::IValue to_ivalue(const hg_value& v) {
  switch (v.kind) {
    case HG_NONE: return c10::IValue();
    case HG_TENSOR: return c10::IValue(as_tensor(v.p));
    case HG_INT: return c10::IValue(static_cast<int64_t>(v.i));
    case HG_DOUBLE: return c10::IValue(v.d);
    case HG_BOOL: return c10::IValue(v.i != 0);
    case HG_INT_LIST: {
      auto data = static_cast<const int64_t*>(v.p);
      return c10::IValue(std::vector<int64_t>(data, data + v.i));
    }
    case HG_DOUBLE_LIST: {
      auto data = static_cast<const double*>(v.p);
      return c10::IValue(std::vector<double>(data, data + v.i));
    }
    case HG_TENSOR_LIST: {
      auto handles = static_cast<void* const*>(v.p);
      if (v.reserved == 1) {  // Tensor?[] (indexing): null handles are None
        c10::List<c10::optional<at::Tensor>> optionals;
        optionals.reserve(static_cast<size_t>(v.i));
        for (int64_t k = 0; k < v.i; ++k)
          optionals.push_back(handles[k] ? c10::optional<at::Tensor>(as_tensor(handles[k])) : c10::nullopt);
        return c10::IValue(std::move(optionals));
      }
      c10::List<at::Tensor> list;
      list.reserve(static_cast<size_t>(v.i));
      for (int64_t k = 0; k < v.i; ++k) list.push_back(as_tensor(handles[k]));
      return c10::IValue(std::move(list));
    }
    case HG_STRING: return c10::IValue(std::string(static_cast<const char*>(v.p), static_cast<size_t>(v.i)));
    case HG_DEVICE:
      return c10::IValue(c10::Device(static_cast<c10::DeviceType>(v.i), static_cast<c10::DeviceIndex>(v.reserved)));
    case HG_GENERATOR:
      TORCH_CHECK(v.p != nullptr, "HybridGen: null generator handle");
      return c10::IValue(*static_cast<at::Generator*>(v.p));
    default: TORCH_CHECK(false, "HybridGen: unknown argument kind ", v.kind);
  }
}

// Flattens a result (tensors, scalars, tuples and lists of them) into outs, depth first.
void push_output(c10::IValue&& v, hg_value* outs, int32_t capacity, int32_t& count) {
  if (v.isTuple()) {
    for (const auto& e : v.toTupleRef().elements()) push_output(c10::IValue(e), outs, capacity, count);
    return;
  }
  if (v.isTensorList()) {
    for (const at::Tensor& t : v.toTensorVector()) push_output(c10::IValue(t), outs, capacity, count);
    return;
  }
  TORCH_CHECK(count < capacity, "HybridGen: the call returned more than ", capacity, " values");
  hg_value& out = outs[count];
  out = hg_value{HG_NONE, 0, 0, 0.0, nullptr};
  if (v.isTensor()) {
    out.kind = HG_TENSOR;
    out.p = to_handle(std::move(v).toTensor());
  } else if (v.isInt()) {
    out.kind = HG_INT;
    out.i = v.toInt();
  } else if (v.isDouble()) {
    out.kind = HG_DOUBLE;
    out.d = v.toDouble();
  } else if (v.isBool()) {
    out.kind = HG_BOOL;
    out.i = v.toBool() ? 1 : 0;
  } else if (!v.isNone()) {
    TORCH_CHECK(false, "HybridGen: unsupported result type ", v.tagKind());
  }
  ++count;
}

void pop_outputs(torch::jit::Stack& stack, hg_value* outs, int32_t capacity, int32_t* nouts) {
  int32_t count = 0;
  try {
    for (auto& v : stack) push_output(std::move(v), outs, capacity, count);
  } catch (...) {
    for (int32_t k = 0; k < count; ++k)
      if (outs[k].kind == HG_TENSOR) free_handle(outs[k].p);
    throw;
  }
  *nouts = count;
}

struct script_unit {
  std::shared_ptr<torch::jit::CompilationUnit> unit;
};

}  // namespace

HG_EXPORT const char* hg_last_error() noexcept { return last_error.c_str(); }

HG_EXPORT int32_t hg_tensor_free(void* tensor) noexcept {
  return guarded([&] { free_handle(tensor); });
}

// Copies `data` (dense, row-major, of dtype `dtype`, a c10::ScalarType code) into a new CPU tensor.
HG_EXPORT int32_t hg_tensor_from_data(const void* data, int32_t dtype, const int64_t* shape, int32_t ndim,
                                      void** out) noexcept {
  return guarded([&] {
    auto sizes = c10::IntArrayRef(shape, static_cast<size_t>(ndim));
    auto options = at::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype));
    at::Tensor t = at::empty(sizes, options);
    std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    *out = to_handle(std::move(t));
  });
}

// Everything about a tensor but its values, in one call: dtype, rank, device, requires_grad.
HG_EXPORT int32_t hg_tensor_info(void* tensor, int32_t* dtype, int32_t* ndim, int32_t* device_type,
                                 int32_t* device_index, int32_t* requires_grad) noexcept {
  return guarded([&] {
    const at::Tensor t = as_tensor(tensor);
    *dtype = static_cast<int32_t>(t.scalar_type());
    *ndim = static_cast<int32_t>(t.dim());
    *device_type = static_cast<int32_t>(t.device().type());
    *device_index = static_cast<int32_t>(t.device().index());
    *requires_grad = t.requires_grad() ? 1 : 0;
  });
}

// The accumulated gradient of a leaf tensor; *out is null when there is none.
HG_EXPORT int32_t hg_tensor_grad(void* tensor, void** out) noexcept {
  return guarded([&] {
    at::Tensor g = as_tensor(tensor).grad();
    *out = g.defined() ? to_handle(std::move(g)) : nullptr;
  });
}

// Replaces (or, with a null grad, clears) the accumulated gradient.
HG_EXPORT int32_t hg_tensor_set_grad(void* tensor, void* grad) noexcept {
  return guarded([&] {
    at::Tensor t = as_tensor(tensor);
    if (grad == nullptr) t.mutable_grad().reset();
    else t.mutable_grad() = as_tensor(grad);
  });
}

// Grad mode is per thread, as in PyTorch. enabled < 0 only reads it; *previous gets the mode before the call.
HG_EXPORT int32_t hg_grad_mode(int32_t enabled, int32_t* previous) noexcept {
  return guarded([&] {
    *previous = c10::GradMode::is_enabled() ? 1 : 0;
    if (enabled >= 0) c10::GradMode::set_enabled(enabled != 0);
  });
}

HG_EXPORT int32_t hg_cuda_info(int32_t* available, int32_t* device_count) noexcept {
  return guarded([&] {
    *available = torch::cuda::is_available() ? 1 : 0;
    *device_count = static_cast<int32_t>(torch::cuda::device_count());
  });
}

HG_EXPORT int32_t hg_cuda_synchronize(int64_t device_index) noexcept {
  return guarded([&] { torch::cuda::synchronize(device_index); });
}

// A random generator of its own (CPU, or CUDA where libtorch has it), seeded.
HG_EXPORT int32_t hg_generator_new(int32_t device_type, uint64_t seed, void** out) noexcept {
  return guarded([&] {
    at::Generator gen;
    if (static_cast<c10::DeviceType>(device_type) == c10::DeviceType::CPU) {
      gen = at::detail::createCPUGenerator(seed);
    } else {
      TORCH_CHECK(torch::cuda::is_available(), "HybridGen: CUDA is not available to create a generator on");
      gen = at::globalContext().defaultGenerator(c10::Device(static_cast<c10::DeviceType>(device_type))).clone();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    *out = new at::Generator(std::move(gen));
  });
}

HG_EXPORT int32_t hg_generator_free(void* generator) noexcept {
  return guarded([&] { delete static_cast<at::Generator*>(generator); });
}

HG_EXPORT int32_t hg_generator_seed(void* generator, uint64_t seed) noexcept {
  return guarded([&] {
    auto* gen = static_cast<at::Generator*>(generator);
    std::lock_guard<std::mutex> lock(gen->mutex());
    gen->set_current_seed(seed);
  });
}

HG_EXPORT int32_t hg_tensor_shape(void* tensor, int64_t* shape, int32_t capacity) noexcept {
  return guarded([&] {
    const at::Tensor t = as_tensor(tensor);
    TORCH_CHECK(t.dim() <= capacity, "HybridGen: shape buffer too small");
    for (int64_t k = 0; k < t.dim(); ++k) shape[k] = t.size(k);
  });
}

// Copies the tensor's values (as a dense CPU buffer in its own dtype) into dst, which holds nbytes.
HG_EXPORT int32_t hg_tensor_copy_data(void* tensor, void* dst, int64_t nbytes) noexcept {
  return guarded([&] {
    at::Tensor t = as_tensor(tensor).to(at::kCPU).contiguous();
    const int64_t size = t.numel() * static_cast<int64_t>(t.element_size());
    TORCH_CHECK(size == nbytes, "HybridGen: destination holds ", nbytes, " bytes, the tensor ", size);
    std::memcpy(dst, t.data_ptr(), static_cast<size_t>(size));
  });
}

HG_EXPORT int32_t hg_manual_seed(uint64_t seed) noexcept {
  return guarded([&] { torch::manual_seed(seed); });
}

HG_EXPORT int32_t hg_set_num_threads(int32_t threads) noexcept {
  return guarded([&] { at::set_num_threads(threads); });
}

// An operator resolved once. Besides the boxed route (any schema), the commonest signatures also get an unboxed
// route, a typed call straight into the kernel: a table of five signature shapes, not code per op.
enum hg_signature : int32_t {
  SIG_BOXED = 0,
  SIG_T = 1,      // Tensor(Tensor)
  SIG_TT = 2,     // Tensor(Tensor, Tensor)
  SIG_TTS = 3,    // Tensor(Tensor, Tensor, Scalar)
  SIG_TS = 4,     // Tensor(Tensor, Scalar)
  SIG_TSS = 5,    // Tensor(Tensor, Scalar, Scalar)
};

using SigT = at::Tensor(const at::Tensor&);
using SigTT = at::Tensor(const at::Tensor&, const at::Tensor&);
using SigTTS = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Scalar&);
using SigTS = at::Tensor(const at::Tensor&, const at::Scalar&);
using SigTSS = at::Tensor(const at::Tensor&, const at::Scalar&, const at::Scalar&);

struct hg_op {
  c10::OperatorHandle handle;
  int32_t signature;
  std::vector<c10::IValue> defaults;  // per argument; None where there is no default
  // The typed handle of the unboxed route, made once (typed() checks the C++ signature each time it is called).
  c10::optional<c10::TypedOperatorHandle<SigT>> t;
  c10::optional<c10::TypedOperatorHandle<SigTT>> tt;
  c10::optional<c10::TypedOperatorHandle<SigTTS>> tts;
  c10::optional<c10::TypedOperatorHandle<SigTS>> ts;
  c10::optional<c10::TypedOperatorHandle<SigTSS>> tss;
};

namespace {
int32_t signature_of(const c10::FunctionSchema& schema) {
  if (schema.returns().size() != 1 || !schema.returns()[0].type()->isSubtypeOf(*c10::TensorType::get()) ||
      schema.returns()[0].alias_info() != nullptr || schema.is_vararg())
    return SIG_BOXED;
  std::string shape;
  for (const auto& arg : schema.arguments()) {
    if (arg.alias_info() != nullptr) return SIG_BOXED;  // in-place and view signatures differ in C++
    const auto& type = arg.type();
    if (type->kind() == c10::TypeKind::TensorType) shape += 'T';
    else if (type->kind() == c10::TypeKind::NumberType) shape += 'S';  // Scalar
    else return SIG_BOXED;
  }
  if (shape == "T") return SIG_T;
  if (shape == "TT") return SIG_TT;
  if (shape == "TTS") return SIG_TTS;
  if (shape == "TS") return SIG_TS;
  if (shape == "TSS") return SIG_TSS;
  return SIG_BOXED;
}

at::Scalar to_scalar(const hg_value& v) {
  switch (v.kind) {
    case HG_INT: return at::Scalar(static_cast<int64_t>(v.i));
    case HG_DOUBLE: return at::Scalar(v.d);
    case HG_BOOL: return at::Scalar(v.i != 0);
    default: TORCH_CHECK(false, "HybridGen: a Scalar argument must be an int, a float or a bool");
  }
}
}  // namespace

// Resolves an ATen operator by schema name, e.g. ("aten::add", "Tensor"). The handle lives for the process.
// *signature tells the caller which unboxed route hg_op_call_fast offers for it (0: none).
HG_EXPORT int32_t hg_op_find(const char* name, const char* overload, void** out, int32_t* signature) noexcept {
  return guarded([&] {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload ? overload : "");
    const auto& schema = handle.schema();
    std::vector<c10::IValue> defaults;
    for (const auto& arg : schema.arguments())
      defaults.push_back(arg.default_value().has_value() ? *arg.default_value() : c10::IValue());
    auto* op = new hg_op{handle, signature_of(schema), std::move(defaults), {}, {}, {}, {}, {}};
    switch (op->signature) {
      case SIG_T: op->t = handle.typed<SigT>(); break;
      case SIG_TT: op->tt = handle.typed<SigTT>(); break;
      case SIG_TTS: op->tts = handle.typed<SigTTS>(); break;
      case SIG_TS: op->ts = handle.typed<SigTS>(); break;
      case SIG_TSS: op->tss = handle.typed<SigTSS>(); break;
    }
    *signature = op->signature;
    *out = op;
  });
}

// The operator's schema as text (for tests and docs); the pointer is valid until the next call on this thread.
HG_EXPORT int32_t hg_op_schema(void* op, const char** out) noexcept {
  return guarded([&] {
    std::ostringstream text;
    text << static_cast<hg_op*>(op)->handle.schema();
    last_error = text.str();  // reuse the thread's string buffer
    *out = last_error.c_str();
  });
}

// The unboxed route: tensors a (and b), then nscalars scalars; trailing scalars left out take their defaults.
HG_EXPORT int32_t hg_op_call_fast(void* op, void* a, void* b, const hg_value* scalars, int32_t nscalars,
                                  void** out) noexcept {
  return guarded([&] {
    const auto* o = static_cast<hg_op*>(op);
    auto scalar = [&](int32_t k, size_t position) {
      if (k < nscalars) return to_scalar(scalars[k]);
      const c10::IValue& d = o->defaults[position];
      TORCH_CHECK(!d.isNone(), o->handle.schema().name(), ": argument ", position, " has no default and was not given");
      return d.toScalar();
    };
    const auto* ta = static_cast<c10::TensorImpl*>(a);
    TORCH_CHECK(ta != nullptr, "HybridGen: null tensor handle");
    // Borrow the handles' tensors without touching their reference counts.
    at::Tensor ref_a = at::Tensor(TensorPtr::reclaim(const_cast<c10::TensorImpl*>(ta)));
    at::Tensor ref_b = b ? at::Tensor(TensorPtr::reclaim(static_cast<c10::TensorImpl*>(b))) : at::Tensor();
    struct unborrow {
      at::Tensor& x;
      ~unborrow() { x.unsafeReleaseTensorImpl(); }
    } ua{ref_a}, ub{ref_b};
    at::Tensor result;
    switch (o->signature) {
      case SIG_T:
        result = o->t->call(ref_a);
        break;
      case SIG_TT:
        TORCH_CHECK(b != nullptr, "HybridGen: null tensor handle");
        result = o->tt->call(ref_a, ref_b);
        break;
      case SIG_TTS:
        TORCH_CHECK(b != nullptr, "HybridGen: null tensor handle");
        result = o->tts->call(ref_a, ref_b, scalar(0, 2));
        break;
      case SIG_TS:
        result = o->ts->call(ref_a, scalar(0, 1));
        break;
      case SIG_TSS:
        result = o->tss->call(ref_a, scalar(0, 1), scalar(1, 2));
        break;
      default:
        TORCH_CHECK(false, "HybridGen: ", o->handle.schema().name(), " has no unboxed route");
    }
    *out = to_handle(std::move(result));
  });
}

// Calls an operator boxed. Trailing arguments left out take the schema's defaults.
HG_EXPORT int32_t hg_op_call(void* op, const hg_value* args, int32_t nargs, hg_value* outs, int32_t capacity,
                             int32_t* nouts) noexcept {
  return guarded([&] {
    const auto* o = static_cast<hg_op*>(op);
    const auto& schema = o->handle.schema();
    const auto& params = schema.arguments();
    TORCH_CHECK(static_cast<size_t>(nargs) <= params.size(), schema.name(), " takes ", params.size(),
                " arguments, ", nargs, " given");
    // One stack per thread, reused: no allocation per call.
    thread_local torch::jit::Stack stack;
    struct clear_on_exit {
      torch::jit::Stack& s;
      ~clear_on_exit() { s.clear(); }  // also on an error: the stack must not keep tensors alive
    } cleanup{stack};
    stack.clear();
    for (int32_t k = 0; k < nargs; ++k) stack.push_back(to_ivalue(args[k]));
    for (size_t k = static_cast<size_t>(nargs); k < params.size(); ++k) {
      TORCH_CHECK(params[k].default_value().has_value(), schema.name(), ": argument '", params[k].name(),
                  "' has no default and was not given");
      stack.push_back(o->defaults[k]);
    }
    o->handle.callBoxed(&stack);
    pop_outputs(stack, outs, capacity, nouts);
  });
}

// Compiles TorchScript source. Errors carry libtorch's message (with its line number and caret).
HG_EXPORT int32_t hg_script_compile(const char* source, void** out) noexcept {
  return guarded([&] { *out = new script_unit{torch::jit::compile(source)}; });
}

HG_EXPORT int32_t hg_script_free(void* unit) noexcept {
  return guarded([&] { delete static_cast<script_unit*>(unit); });
}

// Finds a function of a compiled unit; *out is null when there is none. Valid while the unit lives.
HG_EXPORT int32_t hg_script_function(void* unit, const char* name, void** out) noexcept {
  return guarded([&] {
    auto* u = static_cast<script_unit*>(unit);
    *out = u->unit->find_function(name);
  });
}

HG_EXPORT int32_t hg_script_call(void* function, const hg_value* args, int32_t nargs, hg_value* outs,
                                 int32_t capacity, int32_t* nouts) noexcept {
  return guarded([&] {
    auto* fn = static_cast<torch::jit::Function*>(function);
    std::vector<c10::IValue> inputs;
    inputs.reserve(static_cast<size_t>(nargs));
    for (int32_t k = 0; k < nargs; ++k) inputs.push_back(to_ivalue(args[k]));
    // operator() checks the arguments against the schema, so a wrong call is an error, not a crash.
    torch::jit::Stack stack{(*fn)(std::move(inputs))};
    pop_outputs(stack, outs, capacity, nouts);
  });
}

// Keeps glibc from handing freed heap memory back to the OS at every opportunity. A dispose scope frees many
// tensors at once; with glibc's defaults (trim above 128 KiB, mmap from 128 KiB with a moving threshold) the next
// iteration then page-faults all of it back in, which made a 20-op loop on [64,256] tensors 3.5x slower here.
// Freed memory up to 64 MiB stays with the process; larger blocks still come from and go back to mmap.
HG_EXPORT int32_t hg_tune_allocator() noexcept {
  return guarded([&] {
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
  });
}

// A 64-bit key of what makes a call's tensors differ for a graph: dtype, device, requires_grad, rank and sizes of
// each, in order (a null handle counts as "no tensor"). One call per dispatch, so it must stay cheap: no allocation.
// *flags gets bit 0 set when any tensor is on a CUDA device (the dispatcher then synchronizes before timing).
HG_EXPORT int32_t hg_signature(void* const* handles, int32_t count, uint64_t seed, uint64_t* key, int32_t* flags) noexcept {
  return guarded([&] {
    uint64_t h = seed ^ 1469598103934665603ull;
    auto mix = [&h](uint64_t v) {
      h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h *= 1099511628211ull;
    };
    int32_t f = 0;
    for (int32_t k = 0; k < count; ++k) {
      const auto* impl = static_cast<const c10::TensorImpl*>(handles[k]);
      if (impl == nullptr) {
        mix(0xdeadull);
        continue;
      }
      const c10::Device device = impl->device();
      if (device.is_cuda()) f |= 1;
      caffe2::TypeMeta meta = impl->dtype();
      mix(static_cast<uint64_t>(meta.toScalarType()));
      mix((static_cast<uint64_t>(device.type()) << 16) | static_cast<uint16_t>(device.index()));
      mix(impl->requires_grad() ? 1 : 0);
      const auto sizes = impl->sizes();
      mix(sizes.size());
      for (int64_t s : sizes) mix(static_cast<uint64_t>(s));
    }
    *key = h;
    *flags = f;
  });
}

// The libtorch version this shim was built against ("1.13.1"), for invalidating persisted dispatch profiles.
HG_EXPORT const char* hg_torch_version() noexcept { return TORCH_VERSION; }

// ---- CUDA graphs ---------------------------------------------------------------------------------------------
//
// A twin captured as a CUDA graph for one static signature. Tensor arguments are copied into static input
// buffers before each replay; scalar arguments are baked in at capture (they are part of the signature). Outputs
// live in the graph's private pool and are overwritten by the next replay, so replay hands out clones: the caller
// owns what it gets. Captures are serialized process-wide and run on a side stream after warm-up runs (cuBLAS
// handles, the profiling executor's runs, NVRTC compilation of fused kernels), as CUDA graphs require.
#ifdef HG_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <mutex>

namespace {
struct cuda_graph {
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  std::vector<at::Tensor> static_inputs;
  std::vector<at::Tensor> static_outputs;
};

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

HG_EXPORT int32_t hg_cuda_graph_capture(void* function, const hg_value* args, int32_t nargs, int32_t warmups, void** out) noexcept {
  return guarded([&] {
    auto* fn = static_cast<torch::jit::Function*>(function);
    auto captured = std::make_unique<cuda_graph>();
    std::vector<c10::IValue> inputs;
    for (int32_t k = 0; k < nargs; ++k) {
      if (args[k].kind == HG_TENSOR) {
        at::Tensor buffer = as_tensor(args[k].p).clone();
        TORCH_CHECK(buffer.is_cuda(), "HybridGen: CUDA-graph capture needs every tensor argument on a CUDA device");
        captured->static_inputs.push_back(buffer);
        inputs.emplace_back(buffer);
      } else {
        TORCH_CHECK(args[k].kind != HG_TENSOR_LIST, "HybridGen: CUDA-graph capture does not take tensor lists yet");
        inputs.push_back(to_ivalue(args[k]));
      }
    }
    std::lock_guard<std::mutex> lock(capture_mutex());
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
    side.wait_stream(c10::cuda::getCurrentCUDAStream());
    {
      c10::cuda::CUDAStreamGuard guard(side);
      for (int32_t k = 0; k < warmups; ++k) (*fn)(inputs);
      side.synchronize();
      captured->graph = std::make_unique<at::cuda::CUDAGraph>();
      captured->graph->capture_begin();
      c10::IValue result;
      try {
        result = (*fn)(inputs);
      } catch (...) {
        try { captured->graph->capture_end(); } catch (...) {}
        throw;
      }
      captured->graph->capture_end();
      collect_tensors(result, captured->static_outputs);
    }
    c10::cuda::getCurrentCUDAStream().wait_stream(side);
    *out = captured.release();
  });
}

HG_EXPORT int32_t hg_cuda_graph_replay(void* graph, const hg_value* args, int32_t nargs, hg_value* outs, int32_t capacity,
                                       int32_t* nouts) noexcept {
  return guarded([&] {
    auto* captured = static_cast<cuda_graph*>(graph);
    size_t next = 0;
    for (int32_t k = 0; k < nargs; ++k) {
      if (args[k].kind != HG_TENSOR) continue;
      TORCH_CHECK(next < captured->static_inputs.size(), "HybridGen: more tensor arguments than at capture");
      captured->static_inputs[next++].copy_(as_tensor(args[k].p), /*non_blocking=*/true);
    }
    captured->graph->replay();
    TORCH_CHECK(static_cast<int32_t>(captured->static_outputs.size()) <= capacity, "HybridGen: too many outputs");
    int32_t count = 0;
    for (const at::Tensor& t : captured->static_outputs) {
      outs[count] = hg_value{HG_TENSOR, 0, 0, 0.0, to_handle(t.clone())};
      ++count;
    }
    *nouts = count;
  });
}

HG_EXPORT int32_t hg_cuda_graph_free(void* graph) noexcept {
  return guarded([&] { delete static_cast<cuda_graph*>(graph); });
}

HG_EXPORT int32_t hg_cuda_graphs_supported() noexcept { return 1; }
#else
// Built against a libtorch without CUDA: the entry points exist and say so.
HG_EXPORT int32_t hg_cuda_graph_capture(void*, const hg_value*, int32_t, int32_t, void**) noexcept {
  return guarded([&] { TORCH_CHECK(false, "HybridGen's shim was built against a libtorch without CUDA: no CUDA-graph capture"); });
}
HG_EXPORT int32_t hg_cuda_graph_replay(void*, const hg_value*, int32_t, hg_value*, int32_t, int32_t*) noexcept {
  return guarded([&] { TORCH_CHECK(false, "HybridGen's shim was built against a libtorch without CUDA: no CUDA-graph replay"); });
}
HG_EXPORT int32_t hg_cuda_graph_free(void*) noexcept { return 0; }
HG_EXPORT int32_t hg_cuda_graphs_supported() noexcept { return 0; }
#endif
