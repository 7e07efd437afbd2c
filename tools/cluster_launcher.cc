// ringcache-cluster: starts and manages a local cluster of ringcache-server
// processes on consecutive loopback ports — the everyday way to try one.
//
//   ringcache-cluster up      --dir DIR [--nodes 3 --base-port 7001]
//                             [--replicas 3 --write-quorum 2 --read-quorum 2]
//                             [--<server setting> value ...]   (e.g. --maxmemory 64mb)
//   ringcache-cluster status  --dir DIR
//   ringcache-cluster kill    --dir DIR --node I   (SIGKILL, as a crash)
//   ringcache-cluster restart --dir DIR --node I
//   ringcache-cluster down    --dir DIR
//
// Node I (1-based) listens on base-port + I - 1 and keeps its log, pid file and
// data under DIR/node-I. DIR/cluster.conf remembers the layout and the
// cluster's secret: `up` on the dir of a stopped cluster starts that same
// cluster again, and refuses a dir whose cluster is running.
//
// Options are parsed by CLI11 (Debian's libcli11-dev): --help on every
// subcommand, errors that name the option, and server settings passed through.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/sync_client.h"

namespace fs = std::filesystem;

namespace {

struct Layout {
  std::string dir;
  int nodes = 3;
  int base_port = 7001;
  int replicas = 3;
  int write_quorum = 2;
  int read_quorum = 2;
  std::string secret;
  // Other `up` options: ringcache-server settings given to every node.
  std::map<std::string, std::string> server_settings;

  int Port(int node) const { return base_port + node - 1; }
  std::string Id(int node) const { return "127.0.0.1:" + std::to_string(Port(node)); }
  std::string NodeDir(int node) const { return dir + "/node-" + std::to_string(node); }
  std::string PidFile(int node) const { return NodeDir(node) + "/ringcache.pid"; }
  std::string ConfFile() const { return dir + "/cluster.conf"; }
  std::string Members() const {
    std::string members;
    for (int i = 1; i <= nodes; ++i) members += (i > 1 ? "," : "") + Id(i);
    return members;
  }
};

void SaveLayout(const Layout& l) {
  std::ofstream f(l.ConfFile());
  f << "nodes " << l.nodes << "\nbase-port " << l.base_port << "\nreplicas " << l.replicas
    << "\nwrite-quorum " << l.write_quorum << "\nread-quorum " << l.read_quorum << "\nsecret "
    << l.secret << "\n";
  for (const auto& [name, value] : l.server_settings) {
    f << "setting:" << name << " " << value << "\n";
  }
  if (!f) throw std::runtime_error("cannot write " + l.ConfFile());
}

Layout LoadLayout(const std::string& dir) {
  std::ifstream f(dir + "/cluster.conf");
  if (!f) throw std::runtime_error("no cluster in " + dir + " (run 'up' first)");
  Layout l;
  l.dir = dir;
  std::string key;
  std::string value;
  while (f >> key >> value) {
    if (key == "nodes") l.nodes = std::stoi(value);
    if (key == "base-port") l.base_port = std::stoi(value);
    if (key == "replicas") l.replicas = std::stoi(value);
    if (key == "write-quorum") l.write_quorum = std::stoi(value);
    if (key == "read-quorum") l.read_quorum = std::stoi(value);
    if (key == "secret") l.secret = value;
    if (key.rfind("setting:", 0) == 0) l.server_settings[key.substr(8)] = value;
  }
  return l;
}

std::string ServerBinary() {
  if (const char* env = std::getenv("RINGCACHE_SERVER")) return env;
  return (fs::read_symlink("/proc/self/exe").parent_path() / "ringcache-server").string();
}

int ReadPid(const Layout& l, int node) {
  std::ifstream f(l.PidFile(node));
  int pid = 0;
  return f >> pid ? pid : 0;
}

// A process that exited but was not reaped yet (a zombie: in a container
// whose init does not reap, that can last) counts as gone.
bool Alive(int pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

bool AnyAlive(const Layout& l) {
  for (int i = 1; i <= l.nodes; ++i) {
    if (Alive(ReadPid(l, i))) return true;
  }
  return false;
}

// Whether something already listens on (or holds) the port.
bool PortTaken(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  const bool taken = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0;
  close(fd);
  return taken;
}

bool Command(int port, std::initializer_list<std::string_view> args,
             ringcache::client::Reply* reply) {
  ringcache::client::SyncClient client;
  return !client.Connect("127.0.0.1", static_cast<uint16_t>(port),
                         std::chrono::milliseconds(300)) &&
         !client.Command(args, reply) && !reply->is_error();
}

// A node's INFO fields; empty when it does not answer.
std::map<std::string, std::string> NodeInfo(int port) {
  std::map<std::string, std::string> fields;
  ringcache::client::Reply reply;
  if (!Command(port, {"INFO", "everything"}, &reply)) return fields;
  std::istringstream lines(reply.str);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon != std::string::npos && line[0] != '#') {
      fields[line.substr(0, colon)] = line.substr(colon + 1);
    }
  }
  return fields;
}

