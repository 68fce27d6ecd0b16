// The pub/sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE,
// SUNSUBSCRIBE, SPUBLISH and PUBSUB. The registry and the delivery to other workers are in
// server/pubsub.h; here are Redis 7.0's replies. Confirmations are push frames (`>3` in RESP3,
// `*3` in RESP2), one per channel, with the client's running count: channels + patterns for the
// plain kinds, shard channels for the shard kind. While a RESP2 client has a subscription,
// dispatch() lets only these, PING, QUIT and RESET through.
#include <string>

#include "server/context.h"
#include "server/pubsub.h"

namespace respite::server {

namespace {

struct KindWords {
  SubKind kind;
  std::string_view sub, unsub;
};
constexpr KindWords kChannelWords{SubKind::kChannel, "subscribe", "unsubscribe"};
constexpr KindWords kPatternWords{SubKind::kPattern, "psubscribe", "punsubscribe"};
constexpr KindWords kShardWords{SubKind::kShard, "ssubscribe", "sunsubscribe"};

int64_t sub_count(const Connection& conn, SubKind k) {
  return conn.subs ? conn.subs->count(k) : 0;
}

// [kind, name or null, count] as a push frame. A push is sent even while CLIENT REPLY mutes the
// command's replies (Redis's CLIENT_PUSHING).
void reply_confirmation(CmdCtx& c, std::string_view word, const std::string_view* name, SubKind k) {
  protocol::ReplyWriter w(c.conn.replies_muted() ? &c.conn.out : c.reply.output());
  w.set_resp(c.reply.resp());
  w.push(3);
  w.bulk(word);
  if (name)
    w.bulk(*name);
  else
    w.null();
  w.integer(sub_count(c.conn, k));
}

void subscribe_generic(CmdCtx& c, const KindWords& w) {
  for (size_t j = 1; j < c.argc(); j++) {
    std::string_view name = c.arg(j);
    c.server.pubsub.subscribe(c.conn, w.kind, name);
    reply_confirmation(c, w.sub, &name, w.kind);
  }
}

void unsubscribe_generic(CmdCtx& c, const KindWords& w) {
  if (c.argc() > 1) {
    for (size_t j = 1; j < c.argc(); j++) {
      std::string_view name = c.arg(j);
      c.server.pubsub.unsubscribe(c.conn, w.kind, name);
      reply_confirmation(c, w.unsub, &name, w.kind);
    }
    return;
  }
  // No argument: every subscription of the kind, or one confirmation with a null name when there
  // is none (Redis always replies).
  std::vector<std::string> names;
  if (c.conn.subs) {
    const ClientSubs& s = *c.conn.subs;
    if (w.kind == SubKind::kPattern)
      names = s.patterns;
    else if (w.kind == SubKind::kChannel)
      names.assign(s.channels.begin(), s.channels.end());
    else
      names.assign(s.shard.begin(), s.shard.end());
  }
  if (names.empty()) return reply_confirmation(c, w.unsub, nullptr, w.kind);
  for (const std::string& n : names) {
    c.server.pubsub.unsubscribe(c.conn, w.kind, n);
    std::string_view name = n;
    reply_confirmation(c, w.unsub, &name, w.kind);
  }
}

void cmd_subscribe(CmdCtx& c) {
  subscribe_generic(c, kChannelWords);
}
void cmd_unsubscribe(CmdCtx& c) {
  unsubscribe_generic(c, kChannelWords);
}
void cmd_psubscribe(CmdCtx& c) {
  subscribe_generic(c, kPatternWords);
}
void cmd_punsubscribe(CmdCtx& c) {
  unsubscribe_generic(c, kPatternWords);
}
void cmd_ssubscribe(CmdCtx& c) {
  subscribe_generic(c, kShardWords);
}
void cmd_sunsubscribe(CmdCtx& c) {
  unsubscribe_generic(c, kShardWords);
}

void cmd_publish(CmdCtx& c) {
  c.reply.integer(c.server.pubsub.publish(&c.worker, false, c.arg(1), c.arg(2)));
}
void cmd_spublish(CmdCtx& c) {
  c.reply.integer(c.server.pubsub.publish(&c.worker, true, c.arg(1), c.arg(2)));
}

// Redis's addReplySubcommandSyntaxError, with the subcommand as the client typed it.
void subcommand_syntax_error(CmdCtx& c) {
  c.error(server::subcommand_syntax_error("pubsub", c.arg(1)));
}

void channel_list(CmdCtx& c, bool shard) {
  if (c.argc() > 3) return subcommand_syntax_error(c);
  std::string_view pattern;
  if (c.argc() == 3) pattern = c.arg(2);
  std::vector<std::string> names =
      c.server.pubsub.channels(shard, c.argc() == 3 ? &pattern : nullptr);
  c.reply.array(names.size());
  for (const std::string& n : names) c.reply.bulk(n);
}

void numsub(CmdCtx& c, bool shard) {
  c.reply.array((c.argc() - 2) * 2);
  for (size_t j = 2; j < c.argc(); j++) {
    c.reply.bulk(c.arg(j));
    c.reply.integer(c.server.pubsub.numsub(shard, c.arg(j)));
  }
}

void cmd_pubsub_channels(CmdCtx& c) {
  channel_list(c, false);
}
void cmd_pubsub_shardchannels(CmdCtx& c) {
  channel_list(c, true);
}
void cmd_pubsub_numsub(CmdCtx& c) {
  numsub(c, false);
}
void cmd_pubsub_shardnumsub(CmdCtx& c) {
  numsub(c, true);
}
void cmd_pubsub_numpat(CmdCtx& c) {
  c.reply.integer(c.server.pubsub.numpat());
}

void cmd_pubsub_help(CmdCtx& c) {
  static const char* lines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

bool allowed_in_resp2_pubsub(const Command& cmd) {
  if (cmd.parent) return false;
  static constexpr std::string_view kAllowed[] = {"ping",         "subscribe",    "ssubscribe",
                                                  "unsubscribe",  "sunsubscribe", "psubscribe",
                                                  "punsubscribe", "quit",         "reset"};
  for (std::string_view n : kAllowed) {
    if (cmd.name == n) return true;
  }
  return false;
}

void register_pubsub_commands(CommandTable& t) {
  constexpr uint32_t S = kPubsub | kNoscript | kLoading | kStale;              // (un)subscribe
  constexpr uint32_t P = kPubsub | kLoading | kStale | kFast | kMayReplicate;  // publish
  t.add({.name = "subscribe",
         .arity = -2,
         .flags = S,
         .fn = cmd_subscribe,
         .doc = {.group = "pubsub",
                 .summary = "Listen for messages published to the given channels",
                 .syntax = "channel [channel ...]",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the number of channels to subscribe to."}});
  t.add({.name = "unsubscribe",
         .arity = -1,
         .flags = S,
         .fn = cmd_unsubscribe,
         .doc = {.group = "pubsub",
                 .summary = "Stop listening for messages posted to the given channels",
                 .syntax = "[channel [channel ...]]",
                 .since = "2.0.0",
                 .complexity =
                     "O(N) where N is the number of clients already subscribed to a channel."}});
  t.add(
      {.name = "psubscribe",
       .arity = -2,
       .flags = S,
       .fn = cmd_psubscribe,
       .doc = {.group = "pubsub",
               .summary = "Listen for messages published to channels matching the given patterns",
               .syntax = "pattern [pattern ...]",
               .since = "2.0.0",
               .complexity =
                   "O(N) where N is the number of patterns the client is already subscribed to."}});
  t.add(
      {.name = "punsubscribe",
       .arity = -1,
       .flags = S,
       .fn = cmd_punsubscribe,
       .doc = {
           .group = "pubsub",
           .summary = "Stop listening for messages posted to channels matching the given patterns",
           .syntax = "[pattern [pattern ...]]",
           .since = "2.0.0",
           .complexity =
               "O(N+M) where N is the number of patterns the client is already subscribed and M is "
               "the number of total patterns subscribed in the system (by any client)."}});
  t.add({.name = "publish",
         .arity = 3,
         .flags = P,
         .fn = cmd_publish,
         .doc = {.group = "pubsub",
                 .summary = "Post a message to a channel",
                 .syntax = "channel message",
                 .since = "2.0.0",
                 .complexity =
                     "O(N+M) where N is the number of clients subscribed to the receiving channel "
                     "and M is the total number of subscribed patterns (by any client)."}});
  t.add({.name = "ssubscribe",
         .arity = -2,
         .flags = S,
         .keys = {1, -1, 1},
         .fn = cmd_ssubscribe,
         .doc = {.group = "pubsub",
                 .summary = "Listen for messages published to the given shard channels",
                 .syntax = "shardchannel [shardchannel ...]",
                 .since = "7.0.0",
                 .complexity = "O(N) where N is the number of shard channels to subscribe to."}});
  t.add({.name = "sunsubscribe",
         .arity = -1,
         .flags = S,
         .keys = {1, -1, 1},
         .fn = cmd_sunsubscribe,
         .doc = {
             .group = "pubsub",
             .summary = "Stop listening for messages posted to the given shard channels",
             .syntax = "[shardchannel [shardchannel ...]]",
             .since = "7.0.0",
             .complexity =
                 "O(N) where N is the number of clients already subscribed to a shard channel."}});
  t.add({.name = "spublish",
         .arity = 3,
         .flags = P,
         .keys = {1, 1, 1},
         .fn = cmd_spublish,
         .doc = {.group = "pubsub",
                 .summary = "Post a message to a shard channel",
                 .syntax = "shardchannel message",
                 .since = "7.0.0",
                 .complexity = "O(N) where N is the number of clients subscribed to the receiving "
                               "shard channel."}});
  // The container has no flags of its own in Redis 7.0; its subcommands have them.
  Command* pubsub = t.add(
      {.name = "pubsub",
       .arity = -2,
       .flags = 0,
       .fn = nullptr,
       .doc = {
           .group = "pubsub", .summary = "A container for Pub/Sub commands", .since = "2.8.0"}});
  constexpr uint32_t I = kPubsub | kLoading | kStale;  // introspection
  t.add_sub(
      pubsub,
      {.name = "channels",
       .arity = -2,
       .flags = I,
       .fn = cmd_pubsub_channels,
       .doc = {.summary = "List active channels",
               .syntax = "[pattern]",
               .since = "2.8.0",
               .complexity = "O(N) where N is the number of active channels, and assuming constant "
                             "time pattern matching (relatively short channels and patterns)"}});
  t.add_sub(pubsub, {.name = "numpat",
                     .arity = 2,
                     .flags = I,
                     .fn = cmd_pubsub_numpat,
                     .doc = {.summary = "Get the count of unique patterns pattern subscriptions",
                             .since = "2.8.0"}});
  t.add_sub(
      pubsub,
      {.name = "numsub",
       .arity = -2,
       .flags = I,
       .fn = cmd_pubsub_numsub,
       .doc = {.summary = "Get the count of subscribers for channels",
               .syntax = "[channel [channel ...]]",
               .since = "2.8.0",
               .complexity =
                   "O(N) for the NUMSUB subcommand, where N is the number of requested channels"}});
  t.add_sub(
      pubsub,
      {.name = "shardchannels",
       .arity = -2,
       .flags = I,
       .fn = cmd_pubsub_shardchannels,
       .doc = {.summary = "List active shard channels",
               .syntax = "[pattern]",
               .since = "7.0.0",
               .complexity = "O(N) where N is the number of active shard channels, and assuming "
                             "constant time pattern matching (relatively short shard channels)."}});
  t.add_sub(pubsub, {.name = "shardnumsub",
                     .arity = -2,
                     .flags = I,
                     .fn = cmd_pubsub_shardnumsub,
                     .doc = {.summary = "Get the count of subscribers for shard channels",
                             .syntax = "[shardchannel [shardchannel ...]]",
                             .since = "7.0.0",
                             .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the "
                                           "number of requested shard channels"}});
  t.add_sub(pubsub, {.name = "help",
                     .arity = 2,
                     .flags = kLoading | kStale,
                     .fn = cmd_pubsub_help,
                     .doc = {.summary = "Show helpful text about the different subcommands",
                             .since = "6.2.0"}});
}

}  // namespace respite::server
