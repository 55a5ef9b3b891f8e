#include "silence/matcher_index.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <limits>

#include "core/strings.h"

namespace am::silence {
namespace {

// Below this many regexes on one label name, testing them one by one is as cheap as a set.
constexpr size_t kMinRegexSet = 4;

bool IsRegexMeta(char c) {
  switch (c) {
    case '.':
    case '+':
    case '*':
    case '?':
    case '(':
    case ')':
    case '|':
    case '[':
    case ']':
    case '{':
    case '}':
    case '^':
    case '$':
    case '\\':
      return true;
    default:
      return false;
  }
}

bool IsAsciiPunct(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f &&
         !((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'));
}

bool IsRegex(MatchType t) { return t == MatchType::kRegexp || t == MatchType::kNotRegexp; }

// The options core/matcher.cpp compiles silences' regexes with, so that sets and ranges agree
// with Matcher::Matches.
RE2::Options RegexOptions() {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(int64_t{64} << 20);
  return opts;
}

std::string Anchored(std::string_view pattern) { return "^(?:" + std::string(pattern) + ")$"; }

}  // namespace

// The regexes (anchored) of the sets filed under one label name, run as one RE2::Set.
class MatcherIndex::RegexGroup {
 public:
  void Add(const Prepared* p, std::string pattern) {
    refs_.push_back(p);
    patterns_.push_back(std::move(pattern));
    dirty_.store(true, std::memory_order_release);
  }

  void Remove(const Entry* e) {
    for (size_t i = 0; i < refs_.size();) {
      if (refs_[i]->entry == e) {
        refs_[i] = refs_.back();
        refs_.pop_back();
        patterns_[i] = std::move(patterns_.back());
        patterns_.pop_back();
      } else {
        ++i;
      }
    }
    dirty_.store(true, std::memory_order_release);
  }

  bool empty() const { return refs_.empty(); }
  size_t size() const { return refs_.size(); }

  // Appends the sets whose filing regex matches `value` (all of them when the set cannot say).
  void Candidates(std::string_view value, std::vector<const Prepared*>* out) const {
    if (refs_.size() >= kMinRegexSet && IsValidUtf8(value)) {
      Ensure();
      if (set_) {
        hits_.clear();
        RE2::Set::ErrorInfo info{RE2::Set::kNoError};
        bool any = set_->Match(value, &hits_, &info);
        if (any || info.kind == RE2::Set::kNoError) {
          for (int h : hits_) out->push_back(refs_[static_cast<size_t>(h)]);
          return;
        }
      }
    }
    out->insert(out->end(), refs_.begin(), refs_.end());
  }

 private:
  void Ensure() const {
    if (!dirty_.load(std::memory_order_acquire)) return;
    std::lock_guard lock(mu_);
    if (!dirty_.load(std::memory_order_relaxed)) return;
    auto set = std::make_unique<RE2::Set>(RegexOptions(), RE2::UNANCHORED);
    bool ok = true;
    for (const auto& p : patterns_) ok = ok && set->Add(Anchored(p), nullptr) >= 0;
    ok = ok && set->Compile();
    set_ = ok ? std::move(set) : nullptr;
    dirty_.store(false, std::memory_order_release);
  }

  std::vector<const Prepared*> refs_;
  std::vector<std::string> patterns_;  // parallel to refs_
  mutable std::mutex mu_;
  mutable std::atomic<bool> dirty_{true};
  mutable std::unique_ptr<RE2::Set> set_;  // null: unusable, test every ref
  // Scratch for Match; a thread_local would do too, but groups are few.
  static thread_local std::vector<int> hits_;
};

thread_local std::vector<int> MatcherIndex::RegexGroup::hits_;

MatcherIndex::MatcherIndex() = default;
MatcherIndex::~MatcherIndex() = default;

bool MatcherIndex::LiteralAlternatives(std::string_view pattern, std::vector<std::string>* out) {
  out->clear();
  // Invalid UTF-8 (and U+FFFD, which invalid label bytes are matched as) would make byte
  // equality and regex matching disagree.
  if (!IsValidUtf8(pattern) || pattern.find("\xEF\xBF\xBD") != std::string_view::npos) {
    return false;
  }
  std::string cur;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= pattern.size() || !IsAsciiPunct(pattern[i + 1])) return false;
      cur.push_back(pattern[++i]);
    } else if (c == '|') {
      if (cur.empty()) return false;
      out->push_back(std::move(cur));
      cur.clear();
    } else if (IsRegexMeta(c)) {
      return false;
    } else {
      cur.push_back(c);
    }
  }
  if (cur.empty()) return false;
  out->push_back(std::move(cur));
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return true;
}

std::unique_ptr<MatcherIndex::Prepared> MatcherIndex::Prepare(const Entry* e, uint32_t set) {
  auto p = std::make_unique<Prepared>();
  p->entry = e;
  p->set = set;
  for (const Matcher& m : e->compiled[set]) {
    Check c{&m};
    if (IsRegex(m.type())) {
      RE2 re(Anchored(m.value()), RegexOptions());
      // A range ending in the maximum byte carries no upper bound worth checking, but is still
      // correct; a failed computation simply leaves the regex unfiltered.
      c.range = re.ok() && re.PossibleMatchRange(&c.min, &c.max, 64);
    }
    p->checks.push_back(std::move(c));
  }
  std::stable_partition(p->checks.begin(), p->checks.end(),
                        [](const Check& c) { return !IsRegex(c.m->type()); });
  return p;
}

