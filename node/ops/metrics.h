// node/ops/metrics.h — counters, gauges and summaries of a serving node,
// rendered in the Prometheus text exposition format, version 0.0.4.
//
// A family is declared once with its help text, then its series are updated
// by label set. Render() writes every family in name order, each with its
// # HELP and # TYPE lines, its series in label order, so the output is
// deterministic:
//
//   # HELP inbeeld_sessions_total Exchange sessions by role, peer and outcome.
//   # TYPE inbeeld_sessions_total counter
//   inbeeld_sessions_total{outcome="completed",peer="swv-vo-zk",role="responder"} 3
//
// A summary has no quantiles, only NAME_sum and NAME_count.
//
// Labels name peers, purposes, outcomes and reasons — never a child: the
// node has no per-child label and must never get one (no identifier, name,
// reference or pair code), and a total such as the list size is a gauge
// without labels. Label values are escaped (\\, \", \n) as the format asks.
//
// Thread safety: every method may be called from any thread (one mutex).
#ifndef INBEELD_NODE_OPS_METRICS_H_
#define INBEELD_NODE_OPS_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inbeeld::node::ops {

// Label name → value; a std::map, so a label set has one order.
using Labels = std::map<std::string, std::string>;

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kSummary };

  // Declares family `name` ([a-zA-Z_:][a-zA-Z0-9_:]*; counters end in
  // _total by convention). Declaring a name again with the same type is a
  // no-op; with another type it is ignored (the first declaration stays).
  void Declare(std::string_view name, Type type, std::string_view help);

  // Counter: adds `by` (>= 0) to the series. Gauge: sets it. Summary: adds
  // one observation. A name not declared, or declared with another type, is
  // ignored: metrics must never take the node down.
  void Add(std::string_view name, const Labels& labels, double by = 1);
  void Set(std::string_view name, const Labels& labels, double value);
  void Observe(std::string_view name, const Labels& labels, double value);

  // Removes every series of a gauge family (before setting them afresh,
  // e.g. the peers after a configuration reload).
  void ClearSeries(std::string_view name);

  // The current value of a counter or gauge series (0 if absent); for tests.
  double ValueForTesting(std::string_view name, const Labels& labels) const;

  // The exposition, ending in a newline (empty when nothing is declared).
  std::string Render() const;

 private:
  struct Series {
    double value = 0;    // counter, gauge; summary: the sum
    uint64_t count = 0;  // summary only
  };
  struct Family {
    Type type;
    std::string help;
    std::map<Labels, Series> series;
  };

  Family* Find(std::string_view name, Type type);  // REQUIRES: mu_ is held

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // GUARDED_BY(mu_)
};

// A sample value as the format writes it: integers without a decimal point,
// others in the shortest form that reads back the same; NaN, +Inf, -Inf.
std::string FormatSampleValue(double value);

// A label value escaped for the format (without the quotes).
std::string EscapeLabelValue(std::string_view value);

}  // namespace inbeeld::node::ops

#endif  // INBEELD_NODE_OPS_METRICS_H_
