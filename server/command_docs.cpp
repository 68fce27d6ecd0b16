// COMMAND DOCS argument trees, generated from each command's one-line syntax (command.h): the shape
// Redis 7 replies with (name, type, token, flags, nested arguments for blocks and one-ofs), which
// redis-cli walks to build its hints. Syntax grammar: words; UPPER words are tokens, optionally
// followed by their lower-case value; [ ... ] optional; a | b one of; "..." repeats what precedes.
#include "server/command_docs.h"

#include <cctype>

#include "server/command.h"

namespace respite::server {

namespace {

std::vector<std::string> tokenize(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    char ch = s[i];
    if (ch == ' ') {
      i++;
    } else if (ch == '[' || ch == ']' || ch == '|') {
      out.emplace_back(1, ch);
      i++;
    } else {
      size_t j = i;
      while (j < s.size() && s[j] != ' ' && s[j] != '[' && s[j] != ']' && s[j] != '|') j++;
      out.emplace_back(s.substr(i, j - i));
      i = j;
    }
  }
  return out;
}

bool is_token_word(const std::string& w) {
  bool letter = false;
  for (char ch : w) {
    if (std::islower(static_cast<unsigned char>(ch))) return false;
    if (std::isupper(static_cast<unsigned char>(ch))) letter = true;
  }
  return letter;
}

bool is_key_name(const std::string& n) {
  return n == "key" || n == "newkey" || n == "source" || n == "destination";
}

DocArg parse_group(const std::vector<std::string>& t, size_t& i);

// A sequence up to ']' or the end, with '|' splitting it into alternatives.
std::vector<std::vector<DocArg>> parse_alternatives(const std::vector<std::string>& t, size_t& i) {
  std::vector<std::vector<DocArg>> alts(1);
  while (i < t.size() && t[i] != "]") {
    const std::string& w = t[i];
    auto& seq = alts.back();
    if (w == "|") {
      alts.emplace_back();
      i++;
    } else if (w == "[") {
      i++;
      DocArg g = parse_group(t, i);
      g.optional = true;
      // "key [key ...]": the group only repeats the argument before it.
      if (g.multiple && !seq.empty() && seq.back().name == g.name && g.sub.empty()) {
        seq.back().multiple = true;
      } else {
        seq.push_back(std::move(g));
      }
    } else if (w == "...") {
      if (!seq.empty()) seq.back().multiple = true;
      i++;
    } else if (is_token_word(w)) {
      DocArg a;
      a.token = w;
      i++;
      if (i < t.size() && t[i] != "|" && t[i] != "[" && t[i] != "]" && t[i] != "..." &&
          !is_token_word(t[i])) {
        a.name = t[i++];
        a.type = "string";
      } else {
        a.name = lowercase(w);
        a.type = "pure-token";
      }
      seq.push_back(std::move(a));
    } else {
      DocArg a;
      a.name = w;
      a.type = is_key_name(w) ? "key" : "string";
      seq.push_back(std::move(a));
      i++;
    }
  }
  return alts;
}

DocArg collapse(std::vector<DocArg> seq) {
  if (seq.size() == 1) return std::move(seq[0]);
  DocArg b;
  b.type = "block";
  b.name = seq.empty() ? "block" : (seq[0].token.empty() ? seq[0].name : lowercase(seq[0].token));
  b.sub = std::move(seq);
  return b;
}

DocArg parse_group(const std::vector<std::string>& t, size_t& i) {
  auto alts = parse_alternatives(t, i);
  if (i < t.size() && t[i] == "]") i++;
  if (alts.size() == 1) return collapse(std::move(alts[0]));
  DocArg o;
  o.type = "oneof";
  o.name = "option";
  for (auto& a : alts) o.sub.push_back(collapse(std::move(a)));
  return o;
}

}  // namespace

std::vector<DocArg> parse_syntax(std::string_view syntax) {
  std::vector<std::string> t = tokenize(syntax);
  size_t i = 0;
  auto alts = parse_alternatives(t, i);
  if (alts.size() == 1) return std::move(alts[0]);
  DocArg o;
  o.type = "oneof";
  o.name = "option";
  for (auto& a : alts) o.sub.push_back(collapse(std::move(a)));
  return {std::move(o)};
}

namespace {

void reply_args(protocol::ReplyWriter& r, const std::vector<DocArg>& args, size_t key_specs,
                size_t* next_key) {
  r.array(args.size());
  for (const DocArg& a : args) {
    bool key = a.type == "key";
    size_t nflags = a.optional + a.multiple;
    r.map(2 + key + !a.token.empty() + (nflags > 0) + !a.sub.empty());
    r.bulk("name");
    r.bulk(a.name);
    r.bulk("type");
    r.bulk(a.type);
    if (key) {
      r.bulk("key_spec_index");
      size_t index = *next_key < key_specs ? (*next_key)++ : (key_specs ? key_specs - 1 : 0);
      r.integer(static_cast<int64_t>(index));
    }
    if (!a.token.empty()) {
      r.bulk("token");
      r.bulk(a.token);
    }
    if (nflags) {
      r.bulk("flags");
      r.array(nflags);
      if (a.optional) r.simple("optional");
      if (a.multiple) r.simple("multiple");
    }
    if (!a.sub.empty()) {
      r.bulk("arguments");
      reply_args(r, a.sub, key_specs, next_key);
    }
  }
}

}  // namespace

void reply_doc_args(protocol::ReplyWriter& r, const std::vector<DocArg>& args, size_t key_specs) {
  size_t next_key = 0;
  reply_args(r, args, key_specs, &next_key);
}

}  // namespace respite::server
