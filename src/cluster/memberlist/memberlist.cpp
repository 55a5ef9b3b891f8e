#include "cluster/memberlist/memberlist.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "cluster/memberlist/framing.h"
#include "cluster/memberlist/net_transport.h"
#include "cluster/memberlist/stream_conn.h"
#include "cluster/memberlist/tls_transport.h"
#include "core/log.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using std::chrono::nanoseconds;

namespace {

// Go's wording for a failed dial: "dial tcp 1.2.3.4:9094: connect: connection refused".
std::string DialError(const std::string& addr, const boost::system::error_code& ec) {
  std::string m = ec.message();
  if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) m = "i/o timeout";
  return "dial tcp " + addr + ": connect: " + m;
}

constexpr int kCompoundHeaderOverhead = 2;
constexpr int kCompoundOverhead = 2;
constexpr int kUserMsgOverhead = 1;
constexpr size_t kMetaMaxSize = 512;
// Nested compress/compound wrappers deeper than this are garbage, not gossip.
constexpr int kMaxCommandDepth = 4;
// Decompressed size cap for one UDP packet's payload.
constexpr size_t kMaxPacketDecompressed = 1 << 20;
constexpr int kPushPullScaleThreshold = 32;

// memberlist messages are logged at debug level, as Alertmanager forwards memberlist's log.
void Debug(const std::string& msg) { AM_LOG(kDebug, "cluster", msg); }

nanoseconds PushPullScale(nanoseconds interval, int n) {
  if (n <= kPushPullScaleThreshold) return interval;
  double mult = std::ceil(std::log2(static_cast<double>(n)) -
                          std::log2(static_cast<double>(kPushPullScaleThreshold))) +
                1.0;
  return interval * static_cast<int64_t>(mult);
}

}  // namespace

struct Memberlist::ProbeRun {
  explicit ProbeRun(const asio::any_io_executor& ex) : timer(ex) {}
  Node node;
  uint32_t incarnation = 0;
  uint32_t seq = 0;
  Clock::time_point sent;
  Clock::time_point deadline;
  bool finished = false;
  bool acked = false;
  bool indirect_started = false;
  int nacks = 0;
  int expected_nacks = 0;
  bool tcp_pending = false;
  bool tcp_ok = false;
  asio::steady_timer timer;
};

// ---------------------------------------------------------------------------------------------
// Creation, binding, scheduling

Memberlist::Memberlist(asio::io_context& io, Config cfg, Delegate* delegate)
    : io_(io),
      cfg_(std::move(cfg)),
      delegate_(delegate),
      strand_(asio::make_strand(io)),
      probe_timer_(strand_),
      gossip_timer_(strand_),
      pushpull_timer_(strand_),
      broadcasts_(cfg_.retransmit_mult, [this] { return num_nodes_.load(); }),
      awareness_(cfg_.awareness_max_multiplier),
      rng_(std::random_device{}()) {}

Memberlist::~Memberlist() {
  // Never started (say, Create failed after binding): nothing of the transport is pending, and
  // dropping it closes its sockets now, as it must for a retry on the same port.
  if (transport_ && started_) transport_->Shutdown();
}

std::shared_ptr<Memberlist> Memberlist::Create(asio::io_context& io, Config cfg, Delegate* delegate,
                                               std::weak_ptr<void> delegate_owner) {
  if (cfg.name.empty()) throw std::runtime_error("memberlist: node name is required");
  if (cfg.label.size() > 255) throw std::runtime_error("label is too long");
  std::shared_ptr<Memberlist> m(new Memberlist(io, std::move(cfg), delegate));
  m->has_delegate_owner_ = !delegate_owner.expired();
  m->delegate_owner_ = std::move(delegate_owner);
  m->Bind();
  return m;
}

void Memberlist::Bind() {
  boost::system::error_code ec;
  auto bind_ip = asio::ip::make_address(cfg_.bind_addr.empty() ? "0.0.0.0" : cfg_.bind_addr, ec);
  if (ec) throw std::runtime_error("invalid bind address '" + cfg_.bind_addr + "'");

  if (cfg_.tls) {
    transport_ =
        TlsTransport::Create(io_, strand_, cfg_.bind_addr.empty() ? "0.0.0.0" : cfg_.bind_addr,
                             cfg_.bind_port, *cfg_.tls, cfg_.tcp_timeout);
  } else {
    transport_ = NetTransport::Create(io_, strand_, cfg_.bind_addr, cfg_.bind_port);
  }
  bound_port_ = transport_->BoundPort();

  if (!cfg_.advertise_addr.empty()) {
    advertise_ip_ = asio::ip::make_address(cfg_.advertise_addr, ec);
    if (ec)
      throw std::runtime_error("failed to parse advertise address '" + cfg_.advertise_addr + "'");
  } else {
    advertise_ip_ = bind_ip;
  }
  if (advertise_ip_.is_unspecified()) {
    throw std::runtime_error("no advertise address: bind address is " + bind_ip.to_string());
  }
  advertise_port_ = cfg_.advertise_port != 0 ? cfg_.advertise_port : bound_port_;
  transport_->SetAdvertiseAddress(JoinHostPort(advertise_ip_, advertise_port_));
}

void Memberlist::Start() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->started_ || self->shutdown_) return;
    self->started_ = true;
    self->SetAlive();
    std::weak_ptr<Memberlist> weak = self;
    self->transport_->Start(
        [weak](std::string_view packet, const udp::endpoint& from, Clock::time_point at) {
          auto m = weak.lock();
          if (m && !m->shutdown_) m->IngestPacket(packet, from, at);
        },
        [weak](std::shared_ptr<StreamConn> conn) {
          if (auto m = weak.lock()) {
            m->OnInboundStream(std::move(conn));
          } else {
            conn->Close();
          }
        });
    self->Schedule();
  });
}

void Memberlist::SetAlive() {
  GoBytes meta = std::string();
  if (auto d = Del()) {
    meta = d->NodeMeta(kMetaMaxSize);
    if (meta && meta->size() > kMetaMaxSize) meta->resize(kMetaMaxSize);
  }
  Alive a;
  a.incarnation = NextIncarnation();
  a.node = cfg_.name;
  a.addr = IpToBytes(advertise_ip_);
  a.port = advertise_port_;
  a.meta = meta;
  a.vsn.assign(cfg_.vsn.begin(), cfg_.vsn.end());
  AliveNode(a, /*bootstrap=*/true);
}

void Memberlist::Schedule() {
  auto stagger = [this](nanoseconds d) -> Clock::duration {
    if (d.count() <= 0) return Clock::duration::zero();
    return nanoseconds(std::uniform_int_distribution<int64_t>(0, d.count() - 1)(rng_));
  };
  if (cfg_.probe_interval.count() > 0) ScheduleProbe(stagger(cfg_.probe_interval));
  if (cfg_.gossip_interval.count() > 0 && cfg_.gossip_nodes > 0) {
    ScheduleGossip(stagger(cfg_.gossip_interval));
  }
  if (cfg_.pushpull_interval.count() > 0) SchedulePushPull(stagger(cfg_.pushpull_interval));
}

