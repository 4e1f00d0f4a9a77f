#include "reference.h"

#include <cmath>

namespace recmesh::harness {

void ReferenceGather(const uint8_t* table, int dim, cuda::Dtype dtype, const cuda::Bags& bags,
                     std::vector<double>* out, std::vector<double>* magnitude) {
  out->assign(static_cast<size_t>(bags.num_bags) * dim, 0.0);
  magnitude->assign(out->size(), 0.0);
  std::vector<double> row(dim);
  for (int64_t b = 0; b < bags.num_bags; ++b) {
    const int64_t start = bags.offsets[b];
    const int64_t end = b + 1 < bags.num_bags ? bags.offsets[b + 1] : bags.num_indices;
    double* o = out->data() + b * dim;
    double* m = magnitude->data() + b * dim;
    for (int64_t i = start; i < end; ++i) {
      DecodeRow(table, bags.indices[i], dim, dtype, row.data());
      const double w = bags.weights != nullptr ? bags.weights[i] : 1.0;
      for (int d = 0; d < dim; ++d) {
        o[d] += w * row[d];
        m[d] += std::fabs(w * row[d]);
      }
    }
    if (bags.mean && end > start) {
      for (int d = 0; d < dim; ++d) {
        o[d] /= static_cast<double>(end - start);
        m[d] /= static_cast<double>(end - start);
      }
    }
  }
}

HostDense HostDense::Random(const std::string& name, int dense_features,
                            const std::vector<int>& bottom, int tables, int dim,
                            cuda::Interaction interaction, const std::vector<int>& top, Rng& rng) {
  HostDense m;
  m.name = name;
  m.dense_features = dense_features;
  m.tables = tables;
  m.dim = dim;
  m.interaction = interaction;
  // DLRM's initialisation (weights of variance 2 / (m + n), bias 1 / n), drawn uniformly.
  auto layers = [&](int inputs, const std::vector<int>& widths, bool last_sigmoid) {
    std::vector<HostLayer> out;
    for (size_t l = 0; l < widths.size(); ++l) {
      HostLayer layer;
      layer.inputs = inputs;
      layer.outputs = widths[l];
      layer.act = last_sigmoid && l + 1 == widths.size() ? cuda::Activation::kSigmoid
                                                         : cuda::Activation::kRelu;
      const float wa = std::sqrt(3.0f * 2.0f / static_cast<float>(inputs + widths[l]));
      const float ba = std::sqrt(3.0f / static_cast<float>(widths[l]));
      layer.weight.resize(static_cast<size_t>(inputs) * widths[l]);
      for (float& w : layer.weight) w = rng.Uniform(-wa, wa);
      layer.bias.resize(widths[l]);
      for (float& b : layer.bias) b = rng.Uniform(-ba, ba);
      out.push_back(std::move(layer));
      inputs = widths[l];
    }
    return out;
  };
  m.bottom = layers(dense_features, bottom, false);
  const int bottom_width = bottom.empty() ? dense_features : bottom.back();
  m.top = layers(cuda::InteractionWidth(interaction, bottom_width, tables, dim), top, true);
  return m;
}

cuda::DenseSpec HostDense::Spec() const {
  cuda::DenseSpec spec;
  spec.dense_features = dense_features;
  spec.tables = tables;
  spec.dim = dim;
  spec.interaction = interaction;
  auto convert = [](const std::vector<HostLayer>& layers, std::vector<cuda::LayerSpec>* into) {
    for (const HostLayer& l : layers)
      into->push_back({l.inputs, l.outputs, l.act, l.weight.data(), l.bias.data()});
  };
  convert(bottom, &spec.bottom);
  convert(top, &spec.top);
  return spec;
}

namespace {

void Linear(const HostLayer& l, const std::vector<double>& x, std::vector<double>* y) {
  y->assign(l.outputs, 0.0);
  for (int n = 0; n < l.outputs; ++n) {
    double s = l.bias[n];
    const float* w = l.weight.data() + static_cast<size_t>(n) * l.inputs;
    for (int k = 0; k < l.inputs; ++k) s += static_cast<double>(w[k]) * x[k];
    switch (l.act) {
      case cuda::Activation::kRelu: s = s > 0 ? s : 0; break;
      case cuda::Activation::kSigmoid: s = 1.0 / (1.0 + std::exp(-s)); break;
      case cuda::Activation::kNone: break;
    }
    (*y)[n] = s;
  }
}

}  // namespace

void ReferenceForward(const HostDense& m, const float* dense, const float* emb, int batch,
                      std::vector<double>* out) {
  out->assign(batch, 0.0);
  std::vector<double> x, y;
  for (int b = 0; b < batch; ++b) {
    x.assign(dense + static_cast<size_t>(b) * m.dense_features,
             dense + static_cast<size_t>(b + 1) * m.dense_features);
    for (const HostLayer& l : m.bottom) {
      Linear(l, x, &y);
      x.swap(y);
    }
    auto table_row = [&](int t) { return emb + (static_cast<size_t>(t) * batch + b) * m.dim; };
    std::vector<double> z = x;
    if (m.interaction == cuda::Interaction::kCat) {
      for (int t = 0; t < m.tables; ++t) z.insert(z.end(), table_row(t), table_row(t) + m.dim);
    } else {
      auto vec = [&](int v, int d) {
        return v == 0 ? x[d] : static_cast<double>(table_row(v - 1)[d]);
      };
      for (int i = 1; i <= m.tables; ++i)
        for (int j = 0; j < i; ++j) {
          double s = 0;
          for (int d = 0; d < m.dim; ++d) s += vec(i, d) * vec(j, d);
          z.push_back(s);
        }
    }
    x.swap(z);
    for (const HostLayer& l : m.top) {
      Linear(l, x, &y);
      x.swap(y);
    }
    (*out)[b] = x[0];
  }
}

}  // namespace recmesh::harness
