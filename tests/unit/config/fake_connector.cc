#include "tests/unit/config/fake_connector.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dealsync::testing {
namespace {

namespace fs = std::filesystem;
using Type = OptionSpec::Type;

OptionSpec Spec(std::string key, Type type, bool required = false,
                std::vector<std::string> choices = {}) {
  OptionSpec s;
  s.key = std::move(key);
  s.type = type;
  s.required = required;
  s.choices = std::move(choices);
  s.description = "test option";
  return s;
}

class FakeFactory final : public ConnectorFactory {
 public:
  std::string_view name() const override { return "fake"; }
  const OptionTable& options() const override {
    static const OptionTable kTable = {
        Spec("list.path", Type::kString, /*required=*/true),
        Spec("list.page.style", Type::kEnum, false, {"none", "cursor"}),
        Spec("list.page.next", Type::kJsonPointer),
        Spec("list.page_size", Type::kInt),
        Spec("list.overlap", Type::kDuration),
        Spec("list.query", Type::kStringList),
        Spec("debug.verbose", Type::kBool),
    };
    return kTable;
  }
  FieldMap DefaultFields() const override { return {}; }
  void Validate(const SourceConfig& config, std::vector<ConfigError>& errors) const override {
    auto style = config.options.find("list.page.style");
    if (style != config.options.end() && std::get<std::string>(style->second.value) == "cursor" &&
        config.options.count("list.page.next") == 0) {
      errors.push_back({style->second.where, "list.page.style",
                        "list.page.next is required when list.page.style = \"cursor\""});
    }
  }
  Result<std::unique_ptr<Connector>> Create(const ConnectorContext&) const override {
    return Internal("not for tests");
  }
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

ConnectorRegistry& FakeRegistry() {
  static ConnectorRegistry* registry = [] {
    auto* r = new ConnectorRegistry();
    Status s = r->Register(std::make_unique<FakeFactory>());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

ConfigDir::ConfigDir() {
  std::string pattern = (fs::temp_directory_path() / "dealsync-config-XXXXXX").string();
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  path_ = pattern;
  fs::copy(fs::path(DEALSYNC_CONFIG_TESTDATA) / "good", path_, fs::copy_options::recursive);
}

ConfigDir::~ConfigDir() {
  fs::remove_all(path_);
}

void ConfigDir::CopyBad(const std::string& name, const std::string& relative) {
  Write(relative, Slurp(fs::path(DEALSYNC_CONFIG_TESTDATA) / "bad" / name));
}

void ConfigDir::Write(const std::string& relative, const std::string& content) {
  std::ofstream out(fs::path(path_) / relative, std::ios::binary | std::ios::trunc);
  out << content;
}

void ConfigDir::Remove(const std::string& relative) {
  fs::remove(fs::path(path_) / relative);
}

std::vector<std::string> ConfigDir::Errors() const {
  ConfigLoadResult result = LoadConfig(path_, FakeRegistry());
  EXPECT_EQ(result.config.has_value(), result.errors.empty());
  std::vector<std::string> out;
  for (const ConfigError& e : result.errors) {
    std::string text = e.ToString();
    if (text.rfind(path_ + "/", 0) == 0) {
      text = text.substr(path_.size() + 1);
    }
    out.push_back(text);
  }
  return out;
}

}  // namespace dealsync::testing
