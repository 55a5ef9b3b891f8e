#include "api/cluster_check.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/duration.h"
#include "core/error.h"

namespace am::api {
namespace {

// /api/v2/status carries the whole config (`config.original`); large configs are a few MiB.
constexpr size_t kMaxBody = 32u << 20;
constexpr auto kDefaultTimeout = std::chrono::seconds(5);

std::string NormaliseUrl(std::string url) {
  if (url.find("://") == std::string::npos) url = "http://" + url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Host part of "scheme://[user@]host[:port][/path]" or of "host:port" / "[v6]:port".
std::string HostOf(std::string_view s) {
  if (auto p = s.find("://"); p != std::string_view::npos) s.remove_prefix(p + 3);
  if (auto p = s.find('/'); p != std::string_view::npos) s = s.substr(0, p);
  if (auto p = s.rfind('@'); p != std::string_view::npos) s.remove_prefix(p + 1);
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    return std::string(s.substr(1, close == std::string_view::npos ? s.size() - 1 : close - 1));
  }
  if (auto p = s.rfind(':'); p != std::string_view::npos) s = s.substr(0, p);
  return std::string(s);
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> PeerNames(const ReplicaReport& r) {
  std::vector<std::string> names;
  names.reserve(r.peers.size());
  for (const auto& p : r.peers) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

// "http://a:9093 (01H8...)" when the name is known.
std::string Label(const ReplicaReport& r) {
  return r.name.empty() ? r.url : r.url + " (" + r.name + ")";
}

}  // namespace

int ReplicaReport::Position() const {
  if (name.empty()) return -1;
  std::vector<std::string> names = PeerNames(*this);
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

ReplicaReport ParseStatusResponse(std::string url, std::string_view body) {
  ReplicaReport r;
  r.url = std::move(url);
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    r.error = "the answer is not JSON (is this the Alertmanager API?)";
    return r;
  }
  if (!j.is_object() || !j.contains("cluster") || !j["cluster"].is_object()) {
    r.error = "the answer has no \"cluster\" object (is this /api/v2/status of an Alertmanager?)";
    return r;
  }
  const auto& c = j["cluster"];
  if (!c.contains("status") || !c["status"].is_string()) {
    r.error = "cluster.status is missing or not a string";
    return r;
  }
  r.status = c["status"].get<std::string>();
  if (c.contains("name") && !c["name"].is_null()) {
    if (!c["name"].is_string()) {
      r.error = "cluster.name is not a string";
      return r;
    }
    r.name = c["name"].get<std::string>();
  }
  if (c.contains("peers") && !c["peers"].is_null()) {
    if (!c["peers"].is_array()) {
      r.error = "cluster.peers is not an array";
      return r;
    }
    for (const auto& p : c["peers"]) {
      if (!p.is_object() || !p.contains("name") || !p["name"].is_string()) {
        r.error = "a cluster.peers entry has no string \"name\"";
        r.peers.clear();
        return r;
      }
      ClusterPeer peer;
      peer.name = p["name"].get<std::string>();
      if (p.contains("address") && p["address"].is_string()) {
        peer.address = p["address"].get<std::string>();
      }
      r.peers.push_back(std::move(peer));
    }
  }
  std::sort(r.peers.begin(), r.peers.end(),
            [](const ClusterPeer& a, const ClusterPeer& b) { return a.name < b.name; });
  return r;
}

std::string MeshVerdict::Summary() const {
  if (whole) return "whole";
  std::vector<std::string> parts;
  if (split) parts.push_back("split");
  if (missing) parts.push_back("missing members");
  if (duplicate) parts.push_back("duplicate replicas");
  if (parts.empty()) parts.push_back("unknown");  // no replica asked
  return Join(parts, ", ");
}

MeshVerdict EvaluateMesh(const std::vector<ReplicaReport>& replicas) {
  MeshVerdict v;
  std::vector<size_t> unanswered;
  std::map<std::string, size_t> by_name;  // asked replica name -> first index
  for (size_t i = 0; i < replicas.size(); ++i) {
    const ReplicaReport& r = replicas[i];
    if (!r.Answered()) {
      v.missing = true;
      unanswered.push_back(i);
      v.problems.push_back("replica " + r.url + " did not answer: " + r.error);
      continue;
    }
    if (!r.Clustered()) {
      v.missing = true;
      v.problems.push_back("replica " + Label(r) + " runs without a cluster (status \"" + r.status +
                           "\"): start it with --cluster.listen-address and --cluster.peer");
      continue;
    }
    auto [it, inserted] = by_name.emplace(r.name, i);
    if (!inserted) {
      v.duplicate = true;
      v.problems.push_back("replicas " + replicas[it->second].url + " and " + r.url +
                           " both answer as " + r.name +
                           ": the same replica was asked twice, or two replicas share a name");
    }
    if (r.Position() < 0) {
      v.missing = true;
      v.problems.push_back("replica " + Label(r) + " does not list itself among its peers");
    }
  }

  // Group the clustered replicas by the set of names they list.
  std::map<std::vector<std::string>, size_t> view_of;  // name set -> index into v.views
  std::vector<std::vector<std::string>> view_sets;
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (!replicas[i].Clustered()) continue;
    auto names = PeerNames(replicas[i]);
    auto [it, inserted] = view_of.emplace(names, v.views.size());
    if (inserted) {
      v.views.emplace_back();
      view_sets.push_back(names);
    }
    v.views[it->second].push_back(i);
  }
  if (v.views.size() > 1) {
    v.split = true;
    std::string p =
        "replicas disagree on membership (" + std::to_string(v.views.size()) + " different views):";
    for (size_t k = 0; k < v.views.size(); ++k) {
      std::vector<std::string> urls;
      for (size_t i : v.views[k]) urls.push_back(replicas[i].url);
      p += "\n      view " + std::to_string(k + 1) + ": " + Join(urls, ", ") + " see " +
           std::to_string(view_sets[k].size()) + " member(s): " + Join(view_sets[k], ", ");
    }
    v.problems.push_back(p);
    // Within each view the member at position 0 sends at once: one per view, so duplicates.
    std::vector<std::string> first;
    for (const auto& view : v.views) {
      for (size_t i : view) {
        if (replicas[i].Position() == 0) first.push_back(replicas[i].url);
      }
    }
    if (first.size() > 1) {
      v.notes.push_back(Join(first, ", ") +
                        " are each at position 0 of their own view: each notifies without "
                        "waiting, so every notification is sent once per view while split");
    }
  }
  // Members listed that no replica asked answers as: a replica not asked, or a dead one that is
  // still listed until memberlist's suspicion timeout removes it.
  std::map<std::string, std::string> unclaimed;  // name -> address
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (!replicas[i].Clustered()) continue;
    for (const auto& p : replicas[i].peers) {
      if (!by_name.count(p.name)) unclaimed.emplace(p.name, p.address);
    }
  }
  for (const auto& [name, address] : unclaimed) {
    std::vector<std::string> candidates;
    for (size_t i : unanswered) {
      if (HostOf(replicas[i].url) == HostOf(address)) candidates.push_back(replicas[i].url);
    }
    std::string what = "member " + name + " (" + address + ") is listed but no replica asked ";
    if (candidates.size() == 1) {
      v.problems.push_back(what + "answers as it: probably " + candidates[0] +
                           ", which did not answer (still listed until the others declare it "
                           "dead)");
    } else if (!unanswered.empty()) {
      v.problems.push_back(what +
                           "answers as it: one of the replicas that did not answer, or a "
                           "replica not asked");
    } else {
      v.notes.push_back(what +
                        "answers as it: a replica not passed with --url (or a dead one "
                        "not yet removed)");
    }
  }

