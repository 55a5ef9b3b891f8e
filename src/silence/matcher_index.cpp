#include "silence/matcher_index.h"

#include <algorithm>
#include <limits>

#include "core/strings.h"

namespace am::silence {
namespace {

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

}  // namespace

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

void MatcherIndex::Add(const Entry* e) {
  Location& loc = where_[e];
  for (uint32_t set = 0; set < e->compiled.size(); ++set) {
    const MatcherSet& raw = e->silence().matcher_sets[set];
    // Pick the anchor whose posting lists are shortest now.
    std::vector<Key> best;
    size_t best_cost = std::numeric_limits<size_t>::max();
    std::vector<std::string> alts;
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
    if (best.empty()) {
      scan_.push_back({e, set});
      loc.in_scan = true;
      continue;
    }
    for (auto& k : best) {
      postings_[k].push_back({e, set});
      loc.keys.push_back(std::move(k));
    }
  }
}

void MatcherIndex::Erase(std::vector<Ref>* refs, const Entry* e) {
  refs->erase(
      std::remove_if(refs->begin(), refs->end(), [e](const Ref& r) { return r.entry == e; }),
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
  if (it->second.in_scan) Erase(&scan_, e);
  where_.erase(it);
}

void MatcherIndex::Clear() {
  postings_.clear();
  scan_.clear();
  where_.clear();
}

void MatcherIndex::Match(const LabelSet& labels, std::vector<const Entry*>* out) const {
  const size_t first = out->size();
  auto test = [&](const Ref& r) {
    if (MatchesAll(r.entry->compiled[r.set], labels)) out->push_back(r.entry);
  };
  if (!postings_.empty()) {
    for (const auto& [name, value] : labels) {
      auto it = postings_.find(KeyView(name, value));
      if (it == postings_.end()) continue;
      for (const Ref& r : it->second) test(r);
    }
  }
  for (const Ref& r : scan_) test(r);
  // An entry shows up twice only when several of its sets (or alternatives) match.
  if (out->size() - first > 1) {
    std::sort(out->begin() + first, out->end());
    out->erase(std::unique(out->begin() + first, out->end()), out->end());
  }
}

}  // namespace am::silence
