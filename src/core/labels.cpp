#include "core/labels.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>

#include "core/strings.h"

namespace am {
namespace {
constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;
constexpr unsigned char kSeparator = 0xFF;

inline uint64_t FnvAdd(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}
inline uint64_t FnvAddByte(uint64_t h, unsigned char c) {
  h ^= c;
  h *= kFnvPrime;
  return h;
}
}  // namespace

LabelSet::LabelSet(std::initializer_list<Label> labels) {
  for (const auto& l : labels) Set(l.first, l.second);
}

LabelSet LabelSet::FromPairs(std::vector<Label> pairs) {
  LabelSet ls;
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Label& a, const Label& b) { return a.first < b.first; });
  // Keep the last of equal names.
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i + 1 < pairs.size() && pairs[i + 1].first == pairs[i].first) continue;
    ls.labels_.push_back(std::move(pairs[i]));
  }
  return ls;
}

void LabelSet::Set(std::string name, std::string value) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, const std::string& n) { return l.first < n; });
  if (it != labels_.end() && it->first == name) {
    it->second = std::move(value);
  } else {
    labels_.insert(it, Label(std::move(name), std::move(value)));
  }
}

bool LabelSet::Erase(std::string_view name) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.first < n; });
  if (it == labels_.end() || it->first != name) return false;
  labels_.erase(it);
  return true;
}

const std::string* LabelSet::Find(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.first < n; });
  if (it == labels_.end() || it->first != name) return nullptr;
  return &it->second;
}

std::string_view LabelSet::Get(std::string_view name) const {
  const std::string* v = Find(name);
  return v ? std::string_view(*v) : std::string_view();
}

std::string LabelSet::String() const {
  // prometheus/common (0.25's) sorts the printed `name="value"` strings, not the names: with
  // names "a" and "a0" it prints {a0="y", a="x"} because '0' < '='. Group keys depend on it.
  std::vector<std::string> pairs;
  pairs.reserve(labels_.size());
  size_t total = 2;
  for (const auto& [n, v] : labels_) {
    std::string p;
    p.reserve(n.size() + v.size() + 3);
    p += n;
    p += '=';
    p += GoQuote(v);
    total += p.size() + 2;
    pairs.push_back(std::move(p));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  out.reserve(total);
  out += '{';
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out += ", ";
    out += pairs[i];
  }
  out += '}';
  return out;
}

uint64_t LabelSet::Fingerprint() const {
  uint64_t h = kFnvOffset;
  for (const auto& [n, v] : labels_) {
    h = FnvAdd(h, n);
    h = FnvAddByte(h, kSeparator);
    h = FnvAdd(h, v);
    h = FnvAddByte(h, kSeparator);
  }
  return h;
}

uint64_t LabelSet::XxHash() const {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  const char sep = static_cast<char>(kSeparator);
  for (const auto& [n, v] : labels_) {
    XXH64_update(st, n.data(), n.size());
    XXH64_update(st, &sep, 1);
    XXH64_update(st, v.data(), v.size());
    XXH64_update(st, &sep, 1);
  }
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  return h;
}

std::string FingerprintString(uint64_t fp) {
  static const char* kHex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, fp >>= 4) out[i] = kHex[fp & 0xF];
  return out;
}

bool ParseFingerprint(std::string_view s, uint64_t* fp) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v * 16 + d;
  }
  *fp = v;
  return true;
}

bool IsValidClassicLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8LabelName(std::string_view name) { return !name.empty() && IsValidUtf8(name); }

}  // namespace am

namespace am {
bool LabelSetBefore(const LabelSet& a, const LabelSet& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  // Walk the merged, sorted name lists; the first name missing on one side or with differing
  // values decides, as upstream's loop over the sorted union does.
  auto ia = a.begin(), ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    std::string_view name;
    if (ib == b.end() || (ia != a.end() && ia->first <= ib->first)) {
      name = ia->first;
    } else {
      name = ib->first;
    }
    const std::string* va = (ia != a.end() && ia->first == name) ? &ia->second : nullptr;
    const std::string* vb = (ib != b.end() && ib->first == name) ? &ib->second : nullptr;
    if (!va) return true;
    if (!vb) return false;
    if (*va != *vb) return *va < *vb;
    ++ia;
    ++ib;
  }
  return false;
}
}  // namespace am
