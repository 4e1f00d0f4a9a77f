// A minimal JSON writer for the harness report (no dependency to fetch on the GPU machine).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace recmesh::harness {

class JsonWriter {
 public:
  JsonWriter& BeginObject(const char* key = nullptr) { return Open(key, '{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray(const char* key = nullptr) { return Open(key, '['); }
  JsonWriter& EndArray() { return Close(']'); }

  JsonWriter& Field(const char* key, const std::string& v) {
    Key(key);
    Quoted(v);
    return *this;
  }
  JsonWriter& Field(const char* key, const char* v) { return Field(key, std::string(v)); }
  JsonWriter& Field(const char* key, bool v) {
    Key(key);
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonWriter& Field(const char* key, double v) {
    Key(key);
    Number(v);
    return *this;
  }
  JsonWriter& Field(const char* key, int v) { return Field(key, static_cast<double>(v)); }
  JsonWriter& Field(const char* key, long v) { return Field(key, static_cast<double>(v)); }
  JsonWriter& Field(const char* key, long long v) { return Field(key, static_cast<double>(v)); }
  JsonWriter& Field(const char* key, unsigned long v) { return Field(key, static_cast<double>(v)); }
  JsonWriter& Field(const char* key, unsigned long long v) {
    return Field(key, static_cast<double>(v));
  }
  /** A value written by another JsonWriter. */
  JsonWriter& Raw(const char* key, const std::string& json) {
    Key(key);
    out_ += json;
    return *this;
  }
  JsonWriter& Null(const char* key) {
    Key(key);
    out_ += "null";
    return *this;
  }

  const std::string& str() const { return out_; }

 private:
  JsonWriter& Open(const char* key, char bracket) {
    Key(key);
    out_ += bracket;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& Close(char bracket) {
    first_.pop_back();
    out_ += bracket;
    return *this;
  }
  void Key(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
    if (key != nullptr) {
      Quoted(key);
      out_ += ':';
    }
  }
  void Number(double v) {
    if (!std::isfinite(v)) {
      out_ += "null";
      return;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out_ += buf;
  }
  void Quoted(const std::string& s) {
    out_ += '"';
    for (const char c : s) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  std::vector<bool> first_;
};

}  // namespace recmesh::harness
