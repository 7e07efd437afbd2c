// Internal replica commands: what a coordinating node sends to the replicas
// of a key over the cluster bus. Writes carry the coordinator's version and
// apply last-writer-wins; reads return the version so the coordinator can pick
// the newest and repair the rest. Clients cannot run these (kInternal): a
// connection becomes a peer with RC.AUTH <cluster-secret>, the one command
// here any client may call.
#include <deque>
#include <string>
#include <vector>

#include "cluster/anti_entropy.h"
#include "cluster/cluster_commands.h"
#include "cluster/cluster_router.h"
#include "cluster/coordinator.h"
#include "cluster/gossiper.h"
#include "cluster/replica_state.h"
#include "commands/command_context.h"
#include "commands/command_helpers.h"
#include "commands/command_table.h"
#include "common/error_texts.h"
#include "common/number_parsing.h"
#include "common/wall_clock.h"
#include "core/replica_value.h"
#include "core/state_order.h"
#include "core/version.h"
#include "types/replica_merge.h"

namespace ringcache::cluster {
namespace {

bool ParseVersionOrReply(CommandContext& ctx, std::string_view arg, Version* version) {
  if (Version::Parse(arg, version) && !version->is_zero()) return true;
  ctx.reply().Error("ERR invalid version '" + std::string(arg) + "'");
  return false;
}

// RC.AUTH <secret>
void AuthCommand(CommandContext& ctx, ArgList args) {
  const std::string& secret = ctx.config().cluster_secret;
  if (secret.empty() || !SecretsEqual(args[1], secret)) {
    NoteFailedAuth(ctx, "RC.AUTH");
    ctx.reply().Error("WRONGPASS invalid cluster secret");
    return;
  }
  ctx.session().is_peer = true;
  ctx.session().authenticated = true;
  ctx.reply().Ok();
}

// One put: <key> <value> <expire-at-ms, 0 for none> <version>.
void ApplyPut(CommandContext& ctx, ArgList put) {
  int64_t expire_at = 0;
  Version version;
  if (!ParseInt64OrReply(ctx, put[2], &expire_at) || !ParseVersionOrReply(ctx, put[3], &version)) {
    return;
  }
  if (expire_at < 0) {
    ctx.reply().Error("ERR invalid expire time in 'rc.put' command");
    return;
  }
  ReplicaValueView state;
  state.found = true;
  state.value = put[1];
  state.expire_at_ms = expire_at;
  state.version = version;
  ctx.reply().Integer(ApplyReplicaState(ctx.keyspace(), put[0], state).changed ? 1 : 0);
}

// RC.PUT <key> <value> <expire-at-ms, 0 for none> <version>  -> 1 applied, 0 stale
void PutCommand(CommandContext& ctx, ArgList args) { ApplyPut(ctx, args.subspan(1)); }

// The batch commands' shape: `per_entry` arguments for each entry after the
// command `name`, and an array of the entries' replies, each written by
// `apply(index, entry's arguments)`.
template <typename Apply>
void ApplyEach(CommandContext& ctx, ArgList args, std::string_view name, size_t per_entry,
               Apply&& apply) {
  if ((args.size() - 1) % per_entry != 0) {
    ctx.reply().Error("ERR wrong number of arguments for '" + std::string(name) + "' command");
    return;
  }
  const size_t entries = (args.size() - 1) / per_entry;
  ctx.reply().ArrayHeader(entries);
  for (size_t i = 0; i < entries; ++i) apply(i, args.subspan(1 + i * per_entry, per_entry));
}

// RC.MPUT, then RC.PUT's four arguments for each put -> an array of what
// RC.PUT replies for each (a coordinator's writes for one replica in one
// command per turn of its event loop). Each put after the first makes room
// under maxmemory first, as a command of its own would.
void MPutCommand(CommandContext& ctx, ArgList args) {
  ApplyEach(ctx, args, "rc.mput", 4, [&](size_t i, ArgList put) {
    if (i > 0 && !ctx.server().evictor.RoomForWrite()) {
      ctx.reply().Error(kOomError);
    } else {
      ApplyPut(ctx, put);
    }
  });
}

// One delete: <key> <version> <tombstone-until-ms>.
void ApplyDel(CommandContext& ctx, ArgList del) {
  Version version;
  int64_t until = 0;
  if (!ParseVersionOrReply(ctx, del[1], &version) || !ParseInt64OrReply(ctx, del[2], &until)) {
    return;
  }
  if (until <= 0) {
    ctx.reply().Error("ERR invalid tombstone time in 'rc.del' command");
    return;
  }
  ReplicaValueView state;
  state.found = true;
  state.tombstone = true;
  state.expire_at_ms = until;
  state.version = version;
  ctx.reply().Integer(ApplyReplicaState(ctx.keyspace(), del[0], state).Code());
}

// RC.DEL <key> <version> <tombstone-until-ms>  -> 2 applied and a live value
// was removed, 1 applied (tombstone only), 0 stale
void DelCommand(CommandContext& ctx, ArgList args) { ApplyDel(ctx, args.subspan(1)); }

// RC.MDEL, then RC.DEL's three arguments for each delete -> an array of what
// RC.DEL replies for each (as RC.MPUT is to RC.PUT).
void MDelCommand(CommandContext& ctx, ArgList args) {
  ApplyEach(ctx, args, "rc.mdel", 3, [&](size_t, ArgList del) { ApplyDel(ctx, del); });
}

// RC.MMERGE, then <key> <state> for each state (cluster::EncodeState) -> an
// array with, for each, ReplicaApplied::Code(): 0 unchanged, 1 changed (and
// for a collection, 1 plus the elements that became live), or a WRONGTYPE
// error for a collection command's delta on a key of another type: states
// that merge rather than replace (counters, collections), as RC.MPUT is for
// values. Each after the first makes room under maxmemory first.
void MMergeCommand(CommandContext& ctx, ArgList args) {
  ApplyEach(ctx, args, "rc.mmerge", 2, [&](size_t i, ArgList merge) {
    ReplicaValueView state;
    if (!cluster::DecodeStateBytes(merge[1], &state) || !state.found) {
      ctx.reply().Error("ERR malformed replica state");
    } else if (i > 0 && !state.tombstone && !ctx.server().evictor.RoomForWrite()) {
      ctx.reply().Error(kOomError);
    } else if (const ReplicaApplied applied = ApplyReplicaState(ctx.keyspace(), merge[0], state);
               applied.refused) {
      ctx.reply().Error(Status::WrongType());
    } else {
      ctx.reply().Integer(applied.Code());
    }
  });
}

// Replica reads wait until this node has refilled from its peers after its
// start (AntiEntropy::refilled): a coordinator then asks another replica.
// Anti-entropy's own pulls (RC.DIGEST, RC.STATE) are answered throughout.
bool RefillingOrReply(CommandContext& ctx) {
  auto* router = dynamic_cast<ClusterRouter*>(ctx.server().router);
  if (router == nullptr || router->node().refilled()) return false;
  ctx.reply().Error("LOADING this replica is refilling from its peers");
  return true;
}

// RC.GET <key>  -> nil, or [kind, value, expire-at-ms, version] where kind is
// "string", "counter" or "tombstone": readable, for people and tests.
void GetCommand(CommandContext& ctx, ArgList args) {
  if (RefillingOrReply(ctx)) return;
  const Entry* e = ctx.keyspace().ReadReplica(args[1]);
  if (e == nullptr) {
    ctx.reply().NullArray();
    return;
  }
  std::string encoded;
  cluster::WriteReplicaValue(ctx.reply(), ViewOfEntry(e, &encoded));
}

// RC.MGET key [key ...] -> one bulk string of each key's state record, in
// order (cluster::AppendStateRecord): a coordinator sends its reads for one
// replica in one command per turn of its event loop, each costing the
// replica a loop step rather than a command.
void MGetCommand(CommandContext& ctx, ArgList args) {
  if (RefillingOrReply(ctx)) return;
  const ArgList keys = args.subspan(1);
  std::vector<ReplicaValueView> states;
  states.reserve(keys.size());
  std::deque<std::string> encoded;  // collections' states, which the views point into
  size_t size = 0;
  ctx.keyspace().ReadReplicas(keys, [&](size_t, const Entry* e) {
    std::string* into =
        e != nullptr && e->is_replicated_collection() ? &encoded.emplace_back() : nullptr;
    states.push_back(ViewOfEntry(e, into));
    size += states.back().found ? cluster::StateRecordSize(states.back().value)
                                : cluster::kEmptyStateRecordSize;
  });
  // Nothing changes the keyspace between the two passes: the entries stand.
  std::string& out = *ctx.reply().buffer();
  out.reserve(out.size() + size + 24);
  ctx.reply().BulkHeader(size);
  for (const ReplicaValueView& state : states) {
    if (!state.found) {
      cluster::AppendEmptyStateRecord(&out);
    } else {
      cluster::AppendStateRecord(&out, state);
    }
  }
  out += "\r\n";
}

// RC.PICK's and RC.STATE's reply: `state` as one bulk string (empty: nothing).
void ReplyState(CommandContext& ctx, const ReplicaValueView& state) {
  std::string out;
  if (state.found) cluster::EncodeState(state, &out);
  ctx.reply().Bulk(out);
}

// RC.PICK <key> MEMBERS <member>... | RANDOM <count> | HEAD <count> |
// TAIL <count> -> one bulk string, the key's state (cluster::EncodeState;
// empty: nothing held): for a collection only the part a command needs
// (those members, `count` random live ones, or the `count` first or last
// live ones of a list or sorted set), anything else whole. A coordinator's
// SREM or HGET on a large collection reads this rather than all of it.
void PickCommand(CommandContext& ctx, ArgList args) {
  if (RefillingOrReply(ctx)) return;
  std::string encoded;
  ReplicaValueView state;
  if (!cluster::PartOfEntry(ctx.keyspace().ReadReplica(args[1]), args.subspan(2), &encoded,
                            &state)) {
    ctx.reply().Error("ERR syntax error in 'rc.pick' command");
    return;
  }
  ReplyState(ctx, state);
}

// RC.STATE <key> -> RC.PICK's reply for the whole state: anti-entropy's pull,
// answered while this node refills too (refills pull from one another).
void StateCommand(CommandContext& ctx, ArgList args) {
  std::string encoded;
  ReplyState(ctx, ViewOfEntry(ctx.keyspace().ReadReplica(args[1]), &encoded));
}

// RC.GOSSIP [<id> <generation> <counter>]...  -> this node's table, same form
void GossipCommand(CommandContext& ctx, ArgList args) {
  ClusterRouter* router = ClusterRouterOrReply(ctx);
  std::vector<cluster::GossipEntry> entries;
  if (router == nullptr) return;
  if (!cluster::ParseGossipArgs(args.subspan(1), &entries)) {
    ctx.reply().Error("ERR malformed gossip");
    return;
  }
  const auto table = router->node().gossiper().OnGossip(entries, WallClockMs());
  ctx.reply().ArrayHeader(table.size() * 3);
  for (const cluster::GossipEntry& e : table) {
    ctx.reply().Bulk(e.id);
    ctx.reply().Integer(e.heartbeat.generation);
    ctx.reply().Integer(static_cast<int64_t>(e.heartbeat.counter));
  }
}

// The key command that RC.OWNED carries, checked as the dispatcher
// checks a client's command; nullptr after replying with the error.
const CommandSpec* InnerCommandOrReply(CommandContext& ctx, ArgList args) {
  const CommandSpec* spec = ctx.server().commands.Find(args[0]);
  if (spec != nullptr && !spec->subcommands.empty() && args.size() > 1) {
    spec = CommandTable::FindSubcommand(*spec, args[1]);
  }
  const auto argc = static_cast<int>(args.size());
  if (spec == nullptr || (spec->flags & kInternal) != 0 ||
      (spec->run.handler == nullptr && spec->run.read == nullptr &&
       spec->run.overwrite == nullptr) ||
      !(spec->arity > 0 ? argc == spec->arity : argc >= -spec->arity)) {
    ctx.reply().Error("ERR cannot run '" + std::string(args[0]) + "' for a peer");
    return nullptr;
  }
  return spec;
}

// RC.OWNED <down-members|-> KEYS|SCAN|DBSIZE [args...]: the command over the
// keys this node is home to when the listed members are down, so that the
// coordinator's union over all nodes lists each key once.
void OwnedCommand(CommandContext& ctx, ArgList args) {
  ClusterRouter* router = ClusterRouterOrReply(ctx);
  if (router == nullptr) return;
  const CommandSpec* spec = InnerCommandOrReply(ctx, args.subspan(2));
  if (spec == nullptr) return;
  if (spec->name != "keys" && spec->name != "scan" && spec->name != "dbsize") {
    ctx.reply().Error("ERR RC.OWNED runs KEYS, SCAN or DBSIZE");
    return;
  }
  std::vector<std::string> down;
  if (args[1] != "-") down = SplitList(args[1]);
  const CommandContext::KeyFilter home = [&](std::string_view key) {
    return router->node().IsHome(key, down);
  };
  ctx.UseKeyFilter(&home);
  RunCommand(ctx, *spec, args.subspan(2));
  ctx.UseKeyFilter(nullptr);
}

// RC.FLUSH <version>: FLUSHALL's part on this node; later replica writes
// stamped at or below `version` are refused.
void FlushCommand(CommandContext& ctx, ArgList args) {
  Version version;
  if (!ParseVersionOrReply(ctx, args[1], &version)) return;
  ctx.keyspace().FlushUpTo(version);
  ctx.reply().Ok();
}

// RC.DIGEST <node> <cursor> <count>  -> [next-cursor, key, version,
// fingerprint, ...]: the versions of keys (tombstones too) that <node> also
// replicates, with a hash of each state's content (two states can share a
// version: core/state_order.h), a page of about <count> at a time, for
// anti-entropy.
void DigestCommand(CommandContext& ctx, ArgList args) {
  ClusterRouter* router = ClusterRouterOrReply(ctx);
  uint64_t cursor = 0;
  int64_t count = 0;
  if (router == nullptr || !ParseInt64OrReply(ctx, args[3], &count)) return;
  if (!ParseUint64(args[2], &cursor) || count < 1) {
    ctx.reply().Error("ERR invalid cursor or count");
    return;
  }
  Keyspace& keyspace = ctx.keyspace();
  std::vector<const Entry*> page;
  // Bounded like SCAN: at most 10 * count buckets per call.
  for (int64_t steps = 0; steps < count * 10; ++steps) {
    cursor = keyspace.ScanIncludingExpired(cursor, [&](const Entry* e) {
      if (!keyspace.IsExpired(e) && router->node().IsReplica(args[1], e->key())) {
        page.push_back(e);
      }
    });
    if (cursor == 0 || static_cast<int64_t>(page.size()) >= count) break;
  }
  // The scan changed nothing: the entries stand.
  const int64_t settled_before = WallClockMs() - AntiEntropy::kSettleMs;
  ctx.reply().ArrayHeader(1 + 3 * page.size());
  ctx.reply().Bulk(std::to_string(cursor));
  for (const Entry* e : page) {
    ctx.reply().Bulk(e->key());
    ctx.reply().Bulk(e->version().Format().view());
    // A key written in the last seconds is still settling: a periodic round
    // skips it, so its fingerprint (a large collection's costs an encoding
    // of it) is left out; a round that compares it anyway then pulls it.
    if (e->version().physical_ms() > settled_before) {
      ctx.reply().Bulk("");
    } else {
      ctx.reply().Bulk(cluster::EntryFingerprint(e).view());
    }
  }
}

const CommandSpec kReplicaCommands[] = {
    {"rc.auth", 2, kNoAuth | kFast, 0, 0, 0, AuthCommand, "cluster", "0.1.0",
     "Makes this connection a cluster peer."},
    {"rc.put", 5, kInternal | kWrite | kDenyOom | kFast, 1, 1, 1, PutCommand, "cluster", "0.1.0",
     "Stores a replica's value if its version is newer."},
    {"rc.del", 4, kInternal | kWrite | kFast, 1, 1, 1, DelCommand, "cluster", "0.1.0",
     "Deletes a replica's key, leaving a tombstone, if the version is newer."},
    {"rc.get", 2, kInternal | kReadOnly | kFast, 1, 1, 1, GetCommand, "cluster", "0.1.0",
     "Returns a replica's value or tombstone with its version."},
    {"rc.mput", -5, kInternal | kWrite | kDenyOom, 1, -1, 4, MPutCommand, "cluster", "0.1.0",
     "Applies several RC.PUT writes, replying to each."},
    {"rc.mdel", -4, kInternal | kWrite, 1, -1, 3, MDelCommand, "cluster", "0.1.0",
     "Applies several RC.DEL deletes, replying to each."},
    {"rc.mmerge", -3, kInternal | kWrite | kDenyOom, 1, -1, 2, MMergeCommand, "cluster", "0.1.0",
     "Merges several replica states (counters) into this replica's, replying to each."},
    {"rc.mget", -2, kInternal | kReadOnly | kFast, 1, -1, 1, MGetCommand, "cluster", "0.1.0",
     "Returns the state of each of several keys, compactly encoded."},
    {"rc.pick", -4, kInternal | kReadOnly | kFast, 1, 1, 1, PickCommand, "cluster", "0.1.0",
     "Returns the part of a replica's collection that a command needs."},
    {"rc.state", 2, kInternal | kReadOnly | kFast, 1, 1, 1, StateCommand, "cluster", "0.1.0",
     "Returns a replica's state of a key, for anti-entropy."},
    {"rc.gossip", -1, kInternal | kFast | kLoading | kStale, 0, 0, 0, GossipCommand, "cluster",
     "0.1.0", "Exchanges membership tables (heartbeats) with another node."},
    {"rc.owned", -3, kInternal | kReadOnly, 0, 0, 0, OwnedCommand, "cluster", "0.1.0",
     "Runs KEYS, SCAN or DBSIZE over the keys this node is home to."},
    {"rc.digest", 4, kInternal | kReadOnly, 0, 0, 0, DigestCommand, "cluster", "0.1.0",
     "Lists versions of keys another node also replicates (anti-entropy)."},
    {"rc.flush", 2, kInternal | kWrite, 0, 0, 0, FlushCommand, "cluster", "0.1.0",
     "Empties this node for a cluster-wide FLUSHALL."},
};

}  // namespace

void RegisterReplicaCommands(CommandTable& table) {
  for (const CommandSpec& spec : kReplicaCommands) table.Register(spec);
}

}  // namespace ringcache::cluster
