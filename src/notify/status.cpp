#include "notify/status.h"

namespace am::notify {

std::string_view FailureReasonString(FailureReason r) {
  switch (r) {
    case FailureReason::kOther:
      return "other";
    case FailureReason::kClientError:
      return "clientError";
    case FailureReason::kServerError:
      return "serverError";
    case FailureReason::kAuthError:
      return "authError";
    case FailureReason::kRateLimited:
      return "rateLimited";
    case FailureReason::kContextCanceled:
      return "contextCanceled";
    case FailureReason::kContextDeadlineExceeded:
      return "contextDeadlineExceeded";
  }
  return "other";
}

FailureReason ReasonFromStatusCode(int code) {
  if (code == 401 || code == 403) return FailureReason::kAuthError;
  if (code == 429) return FailureReason::kRateLimited;
  if (code / 100 == 4) return FailureReason::kClientError;
  if (code / 100 == 5) return FailureReason::kServerError;
  return FailureReason::kOther;
}

}  // namespace am::notify
