// The N-API surface of the CUDA backend (plugins/cuda/src/native/addon.ts declares it):
//   probe()                                   what the machine offers; never throws
//   open(device, lanes)                       selects the GPU, creates the lanes
//   close()                                   releases them once in-flight work has finished
//   memoryInfo()                              { free, total } device bytes
//   loadTable(data, rows, dim, dtype)         -> table handle (rows copied to device memory)
//   freeTable(table)
//   gatherReduce(table, indices, offsets, weights | null, mean, out, parts) -> Promise<void>
//   createDense(spec)                         -> dense handle (weights copied to device memory)
//   freeDense(dense)
//   runDense(dense, dense, embeddings, batch, out) -> Promise<void>
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

#include "../kernels/dense.h"
#include "../kernels/gather-reduce.h"
#include "../kernels/probe.h"
#include "../kernels/runtime.h"
#include "napi-util.h"

#ifndef RECMESH_CUDA_ARCHS
#define RECMESH_CUDA_ARCHS "unknown"
#endif

namespace recmesh::addon {
namespace {

using cuda::DenseModel;
using cuda::DeviceTable;
using cuda::Dtype;
using cuda::LaneLease;
using cuda::LanePool;

/** The opened GPU: its lanes. Jobs hold a shared_ptr so close() cannot pull it from under them. */
struct Runtime {
  int device = 0;
  LanePool pool;
};

std::mutex g_mutex;
std::shared_ptr<Runtime> g_runtime;

std::shared_ptr<Runtime> Current(napi_env env) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_runtime == nullptr) ThrowInput(env, "the CUDA backend is not open (call open first)");
  return g_runtime;
}

/** The arguments and the open runtime of a call that needs both; nullptr after throwing. */
template <size_t N>
std::shared_ptr<Runtime> Begin(napi_env env, napi_callback_info info, const char* usage,
                               napi_value (&argv)[N]) {
  if (!Arguments(env, info, usage, argv)) return nullptr;
  return Current(env);
}

template <typename T>
void DeleteHolder(napi_env, void* data, void*) {
  delete static_cast<std::shared_ptr<T>*>(data);
}

template <typename T>
napi_value WrapHandle(napi_env env, std::shared_ptr<T> value) {
  auto* holder = new std::shared_ptr<T>(std::move(value));
  napi_value out = nullptr;
  if (napi_create_external(env, holder, DeleteHolder<T>, nullptr, &out) != napi_ok) {
    delete holder;
    return ThrowInput(env, "could not create a handle");
  }
  return out;
}

/** The object a handle points at; nullptr (after throwing) when it is not one or was freed. */
template <typename T>
std::shared_ptr<T>* Unwrap(napi_env env, napi_value v, const char* name) {
  napi_valuetype type = napi_undefined;
  void* data = nullptr;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) {
    ThrowInput(env, std::string(name) + " is not a handle of this addon");
    return nullptr;
  }
  auto* holder = static_cast<std::shared_ptr<T>*>(data);
  if (*holder == nullptr) {
    ThrowInput(env, std::string(name) + " was freed");
    return nullptr;
  }
  return holder;
}

napi_value Probe(napi_env env, napi_callback_info) {
  const cuda::Probe p = cuda::ProbeDevices();
  napi_value out = nullptr;
  napi_create_object(env, &out);
  Set(env, out, "driverLoaded", MakeBool(env, p.driver_loaded));
  Set(env, out, "driverError", MakeString(env, p.driver_error));
  Set(env, out, "driverVersion",
      MakeString(env, p.driver_version > 0 ? cuda::VersionString(p.driver_version) : ""));
  Set(env, out, "runtimeVersion", MakeString(env, cuda::VersionString(p.runtime_version)));
  Set(env, out, "archs", MakeString(env, RECMESH_CUDA_ARCHS));
  Set(env, out, "unavailable", MakeString(env, p.unavailable));
  napi_value devices = nullptr;
  napi_create_array_with_length(env, p.devices.size(), &devices);
  for (size_t i = 0; i < p.devices.size(); ++i) {
    const cuda::DeviceInfo& d = p.devices[i];
    napi_value dev = nullptr;
    napi_create_object(env, &dev);
    Set(env, dev, "index", MakeNumber(env, d.index));
    Set(env, dev, "name", MakeString(env, d.name));
    Set(env, dev, "computeCapability",
        MakeString(env, std::to_string(d.major) + "." + std::to_string(d.minor)));
    Set(env, dev, "totalMemory", MakeNumber(env, static_cast<double>(d.total_memory)));
    Set(env, dev, "multiprocessors", MakeNumber(env, d.multiprocessors));
    Set(env, dev, "memoryBusBits", MakeNumber(env, d.memory_bus_bits));
    Set(env, dev, "l2Bytes", MakeNumber(env, d.l2_bytes));
    napi_set_element(env, devices, static_cast<uint32_t>(i), dev);
  }
  Set(env, out, "devices", devices);
  return out;
}

