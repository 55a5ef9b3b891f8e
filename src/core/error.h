// Error types shared by every folder.
// ParseError: a malformed input (matcher, duration, time, label); the message names the problem
// in upstream's words where upstream has words for it. Thread-safety: plain value types.
#pragma once

#include <stdexcept>
#include <string>

namespace am {

class ParseError : public std::runtime_error {
 public:
  explicit ParseError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace am