void Memberlist::ScheduleProbe(Clock::duration after) {
  probe_timer_.expires_after(after);
  probe_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->shutdown_) return;
    // Like Go's ticker, a tick that finds the previous probe still running is dropped.
    if (!self->probing_) self->Probe();
    self->ScheduleProbe(self->cfg_.probe_interval);
  });
}

void Memberlist::ScheduleGossip(Clock::duration after) {
  gossip_timer_.expires_after(after);
  gossip_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->shutdown_) return;
    self->Gossip();
    self->ScheduleGossip(self->cfg_.gossip_interval);
  });
}

void Memberlist::SchedulePushPull(Clock::duration after) {
  pushpull_timer_.expires_after(after);
  pushpull_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->shutdown_) return;
    self->PeriodicPushPull();
    self->SchedulePushPull(PushPullScale(self->cfg_.pushpull_interval, self->EstNumNodes()));
  });
}

void Memberlist::Shutdown() {
  if (shutdown_.exchange(true)) return;
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->transport_->Shutdown();
    self->probe_timer_.cancel();
    self->gossip_timer_.cancel();
    self->pushpull_timer_.cancel();
    for (auto& [seq, h] : self->ack_handlers_) {
      if (h.timer) h.timer->cancel();
    }
    self->ack_handlers_.clear();
    for (auto& [name, t] : self->node_timers_) {
      if (t.timer) t.timer->cancel();
    }
    self->node_timers_.clear();
    self->leave_notify_ = nullptr;
    // From here on no handler may reach the delegate.
    self->delegate_ = nullptr;
  });
}

// ---------------------------------------------------------------------------------------------
// Members snapshot (readable from any thread)

void Memberlist::RefreshMembers() {
  if (auto self = node_map_.find(cfg_.name); self != node_map_.end()) {
    local_incarnation_.store(self->second->incarnation);
  }
  std::vector<Node> m;
  m.reserve(nodes_.size());
  for (const auto& n : nodes_) {
    if (!n->DeadOrLeft()) m.push_back(n->node);
  }
  num_nodes_.store(static_cast<int>(nodes_.size()));
  num_members_.store(static_cast<int>(m.size()));
  std::lock_guard<std::mutex> lock(members_mu_);
  members_ = std::move(m);
}

std::vector<Node> Memberlist::Members() const {
  std::lock_guard<std::mutex> lock(members_mu_);
  return members_;
}

int Memberlist::NumMembers() const { return num_members_.load(); }

Memberlist::DelegateRef Memberlist::Del() const {
  DelegateRef r;
  if (!delegate_) return r;
  if (has_delegate_owner_) {
    r.owner = delegate_owner_.lock();
    if (!r.owner) return r;
  }
  r.d = delegate_;
  return r;
}

bool Memberlist::AnyAlive() const {
  for (const auto& n : nodes_) {
    if (!n->DeadOrLeft() && n->node.name != cfg_.name) return true;
  }
  return false;
}

StreamLimits Memberlist::Limits() const {
  StreamLimits l;
  l.max_user_state_bytes = cfg_.max_user_state_bytes;
  l.max_compressed_bytes = cfg_.max_user_state_bytes;
  l.max_decompressed_bytes = cfg_.max_decompressed_bytes;
  l.max_nodes = cfg_.max_push_nodes;
  return l;
}

// ---------------------------------------------------------------------------------------------
// Packets: receive and dispatch

void Memberlist::InjectPacket(std::string packet, udp::endpoint from) {
  asio::post(strand_, [self = shared_from_this(), packet = std::move(packet), from] {
    if (self->shutdown_) return;
    self->IngestPacket(packet, from, Clock::now());
  });
}

void Memberlist::IngestPacket(std::string_view buf, const udp::endpoint& from,
                              Clock::time_point at) {
  stats_.packets_received++;
  std::string label, err;
  if (!StripLabel(&buf, &label, &err)) {
    stats_.packets_dropped++;
    Debug("memberlist: failed to read label from packet: " + err);
    return;
  }
  if (label != cfg_.label) {
    stats_.packets_dropped++;
    Debug("memberlist: discarding packet with unacceptable label \"" + label + "\"");
    return;
  }
  if (buf.size() >= 5 &&
      static_cast<uint8_t>(buf[0]) == static_cast<uint8_t>(MessageType::kHasCrc)) {
    uint32_t expected = (static_cast<uint32_t>(static_cast<uint8_t>(buf[1])) << 24) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(buf[2])) << 16) |
                        (static_cast<uint32_t>(static_cast<uint8_t>(buf[3])) << 8) |
                        static_cast<uint32_t>(static_cast<uint8_t>(buf[4]));
    std::string_view rest = buf.substr(5);
    if (Crc32(rest) != expected) {
      stats_.packets_dropped++;
      Debug("memberlist: Got invalid checksum for UDP packet");
      return;
    }
    buf = rest;
  }
  HandleCommand(buf, from, at, 0);
}

void Memberlist::HandleCommand(std::string_view buf, const udp::endpoint& from,
                               Clock::time_point at, int depth) {
  if (buf.empty()) {
    stats_.packets_dropped++;
    return;
  }
  if (depth > kMaxCommandDepth) {
    stats_.packets_dropped++;
    Debug("memberlist: packet nests wrappers too deeply");
    return;
  }
  auto type = static_cast<MessageType>(static_cast<uint8_t>(buf[0]));
  std::string_view body = buf.substr(1);
  std::string err;
  switch (type) {
    case MessageType::kCompound: {
      std::vector<std::string_view> parts;
      int truncated = 0;
      if (!DecodeCompound(body, &parts, &truncated, &err)) {
        stats_.packets_dropped++;
        Debug("memberlist: Failed to decode compound request: " + err);
        return;
      }
      if (truncated > 0) {
        Debug("memberlist: Compound request had " + std::to_string(truncated) +
              " truncated messages");
      }
      for (auto p : parts) HandleCommand(p, from, at, depth + 1);
      return;
    }
    case MessageType::kCompress: {
      std::string plain;
      if (!DecompressBody(body, kMaxPacketFieldBytes, kMaxPacketDecompressed, &plain, &err)) {
        stats_.packets_dropped++;
        Debug("memberlist: Failed to decompress payload: " + err);
        return;
      }
      HandleCommand(plain, from, at, depth + 1);
      return;
    }
    case MessageType::kPing:
      HandlePing(body, from);
      return;
    case MessageType::kIndirectPing:
      HandleIndirectPing(body, from);
      return;
    case MessageType::kAck:
      HandleAck(body, at);
      return;
    case MessageType::kNack:
      HandleNack(body);
      return;
    case MessageType::kSuspect: {
      Suspect s;
      if (!DecodeBody(body, &s, &err)) {
        stats_.packets_dropped++;
        Debug("memberlist: Failed to decode suspect message: " + err);
        return;
      }
      SuspectNode(s);
      return;
    }
    case MessageType::kAlive: {
      Alive a;
      if (!DecodeBody(body, &a, &err)) {
        stats_.packets_dropped++;
        Debug("memberlist: Failed to decode alive message: " + err);
        return;
      }
      if (a.port == 0) a.port = static_cast<uint16_t>(cfg_.bind_port);
      AliveNode(a, false);
      return;
    }
    case MessageType::kDead: {
      Dead d;
      if (!DecodeBody(body, &d, &err)) {
        stats_.packets_dropped++;
        Debug("memberlist: Failed to decode dead message: " + err);
        return;
      }
      DeadNode(d);
      return;
    }
    case MessageType::kUser:
      if (auto d = Del()) d->NotifyMsg(body);
      return;
    default:
      stats_.packets_dropped++;
      Debug("memberlist: msg type (" + std::to_string(static_cast<int>(type)) + ") not supported");
      return;
  }
}

