// differential_pubsub: the same seeded pub/sub script against the server under test (respite with
// three workers, so subscribers and publishers sit on different loops) and the reference
// (redis-server), comparing every byte each client receives. The command-stream differential
// test (differential_main.cpp) uses one connection; pub/sub needs several at once, hence this one.
//
// A script is a list of steps run in the same order on both servers, one at a time:
//  - a subscriber (RESP2 or RESP3) runs (P|S)SUBSCRIBE or (P|S)UNSUBSCRIBE; the test reads until
//    all its confirmations came, keeping whatever messages came before them;
//  - a publisher runs PUBLISH or SPUBLISH (its reply, the receiver count, must match) or asks
//    PUBSUB NUMSUB / NUMPAT / CHANNELS / SHARDNUMSUB (CHANNELS compared as a set).
// At the end every subscriber sends PING and reads up to its reply. Each subscriber's transcript
// (confirmations and messages, in arrival order) must be the same on both servers. The one
// normalisation: frames caused by the same publish to the same client (a message and several
// pmessages) are compared as a set, because Redis sends pmessages in its pattern dictionary's
// order. Argument-less UNSUBSCRIBE is only generated when it names at most one subscription, for
// the same reason. Every publish has a payload of its own, which is how frames are grouped.
//   RESPITE_DIFF_SEED / RESPITE_DIFF_SEEDS / RESPITE_DIFF_COUNT: as differential_test.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/client.h"
#include "tests/support/server_process.h"

using namespace respite::test;

