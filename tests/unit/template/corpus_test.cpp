// Runs the conformance corpus (tests/template/corpus.json): each case renders a template with
// one of the data files and must produce amtool's output or error text exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "template/json.h"
#include "template/template.h"

namespace am::tmpl {
namespace {

struct Case {
  std::string name, construct, text, data, type, version;
  std::vector<Template::SourceFile> files;
  bool has_expect = false;
  bool ignore_location = false;
  std::string expect, error;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<Case> LoadCorpus() {
  std::vector<Case> out;
  auto j = nlohmann::json::parse(Slurp(AM_TEMPLATE_CORPUS));
  for (const auto& c : j) {
    Case k;
    k.name = c["name"];
    k.construct = c["construct"];
    k.text = c["template"];
    k.data = c["data"];
    k.type = c["type"];
    k.version = c["version"];
    for (auto it = c["files"].begin(); it != c["files"].end(); ++it)
      k.files.push_back({it.key(), it.value()});
    std::sort(k.files.begin(), k.files.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    k.ignore_location = c.value("ignore_location", false);
    if (c.contains("expect")) {
      k.has_expect = true;
      k.expect = c["expect"];
    } else {
      k.error = c["error"];
    }
    out.push_back(std::move(k));
  }
  return out;
}

const std::vector<Case>& Corpus() {
  static const std::vector<Case> kCases = LoadCorpus();
  return kCases;
}

// "template: NAME:LINE:COL: rest" -> "template: rest", for errors raised inside the default
// templates, whose text (and so positions) is ours rather than upstream's.
std::string StripLocation(const std::string& e) {
  size_t p = e.find(": executing ");
  if (e.rfind("template: ", 0) != 0 || p == std::string::npos) return e;
  return "template: " + e.substr(p + 2);
}

class CorpusTest : public ::testing::TestWithParam<size_t> {};

TEST_P(CorpusTest, MatchesAlertmanager) {
  const Case& c = Corpus()[GetParam()];
  std::string dir = AM_TEMPLATE_CORPUS;
  dir = dir.substr(0, dir.find_last_of('/'));
  Value data;
  std::string err;
  ASSERT_TRUE(DataFromJson(Slurp(dir + "/data/" + c.data + ".json"), &data, &err)) << err;
  std::string got, got_error;
  try {
    auto t = Template::FromSources(c.files, true);
    got = t->ExecuteWith(c.text, data, c.type == "html");
  } catch (const TemplateError& e) {
    got_error = e.what();
  }
  SCOPED_TRACE("template: " + c.text);
  if (c.has_expect) {
    EXPECT_EQ(got_error, "");
    EXPECT_EQ(got, c.expect);
  } else if (c.ignore_location) {
    EXPECT_EQ(StripLocation(got_error), StripLocation(c.error));
  } else {
    EXPECT_EQ(got_error, c.error);
  }
}

std::string CaseName(const ::testing::TestParamInfo<size_t>& info) {
  std::string n = Corpus()[info.param].name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusTest, ::testing::Range<size_t>(0, Corpus().size()),
                         CaseName);

TEST(CorpusShape, HasEnoughCases) { EXPECT_GE(Corpus().size(), 200u); }

}  // namespace
}  // namespace am::tmpl