void Memberlist::HandlePing(std::string_view body, const udp::endpoint& from) {
  Ping p;
  std::string err;
  if (!DecodeBody(body, &p, &err)) {
    stats_.packets_dropped++;
    Debug("memberlist: Failed to decode ping request: " + err);
    return;
  }
  if (!p.node.empty() && p.node != cfg_.name) {
    Debug("memberlist: Got ping for unexpected node '" + p.node + "'");
    return;
  }
  AckResp ack;
  ack.seq_no = p.seq_no;
  if (auto d = Del()) ack.payload = d->AckPayload();
  udp::endpoint to = from;
  if (auto ip = IpFromBytes(p.source_addr); ip && p.source_port > 0) {
    to = udp::endpoint(*ip, p.source_port);
  }
  SendMsg(to, EncodeMessage(MessageType::kAck, ack));
}

void Memberlist::HandleIndirectPing(std::string_view body, const udp::endpoint& from) {
  IndirectPingReq ind;
  std::string err;
  if (!DecodeBody(body, &ind, &err)) {
    stats_.packets_dropped++;
    Debug("memberlist: Failed to decode indirect ping request: " + err);
    return;
  }
  auto target_ip = IpFromBytes(ind.target);
  if (!target_ip) {
    Debug("memberlist: indirect ping without a valid target address");
    return;
  }
  if (ind.port == 0) ind.port = static_cast<uint16_t>(cfg_.bind_port);

  uint32_t local_seq = NextSeq();
  Ping ping;
  ping.seq_no = local_seq;
  ping.node = ind.node;
  ping.source_addr = IpToBytes(advertise_ip_);
  ping.source_port = advertise_port_;
  ping.source_node = cfg_.name;

  udp::endpoint requester = from;
  if (auto ip = IpFromBytes(ind.source_addr); ip && ind.source_port > 0) {
    requester = udp::endpoint(*ip, ind.source_port);
  }

  auto nack_timer = std::make_shared<asio::steady_timer>(strand_);
  AckHandler h;
  uint32_t orig_seq = ind.seq_no;
  // Stored in ack_handlers_ (owned by this), so it captures `this`, not a shared_ptr.
  h.ack = [this, nack_timer, requester, orig_seq](const std::string&, Clock::time_point) {
    nack_timer->cancel();
    AckResp ack;
    ack.seq_no = orig_seq;
    SendMsg(requester, EncodeMessage(MessageType::kAck, ack));
  };
  SetAckHandler(local_seq, std::move(h), cfg_.probe_timeout);
  SendMsg(udp::endpoint(*target_ip, ind.port), EncodeMessage(MessageType::kPing, ping));

  if (ind.nack) {
    nack_timer->expires_after(cfg_.probe_timeout);
    nack_timer->async_wait([this, self = shared_from_this(), requester,
                            orig_seq](const boost::system::error_code& ec) {
      if (ec || shutdown_) return;
      NackResp nack;
      nack.seq_no = orig_seq;
      SendMsg(requester, EncodeMessage(MessageType::kNack, nack));
    });
  }
}

void Memberlist::HandleAck(std::string_view body, Clock::time_point at) {
  AckResp ack;
  std::string err;
  if (!DecodeBody(body, &ack, &err)) {
    stats_.packets_dropped++;
    Debug("memberlist: Failed to decode ack response: " + err);
    return;
  }
  InvokeAck(ack, at);
}

void Memberlist::HandleNack(std::string_view body) {
  NackResp nack;
  std::string err;
  if (!DecodeBody(body, &nack, &err)) {
    stats_.packets_dropped++;
    Debug("memberlist: Failed to decode nack response: " + err);
    return;
  }
  auto it = ack_handlers_.find(nack.seq_no);
  if (it == ack_handlers_.end() || !it->second.nack) return;
  it->second.nack();
}

void Memberlist::SetAckHandler(uint32_t seq, AckHandler h, Clock::duration timeout) {
  h.timer = std::make_shared<asio::steady_timer>(strand_);
  h.timer->expires_after(timeout);
  h.timer->async_wait([self = shared_from_this(), seq](const boost::system::error_code& ec) {
    if (ec) return;
    self->ack_handlers_.erase(seq);
  });
  auto old = ack_handlers_.find(seq);
  if (old != ack_handlers_.end() && old->second.timer) old->second.timer->cancel();
  ack_handlers_[seq] = std::move(h);
}

void Memberlist::InvokeAck(const AckResp& ack, Clock::time_point at) {
  auto it = ack_handlers_.find(ack.seq_no);
  if (it == ack_handlers_.end()) return;
  AckHandler h = std::move(it->second);
  ack_handlers_.erase(it);
  if (h.timer) h.timer->cancel();
  if (h.ack) h.ack(ack.payload.value_or(std::string()), at);
}

// ---------------------------------------------------------------------------------------------
// Packets: send

void Memberlist::SendUdp(const udp::endpoint& to, std::string data) {
  if (shutdown_) return;
  transport_->SendPacket(to, std::move(data));
}

void Memberlist::RawSendMsgPacket(const udp::endpoint& to, const Node* node, std::string msg) {
  if (cfg_.enable_compression) {
    std::string c = CompressMessage(msg);
    if (c.size() < msg.size()) msg = std::move(c);
  }
  // Go only checksums packets sent through a path that knows the recipient's Node record.
  if (node && node->pmax >= 5) msg = AddCrc(msg);
  if (!cfg_.label.empty()) msg = LabelHeader(cfg_.label) + msg;
  SendUdp(to, std::move(msg));
}

void Memberlist::SendMsg(const udp::endpoint& to, std::string msg) {
  int label_overhead = cfg_.label.empty() ? 0 : 2 + static_cast<int>(cfg_.label.size());
  int avail = static_cast<int>(cfg_.udp_buffer_size) - static_cast<int>(msg.size()) -
              kCompoundHeaderOverhead - label_overhead;
  std::vector<std::string> extra = GetBroadcasts(kCompoundOverhead, avail);
  if (extra.empty()) {
    RawSendMsgPacket(to, nullptr, std::move(msg));
    return;
  }
  std::vector<std::string> msgs;
  msgs.reserve(1 + extra.size());
  msgs.push_back(std::move(msg));
  for (auto& e : extra) msgs.push_back(std::move(e));
  // Never more than 255 parts in one compound.
  for (size_t i = 0; i < msgs.size(); i += kMaxCompoundParts) {
    std::vector<std::string> chunk(
        std::make_move_iterator(msgs.begin() + i),
        std::make_move_iterator(msgs.begin() + std::min(msgs.size(), i + kMaxCompoundParts)));
    RawSendMsgPacket(to, nullptr, chunk.size() == 1 ? chunk[0] : MakeCompound(chunk));
  }
}

