// node/console/invitation_link.h — where a person opens their invitation.
//
// `inbeeld console invite` runs in its own process, so it learns the
// console's address from the file `serve` writes into the data directory
// once the console listens (kConsoleAddressFile: "host:port"), or else from
// [console] listen in inbeeld.toml.
//
// Thread safety: pure functions, and one file read.
#ifndef INBEELD_NODE_CONSOLE_INVITATION_LINK_H_
#define INBEELD_NODE_CONSOLE_INVITATION_LINK_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace inbeeld::node::console {

inline constexpr const char* kConsoleAddressFile = "console.address";

// "http://127.0.0.1:8470/#/uitnodiging/TOKEN" for base "http://127.0.0.1:8470".
std::string InvitationLink(std::string_view base, std::string_view token);

// "http://HOST:PORT" of the running console (the address file in `root`),
// else of `configured` ("127.0.0.1:8470"); IPv6 hosts in brackets.
std::string ConsoleBaseUrl(const std::filesystem::path& root, std::string_view configured);

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_INVITATION_LINK_H_
