// The error texts of errors.h. error_text() is one switch with no default, so that the compiler
// (-Wswitch) reports a status added to the enum without its text.
#include "server/errors.h"

#include <cctype>

namespace respite::server {

std::string_view error_text(Err e) {
  switch (e) {
    case Err::kOk:
      return "";
    case Err::kWrongType:
      return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case Err::kNotInt:
      return "ERR value is not an integer or out of range";
    case Err::kNotFloat:
      return "ERR value is not a valid float";
    case Err::kSyntax:
      return "ERR syntax error";
    case Err::kNoSuchKey:
      return "ERR no such key";
    case Err::kOverflow:
      return "ERR increment or decrement would overflow";
    case Err::kDbIndex:
      return "ERR DB index is out of range";
    case Err::kInvalidDb:
      return "ERR invalid DB index";
    case Err::kSameObject:
      return "ERR source and destination objects are the same";
    case Err::kNoAuth:
      return "NOAUTH Authentication required.";
    case Err::kNaN:
      return "ERR increment would produce NaN or Infinity";
    case Err::kStringTooLong:
      return "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    case Err::kOutOfRangeOffset:
      return "ERR offset is out of range";
    case Err::kCursor:
      return "ERR invalid cursor";
    case Err::kPositive:
      return "ERR value is out of range, must be positive";
    // HRANDFIELD, SRANDMEMBER, ZRANDMEMBER with a count of INT64_MIN (its negation would overflow).
    case Err::kRandCount:
      return "ERR value is out of range, value must between -9223372036854775807 and "
             "9223372036854775807";
    case Err::kOutOfRange:
      return "ERR value is out of range";
    case Err::kNumkeysPositive:
      return "ERR numkeys should be greater than 0";
    case Err::kCountPositive:
      return "ERR count should be greater than 0";
    case Err::kTooManyKeys:
      return "ERR Number of keys can't be greater than number of args";
    case Err::kLimitNegative:
      return "ERR LIMIT can't be negative";
    case Err::kOom:
      return "OOM command not allowed when used memory > 'maxmemory'.";
    case Err::kNotAllowedInMulti:
      return "ERR Command not allowed inside a transaction";
    case Err::kTimeoutNotFloat:
      return "ERR timeout is not a float or out of range";
    case Err::kTimeoutNegative:
      return "ERR timeout is negative";
    case Err::kTimeoutOutOfRange:
      return "ERR timeout is out of range";
    case Err::kDecrOverflow:
      return "ERR decrement would overflow";
    case Err::kHashNotInt:
      return "ERR hash value is not an integer";
    case Err::kHashNotFloat:
      return "ERR hash value is not a float";
    case Err::kIncrNaN:
      return "ERR value is NaN or Infinity";
    case Err::kIndexOutOfRange:
      return "ERR index out of range";
    case Err::kListElementTooLarge:
      return "ERR element too large for a list";
    case Err::kRankZero:
      return "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
             "or use negative to start from the end of the list";
    case Err::kCountNegative:
      return "ERR COUNT can't be negative";
    case Err::kMaxlenNegative:
      return "ERR MAXLEN can't be negative";
    case Err::kZaddXxNx:
      return "ERR XX and NX options at the same time are not compatible";
    case Err::kZaddGtLtNx:
      return "ERR GT, LT, and/or NX options at the same time are not compatible";
    case Err::kZaddIncrPair:
      return "ERR INCR option supports a single increment-element pair";
    case Err::kScoreNaN:
      return "ERR resulting score is not a number (NaN)";
    case Err::kWeightNotFloat:
      return "ERR weight value is not a float";
    case Err::kMinMaxNotFloat:
      return "ERR min or max is not a float";
    case Err::kMinMaxNotLex:
      return "ERR min or max not valid string range item";
    case Err::kLimitWithoutBy:
      return "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
             "BYLEX";
    case Err::kWithscoresWithBylex:
      return "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    case Err::kExpireNxAndOthers:
      return "ERR NX and XX, GT or LT options at the same time are not compatible";
    case Err::kExpireGtAndLt:
      return "ERR GT and LT options at the same time are not compatible";
    case Err::kLfuNotSelected:
      return "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
             "note that when switching between policies at runtime LRU and LFU data will take some "
             "time to adjust.";
    case Err::kLfuSelected:
      return "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
             "when "
             "switching between policies at runtime LRU and LFU data will take some time to "
             "adjust.";
    case Err::kMultiNested:
      return "ERR MULTI calls can not be nested";
    case Err::kDiscardWithoutMulti:
      return "ERR DISCARD without MULTI";
    case Err::kWatchInsideMulti:
      return "ERR WATCH inside MULTI is not allowed";
    case Err::kExecWithoutMulti:
      return "ERR EXEC without MULTI";
    case Err::kExecAbort:
      return "EXECABORT Transaction discarded because of previous errors.";
    case Err::kNoPermKey:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case Err::kNoPermChannel:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
    case Err::kAclExecCmd:
      return "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
             "the EXEC call. This command is no longer allowed for the following reason: no "
             "permission to execute the command or subcommand";
    case Err::kAclExecKey:
      return "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
             "the EXEC call. This command is no longer allowed for the following reason: no "
             "permission to touch the specified keys";
    case Err::kAclExecChannel:
      return "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
             "the EXEC call. This command is no longer allowed for the following reason: no "
             "permission to access one of the channels used as arguments";
    case Err::kScriptAclCmd:
      return "ERR The user executing the script can't run this command or subcommand";
    case Err::kScriptAclKey:
      return "ERR The user executing the script can't access at least one of the keys mentioned "
             "in the command arguments";
    case Err::kScriptAclChannel:
      return "ERR The user executing the script can't publish to the channel mentioned in the "
             "command";
    case Err::kAclUsernameSpaces:
      return "ERR Usernames can't contain spaces or null characters";
    case Err::kAclDeleteDefault:
      return "ERR The 'default' user cannot be removed";
    case Err::kAclNoFile:
      return "ERR This Redis instance is not configured to use an ACL file. You may want to "
             "specify users via the ACL SETUSER command and then issue a CONFIG REWRITE "
             "(assuming you have a Redis configuration file set) in order to store users in the "
             "Redis configuration.";
    case Err::kAclSaveFailed:
      return "ERR There was an error trying to save the ACLs. Please check the server logs for "
             "more information";
    case Err::kAclGenpassBits:
      return "ERR ACL GENPASS argument must be the number of bits for the output password, a "
             "positive number up to 4096";
    case Err::kWrongPass:
      return "WRONGPASS invalid username-password pair or user is disabled.";
    case Err::kAuthNoPassword:
      return "ERR AUTH <password> called without any password configured for the default user. "
             "Are you sure your configuration is correct?";
    case Err::kBadClientName:
      return "ERR Client names cannot contain spaces, newlines or special characters.";
    case Err::kProtoNotInt:
      return "ERR Protocol version is not an integer or out of range";
    case Err::kNoProto:
      return "NOPROTO unsupported protocol version";
    case Err::kHelloNoAuth:
      return "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
             "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
             "select the RESP protocol version at the same time";
    case Err::kInvalidClientId:
      return "ERR Invalid client ID";
    case Err::kClientIdPositive:
      return "ERR client-id should be greater than 0";
    case Err::kUnblockReason:
      return "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
    case Err::kUnblocked:
      return "UNBLOCKED client unblocked via CLIENT UNBLOCK";
    case Err::kNoSuchClient:
      return "ERR No such client";
    case Err::kTrackingOneRedirect:
      return "ERR A client can only redirect to a single other client";
    case Err::kTrackingNoRedirectClient:
      return "ERR The client ID you want redirect to does not exist";
    case Err::kTrackingPrefixNeedsBcast:
      return "ERR PREFIX option requires BCAST mode to be enabled";
    case Err::kTrackingBcastSwitch:
      return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
             "and then re-enabling it with a different mode.";
    case Err::kTrackingOptWithBcast:
      return "ERR OPTIN and OPTOUT are not compatible with BCAST";
    case Err::kTrackingOptBoth:
      return "ERR You can't specify both OPTIN mode and OPTOUT mode";
    case Err::kTrackingOptSwitch:
      return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
             "and then re-enabling it with a different mode.";
    case Err::kCachingNotTracking:
      return "ERR CLIENT CACHING can be called only when the client is in tracking mode with "
             "OPTIN or OPTOUT mode enabled";
    case Err::kCachingYesNotOptin:
      return "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
    case Err::kCachingNoNotOptout:
      return "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";
    case Err::kSortScoreNotDouble:
      return "ERR One or more scores can't be converted into double";
    case Err::kInvalidFirstDb:
      return "ERR invalid first DB index";
    case Err::kInvalidSecondDb:
      return "ERR invalid second DB index";
    case Err::kInvalidCommand:
      return "ERR Invalid command specified";
    case Err::kInvalidNumArgs:
      return "ERR Invalid number of arguments specified for command";
    case Err::kNoKeyArgs:
      return "ERR The command has no key arguments";
    case Err::kInvalidArgs:
      return "ERR Invalid arguments specified for command";
    case Err::kNoShutdown:
      return "ERR No shutdown in progress.";
    case Err::kNoConfigFile:
      return "ERR The server is running without a config file";
    case Err::kNoScript:
      return "NOSCRIPT No matching script. Please use EVAL.";
    case Err::kNumkeysNegative:
      return "ERR Number of keys can't be negative";
    case Err::kScriptUnknownCommand:
      return "ERR Unknown Redis command called from script";
    case Err::kScriptArity:
      return "ERR Wrong number of args calling Redis command from script";
    case Err::kScriptDenied:
      return "ERR This Redis command is not allowed from script";
    case Err::kScriptWriteReadonly:
      return "ERR Write commands are not allowed from read-only scripts.";
    case Err::kScriptRoCommand:
      return "ERR Can not execute a script with write flag using *_ro command.";
    case Err::kScriptOom:
      return "OOM allow-oom flag is not set on the script, can not run it when used memory > "
             "'maxmemory'";
    case Err::kBusyEval:
      return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
             "NOSAVE.";
    case Err::kBusyFunction:
      return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
             "NOSAVE.";
    case Err::kNotBusy:
      return "NOTBUSY No scripts in execution right now.";
    case Err::kUnkillable:
      return "UNKILLABLE Sorry the script already executed write commands against the dataset. You "
             "can either wait the script termination or kill the server in a hard way using the "
             "SHUTDOWN NOSAVE command.";
    case Err::kScriptFlushOption:
      return "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
    case Err::kSlowlogCount:
      return "ERR count should be greater than or equal to -1";
    case Err::kBadNumKeys:
      return "ERR Bad number of keys provided";
    case Err::kFunctionNotFound:
      return "ERR Function not found";
    case Err::kScriptShardBusy:
      return "ERR Script accessed an undeclared key whose shard another client held after the "
             "script had written (respite); the script will hold every shard of its database from "
             "its next run on";
    case Err::kLibraryNameNotGiven:
      return "ERR library name argument was not given";
    case Err::kLibraryNotFound:
      return "ERR Library not found";
    case Err::kFunctionFlushMode:
      return "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
    case Err::kRestorePolicy:
      return "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
    case Err::kBitOffset:
      return "ERR bit offset is not an integer or out of range";
    case Err::kBitValue:
      return "ERR bit is not an integer or out of range";
    case Err::kBitArgument:
      return "ERR The bit argument must be 1 or 0.";
    case Err::kBitopNot:
      return "ERR BITOP NOT must be called with a single source key.";
    case Err::kBitfieldType:
      return "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
             "but i64 is.";
    case Err::kBitfieldOverflow:
      return "ERR Invalid OVERFLOW type specified";
    case Err::kBitfieldRo:
      return "ERR BITFIELD_RO only supports the GET subcommand";
    case Err::kLcsNotString:
      return "ERR The specified keys must contain string values";
    case Err::kLcsLenAndIdx:
      return "ERR If you want both the length and indexes, please just use IDX.";
    case Err::kLcsTooLong:
      return "ERR String too long for LCS";
    case Err::kLcsMemory:
      return "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    case Err::kCount:
      break;
  }
  return "ERR unknown error";  // not reached for a valid status
}

namespace {
std::string join(std::string_view a, std::string_view b, std::string_view c) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size());
  out.append(a).append(b).append(c);
  return out;
}
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}
}  // namespace