// Waits until the process `pid` answers on the node's port (not merely
// something else that listens there); throws if it exits first.
void WaitUntilServing(const Layout& l, int node, pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      throw std::runtime_error("node " + std::to_string(node) + " exited at start; see " +
                               l.NodeDir(node) + "/stderr.log and " + l.NodeDir(node) +
                               "/ringcache.log");
    }
    const auto info = NodeInfo(l.Port(node));
    if (!info.empty() && info.count("process_id") != 0 &&
        info.at("process_id") == std::to_string(pid)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  throw std::runtime_error("node " + std::to_string(node) + " did not start answering");
}

void StartNode(const Layout& l, int node) {
  if (PortTaken(l.Port(node))) {
    throw std::runtime_error("port " + std::to_string(l.Port(node)) + " (node " +
                             std::to_string(node) + ") is already in use");
  }
  fs::create_directories(l.NodeDir(node));
  std::vector<std::string> args = {ServerBinary(),
                                   "--port",
                                   std::to_string(l.Port(node)),
                                   "--dir",
                                   l.NodeDir(node),
                                   "--logfile",
                                   l.NodeDir(node) + "/ringcache.log",
                                   "--pidfile",
                                   l.PidFile(node),
                                   "--cluster-seeds",
                                   l.Members(),
                                   "--cluster-secret",
                                   l.secret,
                                   "--replicas",
                                   std::to_string(l.replicas),
                                   "--write-quorum",
                                   std::to_string(l.write_quorum),
                                   "--read-quorum",
                                   std::to_string(l.read_quorum)};
  for (const auto& [name, value] : l.server_settings) {
    args.push_back("--" + name);
    args.push_back(value);
  }
  const std::string stderr_path = l.NodeDir(node) + "/stderr.log";
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();  // outlive the launcher, away from its terminal
    // What a node says before its log is open (a refused setting) goes here.
    const int null_fd = open("/dev/null", O_RDWR);
    const int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null_fd, 0);
    dup2(err_fd >= 0 ? err_fd : null_fd, 1);
    dup2(err_fd >= 0 ? err_fd : null_fd, 2);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  WaitUntilServing(l, node, pid);
}

