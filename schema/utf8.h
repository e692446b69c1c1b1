// schema/utf8.h — is this text UTF-8?
//
// Everything inbeeld prints as JSON or writes into its audit log must be
// UTF-8: nlohmann-json throws when it dumps anything else. Text that comes
// from outside as bytes — a file name, a list file before its encoding is
// known — is checked here first.
//
// Thread safety: a pure function.
#ifndef INBEELD_SCHEMA_UTF8_H_
#define INBEELD_SCHEMA_UTF8_H_

#include <string_view>

namespace inbeeld::schema {

// True iff `s` is strict UTF-8 (Unicode 15, table 3-7): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence. Any byte value
// that forms a valid sequence is allowed, control characters included.
bool IsValidUtf8(std::string_view s);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_UTF8_H_