std::string unknown_command_error(const std::vector<std::string_view>& argv) {
  // Redis formats with %.*s, which also stops at a NUL byte.
  auto cstr = [](std::string_view v, size_t max) { return until_nul(v.substr(0, max)); };
  std::string msg = "ERR unknown command '";
  msg.append(cstr(argv[0], 128));
  msg += "', with args beginning with: ";
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; i++) {
    size_t room = 128 - args.size();
    args += '\'';
    args.append(cstr(argv[i], room));
    args += "' ";
  }
  msg += args;
  return msg;
}

std::string unknown_subcommand_error(std::string_view container, std::string_view sub) {
  return join("ERR unknown subcommand '", sub, "'. Try " + upper(container) + " HELP.");
}

std::string subcommand_syntax_error(std::string_view container, std::string_view sub) {
  return join("ERR unknown subcommand or wrong number of arguments for '", sub.substr(0, 128),
              "'. Try " + upper(container) + " HELP.");
}

std::string arity_error(std::string_view command) {
  return join("ERR wrong number of arguments for '", command, "' command");
}

std::string invalid_expire_error(std::string_view command) {
  return join("ERR invalid expire time in '", command, "' command");
}

std::string no_input_keys_error(std::string_view command) {
  return join("ERR at least 1 input key is needed for '", command, "' command");
}