napi_value Open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Arguments(env, info, "open(device, lanes)", argv)) return nullptr;
  int64_t device = 0, lanes = 0;
  if (!ReadInt(env, argv[0], "device", 0, 1024, &device) ||
      !ReadInt(env, argv[1], "lanes", 1, 64, &lanes))
    return nullptr;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_runtime != nullptr) {
    if (g_runtime->device != device)
      return ThrowInput(
          env, "the CUDA backend is already open on device " + std::to_string(g_runtime->device));
    return nullptr;
  }
  auto runtime = std::make_shared<Runtime>();
  runtime->device = static_cast<int>(device);
  const Status s = runtime->pool.Init(static_cast<int>(device), static_cast<int>(lanes));
  if (!s.ok()) return ThrowStatus(env, s);
  g_runtime = std::move(runtime);
  return nullptr;
}

napi_value Close(napi_env, napi_callback_info) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_runtime.reset();  // in-flight jobs keep their own reference until they finish
  return nullptr;
}

napi_value MemoryInfo(napi_env env, napi_callback_info) {
  auto runtime = Current(env);
  if (runtime == nullptr) return nullptr;
  size_t free_bytes = 0, total = 0;
  cudaError_t e = cudaSetDevice(runtime->device);
  if (e == cudaSuccess) e = cudaMemGetInfo(&free_bytes, &total);
  if (e != cudaSuccess)
    return ThrowStatus(env, Status::Cuda(e, "cudaMemGetInfo", __FILE__, __LINE__));
  napi_value out = nullptr;
  napi_create_object(env, &out);
  Set(env, out, "free", MakeNumber(env, static_cast<double>(free_bytes)));
  Set(env, out, "total", MakeNumber(env, static_cast<double>(total)));
  return out;
}

napi_value LoadTable(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  auto runtime = Begin(env, info, "loadTable(data, rows, dim, dtype)", argv);
  if (runtime == nullptr) return nullptr;
  int64_t rows = 0, dim = 0, dtype_value = 0;
  if (!ReadInt(env, argv[1], "rows", 0, INT32_MAX, &rows) ||
      !ReadInt(env, argv[2], "dim", 1, cuda::kMaxDim, &dim) ||
      !ReadInt(env, argv[3], "dtype", 0, 2, &dtype_value))
    return nullptr;
  Dtype dtype = Dtype::kF32;
  cuda::DtypeFromInt(dtype_value, &dtype);
  std::string why;
  if (!cuda::DimSupported(dim, &why)) return ThrowInput(env, why);
  const napi_typedarray_type want = dtype == Dtype::kF32   ? napi_float32_array
                                    : dtype == Dtype::kF16 ? napi_uint16_array
                                                           : napi_uint8_array;
  TypedArray data;
  if (!ReadTypedArray(env, argv[0], "data", want, &data)) return nullptr;
  const size_t need = static_cast<size_t>(rows) * cuda::RowBytes(dtype, dim);
  if (data.bytes != need)
    return ThrowInput(env, std::string("data holds ") + std::to_string(data.bytes) +
                               " bytes, not " + std::to_string(rows) + " rows x " +
                               std::to_string(cuda::RowBytes(dtype, dim)) + " bytes of " +
                               cuda::DtypeName(dtype));
  std::shared_ptr<DeviceTable> table;
  const Status s = DeviceTable::Create(runtime->device, data.data, rows, static_cast<int32_t>(dim),
                                       dtype, &table);
  if (!s.ok()) return ThrowStatus(env, s);
  return WrapHandle(env, std::move(table));
}

template <typename T>
napi_value FreeHandle(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Arguments(env, info, "free(handle)", argv)) return nullptr;
  auto* holder = Unwrap<T>(env, argv[0], "handle");
  if (holder == nullptr) return nullptr;
  holder->reset();  // the memory goes once no job holds it
  return nullptr;
}

/** First bag whose start is at or after `target` (offsets are non-decreasing when valid). */
int64_t BagAt(const int32_t* offsets, int64_t bags, int64_t target) {
  return std::lower_bound(offsets, offsets + bags, target) - offsets;
}

