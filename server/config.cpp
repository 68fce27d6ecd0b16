// Config's public methods except REWRITE: reading redis.conf-syntax text from files, `include`s and
// the command line, and CONFIG GET / SET over the directive table (server/config_table.cpp).
// Errors copy Redis 7's shapes so that scripts and people who know Redis recognise them; file
// errors also name the file, which Redis does not, because respite follows `include`s relative to
// the including file and a line number alone would be ambiguous.
#include <glob.h>
#include <strings.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/request_parser.h"
#include "server/ascii.h"
#include "server/config_table.h"
#include "server/errors.h"
#include "storage/glob.h"

namespace respite::server {
namespace {

constexpr int kMaxIncludeDepth = 16;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string fatal(const std::string& origin, int line, std::string_view text,
                  std::string_view reason) {
  std::string out = "\n*** FATAL CONFIG FILE ERROR (respite) ***\n";
  out += "Reading the configuration file, at line " + std::to_string(line) + " of " + origin;
  out += "\n>>> '" + std::string(text) + "'\n" + std::string(reason);
  return out;
}

// Reads a whole file; on failure returns false with why set to strerror's text.
bool read_whole(const std::string& path, std::string& out, std::string& why) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    why = std::strerror(EISDIR);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  out = buf.str();
  return true;
}

// One load session: a file, its includes and the command-line options after it. The session
// matters for `save`: as in Redis, the first `save` line replaces the default and later ones add
// to it, unless a line says `save ""`.
class Loader {
 public:
  explicit Loader(Config& c) : c_(c) {}

  // Returns "" or the error. open_failed tells the caller to word the error itself.
  std::string file(const std::string& path, int depth, bool& open_failed) {
    std::string text, why;
    open_failed = !read_whole(path, text, why);
    if (open_failed) return "can't open config file '" + path + "': " + why;
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return this->text(text, path, dir, depth);
  }

  std::string text(std::string_view text, const std::string& origin, const std::string& dir,
                   int depth) {
    int number = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = trim(text.substr(pos, end - pos));
      pos = end + 1;
      ++number;
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> args;
      if (!split_args(line, args)) {
        return fatal(origin, number, line, "Unbalanced quotes in configuration line");
      }
      if (args.empty()) continue;
      std::string err = apply_line(args, dir, depth);
      if (err.starts_with("\n")) return err;  // already shaped, from an included file
      if (!err.empty()) return fatal(origin, number, line, err);
    }
    return "";
  }

 private:
  std::string apply_line(const std::vector<std::string>& args, const std::string& dir, int depth) {
    const Directive* d = find_directive(args[0]);
    if (!d && strcasecmp(args[0].c_str(), "rename-command") == 0) {
      if (args.size() != 3) return "Bad directive or wrong number of arguments";
      c_.renames.emplace_back(args[1], args[2]);
      return "";
    }
    if (!d && strcasecmp(args[0].c_str(), "user") == 0) {
      if (args.size() < 2) return "Bad directive or wrong number of arguments";
      std::vector<std::string> line = args;
      line[0] = "user";
      c_.user_lines.push_back(std::move(line));
      return "";
    }
    if (!d) {
      bool include = args[0].size() == 7 && strncasecmp(args[0].c_str(), "include", 7) == 0;
      if (!include || args.size() != 2) return "Bad directive or wrong number of arguments";
      return include_files(args[1], dir, depth);
    }
    Value v;
    std::string err = parse_value(*d, std::span(args).subspan(1), v);
    if (!err.empty()) return err;
    if (d->kind == Kind::kSave) {
      const std::string before = c_.save();
      if (save_seen_ && !v.text.empty() && !before.empty()) v.text = before + " " + v.text;
      save_seen_ = true;
    }
    apply_value(*d, c_, v);
    return "";
  }