std::string unsupported_option_error(std::string_view option) {
  return join("ERR Unsupported option ", option, "");
}

std::string hello_option_error(std::string_view option) {
  return join("ERR Syntax error in HELLO option '", option, "'");
}

std::string unrecognized_option_error(std::string_view option) {
  return join("ERR Unrecognized option '", option, "'");
}

std::string client_attr_error(std::string_view attribute) {
  return join("ERR ", attribute, " cannot contain spaces, newlines or special characters.");
}

std::string unknown_client_type_error(std::string_view type) {
  return join("ERR Unknown client type '", type, "'");
}

std::string no_such_user_error(std::string_view user) {
  return join("ERR No such user '", user, "'");
}

std::string noperm_command_error(std::string_view command) {
  return join("NOPERM this user has no permissions to run the '", command, "' command");
}

std::string acl_unknown_category_error(std::string_view category) {
  return join("ERR Unknown category '", until_nul(category.substr(0, 128)), "'");
}

std::string acl_user_not_found_error(std::string_view user) {
  return join("ERR User '", until_nul(user), "' not found");
}

std::string acl_command_not_found_error(std::string_view command) {
  return join("ERR Command '", until_nul(command), "' not found");
}

std::string acl_error(std::string_view why) {
  return "ERR " + std::string(why);
}

