// Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO and CLIENT.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "commands/info.h"
#include "common/number_parsing.h"

namespace ringcache {
namespace {

void PingCommand(CommandContext& ctx, ArgList args) {
  if (args.size() > 2) {
    ctx.reply().Error("ERR wrong number of arguments for 'ping' command");
  } else if (args.size() == 2) {
    ctx.reply().Bulk(args[1]);
  } else {
    ctx.reply().SimpleString("PONG");
  }
}

void EchoCommand(CommandContext& ctx, ArgList args) { ctx.reply().Bulk(args[1]); }

void QuitCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().Ok();
  ctx.session().close_after_reply = true;
}

// RESET: the connection as it was on connect, as Redis 7 resets it (the
// transaction, RESP2, the name, this connection's quorums, authentication
// when a password is required).
void ResetCommand(CommandContext& ctx, ArgList /*args*/) {
  Session& session = ctx.session();
  session.in_multi = false;
  session.multi_failed = false;
  session.queued.clear();
  ctx.server().clients.Unwatch(&session);
  session.protocol = 2;
  session.name.clear();
  session.write_quorum = 0;
  session.read_quorum = 0;
  session.authenticated = ctx.config().requirepass.empty();
  ctx.reply().SimpleString("RESET");
}

void SelectCommand(CommandContext& ctx, ArgList args) {
  int64_t index = 0;
  if (!ParseInt64OrReply(ctx, args[1], &index)) return;
  if (index != 0) {
    ctx.reply().Error("ERR DB index is out of range");
    return;
  }
  ctx.reply().Ok();
}

// Checks a username/password pair; only the "default" user exists.
bool CheckCredentials(CommandContext& ctx, std::string_view user, std::string_view password) {
  const std::string& required = ctx.config().requirepass;
  if (user != "default") return false;
  return required.empty() || SecretsEqual(password, required);
}

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

void AuthCommand(CommandContext& ctx, ArgList args) {
  if (args.size() > 3) {
    ctx.reply().Error("ERR " + std::string("syntax error"));
    return;
  }
  if (args.size() == 2 && ctx.config().requirepass.empty()) {
    ctx.reply().Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
    return;
  }
  const std::string_view user = args.size() == 3 ? args[1] : "default";
  if (!CheckCredentials(ctx, user, args.back())) {
    NoteFailedAuth(ctx, "AUTH");
    ctx.reply().Error(kWrongPass);
    return;
  }
  ctx.session().authenticated = true;
  ctx.reply().Ok();
}

bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;  // no spaces, newlines or control bytes
  }
  return true;
}

bool SetNameOrReply(CommandContext& ctx, std::string_view name) {
  if (!ValidClientName(name)) {
    ctx.reply().Error("ERR Client names cannot contain spaces, newlines or special characters.");
    return false;
  }
  ctx.session().name = std::string(name);
  return true;
}

