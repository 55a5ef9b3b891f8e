// Config: memberlist's settings, defaulting to DefaultLANConfig() as Alertmanager 0.25 adjusts it
// (PushPullInterval 60 s, UDPBufferSize 1400). The Alertmanager layer fills it from the
// --cluster.* flags.
// Thread-safety: value type.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace am::cluster::memberlist {

struct TlsOptions;

struct Config {
  // Unique node name (Alertmanager: a ULID per start, or --cluster.peer-name).
  std::string name;

  // Where UDP and TCP listen. Port 0 picks a free port (the same for both).
  std::string bind_addr = "0.0.0.0";
  uint16_t bind_port = 7946;
  // What other nodes are told to use. Empty: the bind address, which must then be a specific
  // IP (the Alertmanager layer resolves 0.0.0.0 to a private IP before getting here).
  std::string advertise_addr;
  uint16_t advertise_port = 0;  // 0: the bound port

  // --cluster.tls-config: set, every packet and stream goes over TLS connections on the bind
  // port (Alertmanager's TLS transport, tls_transport.h) and no UDP is used.
  std::shared_ptr<const TlsOptions> tls;

  // --cluster.label: prefixed to every packet and stream; traffic with another label is dropped.
  std::string label;

  std::chrono::nanoseconds gossip_interval = std::chrono::milliseconds(200);
  int gossip_nodes = 3;
  std::chrono::nanoseconds gossip_to_the_dead_time = std::chrono::seconds(30);
  std::chrono::nanoseconds pushpull_interval = std::chrono::seconds(60);
  std::chrono::nanoseconds tcp_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds probe_interval = std::chrono::seconds(1);
  std::chrono::nanoseconds probe_timeout = std::chrono::milliseconds(500);
  int indirect_checks = 3;
  int retransmit_mult = 4;
  int suspicion_mult = 4;
  int suspicion_max_timeout_mult = 6;
  int awareness_max_multiplier = 8;

  // [PMin, PMax, PCur, DMin, DMax, DCur] exactly as Alertmanager 0.25 sends them.
  std::array<uint8_t, 6> vsn = {1, 5, 2, 0, 0, 0};

  size_t udp_buffer_size = 1400;
  bool enable_compression = true;

  // Bounds on what a peer may make us hold (memberlist main's limits).
  size_t max_user_state_bytes = 20 << 20;
  size_t max_decompressed_bytes = 40 << 20;
  int64_t max_push_nodes = 1 << 20;
  int max_concurrent_pushpull = 128;
};

}  // namespace am::cluster::memberlist
