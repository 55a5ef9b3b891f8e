#include "notify/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <mutex>

namespace am::notify {
namespace asio = boost::asio;

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long SslVersion(const std::string& min, const std::string& max) {
  long v = CURL_SSLVERSION_TLSv1_2;
  if (min == "TLS10") v = CURL_SSLVERSION_TLSv1_0;
  if (min == "TLS11") v = CURL_SSLVERSION_TLSv1_1;
  if (min == "TLS12") v = CURL_SSLVERSION_TLSv1_2;
  if (min == "TLS13") v = CURL_SSLVERSION_TLSv1_3;
  if (max == "TLS10") v |= CURL_SSLVERSION_MAX_TLSv1_0;
  if (max == "TLS11") v |= CURL_SSLVERSION_MAX_TLSv1_1;
  if (max == "TLS12") v |= CURL_SSLVERSION_MAX_TLSv1_2;
  if (max == "TLS13") v |= CURL_SSLVERSION_MAX_TLSv1_3;
  return v;
}

// The URL's host as written (for the Host header) and a URL whose host is `server_name`, plus
// the CONNECT_TO entry that still sends the bytes to the original host. Go's ServerName changes
// SNI and certificate verification but neither the Host header nor the address dialled; curl has
// no such option, so the request is addressed to server_name and re-routed.
struct ServerNameRewrite {
  std::string url;
  std::string host_header;
  std::string connect_to;
};

bool RewriteForServerName(const std::string& url, const std::string& server_name,
                          ServerNameRewrite* out) {
  CURLU* u = curl_url();
  if (!u) return false;
  bool ok = false;
  char* host = nullptr;
  char* port = nullptr;
  char* rewritten = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      server_name != host) {
    char* explicit_port = nullptr;
    const bool has_port = curl_url_get(u, CURLUPART_PORT, &explicit_port, 0) == CURLUE_OK;
    out->host_header = std::string(host) + (has_port ? std::string(":") + explicit_port : "");
    curl_free(explicit_port);
    // CONNECT_TO wants "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT"; curl keeps IPv6 brackets.
    out->connect_to = server_name + ":" + port + ":" + host + ":" + port;
    if (curl_url_set(u, CURLUPART_HOST, server_name.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
      out->url = rewritten;
      ok = true;
    }
  }
  curl_free(host);
  curl_free(port);
  curl_free(rewritten);
  curl_url_cleanup(u);
  return ok;
}

}  // namespace

