// fuzz/fuzz_target.h — how a harness in fuzz/ declares its entry point.
//
//   INBEELD_FUZZ_TARGET(csv_import) {
//     std::string_view text(reinterpret_cast<const char*>(data), size);
//     ...
//   }
//
// Built with INBEELD_FUZZ (clang, libFuzzer) the macro defines
// LLVMFuzzerTestOneInput, one harness per executable. Built with
// INBEELD_FUZZ_REPLAY (the GCC test build) it registers the body under its
// name instead, so one GoogleTest binary (fuzz/corpus_replay_test.cc) runs
// every harness over its seed corpus in fuzz/corpus/<name>/.
//
// A harness returns normally for any input it rejects; a crash, a sanitizer
// report or a failed INBEELD_FUZZ_CHECK is a finding. Harnesses keep what
// they set up once in function-local statics (no LLVMFuzzerInitialize), so
// they behave the same in both builds.
//
// Thread safety: harnesses are called from one thread.
#ifndef INBEELD_FUZZ_FUZZ_TARGET_H_
#define INBEELD_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace inbeeld::fuzz {

using TargetFn = void (*)(const uint8_t* data, size_t size);

// The harnesses registered in this binary (replay build only).
struct RegisteredTarget {
  const char* name;
  TargetFn fn;
};
bool RegisterTarget(const char* name, TargetFn fn);
const RegisteredTarget* FindTarget(std::string_view name);

[[noreturn]] inline void CheckFailed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace inbeeld::fuzz

// An invariant of the code under test (not of the input): aborts, which
// libFuzzer reports as a crash and saves the input.
#define INBEELD_FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::inbeeld::fuzz::CheckFailed(#cond, __FILE__, __LINE__))

#if defined(INBEELD_FUZZ_REPLAY)
#define INBEELD_FUZZ_TARGET(name)                                         \
  static void InbeeldFuzzTarget_##name(const uint8_t* data, size_t size); \
  [[maybe_unused]] static const bool inbeeld_fuzz_registered_##name =     \
      ::inbeeld::fuzz::RegisterTarget(#name, InbeeldFuzzTarget_##name);   \
  static void InbeeldFuzzTarget_##name(const uint8_t* data, size_t size)
#else
#define INBEELD_FUZZ_TARGET(name)                                           \
  static void InbeeldFuzzTarget_##name(const uint8_t* data, size_t size);   \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    InbeeldFuzzTarget_##name(data, size);                                   \
    return 0;                                                               \
  }                                                                         \
  static void InbeeldFuzzTarget_##name(const uint8_t* data, size_t size)
#endif

#endif  // INBEELD_FUZZ_FUZZ_TARGET_H_
