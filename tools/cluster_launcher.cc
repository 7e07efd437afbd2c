// ringcache-cluster: starts and manages a local cluster of ringcache-server
// processes on consecutive loopback ports — the everyday way to try one.
//
//   ringcache-cluster up --nodes 3 --base-port 7001 --dir DIR
//                        [--replicas 3 --write-quorum 2 --read-quorum 2]
//                        [--<server setting> value ...]   (e.g. --maxmemory 64mb)
//   ringcache-cluster status  --dir DIR
//   ringcache-cluster kill    --dir DIR --node I   (SIGKILL, as a crash)
//   ringcache-cluster restart --dir DIR --node I
//   ringcache-cluster down    --dir DIR
//
// Node I (1-based) listens on base-port + I - 1 and keeps its log, pid file and
// data under DIR/node-I. DIR/cluster.conf remembers the layout.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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
#include "cluster/ring.h"

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
  std::string NodeDir(int node) const { return dir + "/node-" + std::to_string(node); }
  std::string PidFile(int node) const { return NodeDir(node) + "/ringcache.pid"; }
  std::string Members() const {
    std::string members;
    for (int i = 1; i <= nodes; ++i) {
      if (i > 1) members += ',';
      members += "127.0.0.1:" + std::to_string(Port(i));
    }
    return members;
  }
};

using Options = std::map<std::string, std::string>;

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 2; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) {
      throw std::runtime_error("expected --name value, got '" + name + "'");
    }
    options[name.substr(2)] = argv[++i];
  }
  return options;
}

int IntOption(const Options& options, const std::string& name, int fallback) {
  auto it = options.find(name);
  return it == options.end() ? fallback : std::stoi(it->second);
}

std::string RequiredOption(const Options& options, const std::string& name) {
  auto it = options.find(name);
  if (it == options.end()) throw std::runtime_error("missing --" + name);
  return it->second;
}

