// `check-config` output, in amtool check-config's shape.
#include "config/check_config_cli.h"

#include <gtest/gtest.h>

#include <sstream>

namespace am::config {
namespace {

const std::string kExamples = AM_CONFIG_EXAMPLES;
const std::string kTestdata = AM_CONFIG_TESTDATA;
std::ostringstream err_;

TEST(CheckConfigCli, SuccessListsWhatWasFound) {
  std::ostringstream out;
  std::string f = kExamples + "/seed-ha-cluster.yml";
  EXPECT_EQ(RunCheckConfigCli({f}, nullptr, out, err_), 0);
  EXPECT_EQ(out.str(), "Checking '" + f +
                           "'  SUCCESS\n"
                           "Found:\n"
                           " - global config\n"
                           " - route\n"
                           " - 1 inhibit rules\n"
                           " - 3 receivers\n"
                           " - 0 templates\n"
                           "\n");
}

TEST(CheckConfigCli, FailureNamesTheProblemAndReturnsOne) {
  std::ostringstream out;
  std::string good = kExamples + "/alertmanager.yml";
  std::string bad = kTestdata + "/invalid/undefined_receiver.yml";
  EXPECT_EQ(RunCheckConfigCli({bad, good}, nullptr, out, err_), 1);
  EXPECT_EQ(out.str().substr(0, out.str().find("Checking '" + good)),
            "Checking '" + bad + "'  FAILED: " + bad +
                ":5: route.routes[0].receiver: undefined receiver \"team-x\" used in route\n\n");
  EXPECT_NE(out.str().find("Checking '" + good + "'  SUCCESS\n"), std::string::npos);
  EXPECT_NE(err_.str().find("error: failed to validate 1 file(s)\n"), std::string::npos);
}

TEST(CheckConfigCli, TemplatesAreCheckedWithTheGivenChecker) {
  std::string f = kTestdata + "/valid/rich.yml";
  std::vector<std::string> seen;
  std::ostringstream ok;
  EXPECT_EQ(RunCheckConfigCli(
                {f},
                [&](const std::vector<std::string>& globs) {
                  seen = globs;
                  return std::string();
                },
                ok, err_),
            0);
  EXPECT_EQ(seen, std::vector<std::string>{kTestdata + "/valid/tmpl/*.tmpl"});
  EXPECT_NE(ok.str().find(" - 1 templates\n  SUCCESS\n"), std::string::npos) << ok.str();

  std::ostringstream bad;
  EXPECT_EQ(RunCheckConfigCli(
                {f}, [](const std::vector<std::string>&) { return std::string("template: x"); },
                bad, err_),
            1);
  EXPECT_NE(bad.str().find(" - 1 templates\n  FAILED: template: x\n"), std::string::npos);
}

TEST(CheckConfigCli, DefaultTemplateCheckReadsMatchedFiles) {
  std::ostringstream out;
  EXPECT_EQ(RunCheckConfigCli({kTestdata + "/valid/rich.yml"}, nullptr, out, err_), 0);
  EXPECT_NE(out.str().find(" - 1 templates\n  SUCCESS\n"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace am::config
