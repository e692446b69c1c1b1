// Import benchmark: a generated list of N rows (default 1,000,000) parsed from
// CSV and stored as one list version in a real SQLCipher file, with wall time
// per phase, peak memory, and the hash-to-group cost per identifier measured in
// the same run (the per-record floor of any later match).
//
//   build/bench/import_bench [ROWS]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/bench_util.h"
#include "crypto/kdf.h"
#include "crypto/pseudonym.h"
#include "crypto/secret_bytes.h"
#include "node/store/store.h"
#include "schema/csv_import.h"
#include "schema/synthetic.h"

using namespace inbeeld;

int main(int argc, char** argv) {
  size_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  std::string dir_pattern = (std::filesystem::temp_directory_path() / "inbeeld-bench-XXXXXX").string();
  if (mkdtemp(dir_pattern.data()) == nullptr) return 1;
  std::filesystem::path dir = dir_pattern;
  schema::Date today{2026, 11, 22};

  uint64_t rss_start = bench::CurrentRssBytes();
  auto t0 = std::chrono::steady_clock::now();
  std::string csv;
  {
    auto list = schema::GenerateList(42, rows, today);
    csv = schema::WriteListCsv(list, ';', true);
  }
  auto t1 = std::chrono::steady_clock::now();
  schema::ParsedList parsed = schema::ParseListCsv(csv);
  auto t2 = std::chrono::steady_clock::now();
  if (!parsed.problems.empty()) {
    std::fprintf(stderr, "generated list did not parse: line %zu: %s\n", parsed.problems[0].line,
                 parsed.problems[0].message.c_str());
    return 1;
  }
  size_t csv_bytes = csv.size();
  std::string().swap(csv);

  auto storage_key = crypto::SecretBytes::Random(32);
  auto subject_key = crypto::PseudonymKey::Generate();
  auto field_key = crypto::SecretBytes::Random(32);
  const node::SystemClock clock;
  auto store = node::Store::Open(dir / "bench.db", storage_key, true, clock);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  auto t3 = std::chrono::steady_clock::now();
  auto version = (*store)->ImportList(parsed.rows, today, "bench.csv", subject_key, field_key);
  auto t4 = std::chrono::steady_clock::now();
  if (!version) {
    std::fprintf(stderr, "%s\n", version.error().message.c_str());
    return 1;
  }
  uint64_t peak = bench::PeakRssBytes();
  std::error_code ec;
  auto db_bytes = std::filesystem::file_size(dir / "bench.db", ec);
  store->reset();
  std::filesystem::remove_all(dir, ec);

  bench::CryptoCosts costs = bench::MeasureCryptoCosts();
  const double n = static_cast<double>(rows);
  double parse_s = bench::Seconds(t2 - t1);
  double store_s = bench::Seconds(t4 - t3);
  std::printf("import benchmark: %zu rows (synthetic), CSV %.1f MiB, database %.1f MiB\n", rows,
              static_cast<double>(csv_bytes) / 1048576.0, static_cast<double>(db_bytes) / 1048576.0);
  std::printf("  generate list + CSV      %8.2f s   (test data, not part of import)\n",
              bench::Seconds(t1 - t0));
  std::printf("  parse + validate CSV     %8.2f s   %6.2f us/row\n", parse_s, parse_s / n * 1e6);
  std::printf("  pseudonymise+seal+store  %8.2f s   %6.2f us/row\n", store_s, store_s / n * 1e6);
  std::printf("  import total             %8.2f s   %6.2f us/row\n", parse_s + store_s,
              (parse_s + store_s) / n * 1e6);
  std::printf("  peak memory              %8.1f MiB (%.0f bytes/row above start)\n",
              static_cast<double>(peak) / 1048576.0, static_cast<double>(peak - rss_start) / n);
  std::printf("  crypto floor, same run:  hash-to-group %.1f us/identifier, scalar mult %.1f us\n",
              costs.hash_to_group_s * 1e6, costs.scalar_mult_s * 1e6);
  std::printf("  import per row / hash-to-group per identifier = %.2f\n",
              (parse_s + store_s) / n / costs.hash_to_group_s);
  return 0;
}
