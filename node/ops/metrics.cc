#include "node/ops/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace inbeeld::node::ops {
namespace {

std::string_view TypeName(Metrics::Type type) {
  switch (type) {
    case Metrics::Type::kCounter:
      return "counter";
    case Metrics::Type::kGauge:
      return "gauge";
    case Metrics::Type::kSummary:
      return "summary";
  }
  return "untyped";
}

// HELP text escapes only backslash and newline.
std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelText(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{:.0f}", value);
  }
  return fmt::format("{}", value);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::Declare(std::string_view name, Type type, std::string_view help) {
  std::lock_guard lock(mu_);
  if (families_.find(name) != families_.end()) return;
  families_.emplace(std::string(name), Family{type, std::string(help), {}});
}

Metrics::Family* Metrics::Find(std::string_view name, Type type) {
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != type) return nullptr;
  return &it->second;
}

void Metrics::Add(std::string_view name, const Labels& labels, double by) {
  if (!(by >= 0)) return;  // a counter never goes down (NaN too)
  std::lock_guard lock(mu_);
  if (Family* family = Find(name, Type::kCounter)) family->series[labels].value += by;
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  if (Family* family = Find(name, Type::kGauge)) family->series[labels].value = value;
}

void Metrics::Observe(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  if (Family* family = Find(name, Type::kSummary)) {
    Series& series = family->series[labels];
    series.value += value;
    ++series.count;
  }
}

void Metrics::ClearSeries(std::string_view name) {
  std::lock_guard lock(mu_);
  if (Family* family = Find(name, Type::kGauge)) family->series.clear();
}

double Metrics::ValueForTesting(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto series = it->second.series.find(labels);
  return series == it->second.series.end() ? 0 : series->second.value;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(family.help), name,
                       TypeName(family.type));
    for (const auto& [labels, series] : family.series) {
      const std::string label_text = LabelText(labels);
      if (family.type == Type::kSummary) {
        out += fmt::format("{}_sum{} {}\n", name, label_text, FormatSampleValue(series.value));
        out += fmt::format("{}_count{} {}\n", name, label_text, series.count);
      } else {
        out += fmt::format("{}{} {}\n", name, label_text, FormatSampleValue(series.value));
      }
    }
  }
  return out;
}

}  // namespace inbeeld::node::ops
