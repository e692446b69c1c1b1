// Every file in node/console/web/ is in the binary, byte for byte, with the
// content type a browser needs under `X-Content-Type-Options: nosniff`.
#include "node/console/assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace inbeeld::node::console {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ConsoleAssetsTest, EveryWebFileIsFoundWithItsContentType) {
  const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"}};
  int files = 0;
  for (const auto& entry : fs::directory_iterator(INBEELD_CONSOLE_WEB_DIR)) {
    std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const Asset* asset = FindAsset("/" + name);
    ASSERT_NE(asset, nullptr) << "add it to node/console/CMakeLists.txt";
    EXPECT_EQ(asset->path, "/" + name);
    ASSERT_TRUE(types.contains(entry.path().extension().string()));
    EXPECT_EQ(asset->content_type, types.at(entry.path().extension().string()));
    EXPECT_EQ(asset->body, ReadFile(entry.path()));
    ASSERT_EQ(asset->etag.size(), 34u);
    EXPECT_EQ(asset->etag.front(), '"');
    EXPECT_EQ(asset->etag.back(), '"');
    ++files;
  }
  EXPECT_EQ(files, 4);
}

TEST(ConsoleAssetsTest, RootIsThePage) {
  const Asset* root = FindAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root, FindAsset("/index.html"));
  EXPECT_NE(root->body.find("<html lang=\"nl\">"), std::string_view::npos);
}

TEST(ConsoleAssetsTest, EtagsDifferBetweenFiles) {
  EXPECT_NE(FindAsset("/app.js")->etag, FindAsset("/app.css")->etag);
}

TEST(ConsoleAssetsTest, OtherPathsAreNotFound) {
  for (std::string_view path : {"", "index.html", "/INDEX.HTML", "/app.js?x=1", "/../app.js",
                                "/web/app.js", "//app.js", "/app.js/", "/CMakeLists.txt",
                                "/embed_assets.cmake", "/api/ik"}) {
    EXPECT_EQ(FindAsset(path), nullptr) << path;
  }
}

}  // namespace
}  // namespace inbeeld::node::console