// Waits until the node has learnt every member by gossip, so that a client
// talking to it right after `up` or `restart` sees the whole ring.
void WaitForMembers(const Layout& l, int node) {
  for (int i = 0; i < 200; ++i) {
    ringcache::client::Reply reply;
    if (Command(l.Port(node), {"RING", "NODES"}, &reply) &&
        reply.elements.size() == static_cast<size_t>(l.nodes)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "node %d has not learnt every member yet\n", node);
}

void StopNode(const Layout& l, int node, int sig) {
  const int pid = ReadPid(l, node);
  if (!Alive(pid)) return;
  kill(pid, sig);
  for (int i = 0; i < 200 && Alive(pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

std::string FieldOr(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? "-" : it->second;
}

// The keys this node stores (its replicas), from "db0:keys=K,expires=...".
std::string StoredKeys(const std::map<std::string, std::string>& fields) {
  if (fields.empty()) return "-";
  const std::string db0 = FieldOr(fields, "db0");
  if (db0 == "-") return "0";
  return db0.substr(5, db0.find(',') - 5);
}

// Each member's share of the ring as the nodes compute it (RING NODES of the
// first node that answers: they all build the same ring, with their vnodes).
std::map<std::string, std::string> RingShares(const Layout& l) {
  std::map<std::string, std::string> shares;
  for (int i = 1; i <= l.nodes && shares.empty(); ++i) {
    ringcache::client::Reply reply;
    if (!Command(l.Port(i), {"RING", "NODES"}, &reply)) continue;
    for (const auto& member : reply.elements) {
      if (member.elements.size() >= 2)
        shares[member.elements[0].str] = member.elements[1].str + "%";
    }
  }
  return shares;
}

void PrintStatus(const Layout& l) {
  const auto shares = RingShares(l);
  std::printf("cluster in %s: N=%d W=%d R=%d\n", l.dir.c_str(), l.replicas, l.write_quorum,
              l.read_quorum);
  std::printf("%-5s %-16s %-8s %-6s %-7s %-10s %-10s %-10s %s\n", "node", "address", "pid", "state",
              "owns", "keys", "memory", "evictions", "sees up");
  for (int i = 1; i <= l.nodes; ++i) {
    const int pid = ReadPid(l, i);
    const auto info = Alive(pid) ? NodeInfo(l.Port(i)) : std::map<std::string, std::string>();
    const auto share = shares.find(l.Id(i));
    std::printf("%-5d %-16s %-8s %-6s %-7s %-10s %-10s %-10s %s\n", i, l.Id(i).c_str(),
                Alive(pid) ? std::to_string(pid).c_str() : "-", info.empty() ? "down" : "up",
                share == shares.end() ? "-" : share->second.c_str(), StoredKeys(info).c_str(),
                FieldOr(info, "used_memory_human").c_str(), FieldOr(info, "evicted_keys").c_str(),
                FieldOr(info, "ring_nodes_up").c_str());
  }
}

std::string RandomSecret() {
  std::random_device device;
  std::string secret;
  for (int i = 0; i < 32; ++i) secret += "0123456789abcdef"[device() % 16];
  return secret;
}

// What `up` was given, apart from server settings.
struct UpOptions {
  int nodes = 3;
  int base_port = 7001;
  int replicas = 0;      // 0: min(3, nodes)
  int write_quorum = 0;  // 0: a majority of replicas
  int read_quorum = 0;
};

// Server settings given to `up` as --name value pairs (what CLI11 left over).
std::map<std::string, std::string> ServerSettings(const std::vector<std::string>& extras) {
  std::map<std::string, std::string> settings;
  for (size_t i = 0; i < extras.size(); i += 2) {
    const std::string& name = extras[i];
    if (name.rfind("--", 0) != 0 || name.size() < 3 || i + 1 >= extras.size()) {
      throw std::runtime_error("expected --<server setting> <value>, got '" + name + "'");
    }
    const std::string& value = extras[i + 1];
    if (value.empty() || value.find_first_of(" \t\n") != std::string::npos) {
      throw std::runtime_error(name + ": a server setting needs a one-word value");
    }
    settings[name.substr(2)] = value;
  }
  return settings;
}

// A new cluster's layout, or the stopped cluster's of `dir` (the options
// given must then agree with it).
Layout LayoutForUp(const std::string& dir, const UpOptions& o, const CLI::App& up,
                   const std::map<std::string, std::string>& settings) {
  if (fs::exists(dir + "/cluster.conf")) {
    Layout l = LoadLayout(dir);
    if (AnyAlive(l)) {
      throw std::runtime_error("the cluster in " + dir +
                               " is running; use 'status', or 'down' first");
    }
    const std::pair<const char*, int> given[] = {{"--nodes", o.nodes},
                                                 {"--base-port", o.base_port},
                                                 {"--replicas", o.replicas},
                                                 {"--write-quorum", o.write_quorum},
                                                 {"--read-quorum", o.read_quorum}};
    const int saved[] = {l.nodes, l.base_port, l.replicas, l.write_quorum, l.read_quorum};
    for (size_t i = 0; i < std::size(given); ++i) {
      if (up.count(given[i].first) != 0 && given[i].second != saved[i]) {
        throw std::runtime_error(dir + " holds a stopped cluster with " + given[i].first + " " +
                                 std::to_string(saved[i]) +
                                 "; it cannot change (use another --dir for a new cluster)");
      }
    }
    for (const auto& [name, value] : settings) l.server_settings[name] = value;
    return l;
  }
  Layout l;
  l.dir = dir;
  l.nodes = o.nodes;
  l.base_port = o.base_port;
  l.replicas = o.replicas > 0 ? o.replicas : std::min(3, o.nodes);
  l.write_quorum = o.write_quorum > 0 ? o.write_quorum : l.replicas / 2 + 1;
  l.read_quorum = o.read_quorum > 0 ? o.read_quorum : l.replicas / 2 + 1;
  if (l.replicas > l.nodes || l.write_quorum > l.replicas || l.read_quorum > l.replicas) {
    throw std::runtime_error("need replicas <= nodes and quorums <= replicas");
  }
  if (l.base_port + l.nodes - 1 > 65535) throw std::runtime_error("ports beyond 65535");
  l.secret = RandomSecret();
  l.server_settings = settings;
  return l;
}

// `fresh`: a new cluster, whose layout is forgotten again if it fails to
// come up (so a retry on other ports is a new cluster too).
void Up(const Layout& l, bool fresh) {
  fs::create_directories(l.dir);
  SaveLayout(l);
  int started = 0;
  try {
    for (; started < l.nodes; ++started) StartNode(l, started + 1);
  } catch (const std::exception&) {
    // A cluster that failed to come up is not left half running (a taken
    // port, say): the nodes this call started go down again.
    for (int i = 1; i <= started; ++i) StopNode(l, i, SIGTERM);
    if (fresh) fs::remove(l.ConfFile());
    throw;
  }
  for (int i = 1; i <= l.nodes; ++i) WaitForMembers(l, i);
  PrintStatus(l);
}

int Run(int argc, char** argv) {
  CLI::App app{"ringcache-cluster: a local cluster of ringcache-server processes"};
  app.require_subcommand(1);
  std::string dir;
  int node = 0;
  UpOptions o;

  CLI::App* up = app.add_subcommand("up", "start a cluster (or the stopped one in --dir)");
  up->add_option("--dir", dir, "where the cluster keeps its layout, logs and data")->required();
  up->add_option("--nodes", o.nodes, "how many nodes (default 3)")->check(CLI::Range(1, 64));
  up->add_option("--base-port", o.base_port, "node 1's port; the others follow (default 7001)")
      ->check(CLI::Range(1, 65535));
  up->add_option("--replicas", o.replicas, "N (default min(3, nodes))")->check(CLI::Range(1, 16));
  up->add_option("--write-quorum", o.write_quorum, "W (default a majority of N)")
      ->check(CLI::Range(1, 16));
  up->add_option("--read-quorum", o.read_quorum, "R (default a majority of N)")
      ->check(CLI::Range(1, 16));
  up->allow_extras();
  up->footer("Any other --<setting> <value> is a ringcache-server setting for every node.");

  CLI::App* status = app.add_subcommand("status", "show each node, its share and its figures");
  CLI::App* kill_cmd = app.add_subcommand("kill", "kill -9 one node, as a crash");
  CLI::App* restart = app.add_subcommand("restart", "stop one node cleanly and start it again");
  CLI::App* down = app.add_subcommand("down", "stop every node");
  for (CLI::App* sub : {status, kill_cmd, restart, down}) {
    sub->add_option("--dir", dir, "the cluster's directory")->required();
  }
  for (CLI::App* sub : {kill_cmd, restart}) {
    sub->add_option("--node", node, "which node (1-based)")->required()->check(CLI::Range(1, 64));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  dir = fs::absolute(dir).string();
  if (up->parsed()) {
    const bool fresh = !fs::exists(dir + "/cluster.conf");
    Up(LayoutForUp(dir, o, *up, ServerSettings(up->remaining())), fresh);
    return 0;
  }
  const Layout l = LoadLayout(dir);
  if (kill_cmd->parsed() || restart->parsed()) {
    if (node > l.nodes) throw std::runtime_error("--node must be 1.." + std::to_string(l.nodes));
    StopNode(l, node, kill_cmd->parsed() ? SIGKILL : SIGTERM);
    if (restart->parsed()) {
      StartNode(l, node);
      WaitForMembers(l, node);
    }
  } else if (down->parsed()) {
    for (int i = 1; i <= l.nodes; ++i) StopNode(l, i, SIGTERM);
  }
  PrintStatus(l);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ringcache-cluster: " << e.what() << "\n";
    return 1;
  }
}