namespace {

constexpr int kSubscribers = 6, kPublishers = 3;
const std::vector<std::string> kChannels = {"c0", "c1", "c2", "news", "a", "ab"};
const std::vector<std::string> kPatterns = {"c*", "c[0-1]", "?1", "*", "n*s", "[^c]*", "a?"};
const std::vector<std::string> kShards = {"c0", "s1", "news"};

enum class Op { kSub, kPublish, kIntrospect };
struct Step {
  Op op;
  int who;                        // subscriber or publisher index
  std::vector<std::string> args;  // the command
  int confirmations = 0;          // kSub: how many confirmation frames it answers with
};

// What one client's model holds, to know how many confirmations an argument-less unsubscribe
// sends and to keep those deterministic.
struct Model {
  std::set<std::string> kinds[3];  // channels, patterns, shard channels
};

struct Script {
  std::vector<bool> resp3;  // per subscriber
  std::vector<Step> steps;
};

Script make_script(uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  Script s;
  std::vector<Model> model(kSubscribers);
  for (int i = 0; i < kSubscribers; i++) s.resp3.push_back(pick(2) == 1);
  static const char* kSub[] = {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"};
  static const char* kUnsub[] = {"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"};
  auto pool = [&](int kind) -> const std::vector<std::string>& {
    return kind == 0 ? kChannels : kind == 1 ? kPatterns : kShards;
  };
  for (int n = 0; n < count; n++) {
    int roll = pick(100);
    if (roll < 25) {
      int who = pick(kSubscribers), kind = pick(3);
      Model& m = model[static_cast<size_t>(who)];
      Step st{Op::kSub, who, {}};
      bool sub = pick(3) != 0;
      st.args.push_back(sub ? kSub[kind] : kUnsub[kind]);
      if (!sub && m.kinds[kind].size() <= 1 && pick(3) == 0) {
        st.confirmations = std::max<int>(1, static_cast<int>(m.kinds[kind].size()));
        m.kinds[kind].clear();
      } else {
        int names = 1 + pick(3);
        for (int k = 0; k < names; k++) {
          const std::string& name =
              pool(kind)[static_cast<size_t>(pick(static_cast<int>(pool(kind).size())))];
          st.args.push_back(name);
          if (sub)
            m.kinds[kind].insert(name);
          else
            m.kinds[kind].erase(name);
        }
        st.confirmations = names;
      }
      s.steps.push_back(std::move(st));
    } else if (roll < 92) {
      int who = pick(kPublishers);
      bool shard = pick(5) == 0;
      std::string channel =
          shard ? kShards[static_cast<size_t>(pick(3))]
                : (pick(8) == 0 ? std::string("zz") : kChannels[static_cast<size_t>(pick(6))]);
      std::string payload = "m";  // appended: GCC 12 warns falsely on "literal" + string
      payload += std::to_string(n);
      s.steps.push_back({Op::kPublish, who, {shard ? "SPUBLISH" : "PUBLISH", channel, payload}});
    } else {
      int which = pick(4);
      std::vector<std::string> args = {"PUBSUB"};
      if (which == 0) {
        args.insert(args.end(), {"NUMSUB", "c0", "news", "zz"});
      } else if (which == 1) {
        args.push_back("NUMPAT");
      } else if (which == 2) {
        args.insert(args.end(), {"CHANNELS", pick(2) ? "*" : "c*"});
      } else {
        args.insert(args.end(), {"SHARDNUMSUB", "c0", "s1"});
      }
      s.steps.push_back({Op::kIntrospect, pick(kPublishers), std::move(args)});
    }
  }
  return s;
}

// The kind word of a push frame ("message", "subscribe", ...): its first bulk string.
std::string kind_of(const std::string& frame) {
  size_t dollar = frame.find('$');
  if (dollar == std::string::npos) return "";
  size_t nl = frame.find("\r\n", dollar);
  size_t len = std::stoul(frame.substr(dollar + 1, nl - dollar - 1));
  return frame.substr(nl + 2, len);
}
bool is_message(const std::string& frame) {
  std::string k = kind_of(frame);
  return k == "message" || k == "pmessage" || k == "smessage";
}
std::string payload_of(const std::string& frame) {
  std::string body = frame.substr(0, frame.size() - 2);
  return body.substr(body.rfind('\n') + 1);
}

// A transcript with the frames of one publish to one client sorted (see the header).
std::vector<std::string> normalised(const std::vector<std::string>& frames) {
  std::vector<std::string> out = frames;
  size_t i = 0;
  while (i < out.size()) {
    size_t j = i + 1;
    if (is_message(out[i])) {
      while (j < out.size() && is_message(out[j]) && payload_of(out[j]) == payload_of(out[i])) j++;
      std::sort(out.begin() + static_cast<std::ptrdiff_t>(i),
                out.begin() + static_cast<std::ptrdiff_t>(j));
    }
    i = j;
  }
  return out;
}

struct Run {
  std::vector<std::vector<std::string>> transcripts;  // per subscriber
  std::vector<std::string> replies;                   // per publisher step, in step order
};

Run run(ServerProcess& srv, const Script& script) {
  Run r;
  r.transcripts.resize(kSubscribers);
  std::vector<std::unique_ptr<RawConnection>> subs;
  for (int i = 0; i < kSubscribers; i++) {
    subs.push_back(std::make_unique<RawConnection>(srv.port()));
    if (script.resp3[static_cast<size_t>(i)]) {
      subs.back()->send(encode_command({"HELLO", "3"}));
      if (subs.back()->read_reply().empty()) throw std::runtime_error("no HELLO reply");
    }
  }
  std::vector<std::unique_ptr<Client>> pubs;
  for (int i = 0; i < kPublishers; i++) pubs.push_back(std::make_unique<Client>(srv.port()));
  for (const Step& st : script.steps) {
    if (st.op == Op::kSub) {
      RawConnection& c = *subs[static_cast<size_t>(st.who)];
      auto& t = r.transcripts[static_cast<size_t>(st.who)];
      c.send(encode_command(st.args));
      for (int got = 0; got < st.confirmations;) {
        std::string f = c.read_reply();
        if (f.empty())
          throw std::runtime_error("subscriber " + std::to_string(st.who) + " got nothing");
        t.push_back(f);
        if (!is_message(f)) got++;
      }
    } else {
      Reply rep = pubs[static_cast<size_t>(st.who)]->cmd(st.args);
      if (st.args[1] == "CHANNELS")
        std::sort(rep.elements.begin(), rep.elements.end(),
                  [](const Reply& a, const Reply& b) { return a.str < b.str; });
      r.replies.push_back(rep.to_string());
    }
  }
  for (int i = 0; i < kSubscribers; i++) {
    RawConnection& c = *subs[static_cast<size_t>(i)];
    c.send(encode_command({"PING"}));
    for (;;) {
      std::string f = c.read_reply();
      if (f.empty()) throw std::runtime_error("subscriber " + std::to_string(i) + " got no PONG");
      if (f == "+PONG\r\n" || f.rfind("*2\r\n$4\r\npong\r\n", 0) == 0) break;
      r.transcripts[static_cast<size_t>(i)].push_back(f);
    }
  }
  return r;
}

std::string show(const std::string& bytes) {
  return quote_bytes(bytes);
}

long long env_int(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

}  // namespace

int main() {
  std::vector<uint64_t> seeds;
  if (const char* list = std::getenv("RESPITE_DIFF_SEED"); list && *list) {
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) seeds.push_back(std::strtoull(item.c_str(), nullptr, 10));
  } else {
    for (long long s = 1; s <= env_int("RESPITE_DIFF_SEEDS", 3); s++) seeds.push_back(s);
  }
  int count = static_cast<int>(env_int("RESPITE_DIFF_COUNT", 1500));
  try {
    ServerProcess under_test(server_binary(), ServerOptions().set("threads", "3"));
    ServerProcess reference(reference_binary());
    std::cout << "server under test: " << under_test.binary()
              << "\nreference: " << reference.binary() << "\n";
    for (uint64_t seed : seeds) {
      Script script = make_script(seed, count);
      Run a = run(under_test, script), b = run(reference, script);
      for (size_t i = 0; i < a.replies.size() && i < b.replies.size(); i++) {
        if (a.replies[i] != b.replies[i]) {
          std::cout << "FAILED seed " << seed << ": publisher reply " << i
                    << " differs\n  under test: " << a.replies[i]
                    << "\n  reference:  " << b.replies[i] << "\n";
          return 1;
        }
      }
      for (int s = 0; s < kSubscribers; s++) {
        auto x = normalised(a.transcripts[static_cast<size_t>(s)]);
        auto y = normalised(b.transcripts[static_cast<size_t>(s)]);
        for (size_t i = 0; i < std::max(x.size(), y.size()); i++) {
          std::string fx = i < x.size() ? x[i] : "<none>", fy = i < y.size() ? y[i] : "<none>";
          if (fx != fy) {
            std::cout << "FAILED seed " << seed << ": subscriber " << s << " (RESP"
                      << (script.resp3[static_cast<size_t>(s)] ? 3 : 2) << ") frame " << i << " of "
                      << y.size() << " differs\n  under test: " << show(fx)
                      << "\n  reference:  " << show(fy) << "\n";
            return 1;
          }
        }
      }
      size_t frames = 0;
      for (auto& t : a.transcripts) frames += t.size();
      std::cout << "seed " << seed << ": " << script.steps.size() << " steps, " << frames
                << " subscriber frames, all equal\n";
    }
  } catch (const std::exception& e) {
    std::cout << "differential_pubsub: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
