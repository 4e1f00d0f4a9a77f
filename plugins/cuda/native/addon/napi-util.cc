#include "napi-util.h"

namespace recmesh::addon {

namespace {

napi_value MakeError(napi_env env, const std::string& message, const char* code, bool type_error) {
  napi_value msg = nullptr, code_value = nullptr, error = nullptr;
  napi_create_string_utf8(env, message.c_str(), message.size(), &msg);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  if (type_error)
    napi_create_type_error(env, code_value, msg, &error);
  else
    napi_create_error(env, code_value, msg, &error);
  return error;
}

const char* CodeOf(const Status& s) {
  if (s.invalid()) return kCodeInvalid;
  if (s.out_of_memory()) return kCodeOutOfMemory;
  return kCodeCuda;
}

}  // namespace

napi_value ThrowInput(napi_env env, const std::string& message) {
  napi_throw(env, MakeError(env, message, kCodeInvalid, true));
  return nullptr;
}

napi_value ErrorOf(napi_env env, const Status& status) {
  return MakeError(env, status.message(), CodeOf(status), status.invalid());
}

napi_value ThrowStatus(napi_env env, const Status& status) {
  napi_throw(env, ErrorOf(env, status));
  return nullptr;
}

bool ReadTypedArray(napi_env env, napi_value v, const char* name, napi_typedarray_type want,
                    TypedArray* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
    ThrowInput(env, std::string(name) + " must be a typed array");
    return false;
  }
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, &buffer, &offset) !=
      napi_ok) {
    ThrowInput(env, std::string(name) + ": could not read the typed array");
    return false;
  }
  if (out->type != want) {
    ThrowInput(env, std::string(name) + " has the wrong element type");
    return false;
  }
  if (out->data == nullptr && out->length > 0) {
    ThrowInput(env, std::string(name) + " is detached");
    return false;
  }
  size_t element = 1;
  switch (want) {
    case napi_int16_array:
    case napi_uint16_array: element = 2; break;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: element = 4; break;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: element = 8; break;
    default: element = 1;
  }
  out->bytes = out->length * element;
  return true;
}

bool ReadInt(napi_env env, napi_value v, const char* name, int64_t lo, int64_t hi, int64_t* out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    ThrowInput(env, std::string(name) + " must be a number");
    return false;
  }
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) ||
      d != static_cast<double>(static_cast<int64_t>(d))) {
    ThrowInput(env, std::string(name) + " = " + std::to_string(d) + " must be an integer in [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool ReadBool(napi_env env, napi_value v, const char* name, bool* out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    ThrowInput(env, std::string(name) + " must be a boolean");
    return false;
  }
  return true;
}

bool IsNullish(napi_env env, napi_value v) {
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, v, &type) != napi_ok) return true;
  return type == napi_null || type == napi_undefined;
}

napi_value Property(napi_env env, napi_value object, const char* name) {
  napi_value v = nullptr;
  if (napi_get_named_property(env, object, name, &v) != napi_ok) napi_get_undefined(env, &v);
  return v;
}

napi_value MakeNumber(napi_env env, double v) {
  napi_value out = nullptr;
  napi_create_double(env, v, &out);
  return out;
}

napi_value MakeString(napi_env env, const std::string& v) {
  napi_value out = nullptr;
  napi_create_string_utf8(env, v.c_str(), v.size(), &out);
  return out;
}

napi_value MakeBool(napi_env env, bool v) {
  napi_value out = nullptr;
  napi_get_boolean(env, v, &out);
  return out;
}

void Set(napi_env env, napi_value object, const char* name, napi_value value) {
  napi_set_named_property(env, object, name, value);
}

bool AsyncJob::Hold(napi_env env, napi_value value) {
  napi_ref ref = nullptr;
  if (napi_create_reference(env, value, 1, &ref) != napi_ok) {
    ThrowInput(env, "could not reference an argument");
    return false;
  }
  refs_.push_back(ref);
  return true;
}

napi_value AsyncJob::Queue(napi_env env, AsyncJob* job) {
  napi_value promise = nullptr;
  if (napi_create_promise(env, &job->deferred_, &promise) != napi_ok) {
    for (napi_ref ref : job->refs_) napi_delete_reference(env, ref);
    delete job;
    return ThrowInput(env, "could not create a promise");
  }
  if (job->parts_.empty()) {
    job->Settle(env);
    return promise;
  }
  napi_value resource_name = MakeString(env, job->name_);
  job->pending_ = job->parts_.size();
  std::vector<Part*> parts;
  for (auto& run : job->parts_) parts.push_back(new Part{job, std::move(run), Status(), nullptr});
  job->parts_.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    Part* part = parts[i];
    if (napi_create_async_work(env, nullptr, resource_name, Execute, Complete, part, &part->work) !=
            napi_ok ||
        napi_queue_async_work(env, part->work) != napi_ok) {
      // Parts not queued complete here, failed; queued ones complete on their own.
      for (size_t j = i; j < parts.size(); ++j) {
        parts[j]->result = Status::Invalid("could not queue work on the threadpool");
        Complete(env, napi_generic_failure, parts[j]);
      }
      break;
    }
  }
  return promise;
}

napi_value AsyncJob::Abandon(napi_env env, AsyncJob* job) {
  for (napi_ref ref : job->refs_) napi_delete_reference(env, ref);
  delete job;
  return nullptr;
}

void AsyncJob::Execute(napi_env, void* data) {
  Part* part = static_cast<Part*>(data);
  part->result = part->run();
}

void AsyncJob::Complete(napi_env env, napi_status status, void* data) {
  Part* part = static_cast<Part*>(data);
  AsyncJob* job = part->job;
  if (!part->result.ok() && job->first_failure_.ok()) job->first_failure_ = part->result;
  if (status != napi_ok && part->result.ok() && job->first_failure_.ok())
    job->first_failure_ = Status::Invalid(std::string(job->name_) + ": the work was cancelled");
  if (part->work != nullptr) napi_delete_async_work(env, part->work);
  delete part;
  if (--job->pending_ == 0) job->Settle(env);
}

void AsyncJob::Settle(napi_env env) {
  for (napi_ref ref : refs_) napi_delete_reference(env, ref);
  if (first_failure_.ok()) {
    napi_value undefined = nullptr;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, deferred_, undefined);
  } else {
    napi_reject_deferred(env, deferred_, ErrorOf(env, first_failure_));
  }
  delete this;
}

}  // namespace recmesh::addon
