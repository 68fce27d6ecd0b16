// The CLIENT subcommands that look at or act on other clients (LIST, INFO, KILL, PAUSE, UNPAUSE)
// and MONITOR: registered under the CLIENT container that the connection family makes.
#pragma once

namespace respite::server {

class CommandTable;
struct Command;

void register_client_admin_commands(CommandTable& t, Command* client);

}  // namespace respite::server