std::string pubsub_context_error(std::string_view command) {
  return join("ERR Can't execute '", command,
              "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
              "context");
}

std::string exec_abort_error(std::string_view reason) {
  if (reason.substr(0, 4) == "ERR ") reason.remove_prefix(4);
  return join("EXECABORT Transaction discarded because of: ", reason, "");
}

std::string prefix_overlap_error(std::string_view prefix, std::string_view other, bool existing) {
  return join("ERR Prefix '", until_nul(prefix),
              existing ? "' overlaps with an existing prefix '"
                       : "' overlaps with another provided prefix '")
      .append(until_nul(other))
      .append("'. Prefixes for a single client must not overlap.");
}

std::string config_set_failed_error(std::string_view name, std::string_view why) {
  return join("ERR CONFIG SET failed (possibly related to argument '", name, "') - ").append(why);
}

std::string latency_no_samples_error(std::string_view event) {
  return join("ERR No samples available for event '", event, "'");
}

std::string config_unknown_option_error(std::string_view name) {
  return join("ERR Unknown option or number of arguments for CONFIG SET - '", name, "'");
}

std::string function_load_option_error(std::string_view option) {
  std::string out = join("ERR Unknown option given: ", until_nul(option), "");
  for (char& ch : out) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return out;
}

std::string function_list_argument_error(std::string_view argument) {
  return join("ERR Unknown argument ", until_nul(argument), "");
}

std::string config_rewrite_error(std::string_view why) {
  return join("ERR Rewriting config file: ", why, "");
}

}  // namespace respite::server
