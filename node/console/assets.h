// The web console's static files (node/console/web/), compiled into the
// binary by node/console/embed_assets.cmake: the page needs nothing from disk
// or the internet (docs/CONSOLE.md).
//
// Thread safety: the table is constant; FindAsset may be called from any
// thread.
#ifndef INBEELD_NODE_CONSOLE_ASSETS_H_
#define INBEELD_NODE_CONSOLE_ASSETS_H_

#include <string_view>

namespace inbeeld::node::console {

struct Asset {
  std::string_view path;          // "/index.html", "/app.js", "/app.css", "/favicon.svg"
  std::string_view content_type;  // the Content-Type header, with charset for text
  std::string_view body;          // the file's bytes
  std::string_view etag;          // a strong ETag, quotes included: "\"<32 hex>\""
};

// The file served at `path` (a URL path without query or fragment), or nullptr
// when there is none. "/" is index.html. Paths are matched exactly: no
// decoding, no "..", no case folding.
const Asset* FindAsset(std::string_view path);

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_ASSETS_H_
