// `alertmanager cluster check`: the mesh health check operators run against every replica of an
// HA set. It asks each replica for GET <url>/api/v2/status (the endpoint upstream 0.25 and this
// daemon share), maps each replica to its peer name (cluster.name), and decides whether the mesh
// is whole: every replica answered, runs a cluster, and lists exactly the same set of peer names,
// a set that contains every replica asked. Anything else is reported as split (replicas disagree
// on membership: each side notifies on its own) and/or missing members (a replica did not
// answer, runs without a cluster, or is absent from the others' lists).
//
// Thread-safety: ParseStatusResponse, EvaluateMesh and PrintClusterReport are pure. Fetching
// uses one libcurl easy handle per request and one thread per replica; libcurl's global init is
// done once (std::call_once). Nothing here keeps state between calls.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace am::api {

struct ClusterPeer {
  std::string name;
  std::string address;  // "ip:port" as the replica reports it
};

// What one replica answered, or why it gave no usable answer.
struct ReplicaReport {
  std::string url;                 // as given on the command line (normalised, no trailing '/')
  std::string error;               // non-empty: no usable answer (transport, HTTP status, body)
  std::string name;                // cluster.name; empty when the cluster is disabled
  std::string status;              // cluster.status: "ready", "settling" or "disabled"
  std::vector<ClusterPeer> peers;  // sorted by name (the replica's own entry included)

  bool Answered() const { return error.empty(); }
  bool Clustered() const { return Answered() && !name.empty() && status != "disabled"; }
  // Index of this replica's own name among its sorted peer names: the notification pipeline
  // waits Position() x --cluster.peer-timeout before sending. -1 when the name is not listed.
  int Position() const;
};

// Builds a report from the body of GET /api/v2/status. Malformed or unexpected bodies set
// `error` (naming the problem) instead of throwing.
ReplicaReport ParseStatusResponse(std::string url, std::string_view body);

// The decision over all replicas asked, in the order they were given.
struct MeshVerdict {
  bool whole = false;
  bool split = false;      // answering replicas disagree on the set of peer names
  bool missing = false;    // a replica did not answer, has no cluster, or is not listed
  bool duplicate = false;  // two URLs answered with the same peer name
  // Replica indices grouped by identical peer-name sets (only replicas that run a cluster).
  std::vector<std::vector<size_t>> views;
  std::vector<std::string> problems;  // one sentence each; replicas named by URL (and name)
  std::vector<std::string> notes;     // facts that do not make the mesh unhealthy

  // "whole", "split", "missing members", "split, missing members", ...
  std::string Summary() const;
};

MeshVerdict EvaluateMesh(const std::vector<ReplicaReport>& replicas);

// Human-readable report: one block per replica (name, status, position, peers), then the verdict.
void PrintClusterReport(std::ostream& out, const std::vector<ReplicaReport>& replicas,
                        const MeshVerdict& verdict);

// GET <url>/api/v2/status with `timeout` for the whole request (connect included). Never throws.
ReplicaReport FetchReplicaStatus(const std::string& url, std::chrono::milliseconds timeout);

// Entry point for `alertmanager cluster ...`: `args` are the words after "cluster", i.e.
// {"check", "--url=http://a:9093", "--url", "http://b:9093", "--timeout=5s"}. Returns the exit
// code: 0 the mesh is whole, 1 it is not (or a replica could not be asked), 2 usage error.
int RunClusterCheckCli(const std::vector<std::string>& args);
int RunClusterCheckCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace am::api