napi_value GatherReduce(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  auto runtime =
      Begin(env, info, "gatherReduce(table, indices, offsets, weights, mean, out, parts)", argv);
  if (runtime == nullptr) return nullptr;
  auto* holder = Unwrap<DeviceTable>(env, argv[0], "table");
  if (holder == nullptr) return nullptr;
  std::shared_ptr<DeviceTable> table = *holder;
  TypedArray indices, offsets, weights, out;
  if (!ReadTypedArray(env, argv[1], "indices", napi_int32_array, &indices) ||
      !ReadTypedArray(env, argv[2], "offsets", napi_int32_array, &offsets) ||
      !ReadTypedArray(env, argv[5], "out", napi_float32_array, &out))
    return nullptr;
  const bool weighted = !IsNullish(env, argv[3]);
  if (weighted && !ReadTypedArray(env, argv[3], "weights", napi_float32_array, &weights))
    return nullptr;
  bool mean = false;
  int64_t parts = 1;
  if (!ReadBool(env, argv[4], "mean", &mean) || !ReadInt(env, argv[6], "parts", 1, 1024, &parts))
    return nullptr;
  const int64_t bags = static_cast<int64_t>(offsets.length);
  const int64_t n = static_cast<int64_t>(indices.length);
  if (out.length < static_cast<size_t>(bags) * table->dim())
    return ThrowInput(env, "out holds " + std::to_string(out.length) + " floats, fewer than " +
                               std::to_string(bags) + " bags x " + std::to_string(table->dim()));
  if (weighted && weights.length != indices.length)
    return ThrowInput(env, "weights must match the indices one to one");
  if (bags == 0 && n > 0) return ThrowInput(env, "indices given but no bags");

  cuda::Bags host;
  host.indices = static_cast<const int32_t*>(indices.data);
  host.num_indices = n;
  host.offsets = static_cast<const int32_t*>(offsets.data);
  host.num_bags = bags;
  host.weights = weighted ? static_cast<const float*>(weights.data) : nullptr;
  host.mean = mean;
  float* out_data = static_cast<float*>(out.data);
  const int64_t dim = table->dim();

  auto* job = new AsyncJob("recmesh.cuda.gatherReduce");
  for (int i : {0, 1, 2, 3, 5}) {
    if (i == 3 && !weighted) continue;
    if (!job->Hold(env, argv[i])) return AsyncJob::Abandon(env, job);
  }
  // Parts split the bags so that each carries about the same number of indices.
  int64_t begin = 0;
  const int64_t count = std::min<int64_t>(parts, std::max<int64_t>(bags, 1));
  for (int64_t p = 1; p <= count; ++p) {
    const int64_t end =
        p == count ? bags : std::max(begin, BagAt(host.offsets, bags, n * p / count));
    if (end == begin && p != count) continue;
    job->AddPart([runtime, table, host, begin, end, out_data, dim]() {
      LaneLease lane(runtime->pool);
      return cuda::GatherThroughLane(*lane, *table, host, begin, end, out_data + begin * dim);
    });
    begin = end;
  }
  return AsyncJob::Queue(env, job);
}

bool ReadLayers(napi_env env, napi_value array, const char* name,
                std::vector<cuda::LayerSpec>* out) {
  bool is_array = false;
  uint32_t length = 0;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, array, &length) != napi_ok) {
    ThrowInput(env, std::string(name) + " must be an array of layers");
    return false;
  }
  for (uint32_t l = 0; l < length; ++l) {
    napi_value layer = nullptr;
    napi_get_element(env, array, l, &layer);
    const std::string at = std::string(name) + "[" + std::to_string(l) + "]";
    int64_t inputs = 0, outputs = 0, act = 0;
    TypedArray weight, bias;
    if (!ReadInt(env, Property(env, layer, "inputs"), (at + ".inputs").c_str(), 1, INT32_MAX,
                 &inputs) ||
        !ReadInt(env, Property(env, layer, "outputs"), (at + ".outputs").c_str(), 1, INT32_MAX,
                 &outputs) ||
        !ReadInt(env, Property(env, layer, "activation"), (at + ".activation").c_str(), 0, 2,
                 &act) ||
        !ReadTypedArray(env, Property(env, layer, "weight"), (at + ".weight").c_str(),
                        napi_float32_array, &weight) ||
        !ReadTypedArray(env, Property(env, layer, "bias"), (at + ".bias").c_str(),
                        napi_float32_array, &bias))
      return false;
    if (weight.length != static_cast<size_t>(inputs * outputs) ||
        bias.length != static_cast<size_t>(outputs)) {
      ThrowInput(env, at + ": weight must hold outputs x inputs floats and bias outputs floats");
      return false;
    }
    cuda::LayerSpec spec;
    spec.inputs = static_cast<int>(inputs);
    spec.outputs = static_cast<int>(outputs);
    spec.act = static_cast<cuda::Activation>(act);
    spec.weight = static_cast<const float*>(weight.data);
    spec.bias = static_cast<const float*>(bias.data);
    out->push_back(spec);
  }
  return true;
}