  // `include path`: relative paths are taken from the including file's directory, and a path
  // with wildcards includes every match in name order (as Redis 7 does).
  std::string include_files(const std::string& arg, const std::string& dir, int depth) {
    if (depth >= kMaxIncludeDepth) return "include nesting is too deep (an include loop?)";
    std::filesystem::path p(arg);
    if (p.is_relative() && !dir.empty()) p = std::filesystem::path(dir) / p;
    std::vector<std::string> paths;
    if (arg.find_first_of("*?[") == std::string::npos) {
      paths.push_back(p.string());
    } else {
      glob_t g{};
      if (::glob(p.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) paths.emplace_back(g.gl_pathv[i]);
      }
      globfree(&g);
    }
    for (const auto& path : paths) {
      bool open_failed = false;
      std::string err = file(path, depth + 1, open_failed);
      if (!err.empty()) return err;  // an open failure is worded by text() with our line
    }
    return "";
  }

  Config& c_;
  bool save_seen_ = false;
};

// The file named at start-up: remembered (absolute) for CONFIG REWRITE, then read.
std::string load_top_file(Loader& loader, Config& c, const std::string& path) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(path, ec);
  c.config_file = ec ? path : abs.lexically_normal().string();
  bool open_failed = false;
  std::string err = loader.file(path, 0, open_failed);
  return open_failed ? "Fatal error, " + err : err;
}

// Whether v is what d holds now: a directive fixed after start-up (same_value_ok) accepts
// CONFIG SET of its own value, so that a GET-then-SET round trip of every directive works.
bool same_as_current(const Directive& d, const Config& c, const Value& v) {
  Config scratch;
  apply_value(d, scratch, v);
  return show_value(d, scratch) == show_value(d, c);
}

std::string set_failed(std::string_view name, std::string_view why) {
  return config_set_failed_error(name, why);
}

}  // namespace

bool split_args(std::string_view line, std::vector<std::string>& out) {
  return protocol::RequestParser::split_line(line, &out);  // the inline-command rules, shared
}

std::string quote_arg(std::string_view s) {
  bool bare = !s.empty();
  for (unsigned char c : s) {
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\') bare = false;
  }
  if (bare) return std::string(s);
  std::string out;
  append_repr(out, s);
  return out;
}

std::string Config::locked(const std::string& s) const {
  std::lock_guard lock(strings_mu_);
  return s;
}

void Config::lock_set(std::string& field, std::string v) {
  std::lock_guard lock(strings_mu_);
  field = std::move(v);
}

std::string Config::load_file(const std::string& path) {
  Loader loader(*this);
  return load_top_file(loader, *this, path);
}

std::string Config::load_text(std::string_view text, const std::string& origin) {
  return Loader(*this).text(text, origin, "", 0);
}

std::string Config::load_args(const std::vector<std::string>& args) {
  Loader loader(*this);
  size_t i = 0;
  if (!args.empty() && !args[0].starts_with("--")) {
    std::string err = load_top_file(loader, *this, args[0]);
    if (!err.empty()) return err;
    i = 1;
  }
  // Redis's rules (server.c's main): `--name` starts a line `name `; the arguments after it are
  // its values, each double-quoted (so that an error shows `'port "6379" "6380"'`, as Redis does);
  // a value may itself start with "--" when it directly follows a bare `--name`; and `--name v`
  // in one argument is a whole line. A bare `--save` before another option or at the end means
  // save "".
  std::string options;
  bool handled_last = true;  // the last option line has a value (or needs none)
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (handled_last && a.starts_with("--")) {
      if (!options.empty()) options += "\n";
      options += a.substr(2) + " ";
      std::vector<std::string> words;
      split_args(a, words);
      if (words.size() == 1) {
        handled_last = false;
        const bool last = i + 1 == args.size();
        if (strcasecmp(a.c_str(), "--save") == 0 && (last || args[i + 1].starts_with("--"))) {
          options += "\"\"";
          handled_last = !last;
        }
      } else {
        handled_last = true;
      }
    } else {
      append_repr(options, a);
      options += " ";
      handled_last = true;
    }
  }
  // The same Loader as the file's, so that a `--save` adds to the file's save points as in Redis.
  return loader.text(options, "the command line", "", 0);
}

