// LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP, with Redis 7.0's replies.
// The first five read the latency monitor (server/latency_monitor.h), which dispatch, the cron's
// expiry sweep and eviction feed; HISTOGRAM reads the per-command histograms that dispatch
// records on every worker (server/latency_histogram.h), merged here. GRAPH and DOCTOR are
// respite's own texts: the same facts as Redis's, not its wording.
#include <iterator>

#include "server/context.h"
#include "server/errors.h"
#include "server/latency_monitor.h"
#include "server/server.h"

namespace respite::server {

namespace {

void cmd_latency_latest(CmdCtx& c) {
  auto events = c.server.latency.snapshot();
  c.reply.array(events.size());
  for (const auto& [name, s] : events) {
    c.reply.array(4);
    c.reply.bulk(name);
    c.reply.integer(s.last().time);
    c.reply.integer(s.last().ms);
    c.reply.integer(s.max_ms);
  }
}

void cmd_latency_history(CmdCtx& c) {
  LatencySeries s;
  if (!c.server.latency.series(c.arg(2), &s)) return c.reply.array(0);
  std::vector<LatencySample> samples = s.oldest_first();
  c.reply.array(samples.size());
  for (const LatencySample& x : samples) {
    c.reply.array(2);
    c.reply.integer(x.time);
    c.reply.integer(x.ms);
  }
}

void cmd_latency_reset(CmdCtx& c) {
  std::vector<std::string_view> names(c.argv.begin() + 2, c.argv.end());
  c.reply.integer(static_cast<int64_t>(c.server.latency.reset(names)));
}

void cmd_latency_graph(CmdCtx& c) {
  LatencySeries s;
  if (!c.server.latency.series(c.arg(2), &s)) return c.error(latency_no_samples_error(c.arg(2)));
  c.reply.verbatim(latency_graph(c.arg(2), s, c.op.now_ms / 1000));
}

void cmd_latency_doctor(CmdCtx& c) {
  c.reply.verbatim(
      latency_doctor(c.server.latency.snapshot(),
                     c.server.config.latency_monitor_threshold.load(std::memory_order_relaxed)));
}

// One command's entry: its full name, then {calls, histogram_usec: {bound: cumulative count}}.
void reply_histogram(CmdCtx& c, const Command& cmd, const LatencyCounts& h) {
  c.reply.bulk(cmd.name);
  c.reply.map(2);
  c.reply.bulk("calls");
  c.reply.integer(static_cast<int64_t>(h.total));
  c.reply.bulk("histogram_usec");
  auto cdf = h.cdf();
  c.reply.map(cdf.size());
  for (const auto& [us, n] : cdf) {
    c.reply.integer(us);
    c.reply.integer(static_cast<int64_t>(n));
  }
}

// A name as Redis's lookupCommandBySds takes it: "get", or "client|id" for a subcommand.
const Command* lookup_full(const CommandTable& t, std::string_view name) {
  const size_t bar = name.find('|');
  if (bar == std::string_view::npos) return t.find(name);
  const Command* parent = t.find(name.substr(0, bar));
  return parent ? parent->find_sub(name.substr(bar + 1)) : nullptr;
}

// Commands with no recorded call are left out; a container stands for its subcommands, as in
// Redis. Unknown names are skipped, not refused.
void cmd_latency_histogram(CmdCtx& c) {
  std::vector<const Command*> wanted;
  auto with_subs = [&](const Command* cmd) {
    wanted.push_back(cmd);
    for (const auto& sub : cmd->subcommands) wanted.push_back(sub.get());
  };
  if (c.argc() == 2) {
    for (const Command* cmd : c.server.commands.all()) with_subs(cmd);
  } else {
    for (size_t j = 2; j < c.argc(); j++) {
      if (const Command* cmd = lookup_full(c.server.commands, c.arg(j))) with_subs(cmd);
    }
  }
  std::vector<std::pair<const Command*, LatencyCounts>> found;
  for (const Command* cmd : wanted) {
    LatencyCounts h = c.server.command_latency(cmd->id);
    if (h.total) found.emplace_back(cmd, h);
  }
  c.reply.map(found.size());
  for (const auto& [cmd, h] : found) reply_histogram(c, *cmd, h);
}

void cmd_latency_help(CmdCtx& c) {
  static const char* lines[] = {
      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
      "HELP",
      "    Print this help.",
  };
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_latency_commands(CommandTable& t) {
  constexpr uint32_t A = kAdmin | kNoscript | kLoading | kStale;
  Command* lat = t.add({.name = "latency",
                        .arity = -2,
                        .flags = A,
                        .fn = nullptr,
                        .doc = {.group = "server",
                                .summary = "A container for latency diagnostics commands",
                                .since = "2.8.13",
                                .complexity = "Depends on subcommand."}});
  t.add_sub(lat, {.name = "latest",
                  .arity = 2,
                  .flags = A,
                  .fn = cmd_latency_latest,
                  .doc = {.summary = "Return the latest latency samples for all events.",
                          .since = "2.8.13"}});
  t.add_sub(lat, {.name = "history",
                  .arity = 3,
                  .flags = A,
                  .fn = cmd_latency_history,
                  .doc = {.summary = "Return timestamp-latency samples for the event.",
                          .syntax = "event",
                          .since = "2.8.13"}});
  t.add_sub(lat, {.name = "reset",
                  .arity = -2,
                  .flags = A,
                  .fn = cmd_latency_reset,
                  .doc = {.summary = "Reset latency data for one or more events.",
                          .syntax = "[event [event ...]]",
                          .since = "2.8.13"}});
  t.add_sub(lat, {.name = "graph",
                  .arity = 3,
                  .flags = A,
                  .fn = cmd_latency_graph,
                  .doc = {.summary = "Return a latency graph for the event.",
                          .syntax = "event",
                          .since = "2.8.13"}});
  t.add_sub(lat, {.name = "doctor",
                  .arity = 2,
                  .flags = A,
                  .fn = cmd_latency_doctor,
                  .doc = {.summary = "Return a human readable latency analysis report.",
                          .since = "2.8.13"}});
  t.add_sub(lat,
            {.name = "histogram",
             .arity = -2,
             .flags = A,
             .fn = cmd_latency_histogram,
             .doc = {.summary = "Return the cumulative distribution of latencies of a subset of "
                                "commands or all.",
                     .syntax = "[command [command ...]]",
                     .since = "7.0.0",
                     .complexity = "O(N) where N is the number of commands with latency "
                                   "information being retrieved."}});
  t.add_sub(lat, {.name = "help",
                  .arity = 2,
                  .flags = kLoading | kStale,
                  .fn = cmd_latency_help,
                  .doc = {.summary = "Show helpful text about the different subcommands.",
                          .since = "2.8.13"}});
}

}  // namespace respite::server