napi_value CreateDense(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  auto runtime = Begin(env, info, "createDense(spec)", argv);
  if (runtime == nullptr) return nullptr;
  const napi_value spec_value = argv[0];
  int64_t features = 0, tables = 0, dim = 0, interaction = 0;
  cuda::DenseSpec spec;
  if (!ReadInt(env, Property(env, spec_value, "denseFeatures"), "denseFeatures", 1, INT32_MAX,
               &features) ||
      !ReadInt(env, Property(env, spec_value, "tables"), "tables", 0, 65535, &tables) ||
      !ReadInt(env, Property(env, spec_value, "dim"), "dim", 1, 65535, &dim) ||
      !ReadInt(env, Property(env, spec_value, "interaction"), "interaction", 0, 1, &interaction) ||
      !ReadLayers(env, Property(env, spec_value, "bottom"), "bottom", &spec.bottom) ||
      !ReadLayers(env, Property(env, spec_value, "top"), "top", &spec.top))
    return nullptr;
  spec.dense_features = static_cast<int>(features);
  spec.tables = static_cast<int>(tables);
  spec.dim = static_cast<int>(dim);
  spec.interaction = static_cast<cuda::Interaction>(interaction);
  std::unique_ptr<DenseModel> model;
  const Status s = DenseModel::Create(spec, runtime->device, &model);
  if (!s.ok()) return ThrowStatus(env, s);
  return WrapHandle(env, std::shared_ptr<DenseModel>(std::move(model)));
}

napi_value RunDense(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  auto runtime = Begin(env, info, "runDense(model, dense, embeddings, batch, out)", argv);
  if (runtime == nullptr) return nullptr;
  auto* holder = Unwrap<DenseModel>(env, argv[0], "model");
  if (holder == nullptr) return nullptr;
  std::shared_ptr<DenseModel> model = *holder;
  TypedArray dense, emb, out;
  int64_t batch = 0;
  if (!ReadTypedArray(env, argv[1], "dense", napi_float32_array, &dense) ||
      !ReadTypedArray(env, argv[2], "embeddings", napi_float32_array, &emb) ||
      !ReadInt(env, argv[3], "batch", 0, 1 << 24, &batch) ||
      !ReadTypedArray(env, argv[4], "out", napi_float32_array, &out))
    return nullptr;
  if (dense.length != static_cast<size_t>(batch) * model->dense_features())
    return ThrowInput(env, "dense holds " + std::to_string(dense.length) + " floats, not " +
                               std::to_string(batch) + " x " +
                               std::to_string(model->dense_features()));
  if (emb.length != static_cast<size_t>(model->tables()) * batch * model->dim())
    return ThrowInput(env, "embeddings holds " + std::to_string(emb.length) + " floats, not " +
                               std::to_string(model->tables()) + " x " + std::to_string(batch) +
                               " x " + std::to_string(model->dim()));
  if (out.length < static_cast<size_t>(batch))
    return ThrowInput(env, "out holds fewer than " + std::to_string(batch) + " floats");
  auto* job = new AsyncJob("recmesh.cuda.runDense");
  for (int i : {0, 1, 2, 4})
    if (!job->Hold(env, argv[i])) return AsyncJob::Abandon(env, job);
  const float* dense_data = static_cast<const float*>(dense.data);
  const float* emb_data = static_cast<const float*>(emb.data);
  float* out_data = static_cast<float*>(out.data);
  const int b = static_cast<int>(batch);
  job->AddPart([runtime, model, dense_data, emb_data, b, out_data]() {
    LaneLease lane(runtime->pool);
    return cuda::ForwardThroughLane(*lane, *model, dense_data, emb_data, b, out_data);
  });
  return AsyncJob::Queue(env, job);
}

void Cleanup(void*) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_runtime.reset();
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"probe", nullptr, Probe, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"memoryInfo", nullptr, MemoryInfo, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"loadTable", nullptr, LoadTable, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"freeTable", nullptr, FreeHandle<DeviceTable>, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"gatherReduce", nullptr, GatherReduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"createDense", nullptr, CreateDense, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"freeDense", nullptr, FreeHandle<DenseModel>, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"runDense", nullptr, RunDense, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  return exports;
}

}  // namespace
}  // namespace recmesh::addon

NAPI_MODULE(recmesh_cuda, recmesh::addon::Init)