std::vector<std::string> Memberlist::GetBroadcasts(int overhead, int limit) {
  std::vector<std::string> out = broadcasts_.GetBroadcasts(overhead, limit);
  if (auto d = Del()) {
    int used = 0;
    for (const auto& m : out) used += static_cast<int>(m.size()) + overhead;
    int avail = limit - used;
    if (avail > overhead + kUserMsgOverhead) {
      for (auto& m : d->GetBroadcasts(overhead + kUserMsgOverhead, avail)) {
        if (m.empty()) continue;  // an empty part would crash memberlist 0.2.2
        std::string framed(1, static_cast<char>(MessageType::kUser));
        framed += m;
        out.push_back(std::move(framed));
      }
    }
  }
  return out;
}

void Memberlist::EncodeAndBroadcast(const std::string& node, std::string msg,
                                    std::function<void()> finished) {
  broadcasts_.Queue(std::move(msg), node, std::move(finished));
}

void Memberlist::SendBestEffort(const Node& to, std::string payload) {
  asio::post(strand_, [self = shared_from_this(), to, payload = std::move(payload)] {
    auto ip = IpFromBytes(to.addr);
    if (!ip || self->shutdown_) return;
    std::string msg(1, static_cast<char>(MessageType::kUser));
    msg += payload;
    self->RawSendMsgPacket(udp::endpoint(*ip, to.port), &to, std::move(msg));
  });
}