std::vector<std::pair<std::string, std::string>> Config::get(
    const std::vector<std::string>& patterns) const {
  auto matches = [&](std::string_view name) {
    if (name.empty()) return false;
    for (const auto& p : patterns) {
      if (storage::glob_match(p, name, /*nocase=*/true)) return true;
    }
    return false;
  };
  // A hidden directive answers only to its exact name (a pattern without glob characters).
  auto exact = [&](std::string_view name) {
    if (name.empty()) return false;
    for (const auto& p : patterns) {
      if (p.find_first_of("*?[") == std::string::npos && iequals(p, name)) return true;
    }
    return false;
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (const Directive& d : ConfigAccess::table()) {
    const bool by_name = d.hidden ? exact(d.name) : matches(d.name);
    const bool by_alias = d.hidden ? exact(d.alias) : matches(d.alias);
    if (!by_name && !by_alias) continue;
    const std::string value = show_value(d, *this);
    if (by_name) out.emplace_back(d.name, value);
    if (by_alias) out.emplace_back(d.alias, value);
  }
  return out;
}

std::string Config::set(const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) return arity_error("config|set");
  struct Pending {
    const Directive* d;
    bool alias;
    Value v;
  };
  std::vector<Pending> todo;
  // Redis's order of checks: the first unknown name or duplicate wins, an immutable directive
  // fails at once, and values are only parsed once every name is known.
  std::string unknown, duplicate;
  for (const auto& [name, value] : pairs) {
    bool alias = false;
    const Directive* d = find_directive(name, &alias);
    if (!d) {
      if (unknown.empty() && duplicate.empty()) unknown = name;
      continue;
    }
    if (!unknown.empty() || !duplicate.empty()) continue;
    if (!d->runtime && !d->same_value_ok) return set_failed(name, "can't set immutable config");
    for (const Pending& p : todo) {
      if (p.d == d && p.alias == alias) duplicate = name;
    }
    todo.push_back({d, alias, {}});
  }
  if (!unknown.empty()) {
    return config_unknown_option_error(unknown);
  }
  if (!duplicate.empty()) return set_failed(duplicate, "duplicate parameter");
  for (size_t i = 0; i < todo.size(); ++i) {
    Pending& p = todo[i];
    const std::string_view shown = p.alias ? p.d->alias : p.d->name;
    std::string err = parse_set_value(*p.d, pairs[i].second, p.v);
    if (!err.empty()) return set_failed(shown, err);
    if (!p.d->runtime && !same_as_current(*p.d, *this, p.v)) {
      return set_failed(shown, "can't set immutable config");
    }
  }
  std::vector<std::string_view> changed;
  {
    std::lock_guard lock(update_mu_);
    std::vector<std::string> before(todo.size());
    for (size_t i = 0; i < todo.size(); ++i) {
      const Pending& p = todo[i];
      if (!p.d->runtime) continue;  // its value is the current one (same_value_ok)
      before[i] = show_value(*p.d, *this);
      apply_value(*p.d, *this, p.v);
      if (show_value(*p.d, *this) != before[i]) changed.push_back(p.d->name);
    }
    if (on_apply && !changed.empty()) {
      ApplyError failed = on_apply(changed);
      if (!failed.name.empty()) {
        // Put every value back: what CONFIG GET printed parses back to the same value (the
        // "CONFIG sanity" round trip Redis's own suite checks).
        for (size_t i = todo.size(); i-- > 0;) {
          if (!todo[i].d->runtime) continue;
          Value old;
          if (parse_set_value(*todo[i].d, before[i], old).empty()) {
            apply_value(*todo[i].d, *this, old);
          }
        }
        return set_failed(failed.name, failed.reason);
      }
    }
  }
  if (on_change) {
    for (std::string_view name : changed) on_change(name);
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> Config::all() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Directive& d : ConfigAccess::table()) out.emplace_back(d.name, show_value(d, *this));
  return out;
}

}  // namespace respite::server
