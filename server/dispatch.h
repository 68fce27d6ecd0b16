// Dispatch: from parsed arguments to a command handler, with the checks Redis makes before running
// any command (unknown command, arity, subcommand, authentication) and the per-command statistics.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace respite::server {

class Connection;
struct Command;
void dispatch(Connection& c, const std::vector<std::string_view>& argv, int64_t now_ms);
// SLOWLOG for a command that blocked, once it is served: logged then, as Redis 7.0 does, if the
// time serving it took (us) reaches slowlog-log-slower-than. One that times out is not logged.
void log_unblocked(Connection& c, const Command& cmd, const std::vector<std::string>& argv,
                   int64_t us);
// Runs a command that passed dispatch's checks (EXEC runs its queue through it): the handler, the
// statistics, and serving blocked clients once the outermost command is done.
void run_command(Connection& c, const Command& cmd, const std::vector<std::string_view>& argv,
                 int64_t now_ms);

}  // namespace respite::server
