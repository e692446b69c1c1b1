// tests/crypto/vectors.h — loading the JSON test vectors in tests/testdata/vectors/.
//
// Vectors are loaded while test suites are being instantiated, before any test
// runs, so a missing or malformed file cannot be reported through gtest
// assertions; it yields no vectors instead, and every suite has a test that
// asserts the expected number of vectors was found.
#ifndef INBEELD_TESTS_CRYPTO_VECTORS_H_
#define INBEELD_TESTS_CRYPTO_VECTORS_H_

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "crypto/bytes.h"

namespace inbeeld::crypto::testing {

// Parses INBEELD_TESTDATA_DIR/vectors/<name>; null json if absent or invalid.
inline nlohmann::json LoadVectorFile(std::string_view name) {
  std::ifstream in(std::string(INBEELD_TESTDATA_DIR) + "/vectors/" + std::string(name));
  if (!in) return nullptr;
  return nlohmann::json::parse(in, /*cb=*/nullptr, /*allow_exceptions=*/false);
}

// Decodes hex known to be valid (from a vector file or a literal); aborts
// otherwise, since a broken vector file is a broken test, not a test failure.
inline Bytes Unhex(std::string_view hex) {
  Result<Bytes> bytes = HexDecode(hex);
  if (!bytes) std::abort();
  return *std::move(bytes);
}

// gtest parameter-name generator: "v0", "v1", ...
struct IndexName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return "v" + std::to_string(info.index);
  }
};

}  // namespace inbeeld::crypto::testing

#endif  // INBEELD_TESTS_CRYPTO_VECTORS_H_
