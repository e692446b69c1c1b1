#include "node/console/invitation_link.h"

#include <fstream>

#include "config/node_config.h"

namespace inbeeld::node::console {

std::string InvitationLink(std::string_view base, std::string_view token) {
  return std::string(base) + "/#/uitnodiging/" + std::string(token);
}

std::string ConsoleBaseUrl(const std::filesystem::path& root, std::string_view configured) {
  std::string address(configured);
  std::ifstream in(root / kConsoleAddressFile);
  std::string line;
  if (in && std::getline(in, line) && config::ParseAddress(line)) address = line;
  auto parsed = config::ParseAddress(address, /*allow_any_port=*/true);
  if (!parsed) return "http://127.0.0.1:8470";
  const bool v6 = parsed->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + parsed->host + "]" : parsed->host) + ":" +
         std::to_string(parsed->port);
}

}  // namespace inbeeld::node::console