  for (const auto& r : replicas) {
    if (r.Clustered() && r.status == "settling") {
      v.notes.push_back("replica " + Label(r) +
                        " is still settling: it holds notifications until gossip settles");
    }
  }
  v.whole = !replicas.empty() && !v.split && !v.missing && !v.duplicate;
  return v;
}

void PrintClusterReport(std::ostream& out, const std::vector<ReplicaReport>& replicas,
                        const MeshVerdict& verdict) {
  for (const auto& r : replicas) {
    out << "replica " << r.url << "\n";
    if (!r.Answered()) {
      out << "  error:    " << r.error << "\n";
      continue;
    }
    out << "  name:     " << (r.name.empty() ? "-" : r.name) << "\n";
    out << "  status:   " << r.status << "\n";
    if (!r.Clustered()) continue;
    int pos = r.Position();
    out << "  position: " << (pos < 0 ? std::string("- (not listed)") : std::to_string(pos))
        << " of " << r.peers.size() << "\n";
    out << "  peers:\n";
    size_t width = 0;
    for (const auto& p : r.peers) width = std::max(width, p.name.size());
    for (const auto& p : r.peers) {
      out << "    " << p.name << std::string(width - p.name.size() + 2, ' ')
          << (p.address.empty() ? "-" : p.address) << (p.name == r.name ? "  (self)" : "") << "\n";
    }
  }
  std::string summary = verdict.Summary();
  std::transform(summary.begin(), summary.end(), summary.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  out << "\nmesh: " << summary;
  if (verdict.whole) {
    out << " (" << replicas.size() << " replicas agree on "
        << (replicas.empty() ? 0 : replicas.front().peers.size()) << " members)";
  }
  out << "\n";
  for (const auto& p : verdict.problems) out << "  - " << p << "\n";
  for (const auto& n : verdict.notes) out << "  note: " << n << "\n";
}

namespace {

struct Sink {
  std::string body;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->body.size() + len > kMaxBody) {
    sink->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->body.append(data, len);
  return len;
}

std::once_flag g_curl_init;

}  // namespace

ReplicaReport FetchReplicaStatus(const std::string& url, std::chrono::milliseconds timeout) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  ReplicaReport r;
  r.url = NormaliseUrl(url);
  const std::string target = r.url + "/api/v2/status";
  CURL* h = curl_easy_init();
  if (h == nullptr) {
    r.error = "cannot create an HTTP client";
    return r;
  }
  Sink sink;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  curl_easy_setopt(h, CURLOPT_URL, target.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "alertmanager-cluster-check");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (sink.too_large) {
    r.error = "GET " + target + ": answer larger than " + std::to_string(kMaxBody) + " bytes";
    return r;
  }
  if (rc != CURLE_OK) {
    r.error = "GET " + target + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return r;
  }
  if (code != 200) {
    std::string snippet = sink.body.substr(0, 200);
    std::replace(snippet.begin(), snippet.end(), '\n', ' ');
    r.error = "GET " + target + ": HTTP " + std::to_string(code) +
              (snippet.empty() ? "" : ": " + snippet);
    return r;
  }
  ReplicaReport parsed = ParseStatusResponse(r.url, sink.body);
  if (!parsed.error.empty()) parsed.error = "GET " + target + ": " + parsed.error;
  return parsed;
}

namespace {

constexpr const char* kUsage =
    "usage: alertmanager cluster check --url=URL [--url=URL ...] [--timeout=5s]\n"
    "\n"
    "Asks every replica of an HA set for GET <URL>/api/v2/status and reports each one's cluster\n"
    "name, status, position and peers, then whether the mesh is whole, split or missing\n"
    "members. Pass the URL of every replica (the same list Prometheus sends alerts to).\n"
    "\n"
    "Flags:\n"
    "  --url=URL       a replica's API base URL, e.g. http://10.0.0.1:9093 (repeat per replica;\n"
    "                  include the route prefix if --web.route-prefix is set)\n"
    "  --timeout=5s    time limit per request (Go duration)\n"
    "\n"
    "Exit status: 0 whole (every replica answered and all list the same peer names, which\n"
    "include every replica asked); 1 anything else; 2 usage error.\n";

int UsageError(std::ostream& err, const std::string& msg) {
  err << "alertmanager: error: " << msg << ", try --help\n";
  return 2;
}

}  // namespace

int RunClusterCheckCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return UsageError(err, "expected command: check");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << kUsage;
    return 0;
  }
  if (args[0] != "check") return UsageError(err, "expected command check, got '" + args[0] + "'");
  std::vector<std::string> urls;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return 0;
    }
    std::string name = a;
    std::string value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (name != "--url" && name != "--timeout") {
      if (a.rfind("--", 0) == 0) return UsageError(err, "unknown long flag '" + name + "'");
      return UsageError(err, "unexpected argument '" + a + "'");
    }
    if (!has_value) {
      if (i + 1 >= args.size()) return UsageError(err, "expected argument for flag '" + name + "'");
      value = args[++i];
    }
    if (name == "--url") {
      if (value.empty()) return UsageError(err, "--url must not be empty");
      urls.push_back(value);
      continue;
    }
    try {
      auto d = ParseGoDuration(value);
      if (d <= Duration::zero()) return UsageError(err, "--timeout must be positive");
      timeout = std::max(std::chrono::milliseconds(1),
                         std::chrono::duration_cast<std::chrono::milliseconds>(d));
    } catch (const ParseError& e) {
      return UsageError(err, std::string("invalid value for --timeout: ") + e.what());
    }
  }
  if (urls.empty()) return UsageError(err, "required flag --url not provided");

  // One thread per replica: a dead replica costs one timeout, not one per replica after it.
  std::vector<ReplicaReport> reports(urls.size());
  std::vector<std::thread> threads;
  threads.reserve(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) {
    threads.emplace_back([&, i] { reports[i] = FetchReplicaStatus(urls[i], timeout); });
  }
  for (auto& t : threads) t.join();

  MeshVerdict verdict = EvaluateMesh(reports);
  PrintClusterReport(out, reports, verdict);
  out.flush();
  return verdict.whole ? 0 : 1;
}

int RunClusterCheckCli(const std::vector<std::string>& args) {
  return RunClusterCheckCli(args, std::cout, std::cerr);
}

}  // namespace am::api