void SaveLayout(const Layout& l) {
  std::ofstream f(l.dir + "/cluster.conf");
  f << "nodes " << l.nodes << "\nbase-port " << l.base_port << "\nreplicas " << l.replicas
    << "\nwrite-quorum " << l.write_quorum << "\nread-quorum " << l.read_quorum << "\nsecret "
    << l.secret << "\n";
  for (const auto& [name, value] : l.server_settings)
    f << "setting:" << name << " " << value << "\n";
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

bool Ping(int port) {
  ringcache::client::SyncClient client;
  if (client.Connect("127.0.0.1", static_cast<uint16_t>(port), std::chrono::milliseconds(300))) {
    return false;
  }
  ringcache::client::Reply reply;
  return !client.Command({"PING"}, &reply) && reply.str == "PONG";
}

void StartNode(const Layout& l, int node) {
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
  for (int i = 0; i < 100 && !Ping(l.Port(node)); ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      throw std::runtime_error("node " + std::to_string(node) + " exited at start; see " +
                               stderr_path + " and " + l.NodeDir(node) + "/ringcache.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Waits until the node has learnt every member by gossip, so that a client
// talking to it right after `up` or `restart` sees the whole ring.
void WaitForMembers(const Layout& l, int node) {
  for (int i = 0; i < 200; ++i) {
    ringcache::client::SyncClient client;
    ringcache::client::Reply reply;
    if (!client.Connect("127.0.0.1", static_cast<uint16_t>(l.Port(node)),
                        std::chrono::milliseconds(300)) &&
        !client.Command({"RING", "NODES"}, &reply) &&
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

// A node's INFO fields; empty when it does not answer.
std::map<std::string, std::string> NodeInfo(int port) {
  std::map<std::string, std::string> fields;
  ringcache::client::SyncClient client;
  ringcache::client::Reply reply;
  if (client.Connect("127.0.0.1", static_cast<uint16_t>(port), std::chrono::milliseconds(300)) ||
      client.Command({"INFO", "everything"}, &reply) || reply.is_error()) {
    return fields;
  }
  std::istringstream lines(reply.str);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon != std::string::npos && line[0] != '#')
      fields[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return fields;
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

void PrintStatus(const Layout& l) {
  ringcache::cluster::Ring ring;
  std::vector<std::string> ids;
  for (int i = 1; i <= l.nodes; ++i) ids.push_back("127.0.0.1:" + std::to_string(l.Port(i)));
  ring.SetNodes(ids);
  const std::vector<double> shares = ring.Ownership();
  std::printf("cluster in %s: N=%d W=%d R=%d\n", l.dir.c_str(), l.replicas, l.write_quorum,
              l.read_quorum);
  std::printf("%-5s %-16s %-8s %-6s %-6s %-10s %-10s %-10s %s\n", "node", "address", "pid", "state",
              "owns", "keys", "memory", "evictions", "sees up");
  for (int i = 1; i <= l.nodes; ++i) {
    const int pid = ReadPid(l, i);
    const auto info = Alive(pid) ? NodeInfo(l.Port(i)) : std::map<std::string, std::string>();
    const size_t index = static_cast<size_t>(
        std::find(ring.nodes().begin(), ring.nodes().end(), ids[i - 1]) - ring.nodes().begin());
    char owns[16];
    std::snprintf(owns, sizeof(owns), "%.1f%%", 100 * shares[index]);
    std::printf("%-5d %-16s %-8s %-6s %-6s %-10s %-10s %-10s %s\n", i, ids[i - 1].c_str(),
                Alive(pid) ? std::to_string(pid).c_str() : "-", info.empty() ? "down" : "up", owns,
                StoredKeys(info).c_str(), FieldOr(info, "used_memory_human").c_str(),
                FieldOr(info, "evicted_keys").c_str(), FieldOr(info, "ring_nodes_up").c_str());
  }
}

std::string RandomSecret() {
  std::random_device device;
  std::string secret;
  for (int i = 0; i < 32; ++i) secret += "0123456789abcdef"[device() % 16];
  return secret;
}

int Run(int argc, char** argv) {
  if (argc < 2)
    throw std::runtime_error("usage: ringcache-cluster up|status|kill|restart|down ...");
  const std::string command = argv[1];
  const Options options = ParseOptions(argc, argv);
  const std::string dir = fs::absolute(RequiredOption(options, "dir")).string();
  if (command == "up") {
    Layout l;
    l.dir = dir;
    l.nodes = IntOption(options, "nodes", 3);
    l.base_port = IntOption(options, "base-port", 7001);
    l.replicas = IntOption(options, "replicas", std::min(3, l.nodes));
    l.write_quorum = IntOption(options, "write-quorum", l.replicas / 2 + 1);
    l.read_quorum = IntOption(options, "read-quorum", l.replicas / 2 + 1);
    l.secret = RandomSecret();
    for (const auto& [name, value] : options) {
      if (name == "dir" || name == "nodes" || name == "base-port" || name == "replicas" ||
          name == "write-quorum" || name == "read-quorum") {
        continue;
      }
      if (value.empty() || value.find_first_of(" \t\n") != std::string::npos) {
        throw std::runtime_error("--" + name + ": a server setting needs a one-word value");
      }
      l.server_settings[name] = value;
    }
    fs::create_directories(dir);
    SaveLayout(l);
    int started = 0;
    try {
      for (; started < l.nodes; ++started) StartNode(l, started + 1);
    } catch (const std::exception&) {
      // A cluster that failed to come up is not left half running (a taken
      // port, say): the nodes this call started go down again.
      for (int i = 1; i <= started; ++i) StopNode(l, i, SIGTERM);
      throw;
    }
    for (int i = 1; i <= l.nodes; ++i) WaitForMembers(l, i);
    PrintStatus(l);
    return 0;
  }
  const Layout l = LoadLayout(dir);
  if (command == "status") {
    PrintStatus(l);
  } else if (command == "kill" || command == "restart") {
    const int node = IntOption(options, "node", 0);
    if (node < 1 || node > l.nodes)
      throw std::runtime_error("--node must be 1.." + std::to_string(l.nodes));
    StopNode(l, node, command == "kill" ? SIGKILL : SIGTERM);
    if (command == "restart") {
      StartNode(l, node);
      WaitForMembers(l, node);
    }
    PrintStatus(l);
  } else if (command == "down") {
    for (int i = 1; i <= l.nodes; ++i) StopNode(l, i, SIGTERM);
    PrintStatus(l);
  } else {
    throw std::runtime_error("unknown subcommand '" + command + "'");
  }
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
