// The library registry (library.h): Redis 7.0.15's functionsCreateWithLibraryCtx, libraryJoin and
// the FUNCTION commands' bookkeeping over copy-on-write snapshots, and sync_libraries.
#include "scripting/library.h"

#include <strings.h>

#include <algorithm>
#include <utility>

#include "scripting/shebang.h"

namespace respite::scripting {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

constexpr const char* kBadName =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least "
    "one character long";

LibraryRegistry::Result fail(std::string error) {
  LibraryRegistry::Result r;
  r.error = std::move(error);
  return r;
}

void unlink(LibrarySnapshot* s, const std::string& name) {
  auto it = s->libraries.find(name);
  if (it == s->libraries.end()) return;
  for (const FunctionInfo& f : it->second.functions) s->functions.erase(lower(f.name));
  s->libraries.erase(it);
}

void link(LibrarySnapshot* s, LibraryInfo lib) {
  for (const FunctionInfo& f : lib.functions) s->functions[lower(f.name)] = lib.name;
  std::string name = lib.name;
  s->libraries[name] = std::move(lib);
}

}  // namespace

const FunctionInfo* LibrarySnapshot::find_function(std::string_view name,
                                                   const LibraryInfo** library) const {
  auto it = functions.find(lower(name));
  if (it == functions.end()) return nullptr;
  const LibraryInfo& lib = libraries.at(it->second);
  for (const FunctionInfo& f : lib.functions) {
    if (strcasecmp(f.name.c_str(), it->first.c_str()) == 0) {
      if (library) *library = &lib;
      return &f;
    }
  }
  return nullptr;
}

LibraryRegistry::LibraryRegistry()
    : current_(std::make_shared<LibrarySnapshot>()), scratch_(std::make_unique<Interpreter>()) {}

LibraryRegistry::~LibraryRegistry() = default;

std::shared_ptr<const LibrarySnapshot> LibraryRegistry::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void LibraryRegistry::publish(std::shared_ptr<LibrarySnapshot> next) {
  uint64_t v = next_version_++;
  next->version = v;
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
  }
  version_.store(v, std::memory_order_release);
}

LibraryRegistry::Result LibraryRegistry::create(std::string_view code, bool replace,
                                                LibrarySnapshot* into, Callback* log) {
  std::string engine;
  Shebang sb = parse_library_shebang(code, &engine);
  if (!sb.ok) return fail(std::move(sb.error));
  if (!valid_name(sb.name)) return fail(kBadName);
  if (strcasecmp(engine.c_str(), "lua") != 0) return fail("ERR Engine '" + engine + "' not found");
  auto old = into->libraries.find(sb.name);
  if (old != into->libraries.end() && !replace)
    return fail("ERR Library '" + sb.name + "' already exists");
  // The engine gets what follows the shebang, its '\n' included.
  Interpreter::LibraryLoad ld = scratch_->load_library(code.substr(sb.length), false, 500, log);
  if (!ld.ok) return fail(std::move(ld.error));
  if (ld.functions.empty()) return fail("ERR No functions registered");
  std::string old_name = old != into->libraries.end() ? old->first : std::string();
  // Collisions with other libraries' functions; the one being replaced does not count.
  for (const FunctionInfo& f : ld.functions) {
    auto it = into->functions.find(lower(f.name));
    if (it != into->functions.end() && !(replace && it->second == old_name && !old_name.empty()))
      return fail("ERR Function " + f.name + " already exists");
  }
  if (!old_name.empty()) unlink(into, old_name);
  LibraryInfo lib;
  lib.name = sb.name;
  lib.code = std::string(code);
  lib.functions = std::move(ld.functions);
  std::sort(lib.functions.begin(), lib.functions.end(),
            [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
  Result r;
  r.ok = true;
  r.name = lib.name;
  link(into, std::move(lib));
  return r;
}

LibraryRegistry::Result LibraryRegistry::load(std::string_view code, bool replace, Callback* log) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto next = std::make_shared<LibrarySnapshot>(*snapshot());
  Result r = create(code, replace, next.get(), log);
  if (r.ok) publish(std::move(next));
  return r;
}

bool LibraryRegistry::remove(std::string_view name) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::shared_ptr<const LibrarySnapshot> cur = snapshot();
  if (cur->libraries.find(std::string(name)) == cur->libraries.end()) return false;
  auto next = std::make_shared<LibrarySnapshot>(*cur);
  unlink(next.get(), std::string(name));
  publish(std::move(next));
  return true;
}

void LibraryRegistry::flush() {
  std::lock_guard<std::mutex> lock(write_mu_);
  publish(std::make_shared<LibrarySnapshot>());
}

std::string LibraryRegistry::dump() const {
  std::shared_ptr<const LibrarySnapshot> s = snapshot();
  std::vector<std::string_view> codes;
  for (const auto& [name, lib] : s->libraries) codes.push_back(lib.code);
  return encode_function_payload(codes);
}

LibraryRegistry::Result LibraryRegistry::restore(std::string_view payload, RestorePolicy policy) {
  std::vector<std::string> codes;
  std::string error;
  if (!decode_function_payload(payload, &codes, &error)) return fail(std::move(error));
  std::lock_guard<std::mutex> lock(write_mu_);
  // The payload's libraries on their own first (a name twice in it fails), as Redis does.
  LibrarySnapshot src;
  for (const std::string& code : codes) {
    Result r = create(code, false, &src);
    if (!r.ok) return r;
  }
  if (policy == RestorePolicy::kFlush) {
    publish(std::make_shared<LibrarySnapshot>(std::move(src)));
    Result r;
    r.ok = true;
    return r;
  }
  // libraryJoin: library collisions abort (APPEND) or replace (REPLACE); then function
  // collisions with what remains abort.
  auto next = std::make_shared<LibrarySnapshot>(*snapshot());
  for (const auto& [name, lib] : src.libraries) {
    if (next->libraries.count(name) == 0) continue;
    if (policy != RestorePolicy::kReplace) return fail("ERR Library " + name + " already exists");
    unlink(next.get(), name);
  }
  for (const auto& [name, lib] : src.libraries) {
    for (const FunctionInfo& f : lib.functions) {
      if (next->functions.count(lower(f.name)) != 0)
        return fail("ERR Function " + f.name + " already exists");
    }
  }
  for (auto& [name, lib] : src.libraries) link(next.get(), std::move(lib));
  publish(std::move(next));
  Result r;
  r.ok = true;
  return r;
}

bool sync_libraries(Interpreter& in, const LibraryRegistry& registry) {
  if (in.libraries_version() == registry.version()) return false;  // no lock on the hot path
  // Never under a running script: its function would be released under it. The next FCALL from
  // outside a script syncs.
  if (in.busy()) return false;
  std::shared_ptr<const LibrarySnapshot> s = registry.snapshot();
  if (in.libraries_version() == s->version) return false;
  in.drop_libraries();
  for (const auto& [name, lib] : s->libraries) {
    std::string engine;
    Shebang sb = parse_library_shebang(lib.code, &engine);
    // Validated when it was added; the load cannot fail but for the time limit, which a library
    // that loaded once within it can only hit on a starved machine: none then, as Redis when it
    // loads an RDB.
    in.load_library(std::string_view(lib.code).substr(sb.length), true, 0);
  }
  in.set_libraries_version(s->version);
  return true;
}

}  // namespace respite::scripting