bool MatcherIndex::Test(const Prepared& p, const LabelSet& labels) {
  for (const Check& c : p.checks) {
    std::string_view v = labels.Get(c.m->name());
    bool ok;
    if (c.range && (v < c.min || v > c.max) && IsValidUtf8(v)) {
      ok = c.m->type() == MatchType::kNotRegexp;  // cannot match the regex
    } else {
      ok = c.m->Matches(v);
    }
    if (!ok) return false;
  }
  return true;
}

void MatcherIndex::Add(const Entry* e) {
  Location& loc = where_[e];
  std::vector<std::string> alts;
  for (uint32_t set = 0; set < e->compiled.size(); ++set) {
    loc.prepared.push_back(Prepare(e, set));
    const Prepared* p = loc.prepared.back().get();
    const MatcherSet& raw = e->silence().matcher_sets[set];
    // 1. The anchor whose posting lists are shortest now.
    std::vector<Key> best;
    size_t best_cost = std::numeric_limits<size_t>::max();
    for (const auto& m : raw) {
      std::vector<Key> keys;
      if (m.type == MatchType::kEqual && !m.pattern.empty()) {
        keys.emplace_back(m.name, m.pattern);
      } else if (m.type == MatchType::kRegexp && LiteralAlternatives(m.pattern, &alts)) {
        for (auto& a : alts) keys.emplace_back(m.name, std::move(a));
      } else {
        continue;
      }
      size_t cost = keys.size();  // every key costs a little, so prefer fewer
      for (const auto& k : keys) {
        auto it = postings_.find(k);
        if (it != postings_.end()) cost += it->second.size();
      }
      if (cost < best_cost) {
        best_cost = cost;
        best = std::move(keys);
      }
    }
    if (!best.empty()) {
      for (auto& k : best) {
        postings_[k].push_back(p);
        loc.keys.push_back(std::move(k));
      }
      continue;
    }
    // 2. A regex that needs its label present.
    const Matchers& ms = e->compiled[set];
    auto filing = std::find_if(ms.begin(), ms.end(), [](const Matcher& m) {
      return m.type() == MatchType::kRegexp && !m.Matches("");
    });
    if (filing != ms.end()) {
      auto& group = regex_groups_[filing->name()];
      if (!group) group = std::make_unique<RegexGroup>();
      group->Add(p, filing->value());
      loc.regex_names.push_back(filing->name());
      continue;
    }
    // 3. Tested on every query.
    scan_.push_back(p);
    loc.in_scan = true;
  }
}

void MatcherIndex::Erase(std::vector<const Prepared*>* refs, const Entry* e) {
  refs->erase(
      std::remove_if(refs->begin(), refs->end(), [e](const Prepared* p) { return p->entry == e; }),
      refs->end());
}

void MatcherIndex::Remove(const Entry* e) {
  auto it = where_.find(e);
  if (it == where_.end()) return;
  for (const auto& k : it->second.keys) {
    auto p = postings_.find(k);
    if (p == postings_.end()) continue;
    Erase(&p->second, e);
    if (p->second.empty()) postings_.erase(p);
  }
  for (const auto& name : it->second.regex_names) {
    auto g = regex_groups_.find(name);
    if (g == regex_groups_.end()) continue;
    g->second->Remove(e);
    if (g->second->empty()) regex_groups_.erase(g);
  }
  if (it->second.in_scan) Erase(&scan_, e);
  where_.erase(it);
}

void MatcherIndex::Clear() {
  postings_.clear();
  regex_groups_.clear();
  scan_.clear();
  where_.clear();
}

size_t MatcherIndex::regex_filed() const {
  size_t n = 0;
  for (const auto& [name, g] : regex_groups_) n += g->size();
  return n;
}

void MatcherIndex::Match(const LabelSet& labels, std::vector<const Entry*>* out) const {
  const size_t first = out->size();
  auto test = [&](const Prepared* p) {
    if (Test(*p, labels)) out->push_back(p->entry);
  };
  std::vector<const Prepared*> candidates;
  for (const auto& [name, value] : labels) {
    if (!postings_.empty()) {
      auto it = postings_.find(KeyView(name, value));
      if (it != postings_.end()) {
        for (const Prepared* p : it->second) test(p);
      }
    }
    if (!regex_groups_.empty()) {
      auto g = regex_groups_.find(std::string_view(name));
      if (g != regex_groups_.end()) {
        candidates.clear();
        g->second->Candidates(value, &candidates);
        for (const Prepared* p : candidates) test(p);
      }
    }
  }
  for (const Prepared* p : scan_) test(p);
  // An entry shows up twice only when several of its sets (or alternatives) match.
  if (out->size() - first > 1) {
    std::sort(out->begin() + first, out->end());
    out->erase(std::unique(out->begin() + first, out->end()), out->end());
  }
}

}  // namespace am::silence
