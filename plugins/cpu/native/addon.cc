// N-API glue of the gather-reduce kernel: argument checks, the libuv threadpool (the kernel never
// runs on the event loop), splitting one batch over several threads, and table memory.
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "kernel.h"

namespace recmesh {
namespace {

Isa g_isa = Isa::kGeneric;

#define CHECK_NAPI(env, call)                                           \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error((env), "ERR_RECMESH_NAPI", "N-API call failed: " #call); \
      return nullptr;                                                   \
    }                                                                   \
  } while (0)

napi_value Throw(napi_env env, const std::string& message, bool range = false) {
  if (range)
    napi_throw_range_error(env, "ERR_RECMESH_ARG", message.c_str());
  else
    napi_throw_type_error(env, "ERR_RECMESH_ARG", message.c_str());
  return nullptr;
}

struct ArrayArg {
  napi_typedarray_type type;
  void* data = nullptr;
  size_t length = 0;
};

bool TypedArrayArg(napi_env env, napi_value v, const char* name, napi_typedarray_type want,
                   ArrayArg* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
    Throw(env, std::string(name) + " must be a typed array");
    return false;
  }
  napi_value ab;
  size_t offset;
  napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, &ab, &offset);
  if (out->type != want) {
    Throw(env, std::string(name) + " has the wrong element type");
    return false;
  }
  if (out->data == nullptr && out->length > 0) {
    Throw(env, std::string(name) + " is detached");
    return false;
  }
  return true;
}

bool Int64Arg(napi_env env, napi_value v, const char* name, int64_t* out) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    Throw(env, std::string(name) + " must be a number");
    return false;
  }
  return true;
}

/** One gatherReduce call: every part shares it; the last part to complete settles the promise. */
struct Job {
  TableView table{};
  BagsView bags{};
  float* out = nullptr;
  Isa isa = Isa::kGeneric;
  napi_deferred deferred = nullptr;
  std::vector<napi_ref> refs;
  int pending = 0;
  bool failed = false;
  KernelError error;
};

struct Part {
  Job* job;
  int64_t b0;
  int64_t b1;
  napi_async_work work = nullptr;
  bool ok = true;
  KernelError error;
};

void ExecutePart(napi_env, void* data) {
  Part* p = static_cast<Part*>(data);
  p->ok = GatherReduce(p->job->isa, p->job->table, p->job->bags, p->b0, p->b1, p->job->out,
                       &p->error);
}

void CompletePart(napi_env env, napi_status status, void* data) {
  Part* p = static_cast<Part*>(data);
  Job* job = p->job;
  if (!p->ok && !job->failed) {
    job->failed = true;
    job->error = p->error;
  }
  if (status != napi_ok && !job->failed) {
    job->failed = true;
    job->error.field = "async work";
  }
  napi_delete_async_work(env, p->work);
  delete p;
  if (--job->pending > 0) return;
  for (napi_ref ref : job->refs) napi_delete_reference(env, ref);
  if (job->failed) {
    const KernelError& e = job->error;
    std::string message = std::string("gather-reduce: ") + (e.field ? e.field : "?") + "[" +
                          std::to_string(e.position) + "] = " + std::to_string(e.value) +
                          (std::strcmp(e.field ? e.field : "", "indices") == 0
                               ? " is outside the table's " + std::to_string(job->table.rows) +
                                     " rows"
                               : " is not a valid bag boundary");
    napi_value msg, code, err;
    napi_create_string_utf8(env, message.c_str(), NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(env, "ERR_RECMESH_KERNEL_INPUT", NAPI_AUTO_LENGTH, &code);
    napi_create_range_error(env, code, msg, &err);
    napi_reject_deferred(env, job->deferred, err);
  } else {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, job->deferred, undefined);
  }
  delete job;
}

