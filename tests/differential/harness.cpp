// Runs seeded command streams against two servers and compares replies; see harness.h. The report
// on a mismatch names the seed and index (enough to replay the stream), the command, both replies
// and the commands that led there. At the end of a stream whose replies all matched, the error
// statistics must match too: INFO errorstats, and commandstats' rejected_calls / failed_calls.
#include "tests/differential/harness.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <set>

namespace respite::diff {

using test::Client;
using test::Reply;

namespace {

bool ttl_close(const Reply& a, const Reply& b, long long tolerance) {
  if (a.type != Reply::Type::kInteger || b.type != Reply::Type::kInteger) return a == b;
  if (a.integer < 0 || b.integer < 0) return a.integer == b.integer;  // -1 / -2 are exact
  return std::llabs(a.integer - b.integer) <= tolerance;
}

bool iequals(const std::string& a, const char* b) {
  size_t n = std::char_traits<char>::length(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Iterates SCAN (cursor in args[1]) or HSCAN/SSCAN/ZSCAN (cursor in args[2]) from cursor 0 to the
// end and returns what was seen as a sorted array: keys or members, or for HSCAN and ZSCAN
// "field value" pairs, each pair one element. Items may come back more than once during a rehash;
// only the set is specified.
Reply scan_all(Client& c, std::vector<std::string> args) {
  const bool keyspace = iequals(args[0], "scan");
  const bool pairs = iequals(args[0], "hscan") || iequals(args[0], "zscan");
  const size_t at = keyspace ? 1 : 2;
  std::set<std::string> seen;
  std::string cursor = "0";
  for (int rounds = 0; rounds < 100000; ++rounds) {
    args[at] = cursor;
    Reply r = c.cmd(args);
    if (r.is_error()) return r;
    if (!r.is_array() || r.elements.size() != 2 || !r.elements[1].is_array()) {
      return Reply::Err("harness: malformed SCAN reply: " + r.to_string());
    }
    const auto& items = r.elements[1].elements;
    if (pairs && items.size() % 2 != 0)
      return Reply::Err("harness: odd pair list: " + r.to_string());
    for (size_t i = 0; i < items.size(); i += pairs ? 2 : 1) {
      seen.insert(pairs ? items[i].to_string() + " " + items[i + 1].to_string() : items[i].str);
    }
    cursor = r.elements[0].str;
    if (cursor == "0") {
      Reply out = Reply::Arr({});
      for (const std::string& k : seen) out.elements.push_back(Reply::Str(k));
      return out;
    }
  }
  return Reply::Err("harness: SCAN cursor never returned to 0");
}

Reply execute(Client& c, const Command& cmd) {
  if (cmd.compare == Compare::kScanAll) return scan_all(c, cmd.args);
  return c.cmd(cmd.args);
}

// One line of at most `max` bytes: a multi-line array reply is joined with " | ".
std::string shorten(const std::string& s, size_t max) {
  std::string line;
  for (char c : s) {
    if (c == '\n') {
      line += " | ";
    } else {
      line += c;
    }
  }
  if (line.size() <= max) return line;
  return line.substr(0, max) + "...";
}

struct HistoryEntry {
  int index;
  std::string command;
  std::string reply;  // the reference's, shortened
};

void print_history(const std::deque<HistoryEntry>& history, std::ostream& out) {
  out << "last " << history.size() << " commands before it (with the reference's reply):\n";
  for (const HistoryEntry& h : history) {
    out << "  [" << h.index << "] " << h.command << "  ->  " << h.reply << "\n";
  }
}

// The error statistics of a server as "name value" lines, sorted: every errorstat_ line, and
// "cmdstat_<name> rejected=R failed=F" for each command with either non-zero (calls and usec
// differ between the two by design: the harness iterates SCANs to the end on each).
std::string error_statistics(Client& c) {
  std::set<std::string> lines;
  for (const char* section : {"errorstats", "commandstats"}) {
    std::string info = c.cmd({"INFO", section}).str;
    size_t pos = 0;
    while (pos < info.size()) {
      size_t end = info.find("\r\n", pos);
      if (end == std::string::npos) end = info.size();
      std::string line = info.substr(pos, end - pos);
      pos = end + 2;
      if (line.rfind("errorstat_", 0) == 0) {
        lines.insert(line);
      } else if (line.rfind("cmdstat_", 0) == 0) {
        size_t r = line.find(",rejected_calls=");
        if (r == std::string::npos) continue;
        std::string counts = line.substr(r + 1);
        if (counts != "rejected_calls=0,failed_calls=0")
          lines.insert(line.substr(0, line.find(':')) + " " + counts);
      }
    }
  }
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

}  // namespace

namespace {

// Compare::kStreamMasked: clears what depends on the clock or on Redis's radix tree. Flat maps
// (RESP2) lose the values of those fields; "pending" lists inside XINFO STREAM FULL lose their
// delivery times; XPENDING's extended rows [id, consumer, idle, count] lose the idle time.
void mask_stream_reply(Reply& r) {
  if (!r.is_array()) return;
  auto& el = r.elements;
  bool flat = el.size() % 2 == 0 && !el.empty();
  for (size_t i = 0; flat && i < el.size(); i += 2) flat = el[i].type == Reply::Type::kString;
  if (flat) {
    for (size_t i = 0; i < el.size(); i += 2) {
      const std::string& k = el[i].str;
      if (k == "radix-tree-keys" || k == "radix-tree-nodes" || k == "seen-time" || k == "idle") {
        el[i + 1] = Reply::Nil();
      } else if (k == "pending" && el[i + 1].is_array()) {
        for (Reply& row : el[i + 1].elements) {
          if (row.is_array() && row.elements.size() == 4) row.elements[2] = Reply::Nil();
          if (row.is_array() && row.elements.size() == 3) row.elements[1] = Reply::Nil();
        }
      }
    }
  }
  for (Reply& e : el) {
    if (e.is_array() && e.elements.size() == 4 && e.elements[2].type == Reply::Type::kInteger &&
        e.elements[0].type == Reply::Type::kString && e.elements[1].type == Reply::Type::kString)
      e.elements[2] = Reply::Nil();
    mask_stream_reply(e);
  }
}

}  // namespace

bool replies_match(Compare mode, const Reply& a, const Reply& b) {
  switch (mode) {
    case Compare::kStreamMasked: {
      Reply ma = a, mb = b;
      mask_stream_reply(ma);
      mask_stream_reply(mb);
      return ma == mb;
    }
    case Compare::kExact:
    case Compare::kScanAll:  // already normalised to a sorted array by scan_all()
      return a == b;
    case Compare::kSortedArray: {
      if (!a.is_array() || !b.is_array()) return a == b;
      auto sorted = [](const Reply& r) {
        std::vector<std::string> v;
        for (const Reply& e : r.elements) v.push_back(e.to_string());
        std::sort(v.begin(), v.end());
        return v;
      };
      return sorted(a) == sorted(b);
    }
    case Compare::kSortedPairs: {
      if (!a.is_array() || !b.is_array() || a.elements.size() % 2 || b.elements.size() % 2)
        return a == b;
      auto pairs = [](const Reply& r) {
        std::vector<std::pair<std::string, std::string>> v;
        for (size_t i = 0; i < r.elements.size(); i += 2)
          v.emplace_back(r.elements[i].to_string(), r.elements[i + 1].to_string());
        std::sort(v.begin(), v.end());
        return v;
      };
      return pairs(a) == pairs(b);
    }
    case Compare::kLength:
      if (a.is_array() && b.is_array()) return a.elements.size() == b.elements.size();
      if (a.type == Reply::Type::kString && b.type == Reply::Type::kString) return true;
      return a == b;
    case Compare::kNilOrNot:
      if (a.is_nil() || b.is_nil()) return a.is_nil() == b.is_nil();
      return a.type == b.type;
    case Compare::kTtlSeconds:
      return ttl_close(a, b, 1);
    case Compare::kTtlMillis:
      return ttl_close(a, b, 1000);
  }
  return false;
}

SeedResult run_seed(test::ServerProcess& under_test, test::ServerProcess& reference, uint64_t seed,
                    int count, long long base_time_s, std::ostream& out) {
  SeedResult result;
  Gen g(seed, base_time_s, count);
  const std::vector<CommandGen> table = all_generators();
  std::deque<HistoryEntry> history;
  const bool trace = std::getenv("RESPITE_DIFF_TRACE") != nullptr;

  auto header = [&](const char* what, int index) {
    out << "\n=== DIFFERENTIAL " << what << ": seed " << seed << ", command index " << index
        << " ===\n";
  };
  auto reproduce = [&](int index) {
    out << "reproduce: RESPITE_DIFF_SEED=" << seed << " RESPITE_DIFF_COUNT=" << index + 1
        << " differential_test\n";
  };

  // Two connections to each server (gen_transactions.cpp: Command::conn).
  Client a(under_test.port()), a1(under_test.port());
  Client b(reference.port()), b1(reference.port());
  // Connection 0's MULTI, as the reference answers it: the compare rules of the queued commands,
  // for EXEC's array.
  bool in_multi = false;
  std::vector<Compare> queued;
  if (!(a.cmd({"FLUSHALL"}).is_ok() && b.cmd({"FLUSHALL"}).is_ok() &&
        a.cmd({"CONFIG", "RESETSTAT"}).is_ok() && b.cmd({"CONFIG", "RESETSTAT"}).is_ok())) {
    header("SETUP FAILED", 0);
    out << "FLUSHALL or CONFIG RESETSTAT did not reply OK\n";
    result.ok = false;
    return result;
  }

  for (int i = 0; i < count; ++i) {
    g.set_index(i);
    Command cmd = generate(g, table);
    // A blocking command outside MULTI would block; a SCAN iterated by the harness cannot be
    // queued: both become PING.
    if ((cmd.multi_only && !in_multi) ||
        (in_multi && cmd.conn == 0 && cmd.compare == Compare::kScanAll)) {
      cmd = Command{{"PING"}};
    }
    const bool is_exec = cmd.conn == 0 && in_multi && iequals(cmd.args[0], "exec");
    std::string text = (cmd.conn ? "(conn 1) " : "") + format_command(cmd.args);
    Client& ca = cmd.conn ? a1 : a;
    Client& cb = cmd.conn ? b1 : b;
    Reply ra, rb;
    try {
      ra = execute(ca, cmd);
    } catch (const std::exception& e) {
      header("SERVER UNDER TEST FAILED", i);
      out << "command: " << text << "\nerror: " << e.what()
          << "\nprocess: " << (under_test.running() ? "still running" : "exited") << "\n";
      print_history(history, out);
      out << "--- server output ---\n" << under_test.log() << "\n";
      reproduce(i);
      result.ok = false;
      return result;
    }
    try {
      rb = execute(cb, cmd);
    } catch (const std::exception& e) {
      header("REFERENCE FAILED (a harness problem)", i);
      out << "command: " << text << "\nerror: " << e.what() << "\n";
      result.ok = false;
      return result;
    }
    bool match;
    if (is_exec && ra.is_array() && rb.is_array() && ra.elements.size() == queued.size() &&
        rb.elements.size() == queued.size()) {
      match = true;  // element by element, each by its own command's rules
      for (size_t k = 0; k < queued.size(); k++)
        match = match && replies_match(queued[k], ra.elements[k], rb.elements[k]);
    } else {
      match = replies_match(is_exec ? Compare::kExact : cmd.compare, ra, rb);
    }
    if (cmd.conn == 0) {
      if (!in_multi && iequals(cmd.args[0], "multi") && rb.is_ok()) {
        in_multi = true;
        queued.clear();
      } else if (in_multi && (iequals(cmd.args[0], "exec") || iequals(cmd.args[0], "discard"))) {
        in_multi = false;
      } else if (in_multi && rb.type == Reply::Type::kStatus && rb.str == "QUEUED") {
        queued.push_back(cmd.compare);
      }
    }
    if (!match) {
      header("MISMATCH", i);
      out << "command: " << text << "\n";
      out << "server under test (" << under_test.binary() << "):\n" << ra.to_string() << "\n";
      out << "reference (" << reference.binary() << "):\n" << rb.to_string() << "\n";
      print_history(history, out);
      reproduce(i);
      result.ok = false;
      return result;
    }
    if (trace) out << "[" << i << "] " << text << "\n" << rb.to_string() << "\n";
    history.push_back({i, shorten(text, 200), shorten(rb.to_string(), 120)});
    if (history.size() > 20) history.pop_front();
    result.commands = i + 1;
  }
  std::string stats_a = error_statistics(a), stats_b = error_statistics(b);
  if (stats_a != stats_b) {
    header("ERROR STATISTICS MISMATCH", count);
    out << "server under test:\n" << stats_a << "reference:\n" << stats_b;
    print_history(history, out);
    out << "reproduce: RESPITE_DIFF_SEED=" << seed << " RESPITE_DIFF_COUNT=" << count
        << " differential_test\n";
    result.ok = false;
  }
  return result;
}

}  // namespace respite::diff
