// COMMAND DOCS argument trees generated from a command's syntax line; see command_docs.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"

namespace respite::server {

struct DocArg {
  std::string name, type, token;
  bool optional = false, multiple = false;
  std::vector<DocArg> sub;  // blocks and one-ofs
};

std::vector<DocArg> parse_syntax(std::string_view syntax);
void reply_doc_args(protocol::ReplyWriter& r, const std::vector<DocArg>& args);

}  // namespace respite::server