/** First bag whose start offset is >= target (offsets are checked for order by the kernel). */
int64_t BagAtIndex(const BagsView& b, int64_t target) {
  int64_t lo = 0, hi = b.bags;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (b.offsets[mid] < target)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/**
 * gatherReduce(table, rows, dim, dtype, indices, offsets, weights | null, mean, out, parts, isa)
 *   -> Promise<void>
 * table: Float32Array (fp32), Uint16Array (fp16) or Uint8Array (int8 fused rows).
 * parts: how many threadpool tasks to split the bags into (balanced by indices, not bags).
 * isa: 'auto' | 'generic' (tests run the generic path on AVX2 machines too).
 */
napi_value GatherReduceJs(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 11) return Throw(env, "gatherReduce takes 11 arguments");
  int64_t rows, dim, dtype_i, parts;
  if (!Int64Arg(env, argv[1], "rows", &rows) || !Int64Arg(env, argv[2], "dim", &dim) ||
      !Int64Arg(env, argv[3], "dtype", &dtype_i) || !Int64Arg(env, argv[9], "parts", &parts))
    return nullptr;
  if (dtype_i < 0 || dtype_i > 2) return Throw(env, "dtype must be 0 (fp32), 1 (fp16) or 2 (int8)");
  if (rows < 0 || dim < 1) return Throw(env, "rows must be >= 0 and dim >= 1", true);
  const Dtype dtype = static_cast<Dtype>(dtype_i);
  const napi_typedarray_type table_type = dtype == Dtype::kF32   ? napi_float32_array
                                          : dtype == Dtype::kF16 ? napi_uint16_array
                                                                 : napi_uint8_array;
  ArrayArg table, indices, offsets, out, weights;
  if (!TypedArrayArg(env, argv[0], "table", table_type, &table) ||
      !TypedArrayArg(env, argv[4], "indices", napi_int32_array, &indices) ||
      !TypedArrayArg(env, argv[5], "offsets", napi_int32_array, &offsets) ||
      !TypedArrayArg(env, argv[8], "out", napi_float32_array, &out))
    return nullptr;
  napi_valuetype wtype;
  CHECK_NAPI(env, napi_typeof(env, argv[6], &wtype));
  const bool weighted = wtype != napi_null && wtype != napi_undefined;
  if (weighted && !TypedArrayArg(env, argv[6], "weights", napi_float32_array, &weights))
    return nullptr;
  bool mean = false;
  CHECK_NAPI(env, napi_get_value_bool(env, argv[7], &mean));
  char isa_name[16] = {0};
  size_t isa_len = 0;
  CHECK_NAPI(env, napi_get_value_string_utf8(env, argv[10], isa_name, sizeof isa_name, &isa_len));

  // The sizes the kernel relies on: with these, every read stays inside the arrays.
  const size_t element_bytes = dtype == Dtype::kF32 ? 4 : dtype == Dtype::kF16 ? 2 : 1;
  const size_t table_bytes = table.length * element_bytes;
  if (table_bytes < static_cast<size_t>(rows) * RowBytes(dtype, dim))
    return Throw(env, "table holds " + std::to_string(table_bytes) + " bytes, fewer than " +
                          std::to_string(rows) + " rows x " +
                          std::to_string(RowBytes(dtype, dim)) + " bytes", true);
  const int64_t bags = static_cast<int64_t>(offsets.length);
  if (out.length < static_cast<size_t>(bags) * static_cast<size_t>(dim))
    return Throw(env, "out holds " + std::to_string(out.length) + " floats, fewer than " +
                          std::to_string(bags) + " bags x " + std::to_string(dim), true);
  if (weighted && weights.length != indices.length)
    return Throw(env, "weights must match the indices one to one", true);
  if (bags == 0 && indices.length > 0) return Throw(env, "indices given but no bags", true);

  Job* job = new Job();
  job->table = {static_cast<const uint8_t*>(table.data), rows, dim, dtype};
  job->bags = {static_cast<const int32_t*>(indices.data),
               static_cast<int64_t>(indices.length),
               static_cast<const int32_t*>(offsets.data),
               bags,
               weighted ? static_cast<const float*>(weights.data) : nullptr,
               mean};
  job->out = static_cast<float*>(out.data);
  job->isa = std::strcmp(isa_name, "generic") == 0 ? Isa::kGeneric : g_isa;

  napi_value promise;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) {
    delete job;
    return Throw(env, "cannot create a promise");
  }
  // Keep every array alive (and so its memory in place) until the last part completes.
  const int arrays[] = {0, 4, 5, 8, 6};
  for (int a : arrays) {
    if (a == 6 && !weighted) continue;
    napi_ref ref;
    napi_create_reference(env, argv[a], 1, &ref);
    job->refs.push_back(ref);
  }

  // Cut points balanced by indices; bags of one part are contiguous and written by it alone.
  if (parts < 1) parts = 1;
  if (parts > bags) parts = bags > 0 ? bags : 1;
  std::vector<int64_t> cuts{0};
  const int64_t n = job->bags.n;
  for (int64_t k = 1; k < parts; ++k) {
    int64_t at = BagAtIndex(job->bags, n * k / parts);
    if (at > cuts.back() && at < bags) cuts.push_back(at);
  }
  cuts.push_back(bags);
  job->pending = static_cast<int>(cuts.size() - 1);
  napi_value resource_name;
  napi_create_string_utf8(env, "recmesh.gatherReduce", NAPI_AUTO_LENGTH, &resource_name);
  for (size_t k = 0; k + 1 < cuts.size(); ++k) {
    Part* p = new Part();
    p->job = job;
    p->b0 = cuts[k];
    p->b1 = cuts[k + 1];
    napi_create_async_work(env, nullptr, resource_name, ExecutePart, CompletePart, p, &p->work);
    napi_queue_async_work(env, p->work);
  }
  return promise;
}

