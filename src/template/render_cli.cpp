#include "template/render_cli.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "template/gofmt.h"
#include "template/json.h"
#include "template/template.h"

namespace am::tmpl {

namespace {

std::shared_ptr<const KvObj> Kv(StringPairs items) {
  auto kv = std::make_shared<KvObj>();
  kv->items = std::move(items);
  std::sort(kv->items.begin(), kv->items.end());
  return kv;
}

// amtool's built-in sample data: two alerts with times taken from the clock (and, as in Go,
// a monotonic clock reading that shows up when a time is printed).
Value DefaultData() {
  GoTime now = TimeNow();
  auto shifted = [&](int64_t minutes) {
    GoTime t = now;
    t.sec -= minutes * 60;
    t.mono_ns -= minutes * 60 * 1000000000LL;
    return t;
  };
  auto a1 = std::make_shared<AlertObj>();
  a1->status = "alertstatus";
  a1->labels = Kv({{"label1", "value1"},
                   {"label2", "value2"},
                   {"instance", "foo.bar:1234"},
                   {"commonlabelkey1", "commonlabelvalue1"},
                   {"commonlabelkey2", "commonlabelvalue2"}});
  a1->annotations = Kv({{"annotation1", "value1"},
                        {"annotation2", "value2"},
                        {"commonannotationkey1", "commonannotationvalue1"},
                        {"commonannotationkey2", "commonannotationvalue2"}});
  a1->starts_at = shifted(5);
  a1->ends_at = now;
  a1->generator_url = "https://generatorurl.com";
  a1->fingerprint = "fingerprint1";
  auto a2 = std::make_shared<AlertObj>();
  a2->status = "alertstatus";
  a2->labels = Kv({{"foo", "bar"},
                   {"baz", "qux"},
                   {"commonlabelkey1", "commonlabelvalue1"},
                   {"commonlabelkey2", "commonlabelvalue2"}});
  a2->annotations = Kv({{"aaa", "bbb"},
                        {"ccc", "ddd"},
                        {"commonannotationkey1", "commonannotationvalue1"},
                        {"commonannotationkey2", "commonannotationvalue2"}});
  a2->starts_at = shifted(10);
  a2->ends_at = now;
  a2->generator_url = "https://generatorurl.com";
  a2->fingerprint = "fingerprint2";
  auto d = std::make_shared<DataObj>();
  d->receiver = "receiver";
  d->status = "alertstatus";
  d->alerts = std::make_shared<AlertList>(AlertList{a1, a2});
  d->group_labels =
      Kv({{"grouplabelkey1", "grouplabelvalue1"}, {"grouplabelkey2", "grouplabelvalue2"}});
  d->common_labels =
      Kv({{"commonlabelkey1", "commonlabelvalue1"}, {"commonlabelkey2", "commonlabelvalue2"}});
  d->common_annotations = Kv({{"commonannotationkey1", "commonannotationvalue1"},
                              {"commonannotationkey2", "commonannotationvalue2"}});
  d->external_url = "https://example.com";
  return Value::Data(std::move(d));
}

int Fail(const std::string& prog, const std::string& msg) {
  std::cerr << prog << ": error: " << msg << "\n\n";
  return 1;
}

}  // namespace

int RunTemplateRenderCli(int argc, char** argv) {
  std::string prog = argc > 0 ? argv[0] : "alertmanager";
  size_t slash = prog.find_last_of('/');
  if (slash != std::string::npos) prog = prog.substr(slash + 1);

  std::vector<std::string> globs;
  std::string text, type = "text", data_file;
  bool have_text = false, have_data = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto take = [&](const std::string& flag, std::string* value) {
      if (arg == "--" + flag) {
        if (i + 1 >= argc) return Fail(prog, "expected argument for flag --" + flag), false;
        *value = argv[++i];
        return true;
      }
      if (arg.rfind("--" + flag + "=", 0) == 0) {
        *value = arg.substr(flag.size() + 3);
        return true;
      }
      return false;
    };
    std::string v;
    if (take("template.glob", &v)) {
      globs.push_back(v);
    } else if (take("template.text", &v)) {
      text = v;
      have_text = true;
    } else if (take("template.type", &v)) {
      if (v != "html" && v != "text")
        return Fail(prog, "enum value must be one of html,text, got '" + v + "'");
      type = v;
    } else if (take("template.data", &v)) {
      data_file = v;
      have_data = true;
    } else {
      return Fail(prog, "unknown long flag '" + arg + "'");
    }
  }
  if (globs.empty()) return Fail(prog, "required flag --template.glob not provided");
  if (!have_text) return Fail(prog, "required flag --template.text not provided");

  Value data;
  if (have_data) {
    std::ifstream f(data_file, std::ios::binary);
    if (!f) return Fail(prog, "open " + data_file + ": no such file or directory");
    std::ostringstream ss;
    ss << f.rdbuf();
    std::string err;
    if (!DataFromJson(ss.str(), &data, &err)) return Fail(prog, err);
  } else {
    data = DefaultData();
  }
  try {
    auto tmpl = Template::FromGlobs(globs);
    std::string out = tmpl->ExecuteWith(text, data, type == "html");
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  } catch (const TemplateError& e) {
    return Fail(prog, e.what());
  }
  return 0;
}

}  // namespace am::tmpl
