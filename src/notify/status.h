// The outcome of a stage or of one notification attempt, and upstream's failure-reason label of
// alertmanager_notifications_failed_total. Value types; thread-compatible.
#pragma once

#include <string>
#include <string_view>

namespace am::notify {

// The `reason` label values. Upstream HEAD has other, clientError, serverError, contextCanceled
// and contextDeadlineExceeded; authError (401/403) and rateLimited (429) split clientError
// further, as the reference inventory lists them.
enum class FailureReason {
  kOther,
  kClientError,
  kServerError,
  kAuthError,
  kRateLimited,
  kContextCanceled,
  kContextDeadlineExceeded,
};

inline constexpr FailureReason kAllFailureReasons[] = {
    FailureReason::kOther,
    FailureReason::kClientError,
    FailureReason::kServerError,
    FailureReason::kAuthError,
    FailureReason::kRateLimited,
    FailureReason::kContextCanceled,
    FailureReason::kContextDeadlineExceeded,
};

// "other", "clientError", "serverError", "authError", "rateLimited", "contextCanceled",
// "contextDeadlineExceeded".
std::string_view FailureReasonString(FailureReason r);

// The reason for an HTTP status code that is not 2xx: 401/403 authError, 429 rateLimited, other
// 4xx clientError, 5xx serverError, anything else other.
FailureReason ReasonFromStatusCode(int status_code);

struct Status {
  bool ok = true;
  std::string error;  // empty when ok
  FailureReason reason = FailureReason::kOther;

  static Status Ok() { return {}; }
  static Status Error(std::string message, FailureReason reason = FailureReason::kOther) {
    return Status{false, std::move(message), reason};
  }
};

}  // namespace am::notify