void FreeTableMemory(napi_env env, void* data, void* hint) {
  const size_t bytes = reinterpret_cast<size_t>(hint);
  int64_t adjusted;
  napi_adjust_external_memory(env, -static_cast<int64_t>(bytes), &adjusted);
#ifdef __linux__
  munmap(data, bytes);
#else
  std::free(data);
#endif
}

/**
 * allocate(bytes) -> ArrayBuffer of zeroed memory for a table's rows, outside the JS heap:
 * 2 MiB-aligned anonymous memory with transparent huge pages requested (random row gathers miss
 * the TLB on 4 KiB pages; huge pages cut those misses), committed only as it is written.
 */
napi_value AllocateJs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t requested;
  if (argc != 1 || !Int64Arg(env, argv[0], "bytes", &requested)) return nullptr;
  if (requested < 0) return Throw(env, "bytes must be >= 0", true);
  const size_t huge = size_t{2} << 20;
  const size_t bytes = requested == 0 ? 64 : static_cast<size_t>(requested);
  void* data = nullptr;
  size_t mapped = bytes;
#ifdef __linux__
  mapped = (bytes + huge - 1) / huge * huge;
  // Over-allocate by one huge page, then trim, to get a 2 MiB-aligned start.
  void* raw = mmap(nullptr, mapped + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
  if (raw == MAP_FAILED) {
    return Throw(env, "cannot map " + std::to_string(bytes) + " bytes for a table", true);
  }
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + huge - 1) / huge * huge;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = aligned + mapped;
  const uintptr_t raw_end = start + mapped + huge;
  if (raw_end > end) munmap(reinterpret_cast<void*>(end), raw_end - end);
  data = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(data, mapped, MADV_HUGEPAGE);
#endif
#else
  data = std::calloc(1, bytes);
  if (data == nullptr) return Throw(env, "cannot allocate " + std::to_string(bytes) + " bytes", true);
#endif
  napi_value ab;
  if (napi_create_external_arraybuffer(env, data, static_cast<size_t>(requested), FreeTableMemory,
                                       reinterpret_cast<void*>(mapped), &ab) != napi_ok) {
#ifdef __linux__
    munmap(data, mapped);
#else
    std::free(data);
#endif
    return Throw(env, "cannot wrap table memory in an ArrayBuffer");
  }
  int64_t adjusted;
  napi_adjust_external_memory(env, static_cast<int64_t>(mapped), &adjusted);
  return ab;
}

napi_value Init(napi_env env, napi_value exports) {
  g_isa = DetectIsa();
  napi_value fn, isa;
  CHECK_NAPI(env, napi_create_function(env, "gatherReduce", NAPI_AUTO_LENGTH, GatherReduceJs,
                                       nullptr, &fn));
  CHECK_NAPI(env, napi_set_named_property(env, exports, "gatherReduce", fn));
  CHECK_NAPI(env, napi_create_function(env, "allocate", NAPI_AUTO_LENGTH, AllocateJs, nullptr,
                                       &fn));
  CHECK_NAPI(env, napi_set_named_property(env, exports, "allocate", fn));
  CHECK_NAPI(env, napi_create_string_utf8(env, IsaName(g_isa), NAPI_AUTO_LENGTH, &isa));
  CHECK_NAPI(env, napi_set_named_property(env, exports, "isa", isa));
  return exports;
}

}  // namespace
}  // namespace recmesh

NAPI_MODULE(NODE_GYP_MODULE_NAME, recmesh::Init)
