// Which shards one command may lock: its key positions (command.h's for_each_key), plus what the
// key specs do not say: SELECT moving to another database, MOVE/COPY DB targets, SWAPDB's two
// databases, FLUSHALL's every database, SORT's and scripts' patterns and undeclared keys (all
// shards of the database), and the keyspace-wide readers and writers that name no key (FLUSHDB,
// KEYS, SCAN, RANDOMKEY, DBSIZE). EXEC adds every queued command's shards before it takes them
// all at once (multi.h); a script asks before each redis.call which shards it must hold
// (script_run.h). One walk, so that the two cannot disagree about a command.
#pragma once

#include <cstddef>
#include <string_view>

#include "server/command.h"
#include "server/context.h"
#include "storage/keyspace.h"
#include "storage/store.h"

namespace respite::server {

struct CommandShards {
  bool all_dbs = false;  // FLUSHALL: every shard of every database
  bool unblock = false;  // CLIENT UNBLOCK: the blocking registry comes before any shard
};

// A database number as SELECT, MOVE, COPY and SWAPDB take it.
inline bool parse_db_index(const storage::Store& store, std::string_view arg, int* db) {
  int64_t v;
  if (!parse_int(arg, &v) || v < 0 || v >= store.databases()) return false;
  *db = static_cast<int>(v);
  return true;
}

// Adds to sink (add(Shard*), add_key(Keyspace&, key), add_all(Keyspace&): a storage::MultiLock
// or anything shaped like one) the shards `cmd` may lock when run with `argc` arguments, arg(i)
// giving each, in database *db; a SELECT updates *db for the commands after it. A command whose
// arguments are invalid adds what it can: it fails before touching anything else.
template <class ArgAt, class Sink>
void add_command_shards(storage::Store& store, int* db, const Command& cmd, size_t argc,
                        ArgAt&& arg, Sink& sink, CommandShards* out) {
  using R = Command::ShardRule;
  switch (cmd.shard_rule) {
    case R::kKeys:
      break;
    case R::kSelect:
      if (argc > 1) parse_db_index(store, arg(1), db);
      return;
    case R::kFlushAll:
      out->all_dbs = true;
      return;
    case R::kUnblock:
      out->unblock = true;
      return;
    case R::kSwapDb: {
      int a, b;
      if (argc > 2 && parse_db_index(store, arg(1), &a) && parse_db_index(store, arg(2), &b)) {
        sink.add_all(store.db(a));
        sink.add_all(store.db(b));
      }
      return;
    }
    case R::kMove: {
      if (argc < 3) return;
      sink.add_key(store.db(*db), arg(1));
      int to;
      if (parse_db_index(store, arg(2), &to)) sink.add_key(store.db(to), arg(1));
      return;
    }
    case R::kAnyKey:
      sink.add_all(store.db(*db));
      return;
    case R::kCopy:
      for (size_t i = 3; i + 1 < argc; i++) {
        int to;
        if (iequals(arg(i), "db") && parse_db_index(store, arg(i + 1), &to))
          sink.add_key(store.db(to), arg(2));
      }
      break;  // and its own keys, below
  }
  if (cmd.first_key == 0 && cmd.numkeys_at == 0) {
    // No keys named, yet it reaches the keyspace (FLUSHDB, KEYS, SCAN, RANDOMKEY, DBSIZE).
    if (cmd.has_flag(kWrite) || cmd.has_flag(kReadonly)) sink.add_all(store.db(*db));
    return;
  }
  storage::Keyspace& ks = store.db(*db);
  for_each_key(cmd, argc, arg, [&](size_t i) { sink.add_key(ks, arg(i)); });
}

}  // namespace respite::server