struct Watcher {
  Watcher(const asio::strand<asio::any_io_executor>& strand, int fd) : sd(strand, fd) {}
  asio::posix::stream_descriptor sd;
  int want = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool removed = false;
};

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* proxy_headers = nullptr;
  curl_slist* connect_to = nullptr;
  HttpRequest request;
  std::string response;
  size_t limit = 0;
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::function<void(HttpResponse)> done;

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    curl_slist_free_all(proxy_headers);
    curl_slist_free_all(connect_to);
  }
};

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  explicit Impl(asio::any_io_executor executor)
      : io(std::move(executor)), strand(asio::make_strand(io)), timer(strand) {
    GlobalInit();
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::SocketCb);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::TimerCb);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  ~Impl() {
    // Runs on the strand (the last handler holding a reference) or with no handler running.
    for (auto& [easy, t] : transfers) {
      curl_multi_remove_handle(multi, easy);
      HttpResponse r;
      r.error = "http client shut down";
      asio::post(io, [done = std::move(t->done), r = std::move(r)] { done(r); });
    }
    transfers.clear();
    // Connections in curl's cache close now; CloseSocketCb forgets their watchers.
    curl_multi_cleanup(multi);
    for (auto& [fd, w] : watchers) {
      boost::system::error_code ec;
      w->sd.cancel(ec);
      w->sd.release();
    }
    watchers.clear();
  }

  static int SocketCb(CURL*, curl_socket_t s, int what, void* userp, void*) {
    static_cast<Impl*>(userp)->OnSocket(s, what);
    return 0;
  }

  static int TimerCb(CURLM*, long timeout_ms, void* userp) {
    static_cast<Impl*>(userp)->OnTimer(timeout_ms);
    return 0;
  }

  static int CloseSocketCb(void* clientp, curl_socket_t fd) {
    static_cast<Impl*>(clientp)->Forget(fd);
    return ::close(fd);
  }

  void Forget(curl_socket_t fd) {
    auto it = watchers.find(fd);
    if (it == watchers.end()) return;
    auto w = it->second;
    watchers.erase(it);
    w->removed = true;
    boost::system::error_code ec;
    w->sd.cancel(ec);
    w->sd.release();
  }

  void OnSocket(curl_socket_t fd, int what) {
    if (what == CURL_POLL_REMOVE) {
      Forget(fd);
      return;
    }
    auto it = watchers.find(fd);
    std::shared_ptr<Watcher> w;
    if (it == watchers.end()) {
      try {
        w = std::make_shared<Watcher>(strand, fd);
      } catch (const boost::system::system_error&) {
        return;  // curl's own timeout ends the transfer
      }
      watchers.emplace(fd, w);
    } else {
      w = it->second;
    }
    w->want = what;
    Arm(w);
  }

  void Arm(const std::shared_ptr<Watcher>& w) {
    std::weak_ptr<Impl> weak = weak_from_this();
    if ((w->want & CURL_POLL_IN) && !w->reading) {
      w->reading = true;
      w->sd.async_wait(asio::posix::descriptor_base::wait_read,
                       asio::bind_executor(strand, [weak, w](const boost::system::error_code& ec) {
                         w->reading = false;
                         if (ec || w->removed) return;
                         auto self = weak.lock();
                         if (!self) return;
                         self->Action(w->sd.native_handle(), CURL_CSELECT_IN);
                         if (!w->removed) self->Arm(w);
                       }));
    }
    if ((w->want & CURL_POLL_OUT) && !w->writing) {
      w->writing = true;
      w->sd.async_wait(asio::posix::descriptor_base::wait_write,
                       asio::bind_executor(strand, [weak, w](const boost::system::error_code& ec) {
                         w->writing = false;
                         if (ec || w->removed) return;
                         auto self = weak.lock();
                         if (!self) return;
                         self->Action(w->sd.native_handle(), CURL_CSELECT_OUT);
                         if (!w->removed) self->Arm(w);
                       }));
    }
  }

  void OnTimer(long timeout_ms) {
    if (timeout_ms < 0) {
      timer.cancel();
      return;
    }
    std::weak_ptr<Impl> weak = weak_from_this();
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait(asio::bind_executor(strand, [weak](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->Action(CURL_SOCKET_TIMEOUT, 0);
    }));
  }

  void Action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    Drain();
  }

  void Drain() {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* easy = m->easy_handle;
      const CURLcode rc = m->data.result;
      auto it = transfers.find(easy);
      if (it == transfers.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      transfers.erase(it);
      curl_multi_remove_handle(multi, easy);
      HttpResponse r;
      if (rc == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
        r.status = static_cast<int>(code);
        r.body = std::move(t->response);
      } else {
        r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        r.error = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
      }
      in_flight.fetch_sub(1);
      asio::post(io, [done = std::move(t->done), r = std::move(r)] { done(r); });
    }
  }

  static size_t WriteCb(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    const size_t len = size * n;
    if (t->response.size() < t->limit) {
      t->response.append(data, std::min(len, t->limit - t->response.size()));
    }
    return len;
  }

  // On the strand.
  void Start(std::unique_ptr<Transfer> t) {
    const HttpRequest& req = t->request;
    CURL* e = curl_easy_init();
    if (!e) {
      Fail(std::move(t), "curl_easy_init failed");
      return;
    }
    t->easy = e;
    t->limit = req.max_response_body;
    std::string url = req.url;
    std::vector<std::pair<std::string, std::string>> headers = req.headers;
    if (!req.tls.server_name.empty()) {
      ServerNameRewrite rw;
      if (RewriteForServerName(req.url, req.tls.server_name, &rw)) {
        url = rw.url;
        headers.insert(headers.begin(), {"Host", rw.host_header});
        t->connect_to = curl_slist_append(nullptr, rw.connect_to.c_str());
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, t->connect_to);
      }
    }
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (req.method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    } else if (req.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    for (const auto& [k, v] : headers) {
      const std::string line = v.empty() ? k + ";" : k + ": " + v;
      t->headers = curl_slist_append(t->headers, line.c_str());
    }
    // Go sends neither; curl would add "Accept: */*" and, for larger bodies, "Expect".
    t->headers = curl_slist_append(t->headers, "Accept:");
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::WriteCb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, req.timeout.count())));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, req.connect_timeout.count())));
    // An explicit proxy (or none) always: curl must not read http_proxy & co. by itself.
    curl_easy_setopt(e, CURLOPT_PROXY, req.proxy.c_str());
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    if (!req.proxy_connect_headers.empty()) {
      for (const auto& [k, v] : req.proxy_connect_headers) {
        t->proxy_headers = curl_slist_append(t->proxy_headers, (k + ": " + v).c_str());
      }
      curl_easy_setopt(e, CURLOPT_PROXYHEADER, t->proxy_headers);
      curl_easy_setopt(e, CURLOPT_HEADEROPT, CURLHEADER_SEPARATE);
    }
    const TlsOptions& tls = req.tls;
    if (!tls.ca_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
      curl_easy_setopt(e, CURLOPT_CAPATH, static_cast<char*>(nullptr));
    } else if (!tls.ca_file.empty()) {
      curl_easy_setopt(e, CURLOPT_CAINFO, tls.ca_file.c_str());
      curl_easy_setopt(e, CURLOPT_CAPATH, static_cast<char*>(nullptr));
    }
    if (!tls.cert_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.cert_pem.data()), tls.cert_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &blob);
      curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    } else if (!tls.cert_file.empty()) {
      curl_easy_setopt(e, CURLOPT_SSLCERT, tls.cert_file.c_str());
      curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!tls.key_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.key_pem.data()), tls.key_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &blob);
      curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (!tls.key_file.empty()) {
      curl_easy_setopt(e, CURLOPT_SSLKEY, tls.key_file.c_str());
      curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
    curl_easy_setopt(e, CURLOPT_SSLVERSION, SslVersion(tls.min_version, tls.max_version));
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     req.enable_http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Impl::CloseSocketCb);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
    // The URL copy must outlive the transfer only until curl_easy_setopt returns: curl copies
    // strings (but not POSTFIELDS, which stays in t->request).
    const CURLMcode mc = curl_multi_add_handle(multi, e);
    if (mc != CURLM_OK) {
      Fail(std::move(t), curl_multi_strerror(mc));
      return;
    }
    transfers.emplace(e, std::move(t));
  }

  void Fail(std::unique_ptr<Transfer> t, std::string error) {
    HttpResponse r;
    r.error = std::move(error);
    in_flight.fetch_sub(1);
    asio::post(io, [done = std::move(t->done), r = std::move(r)] { done(r); });
  }

  asio::any_io_executor io;
  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;
  CURLM* multi = nullptr;
  std::map<curl_socket_t, std::shared_ptr<Watcher>> watchers;  // on strand
  std::map<CURL*, std::unique_ptr<Transfer>> transfers;        // on strand
  std::atomic<size_t> in_flight{0};
};

HttpClient::HttpClient(asio::any_io_executor executor)
    : impl_(std::make_shared<Impl>(std::move(executor))) {}

HttpClient::~HttpClient() {
  // Hand the last reference to the strand so that the Impl dies between handlers; if the
  // io_context no longer runs, the posted handler's destruction releases it instead.
  auto impl = std::move(impl_);
  asio::strand<asio::any_io_executor> strand = impl->strand;
  asio::post(strand, [impl = std::move(impl)]() mutable { impl.reset(); });
}

void HttpClient::Do(HttpRequest request, std::function<void(HttpResponse)> done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->in_flight.fetch_add(1);
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->strand, [weak, t = std::move(t)]() mutable {
    if (auto self = weak.lock()) {
      self->Start(std::move(t));
    } else {
      HttpResponse r;
      r.error = "http client shut down";
      t->done(r);
    }
  });
}

size_t HttpClient::InFlight() const { return impl_->in_flight.load(); }

}  // namespace am::notify
