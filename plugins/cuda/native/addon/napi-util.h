// N-API helpers of the addon: argument reading with messages that name the argument, errors
// carrying a code the TypeScript side maps to a RecmeshError kind, and promise-returning jobs
// that run on the libuv threadpool (never on the event loop).
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../kernels/status.h"

namespace recmesh::addon {

using cuda::Status;

/** Error codes the plugin maps: bad input, device memory exhausted, any other CUDA failure. */
constexpr const char* kCodeInvalid = "ERR_RECMESH_CUDA_INPUT";
constexpr const char* kCodeOutOfMemory = "ERR_RECMESH_CUDA_OOM";
constexpr const char* kCodeCuda = "ERR_RECMESH_CUDA";

/** Throws a TypeError (code ERR_RECMESH_CUDA_INPUT); returns nullptr for the caller to return. */
napi_value ThrowInput(napi_env env, const std::string& message);
/** Throws an Error for a failed Status, with the code of its kind. */
napi_value ThrowStatus(napi_env env, const Status& status);
/** The Error object for a failed Status (for rejecting a promise). */
napi_value ErrorOf(napi_env env, const Status& status);

/**
 * The call's arguments into `argv`, exactly N of them; otherwise throws, naming `usage`, and
 * returns false.
 */
template <size_t N>
bool Arguments(napi_env env, napi_callback_info info, const char* usage, napi_value (&argv)[N]) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != N) {
    ThrowInput(env, std::string(usage) + " takes " + std::to_string(N) + " argument" +
                        (N == 1 ? "" : "s"));
    return false;
  }
  return true;
}

struct TypedArray {
  napi_typedarray_type type = napi_int8_array;
  void* data = nullptr;
  size_t length = 0;
  size_t bytes = 0;
};

bool ReadTypedArray(napi_env env, napi_value v, const char* name, napi_typedarray_type want,
                    TypedArray* out);
bool ReadInt(napi_env env, napi_value v, const char* name, int64_t lo, int64_t hi, int64_t* out);
bool ReadBool(napi_env env, napi_value v, const char* name, bool* out);
bool IsNullish(napi_env env, napi_value v);
napi_value Property(napi_env env, napi_value object, const char* name);

napi_value MakeNumber(napi_env env, double v);
napi_value MakeString(napi_env env, const std::string& v);
napi_value MakeBool(napi_env env, bool v);
void Set(napi_env env, napi_value object, const char* name, napi_value value);

/**
 * A promise settled when all of its parts have run on the threadpool: it resolves with undefined,
 * or rejects with the first part's failure. Values handed to Hold stay alive (not collected) until
 * it settles, so the parts may read and write their memory from worker threads.
 */
class AsyncJob {
 public:
  explicit AsyncJob(const char* name) : name_(name) {}
  bool Hold(napi_env env, napi_value value);
  void AddPart(std::function<Status()> part) { parts_.push_back(std::move(part)); }
  /** Queues the parts; returns the promise (nullptr after throwing). Consumes the job. */
  static napi_value Queue(napi_env env, AsyncJob* job);
  /** Drops a job that was never queued (after an exception is pending); returns nullptr. */
  static napi_value Abandon(napi_env env, AsyncJob* job);

 private:
  struct Part {
    AsyncJob* job;
    std::function<Status()> run;
    Status result;
    napi_async_work work = nullptr;
  };
  static void Execute(napi_env env, void* data);
  static void Complete(napi_env env, napi_status status, void* data);
  void Settle(napi_env env);

  const char* name_;
  std::vector<std::function<Status()>> parts_;
  std::vector<napi_ref> refs_;
  napi_deferred deferred_ = nullptr;
  size_t pending_ = 0;
  Status first_failure_;
};

}  // namespace recmesh::addon