void Memberlist::GossipNow() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->gossip_now_pending_ || self->shutdown_ || !self->started_) return;
    self->gossip_now_pending_ = true;
    asio::post(self->strand_, [self] {
      self->gossip_now_pending_ = false;
      if (!self->shutdown_) self->Gossip();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Random node selection, gossip, probe

std::vector<std::shared_ptr<Memberlist::NodeState>> Memberlist::RandomNodes(
    size_t k, const std::function<bool(const NodeState&)>& exclude) {
  std::vector<std::shared_ptr<NodeState>> candidates;
  for (const auto& n : nodes_) {
    if (!exclude(*n)) candidates.push_back(n);
  }
  std::shuffle(candidates.begin(), candidates.end(), rng_);
  if (candidates.size() > k) candidates.resize(k);
  return candidates;
}

void Memberlist::Gossip() {
  auto now = Clock::now();
  auto targets = RandomNodes(static_cast<size_t>(cfg_.gossip_nodes), [&](const NodeState& n) {
    if (n.node.name == cfg_.name) return true;
    switch (n.node.state) {
      case kStateAlive:
      case kStateSuspect:
        return false;
      case kStateDead:
        return now - n.state_change > cfg_.gossip_to_the_dead_time;
      default:
        return true;
    }
  });
  int label_overhead = cfg_.label.empty() ? 0 : 2 + static_cast<int>(cfg_.label.size());
  int avail = static_cast<int>(cfg_.udp_buffer_size) - kCompoundHeaderOverhead - label_overhead;
  for (const auto& t : targets) {
    std::vector<std::string> msgs = GetBroadcasts(kCompoundOverhead, avail);
    if (msgs.empty()) return;
    auto ip = IpFromBytes(t->node.addr);
    if (!ip) continue;
    udp::endpoint to(*ip, t->node.port);
    if (msgs.size() == 1) {
      RawSendMsgPacket(to, &t->node, std::move(msgs[0]));
      continue;
    }
    for (size_t i = 0; i < msgs.size(); i += kMaxCompoundParts) {
      std::vector<std::string> chunk(
          std::make_move_iterator(msgs.begin() + i),
          std::make_move_iterator(msgs.begin() + std::min(msgs.size(), i + kMaxCompoundParts)));
      RawSendMsgPacket(to, &t->node, chunk.size() == 1 ? chunk[0] : MakeCompound(chunk));
    }
  }
}

void Memberlist::ResetNodes() {
  auto now = Clock::now();
  std::vector<std::shared_ptr<NodeState>> keep;
  keep.reserve(nodes_.size());
  for (auto& n : nodes_) {
    if (n->DeadOrLeft() && n->node.name != cfg_.name &&
        now - n->state_change > cfg_.gossip_to_the_dead_time) {
      node_map_.erase(n->node.name);
      continue;
    }
    keep.push_back(n);
  }
  nodes_ = std::move(keep);
  std::shuffle(nodes_.begin(), nodes_.end(), rng_);
  RefreshMembers();
}

void Memberlist::Probe() {
  size_t num_check = 0;
  for (;;) {
    if (num_check >= nodes_.size()) return;
    if (probe_index_ >= nodes_.size()) {
      ResetNodes();
      probe_index_ = 0;
      ++num_check;
      continue;
    }
    std::shared_ptr<NodeState> n = nodes_[probe_index_];
    ++probe_index_;
    if (n->node.name == cfg_.name || n->DeadOrLeft()) {
      ++num_check;
      continue;
    }
    ProbeNode(*n);
    return;
  }
}

void Memberlist::ProbeNode(const NodeState& target) {
  auto ip = IpFromBytes(target.node.addr);
  if (!ip) return;
  probing_ = true;
  auto run = std::make_shared<ProbeRun>(strand_);
  run->node = target.node;
  run->incarnation = target.incarnation;
  run->seq = NextSeq();
  nanoseconds probe_interval = awareness_.ScaleTimeout(cfg_.probe_interval);
  udp::endpoint to(*ip, target.node.port);

  Ping ping;
  ping.seq_no = run->seq;
  ping.node = target.node.name;
  ping.source_addr = IpToBytes(advertise_ip_);
  ping.source_port = advertise_port_;
  ping.source_node = cfg_.name;

  AckHandler h;
  h.ack = [this, run](const std::string& payload, Clock::time_point at) {
    if (run->finished) return;
    run->acked = true;
    auto d = Del();
    if (!run->indirect_started && d) {
      d->NotifyPingComplete(run->node, at - run->sent, payload);
    }
    FinishProbe(run);
  };
  h.nack = [run] { run->nacks++; };
  SetAckHandler(run->seq, std::move(h), probe_interval);

  run->sent = Clock::now();
  run->deadline = run->sent + probe_interval;
  if (target.node.state == kStateAlive) {
    SendMsg(to, EncodeMessage(MessageType::kPing, ping));
  } else {
    // Tell a suspected node it is suspected so it can refute at once.
    Suspect s;
    s.incarnation = target.incarnation;
    s.node = target.node.name;
    s.from = cfg_.name;
    std::vector<std::string> msgs{EncodeMessage(MessageType::kPing, ping),
                                  EncodeMessage(MessageType::kSuspect, s)};
    RawSendMsgPacket(to, &target.node, MakeCompound(msgs));
  }

  run->timer.expires_after(cfg_.probe_timeout);
  run->timer.async_wait([this, self = shared_from_this(), run,
                         ping](const boost::system::error_code& ec) {
    if (ec || shutdown_ || run->finished) return;
    Debug("memberlist: Failed ping: " + run->node.name + " (timeout reached)");
    run->indirect_started = true;
    auto peers = RandomNodes(static_cast<size_t>(cfg_.indirect_checks), [&](const NodeState& n) {
      return n.node.name == cfg_.name || n.node.name == run->node.name ||
             n.node.state != kStateAlive;
    });
    IndirectPingReq ind;
    ind.seq_no = run->seq;
    ind.target = run->node.addr;
    ind.port = run->node.port;
    ind.node = run->node.name;
    ind.source_addr = IpToBytes(advertise_ip_);
    ind.source_port = advertise_port_;
    ind.source_node = cfg_.name;
    for (const auto& p : peers) {
      auto pip = IpFromBytes(p->node.addr);
      if (!pip) continue;
      ind.nack = p->node.pmax >= 4;
      if (ind.nack) run->expected_nacks++;
      SendMsg(udp::endpoint(*pip, p->node.port), EncodeMessage(MessageType::kIndirectPing, ind));
    }
    if (run->node.pmax >= 3) {
      run->tcp_pending = true;
      TcpPing(run->node, ping, run->deadline, [this, run](bool ok) {
        run->tcp_pending = false;
        run->tcp_ok = ok;
      });
    }
    run->timer.expires_at(run->deadline);
    run->timer.async_wait([this, self, run](const boost::system::error_code& ec2) {
      if (ec2 || shutdown_ || run->finished) return;
      FinishProbe(run);
    });
  });
}

void Memberlist::FinishProbe(const std::shared_ptr<ProbeRun>& run) {
  if (run->finished) return;
  run->finished = true;
  run->timer.cancel();
  probing_ = false;
  if (run->acked) {
    awareness_.ApplyDelta(-1);
    return;
  }
  if (run->tcp_ok) {
    awareness_.ApplyDelta(-1);
    AM_LOG(kDebug, "cluster",
           "memberlist: Was able to connect to " + run->node.name +
               " but other probes failed, network may be misconfigured");
    return;
  }
  int delta = 0;
  if (run->expected_nacks > 0) {
    if (run->nacks < run->expected_nacks) delta += run->expected_nacks - run->nacks;
  } else {
    delta += 1;
  }
  awareness_.ApplyDelta(delta);
  Debug("memberlist: Suspect " + run->node.name + " has failed, no acks received");
  Suspect s;
  s.incarnation = run->incarnation;
  s.node = run->node.name;
  s.from = cfg_.name;
  SuspectNode(s);
}

// ---------------------------------------------------------------------------------------------
// TCP: accept, handle, dial

std::string Memberlist::PrepareStream(std::string msg) const {
  if (cfg_.enable_compression) msg = CompressMessage(msg);
  return msg;
}

void Memberlist::OnInboundStream(std::shared_ptr<StreamConn> conn) {
  if (shutdown_) {
    conn->Close();
    return;
  }
  if (inbound_streams_.load() >= cfg_.max_concurrent_pushpull) {
    stats_.streams_rejected++;
    Debug("memberlist: too many inbound streams, closing one");
    conn->Close();
    return;
  }
  auto self = shared_from_this();
  stats_.streams_received++;
  inbound_streams_++;
  // Counts the connection until the reading side is done with it.
  std::shared_ptr<void> reading(nullptr, [self](void*) { self->inbound_streams_--; });
  conn->SetDeadline(cfg_.tcp_timeout);
  conn->Read(
      Limits(), /*strip_label=*/true,
      [self, conn, reading](const std::string& err, StreamMessage msg, const std::string& label) {
        if (!err.empty()) {
          self->stats_.streams_rejected++;
          if (err != "EOF") {
            Debug("memberlist: failed to receive: " + err + " from=" + conn->RemoteAddress());
            ErrResp resp;
            resp.error = err;
            std::string out = self->PrepareStream(EncodeMessage(MessageType::kErr, resp));
            conn->Write(std::move(out),
                        [conn](const boost::system::error_code&) { conn->Close(); });
          } else {
            conn->Close();
          }
          return;
        }
        if (label != self->cfg_.label) {
          self->stats_.streams_rejected++;
          Debug("memberlist: discarding stream with unacceptable label \"" + label + "\"");
          conn->Close();
          return;
        }
        asio::post(self->strand_, [self, conn, msg = std::move(msg)]() mutable {
          if (self->shutdown_) {
            conn->Close();
            return;
          }
          self->HandleStream(conn, std::move(msg));
        });
      });
}

void Memberlist::HandleStream(std::shared_ptr<StreamConn> conn, StreamMessage msg) {
  switch (msg.type) {
    case MessageType::kUser:
      if (auto d = Del(); d && !msg.user_msg.empty()) d->NotifyMsg(msg.user_msg);
      conn->Close();
      return;
    case MessageType::kPushPull: {
      if (inbound_pushpulls_ + 1 >= cfg_.max_concurrent_pushpull) {
        Debug("memberlist: Too many pending push/pull requests");
        conn->Close();
        return;
      }
      ++inbound_pushpulls_;
      // Reply first, then merge: the reply to a join does not list the joiner (as Go).
      std::string reply = PrepareStream(LocalStateMessage(msg.header.join));
      conn->Write(std::move(reply),
                  [self = shared_from_this(), conn](const boost::system::error_code& ec) {
                    if (ec) Debug("memberlist: Failed to push local state: " + ec.message());
                    conn->Close();
                    asio::post(self->strand_, [self] { --self->inbound_pushpulls_; });
                  });
      std::string err = MergeRemoteState(msg.header.join, msg.nodes, msg.user_state);
      if (!err.empty()) Debug("memberlist: Failed push/pull merge: " + err);
      return;
    }
    case MessageType::kPing: {
      if (!msg.ping.node.empty() && msg.ping.node != cfg_.name) {
        Debug("memberlist: Got ping for unexpected node " + msg.ping.node);
        conn->Close();
        return;
      }
      AckResp ack;
      ack.seq_no = msg.ping.seq_no;
      conn->Write(PrepareStream(EncodeMessage(MessageType::kAck, ack)),
                  [conn](const boost::system::error_code&) { conn->Close(); });
      return;
    }
    default:
      Debug("memberlist: Received invalid msgType (" + std::to_string(static_cast<int>(msg.type)) +
            ")");
      conn->Close();
      return;
  }
}

std::string Memberlist::LocalStateMessage(bool join) {
  std::vector<PushNodeState> nodes;
  nodes.reserve(nodes_.size());
  for (const auto& n : nodes_) {
    PushNodeState p;
    p.name = n->node.name;
    p.addr = n->node.addr;
    p.port = n->node.port;
    p.meta = n->node.meta;
    p.incarnation = n->incarnation;
    p.state = n->node.state;
    p.vsn = n->node.Vsn();
    nodes.push_back(std::move(p));
  }
  std::string user;
  if (auto d = Del()) user = d->LocalState(join);
  return EncodePushPull(join, nodes, user);
}

void Memberlist::PushPull(tcp::endpoint to, bool join, DoneFn done) {
  asio::dispatch(strand_, [self = shared_from_this(), to, join, done = std::move(done)]() mutable {
    if (self->shutdown_) {
      done("memberlist is shut down");
      return;
    }
    auto conn = self->transport_->NewStream();
    std::string addr = JoinHostPort(to.address(), to.port());
    auto fail = [self, done](const std::string& err) {
      asio::post(self->strand_, [done, err] { done(err); });
    };
    conn->SetDeadline(self->cfg_.tcp_timeout);
    conn->Connect(to, [self, conn, join, addr, fail, done](const boost::system::error_code& ec) {
      if (ec) {
        conn->Close();
        fail(DialError(addr, ec));
        return;
      }
      conn->SetDeadline(self->cfg_.tcp_timeout);
      asio::post(self->strand_, [self, conn, join, addr, fail, done] {
        if (self->shutdown_) {
          conn->Close();
          fail("memberlist is shut down");
          return;
        }
        std::string out = self->PrepareStream(self->LocalStateMessage(join));
        if (!self->cfg_.label.empty()) out = LabelHeader(self->cfg_.label) + out;
        conn->Write(std::move(out), [self, conn, addr, fail,
                                     done](const boost::system::error_code& wec) {
          if (wec) {
            conn->Close();
            fail("write tcp " + addr + ": " + wec.message());
            return;
          }
          conn->Read(self->Limits(), /*strip_label=*/false,
                     [self, conn, addr, fail, done](const std::string& err, StreamMessage msg,
                                                    const std::string&) {
                       conn->Close();
                       if (!err.empty()) {
                         fail("read tcp " + addr + ": " + err);
                         return;
                       }
                       if (msg.type == MessageType::kErr) {
                         fail("remote error: " + msg.err.error);
                         return;
                       }
                       if (msg.type != MessageType::kPushPull) {
                         fail("received invalid msgType (" +
                              std::to_string(static_cast<int>(msg.type)) +
                              "), expected pushPullMsg (6)");
                         return;
                       }
                       asio::post(self->strand_, [self, msg = std::move(msg), done] {
                         if (self->shutdown_) {
                           done("memberlist is shut down");
                           return;
                         }
                         done(self->MergeRemoteState(msg.header.join, msg.nodes, msg.user_state));
                       });
                     });
        });
      });
    });
  });
}

void Memberlist::SendReliable(const Node& to, std::string payload, DoneFn done) {
  asio::dispatch(strand_, [self = shared_from_this(), to, payload = std::move(payload),
                           done = std::move(done)]() mutable {
    auto ip = IpFromBytes(to.addr);
    if (!ip || self->shutdown_) {
      done(self->shutdown_ ? "memberlist is shut down" : "node has no address");
      return;
    }
    std::string out = self->PrepareStream(EncodeUserStream(payload));
    if (!self->cfg_.label.empty()) out = LabelHeader(self->cfg_.label) + out;
    auto conn = self->transport_->NewStream();
    std::string addr = to.Address();
    conn->SetDeadline(self->cfg_.tcp_timeout);
    auto finish = [self, done](const std::string& err) {
      asio::post(self->strand_, [done, err] { done(err); });
    };
    conn->Connect(tcp::endpoint(*ip, to.port), [conn, out = std::move(out), addr, finish](
                                                   const boost::system::error_code& ec) mutable {
      if (ec) {
        conn->Close();
        finish(DialError(addr, ec));
        return;
      }
      conn->Write(std::move(out), [conn, addr, finish](const boost::system::error_code& wec) {
        conn->Close();
        finish(wec ? "write tcp " + addr + ": " + wec.message() : std::string());
      });
    });
  });
}

void Memberlist::TcpPing(const Node& node, const Ping& ping, Clock::time_point deadline,
                         std::function<void(bool)> done) {
  auto ip = IpFromBytes(node.addr);
  if (!ip) {
    done(false);
    return;
  }
  auto conn = transport_->NewStream();
  auto remaining = deadline - Clock::now();
  if (remaining <= Clock::duration::zero()) {
    done(false);
    return;
  }
  conn->SetDeadline(remaining);
  std::string out = PrepareStream(EncodeMessage(MessageType::kPing, ping));
  if (!cfg_.label.empty()) out = LabelHeader(cfg_.label) + out;
  auto finish = [self = shared_from_this(), done](bool ok) {
    asio::post(self->strand_, [done, ok] { done(ok); });
  };
  uint32_t seq = ping.seq_no;
  StreamLimits limits = Limits();
  conn->Connect(tcp::endpoint(*ip, node.port), [conn, out = std::move(out), finish, seq, limits](
                                                   const boost::system::error_code& ec) mutable {
    if (ec) {
      conn->Close();
      finish(false);
      return;
    }
    conn->Write(std::move(out), [conn, finish, seq, limits](const boost::system::error_code& wec) {
      if (wec) {
        conn->Close();
        finish(false);
        return;
      }
      conn->Read(
          limits, false,
          [conn, finish, seq](const std::string& err, StreamMessage msg, const std::string&) {
            conn->Close();
            finish(err.empty() && msg.type == MessageType::kAck && msg.ack.seq_no == seq);
          });
    });
  });
}

void Memberlist::PeriodicPushPull() {
  auto nodes = RandomNodes(1, [&](const NodeState& n) {
    return n.node.name == cfg_.name || n.node.state != kStateAlive;
  });
  if (nodes.empty()) return;
  auto ip = IpFromBytes(nodes[0]->node.addr);
  if (!ip) return;
  std::string name = nodes[0]->node.name;
  PushPull(tcp::endpoint(*ip, nodes[0]->node.port), false, [name](const std::string& err) {
    if (!err.empty()) Debug("memberlist: Push/Pull with " + name + " failed: " + err);
  });
}

// ---------------------------------------------------------------------------------------------
// State machine: alive, suspect, dead, refute, push/pull merge

void Memberlist::Refute(NodeState& me, uint32_t accused_inc) {
  uint32_t inc = NextIncarnation();
  if (accused_inc >= inc) {
    incarnation_ += accused_inc - inc + 1;
    inc = incarnation_;
  }
  me.incarnation = inc;
  local_incarnation_.store(inc);
  awareness_.ApplyDelta(1);
  Alive a;
  a.incarnation = inc;
  a.node = me.node.name;
  a.addr = me.node.addr;
  a.port = me.node.port;
  a.meta = me.node.meta;
  a.vsn = me.node.Vsn();
  EncodeAndBroadcast(me.node.name, EncodeMessage(MessageType::kAlive, a));
}

void Memberlist::AliveNode(const Alive& a, bool bootstrap, std::function<void()> notify) {
  bool is_local = a.node == cfg_.name;
  if (left_ && is_local) return;
  if (a.vsn.size() >= 3) {
    uint8_t pmin = static_cast<uint8_t>(a.vsn[0]);
    uint8_t pmax = static_cast<uint8_t>(a.vsn[1]);
    if (pmin == 0 || pmax == 0 || pmin > pmax) {
      Debug("memberlist: Ignoring an alive message for '" + a.node +
            "' because protocol version(s) are wrong");
      return;
    }
  }
  // Alertmanager installs an alive delegate, so short version vectors are ignored.
  if (a.vsn.size() < 6) {
    Debug("memberlist: ignoring alive message for '" + a.node + "' because Vsn is not present");
    return;
  }
  Node incoming;
  incoming.name = a.node;
  incoming.addr = a.addr;
  incoming.port = a.port;
  incoming.meta = a.meta;
  incoming.pmin = static_cast<uint8_t>(a.vsn[0]);
  incoming.pmax = static_cast<uint8_t>(a.vsn[1]);
  incoming.pcur = static_cast<uint8_t>(a.vsn[2]);
  incoming.dmin = static_cast<uint8_t>(a.vsn[3]);
  incoming.dmax = static_cast<uint8_t>(a.vsn[4]);
  incoming.dcur = static_cast<uint8_t>(a.vsn[5]);
  if (!IpFromBytes(a.addr)) {
    Debug("memberlist: ignoring alive message for '" + a.node + "' without a valid address");
    return;
  }
  if (auto d = Del(); d && !d->NotifyAlive(incoming)) return;

  auto it = node_map_.find(a.node);
  std::shared_ptr<NodeState> state;
  bool updates_node = false;
  if (it == node_map_.end()) {
    state = std::make_shared<NodeState>();
    state->node = incoming;
    state->node.state = kStateDead;
    state->incarnation = 0;
    node_map_[a.node] = state;
    // Insert at a random position so failure detection is not always last for newcomers.
    size_t n = nodes_.size();
    size_t offset = n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
    nodes_.push_back(state);
    std::swap(nodes_[offset], nodes_[n]);
    num_nodes_.store(static_cast<int>(nodes_.size()));
  } else {
    state = it->second;
    if (state->node.addr != a.addr || state->node.port != a.port) {
      // DeadNodeReclaimTime is 0 in Alertmanager: only a left node may change address.
      if (state->node.state == kStateLeft) {
        Debug("memberlist: Updating address for left or failed node " + state->node.name);
        updates_node = true;
      } else {
        Debug("memberlist: Conflicting address for " + state->node.name +
              ". Mine: " + state->node.Address() + " Theirs: " + incoming.Address());
        if (auto d = Del()) d->NotifyConflict(state->node, incoming);
        return;
      }
    }
  }

  if (a.incarnation <= state->incarnation && !is_local && !updates_node) return;
  if (a.incarnation < state->incarnation && is_local) return;

  if (auto t = node_timers_.find(a.node); t != node_timers_.end()) {
    if (t->second.timer) t->second.timer->cancel();
    node_timers_.erase(t);
  }

  NodeStateType old_state = state->node.state;
  GoBytes old_meta = state->node.meta;

  if (!bootstrap && is_local) {
    if (a.incarnation == state->incarnation &&
        a.meta.value_or("") == state->node.meta.value_or("") && a.vsn == state->node.Vsn()) {
      return;
    }
    Refute(*state, a.incarnation);
    AM_LOG(kDebug, "cluster", "memberlist: Refuting an alive message for '" + a.node + "'");
  } else {
    EncodeAndBroadcast(a.node, EncodeMessage(MessageType::kAlive, a), std::move(notify));
    state->node.pmin = incoming.pmin;
    state->node.pmax = incoming.pmax;
    state->node.pcur = incoming.pcur;
    state->node.dmin = incoming.dmin;
    state->node.dmax = incoming.dmax;
    state->node.dcur = incoming.dcur;
    state->incarnation = a.incarnation;
    state->node.meta = a.meta;
    state->node.addr = a.addr;
    state->node.port = a.port;
    if (state->node.state != kStateAlive) {
      state->node.state = kStateAlive;
      state->state_change = Clock::now();
    }
  }
  RefreshMembers();

  if (auto d = Del()) {
    if (old_state == kStateDead || old_state == kStateLeft) {
      d->NotifyJoin(state->node);
    } else if (old_meta.value_or("") != state->node.meta.value_or("")) {
      d->NotifyUpdate(state->node);
    }
  }
}

void Memberlist::SuspectNode(const Suspect& s) {
  auto it = node_map_.find(s.node);
  if (it == node_map_.end()) return;
  std::shared_ptr<NodeState> state = it->second;
  if (s.incarnation < state->incarnation) return;

  if (auto t = node_timers_.find(s.node); t != node_timers_.end()) {
    nanoseconds remaining{0};
    if (t->second.s->Confirm(s.from, Clock::now(), &remaining)) {
      EncodeAndBroadcast(s.node, EncodeMessage(MessageType::kSuspect, s));
      t->second.timer->cancel();
      auto timer = std::make_shared<asio::steady_timer>(strand_);
      t->second.timer = timer;
      std::string name = s.node;
      Clock::time_point change = t->second.change_time;
      timer->expires_after(remaining > nanoseconds(0) ? remaining : nanoseconds(0));
      timer->async_wait(
          [this, self = shared_from_this(), name, change](const boost::system::error_code& ec) {
            if (ec || shutdown_) return;
            auto st = node_map_.find(name);
            auto nt = node_timers_.find(name);
            int confirmations = nt != node_timers_.end() ? nt->second.s->confirmations() : 0;
            if (st == node_map_.end() || st->second->node.state != kStateSuspect ||
                st->second->state_change != change) {
              return;
            }
            Debug("memberlist: Marking " + name + " as failed, suspect timeout reached (" +
                  std::to_string(confirmations) + " peer confirmations)");
            Dead d;
            d.incarnation = st->second->incarnation;
            d.node = name;
            d.from = cfg_.name;
            DeadNode(d);
          });
    }
    return;
  }

  if (state->node.state != kStateAlive) return;

  if (state->node.name == cfg_.name) {
    Refute(*state, s.incarnation);
    AM_LOG(kDebug, "cluster", "memberlist: Refuting a suspect message (from: " + s.from + ")");
    return;
  }
  EncodeAndBroadcast(s.node, EncodeMessage(MessageType::kSuspect, s));

  state->incarnation = s.incarnation;
  state->node.state = kStateSuspect;
  Clock::time_point change = Clock::now();
  state->state_change = change;
  RefreshMembers();

  int k = cfg_.suspicion_mult - 2;
  int n = EstNumNodes();
  if (n - 2 < k) k = 0;
  nanoseconds min = SuspicionTimeout(cfg_.suspicion_mult, n, cfg_.probe_interval);
  nanoseconds max = min * cfg_.suspicion_max_timeout_mult;

  SuspicionTimer st;
  st.s = std::make_unique<Suspicion>(s.from, k, min, max, change);
  st.change_time = change;
  st.timer = std::make_shared<asio::steady_timer>(strand_);
  st.timer->expires_after(st.s->InitialTimeout());
  std::string name = s.node;
  st.timer->async_wait(
      [this, self = shared_from_this(), name, change](const boost::system::error_code& ec) {
        if (ec || shutdown_) return;
        auto it2 = node_map_.find(name);
        if (it2 == node_map_.end() || it2->second->node.state != kStateSuspect ||
            it2->second->state_change != change) {
          return;
        }
        auto nt = node_timers_.find(name);
        int confirmations = nt != node_timers_.end() ? nt->second.s->confirmations() : 0;
        Debug("memberlist: Marking " + name + " as failed, suspect timeout reached (" +
              std::to_string(confirmations) + " peer confirmations)");
        Dead d;
        d.incarnation = it2->second->incarnation;
        d.node = name;
        d.from = cfg_.name;
        DeadNode(d);
      });
  node_timers_[s.node] = std::move(st);
}

void Memberlist::DeadNode(const Dead& d) {
  auto it = node_map_.find(d.node);
  if (it == node_map_.end()) return;
  std::shared_ptr<NodeState> state = it->second;
  if (d.incarnation < state->incarnation) return;

  if (auto t = node_timers_.find(d.node); t != node_timers_.end()) {
    if (t->second.timer) t->second.timer->cancel();
    node_timers_.erase(t);
  }
  if (state->DeadOrLeft()) return;

  if (state->node.name == cfg_.name) {
    if (!left_) {
      Refute(*state, d.incarnation);
      AM_LOG(kDebug, "cluster", "memberlist: Refuting a dead message (from: " + d.from + ")");
      return;
    }
    EncodeAndBroadcast(d.node, EncodeMessage(MessageType::kDead, d), leave_notify_);
  } else {
    EncodeAndBroadcast(d.node, EncodeMessage(MessageType::kDead, d));
  }

  state->incarnation = d.incarnation;
  state->node.state = d.node == d.from ? kStateLeft : kStateDead;
  state->state_change = Clock::now();
  RefreshMembers();
  if (auto d = Del()) d->NotifyLeave(state->node);
}

std::string Memberlist::VerifyProtocol(const std::vector<PushNodeState>& remote) const {
  uint8_t maxpmin = 0, minpmax = 255, maxdmin = 0, mindmax = 255;
  for (const auto& rn : remote) {
    if (rn.state != kStateAlive || rn.vsn.empty()) continue;
    maxpmin = std::max<uint8_t>(maxpmin, static_cast<uint8_t>(rn.vsn[0]));
    minpmax = std::min<uint8_t>(minpmax, static_cast<uint8_t>(rn.vsn[1]));
    maxdmin = std::max<uint8_t>(maxdmin, static_cast<uint8_t>(rn.vsn[3]));
    mindmax = std::min<uint8_t>(mindmax, static_cast<uint8_t>(rn.vsn[4]));
  }
  for (const auto& n : nodes_) {
    if (n->node.state != kStateAlive) continue;
    maxpmin = std::max(maxpmin, n->node.pmin);
    minpmax = std::min(minpmax, n->node.pmax);
    maxdmin = std::max(maxdmin, n->node.dmin);
    mindmax = std::min(mindmax, n->node.dmax);
  }
  auto check = [&](const std::string& name, uint8_t pcur, uint8_t dcur) -> std::string {
    if (pcur < maxpmin || pcur > minpmax) {
      return "Node '" + name + "' protocol version (" + std::to_string(pcur) +
             ") is incompatible: [" + std::to_string(maxpmin) + ", " + std::to_string(minpmax) +
             "]";
    }
    if (dcur < maxdmin || dcur > mindmax) {
      return "Node '" + name + "' delegate protocol version (" + std::to_string(dcur) +
             ") is incompatible: [" + std::to_string(maxdmin) + ", " + std::to_string(mindmax) +
             "]";
    }
    return "";
  };
  for (const auto& rn : remote) {
    uint8_t pcur = 0, dcur = 0;
    if (!rn.vsn.empty()) {
      pcur = static_cast<uint8_t>(rn.vsn[2]);
      dcur = static_cast<uint8_t>(rn.vsn[5]);
    }
    std::string e = check(rn.name, pcur, dcur);
    if (!e.empty()) return e;
  }
  for (const auto& n : nodes_) {
    std::string e = check(n->node.name, n->node.pcur, n->node.dcur);
    if (!e.empty()) return e;
  }
  return "";
}

void Memberlist::MergeState(const std::vector<PushNodeState>& remote) {
  for (const auto& r : remote) {
    switch (r.state) {
      case kStateAlive: {
        Alive a;
        a.incarnation = r.incarnation;
        a.node = r.name;
        a.addr = r.addr;
        a.port = r.port;
        a.meta = r.meta;
        a.vsn = r.vsn;
        AliveNode(a, false);
        break;
      }
      case kStateLeft: {
        Dead d;
        d.incarnation = r.incarnation;
        d.node = r.name;
        d.from = r.name;
        DeadNode(d);
        break;
      }
      case kStateDead:
      case kStateSuspect: {
        // A remote "dead" only makes us suspect: we confirm failures ourselves.
        Suspect s;
        s.incarnation = r.incarnation;
        s.node = r.name;
        s.from = cfg_.name;
        SuspectNode(s);
        break;
      }
      default:
        break;
    }
  }
}

std::string Memberlist::MergeRemoteState(bool join, const std::vector<PushNodeState>& nodes,
                                         const std::string& user_state) {
  // Every released memberlist reads Vsn[0..5] unchecked here; we refuse short ones instead.
  for (const auto& n : nodes) {
    if (!n.vsn.empty() && n.vsn.size() < 6) {
      return "Node '" + n.name + "' has a malformed version vector";
    }
  }
  std::string err = VerifyProtocol(nodes);
  if (!err.empty()) return err;
  MergeState(nodes);
  if (auto d = Del(); d && !user_state.empty()) d->MergeRemoteState(user_state, join);
  return "";
}

// ---------------------------------------------------------------------------------------------
// Leave

void Memberlist::Leave(nanoseconds timeout, DoneFn done) {
  asio::dispatch(strand_, [self = shared_from_this(), timeout, done = std::move(done)] {
    if (self->shutdown_) {
      done("memberlist is shut down");
      return;
    }
    if (self->left_) {
      done("");
      return;
    }
    self->left_ = true;
    auto it = self->node_map_.find(self->cfg_.name);
    if (it == self->node_map_.end()) {
      done("");
      return;
    }
    // Nothing here holds the memberlist strongly: `once` is stored in leave_notify_ and in the
    // broadcast queue, both owned by the memberlist.
    struct LeaveState {
      bool called = false;
      std::shared_ptr<asio::steady_timer> timer;
      DoneFn done;
    };
    auto st = std::make_shared<LeaveState>();
    st->timer = std::make_shared<asio::steady_timer>(self->strand_);
    st->done = done;
    std::weak_ptr<Memberlist> weak = self;
    auto once = [st, weak](const std::string& err) {
      if (st->called) return;
      st->called = true;
      st->timer->cancel();
      if (auto m = weak.lock()) m->leave_notify_ = nullptr;
      DoneFn d = std::move(st->done);
      st->done = nullptr;
      d(err);
    };
    self->leave_notify_ = [weak, once] {
      if (auto m = weak.lock()) asio::post(m->strand_, [once] { once(""); });
    };
    Dead d;
    d.incarnation = it->second->incarnation;
    d.node = self->cfg_.name;
    d.from = self->cfg_.name;
    self->DeadNode(d);
    if (!self->AnyAlive()) {
      once("");
      return;
    }
    st->timer->expires_after(timeout);
    st->timer->async_wait([once](const boost::system::error_code& ec) {
      if (!ec) once("timeout waiting for leave broadcast");
    });
  });
}

}  // namespace am::cluster::memberlist
