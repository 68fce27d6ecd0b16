// Printing and comparing Reply values. The text form follows redis-cli's --no-raw output so that a
// failure message can be read the way people already read Redis replies.
#include "tests/support/reply.h"

#include "server/ascii.h"

namespace respite::test {

Reply Reply::StrArr(std::initializer_list<std::string_view> elems) {
  Reply r;
  r.type = Type::kArray;
  for (std::string_view e : elems) r.elements.push_back(Str(e));
  return r;
}

std::string quote_bytes(std::string_view s) {
  std::string out;
  respite::server::append_repr(out, s);  // the server's own sdscatrepr quoting
  return out;
}

std::string format_command(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    out += quote_bytes(a);
  }
  return out;
}

namespace {

// Appends `r` to `out`; continuation lines of a nested array are indented by `indent` columns, as
// redis-cli indents them under their "N) " prefix.
void format(const Reply& r, size_t indent, std::string& out) {
  switch (r.type) {
    case Reply::Type::kString:
      out += quote_bytes(r.str);
      return;
    case Reply::Type::kStatus:
      out += r.str;
      return;
    case Reply::Type::kError:
      out.append("(error) ").append(r.str);
      return;
    case Reply::Type::kInteger:
      out.append("(integer) ").append(std::to_string(r.integer));
      return;
    case Reply::Type::kNil:
      out += "(nil)";
      return;
    case Reply::Type::kArray:
      break;
  }
  if (r.elements.empty()) {
    out += "(empty array)";
    return;
  }
  size_t width = std::to_string(r.elements.size()).size();
  for (size_t i = 0; i < r.elements.size(); ++i) {
    if (i > 0) out.append("\n").append(indent, ' ');
    std::string index = std::to_string(i + 1);
    out.append(width - index.size(), ' ').append(index).append(") ");
    format(r.elements[i], indent + width + 2, out);
  }
}

}  // namespace

std::string Reply::to_string() const {
  std::string out;
  format(*this, 0, out);
  return out;
}

bool operator==(const Reply& a, const Reply& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Reply::Type::kString:
    case Reply::Type::kStatus:
    case Reply::Type::kError:
      return a.str == b.str;
    case Reply::Type::kInteger:
      return a.integer == b.integer;
    case Reply::Type::kNil:
      return true;
    case Reply::Type::kArray:
      return a.elements == b.elements;
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << r.to_string();
}

}  // namespace respite::test