void HelloCommand(CommandContext& ctx, ArgList args) {
  int64_t protocol = ctx.session().protocol;
  if (args.size() >= 2) {
    if (!ParseInt64(args[1], &protocol)) {
      ctx.reply().Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (protocol != 2 && protocol != 3) {
      ctx.reply().Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string_view name;
  bool set_name = false;
  for (size_t i = 2; i < args.size(); ++i) {
    const bool more = i + 1 < args.size();
    if (Is(args[i], "auth") && i + 2 < args.size()) {
      if (!CheckCredentials(ctx, args[i + 1], args[i + 2])) {
        NoteFailedAuth(ctx, "HELLO AUTH");
        ctx.reply().Error(kWrongPass);
        return;
      }
      ctx.session().authenticated = true;
      i += 2;
    } else if (Is(args[i], "setname") && more) {
      name = args[++i];
      set_name = true;
    } else {
      ctx.reply().Error("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
      return;
    }
  }
  if (!ctx.session().authenticated) {
    ctx.reply().Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
    return;
  }
  if (set_name && !SetNameOrReply(ctx, name)) return;
  ctx.session().protocol = static_cast<int>(protocol);
  ctx.reply().set_protocol(static_cast<int>(protocol));
  ReplyBuilder& r = ctx.reply();
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kRedisCompatVersion);
  r.Bulk("proto");
  r.Integer(protocol);
  r.Bulk("id");
  r.Integer(static_cast<int64_t>(ctx.session().id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

void ClientIdCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.session().id));
}

void ClientSetNameCommand(CommandContext& ctx, ArgList args) {
  if (SetNameOrReply(ctx, args[2])) ctx.reply().Ok();
}

void ClientGetNameCommand(CommandContext& ctx, ArgList /*args*/) {
  if (ctx.session().name.empty()) {
    ctx.reply().Null();
  } else {
    ctx.reply().Bulk(ctx.session().name);
  }
}

void ClientSetInfoCommand(CommandContext& ctx, ArgList args) {
  if (!ValidClientName(args[3])) {
    ctx.reply().Error("ERR " + std::string(args[2]) +
                      " cannot contain spaces, newlines or special characters.");
    return;
  }
  if (Is(args[2], "lib-name")) {
    ctx.session().lib_name = std::string(args[3]);
  } else if (Is(args[2], "lib-ver")) {
    ctx.session().lib_ver = std::string(args[3]);
  } else {
    ctx.reply().Error("ERR Unrecognized option '" + std::string(args[2]) + "'");
    return;
  }
  ctx.reply().Ok();
}

void ClientListCommand(CommandContext& ctx, ArgList args) {
  std::vector<uint64_t> ids;
  for (size_t i = 2; i < args.size(); ++i) {
    if (Is(args[i], "type") && i + 1 < args.size()) {
      ++i;  // every client is a normal client here
      if (!Is(args[i], "normal")) {
        ctx.reply().Verbatim("");
        return;
      }
    } else if (Is(args[i], "id") && i + 1 < args.size()) {
      for (++i; i < args.size(); ++i) {
        int64_t id = 0;
        if (!ParseInt64(args[i], &id) || id <= 0) {
          ctx.reply().Error("ERR Invalid client ID");
          return;
        }
        ids.push_back(static_cast<uint64_t>(id));
      }
    } else {
      ctx.reply().Error("ERR syntax error");
      return;
    }
  }
  std::string text;
  ctx.server().clients.ForEach([&](const Session& s) {
    if (ids.empty() || std::find(ids.begin(), ids.end(), s.id) != ids.end()) {
      text += DescribeClient(s);
      text += '\n';
    }
  });
  ctx.reply().Verbatim(text);
}

void ClientInfoCommand(CommandContext& ctx, ArgList /*args*/) {
  ctx.reply().Verbatim(DescribeClient(ctx.session()) + "\n");
}

struct KillFilter {
  uint64_t id = 0;
  std::string addr;
  std::string laddr;
  bool skip_me = true;
  bool matches_nothing = false;  // e.g. TYPE pubsub: no such clients here
};

bool ParseKillFilterOrReply(CommandContext& ctx, ArgList args, KillFilter* filter) {
  for (size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
    const std::string_view value = args[i + 1];
    if (Is(args[i], "id")) {
      int64_t id = 0;
      if (!ParseInt64(value, &id) || id <= 0) {
        ctx.reply().Error("ERR client-id should be greater than 0");
        return false;
      }
      filter->id = static_cast<uint64_t>(id);
    } else if (Is(args[i], "addr")) {
      filter->addr = std::string(value);
    } else if (Is(args[i], "laddr")) {
      filter->laddr = std::string(value);
    } else if (Is(args[i], "skipme")) {
      if (!Is(value, "yes") && !Is(value, "no")) {
        ctx.reply().Error("ERR syntax error");
        return false;
      }
      filter->skip_me = Is(value, "yes");
    } else if (Is(args[i], "type")) {
      if (!Is(value, "normal") && !Is(value, "master") && !Is(value, "replica") &&
          !Is(value, "slave") && !Is(value, "pubsub")) {
        ctx.reply().Error("ERR Unknown client type '" + std::string(value) + "'");
        return false;
      }
      filter->matches_nothing = !Is(value, "normal");
    } else if (Is(args[i], "user")) {
      filter->matches_nothing = value != "default";
    } else {
      ctx.reply().Error("ERR syntax error");
      return false;
    }
  }
  return true;
}

// Closes the matching clients; the caller's own connection only after its reply.
int64_t KillMatching(CommandContext& ctx, const KillFilter& filter) {
  if (filter.matches_nothing) return 0;
  std::vector<Session*> victims;
  ctx.server().clients.ForEach([&](const Session& s) {
    if (filter.id != 0 && s.id != filter.id) return;
    if (!filter.addr.empty() && s.addr != filter.addr) return;
    if (!filter.laddr.empty() && s.laddr != filter.laddr) return;
    if (filter.skip_me && &s == &ctx.session()) return;
    victims.push_back(const_cast<Session*>(&s));
  });
  for (Session* s : victims) {
    if (s == &ctx.session()) {
      s->close_after_reply = true;
    } else if (s->kill) {
      s->kill();
    }
  }
  return static_cast<int64_t>(victims.size());
}

void ClientKillCommand(CommandContext& ctx, ArgList args) {
  if (args.size() == 3) {  // old form: CLIENT KILL addr:port
    KillFilter filter;
    filter.addr = std::string(args[2]);
    filter.skip_me = false;
    if (KillMatching(ctx, filter) == 0) {
      ctx.reply().Error("ERR No such client");
    } else {
      ctx.reply().Ok();
    }
    return;
  }
  KillFilter filter;
  if (ParseKillFilterOrReply(ctx, args, &filter)) ctx.reply().Integer(KillMatching(ctx, filter));
}

void ClientNoEvictCommand(CommandContext& ctx, ArgList args) {
  if (!Is(args[2], "on") && !Is(args[2], "off")) {
    ctx.reply().Error("ERR syntax error");
    return;
  }
  ctx.reply().Ok();
}

void ClientHelpCommand(CommandContext& ctx, ArgList /*args*/) {
  ReplyHelp(ctx, "CLIENT",
            {"ID", "    Return the ID of the current connection.", "SETNAME <name>",
             "    Assign the name <name> to the current connection.", "GETNAME",
             "    Return the name of the current connection.", "LIST [TYPE normal] [ID id ...]",
             "    Return information about client connections.", "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port> | <filter> [value] ...",
             "    Kill connections by address, ID, LADDR, TYPE, USER or SKIPME.",
             "SETINFO <LIB-NAME|LIB-VER> <value>", "    Set client library name or version."});
}

const CommandSpec kClientSubcommands[] = {
    {"client|id", 2, kFast, 0, 0, 0, ClientIdCommand, "connection", "5.0.0",
     "Returns the unique client ID of the connection."},
    {"client|setname", 3, kFast, 0, 0, 0, ClientSetNameCommand, "connection", "2.6.9",
     "Sets the connection name."},
    {"client|getname", 2, kFast, 0, 0, 0, ClientGetNameCommand, "connection", "2.6.9",
     "Returns the name of the connection."},
    {"client|setinfo", 4, kFast, 0, 0, 0, ClientSetInfoCommand, "connection", "7.2.0",
     "Sets information specific to the client or connection."},
    {"client|list", -2, kAdmin, 0, 0, 0, ClientListCommand, "connection", "2.4.0",
     "Lists open connections."},
    {"client|info", 2, 0, 0, 0, 0, ClientInfoCommand, "connection", "6.2.0",
     "Returns information about the connection."},
    {"client|kill", -3, kAdmin, 0, 0, 0, ClientKillCommand, "connection", "2.4.0",
     "Terminates open connections."},
    {"client|no-evict", 3, kAdmin, 0, 0, 0, ClientNoEvictCommand, "connection", "7.0.0",
     "Sets the client eviction mode of the connection."},
    {"client|help", 2, 0, 0, 0, 0, ClientHelpCommand, "connection", "5.0.0",
     "Returns helpful text about the different subcommands."},
};

const CommandSpec kConnectionCommands[] = {
    {"ping", -1, kFast | kStale | kLoading, 0, 0, 0, PingCommand, "connection", "1.0.0",
     "Returns the server's liveliness response."},
    {"echo", 2, kFast, 0, 0, 0, EchoCommand, "connection", "1.0.0", "Returns the given string."},
    {"quit", -1, kNoAuth | kNoQueue | kFast | kStale | kLoading, 0, 0, 0, QuitCommand, "connection",
     "1.0.0", "Closes the connection."},
    {"reset", 1, kNoAuth | kNoQueue | kFast | kStale | kLoading, 0, 0, 0, ResetCommand,
     "connection", "6.2.0", "Resets the connection."},
    {"select", 2, kFast | kLoading | kStale, 0, 0, 0, SelectCommand, "connection", "1.0.0",
     "Changes the selected database."},
    {"auth", -2, kNoAuth | kFast | kStale | kLoading, 0, 0, 0, AuthCommand, "connection", "1.0.0",
     "Authenticates the connection."},
    {"hello", -1, kNoAuth | kFast | kStale | kLoading, 0, 0, 0, HelloCommand, "connection", "6.0.0",
     "Handshakes with the Redis server."},
    {"client", -2, 0, 0, 0, 0, nullptr, "connection", "2.4.0",
     "A container for client connection commands.", ClusterRoute::kDefault, kClientSubcommands},
};

}  // namespace

void RegisterConnectionCommands(CommandTable& table) {
  for (const CommandSpec& spec : kConnectionCommands) table.Register(spec);
}

}  // namespace ringcache
