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
// key_specs: how many key specs the command has. Key arguments take the specs' indexes in the
// order they appear (Redis's key_spec_index), the last spec's for any beyond them.
void reply_doc_args(protocol::ReplyWriter& r, const std::vector<DocArg>& args, size_t key_specs);

}  // namespace respite::server
