// The error texts of errors.h. error_text() is one switch with no default, so that the compiler
// (-Wswitch) reports a status added to the enum without its text.
#include "server/errors.h"

#include <cctype>
#include <cstdio>

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
    case Err::kHttpRequest:
      return "ERR Protocol error: HTTP request on a Redis (RESP) port; closing the connection";
    case Err::kTlsOnPlainPort:
      return "ERR Protocol error: TLS handshake on a plain-text port (TLS is not enabled); "
             "closing the connection";
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
    case Err::kFieldsArgMissing:
      return "ERR Mandatory argument FIELDS is missing or not at the right position";
    case Err::kNumFieldsPositive:
      return "ERR Number of fields must be a positive integer";
    case Err::kNumFieldsGreaterThanZero:
      return "ERR Parameter `numFields` should be greater than 0";
    case Err::kNumFieldsMismatch:
      return "ERR The `numfields` parameter must match the number of arguments";
    case Err::kExpireNegative:
      return "ERR invalid expire time, must be >= 0";
    case Err::kHgetexOneExpire:
      return "ERR Only one of EX, PX, EXAT, PXAT or PERSIST arguments can be specified";
    case Err::kHsetexOneExpire:
      return "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified";
    case Err::kHsetexOneCondition:
      return "ERR Only one of FXX or FNX arguments can be specified";
    case Err::kInvalidNumFields:
      return "ERR invalid number of fields";
    case Err::kInvalidNumkeys:
      return "ERR invalid numkeys value";
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
             "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
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
    case Err::kTimeoutNotInt:
      return "ERR timeout is not an integer or out of range";
    case Err::kPauseMode:
      return "ERR CLIENT PAUSE mode must be WRITE or ALL";
    case Err::kMonitorDenyBlocking:
      return "ERR MONITOR isn't allowed for DENY BLOCKING client";
    case Err::kMaxAgeNotInt:  // CLIENT KILL MAXAGE: Redis 7.4
      return "ERR maxage is not an integer or out of range";
    case Err::kMaxAgePositive:
      return "ERR maxage should be greater than 0";
    case Err::kNoReplicas:
      return "NOREPLICAS Not enough good replicas to write.";
    case Err::kClusterDisabled:
      return "ERR This instance has cluster support disabled";
    case Err::kReplicaKeyspace:  // a MONITOR client, which Redis flags as a replica
      return "ERR Replica can't interact with the keyspace";
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
    case Err::kSortByDenied:
      return "ERR BY option of SORT denied due to insufficient ACL permissions.";
    case Err::kSortGetDenied:
      return "ERR GET option of SORT denied due to insufficient ACL permissions.";
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
    case Err::kHllWrongType:
      return "WRONGTYPE Key is not a valid HyperLogLog string value.";
    case Err::kHllCorrupt:
      return "INVALIDOBJ Corrupted HLL object detected";
    case Err::kHllNoSuchKey:
      return "ERR The specified key does not exist";
    case Err::kHllNotSparse:
      return "ERR HLL encoding is not sparse";
    case Err::kGeoUnit:
      return "ERR unsupported unit provided. please use M, KM, FT, MI";
    case Err::kGeoNeedRadius:
      return "ERR need numeric radius";
    case Err::kGeoNeedWidth:
      return "ERR need numeric width";
    case Err::kGeoNeedHeight:
      return "ERR need numeric height";
    case Err::kGeoRadiusNegative:
      return "ERR radius cannot be negative";
    case Err::kGeoBoxNegative:
      return "ERR height or width cannot be negative";
    case Err::kGeoMemberUnknown:
      return "ERR could not decode requested zset member";
    case Err::kCountAboveZero:
      return "ERR COUNT must be > 0";
    case Err::kGeoAnyWithoutCount:
      return "ERR the ANY argument requires COUNT argument";
    case Err::kStreamInvalidId:
      return "ERR Invalid stream ID specified as stream command argument";
    case Err::kStreamMaxlenAndMinid:
      return "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
    case Err::kStreamMaxlenNegative:
      return "ERR The MAXLEN argument must be >= 0.";
    case Err::kStreamLimitNegative:
      return "ERR The LIMIT argument must be >= 0.";
    case Err::kStreamLimitNoStrategy:
      return "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
    case Err::kStreamXtrimNoStrategy:
      return "ERR syntax error, XTRIM must be called with a trimming strategy";
    case Err::kStreamLimitNoApprox:
      return "ERR syntax error, LIMIT cannot be used without the special ~ option";
    case Err::kStreamIdZero:
      return "ERR The ID specified in XADD must be greater than 0-0";
    case Err::kStreamExhausted:
      return "ERR The stream has exhausted the last possible ID, unable to add more items";
    case Err::kStreamIdTooSmall:
      return "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    case Err::kStreamTooLarge:
      return "ERR Elements are too large to be stored";
    case Err::kStreamInvalidStart:
      return "ERR invalid start ID for the interval";
    case Err::kStreamInvalidEnd:
      return "ERR invalid end ID for the interval";
    case Err::kStreamUnbalanced:
      return "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
             "specified.";
    case Err::kStreamGroupOnlyXreadgroup:
      return "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
    case Err::kStreamNoackOnlyXreadgroup:
      return "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
    case Err::kStreamMissingGroup:
      return "ERR Missing GROUP option for XREADGROUP";
    case Err::kStreamDollarInGroup:
      return "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
             "history of this consumer by specifying a proper ID, or use the > ID to get new "
             "messages. The $ ID would just return an empty result set.";
    case Err::kStreamGreaterOutsideGroup:
      return "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
             "<consumer> option.";
    case Err::kStreamEntriesRead:
      return "ERR value for ENTRIESREAD must be positive or -1";
    case Err::kStreamGroupNeedsKey:
      return "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
             "want to use the MKSTREAM option to create an empty stream automatically.";
    case Err::kStreamBusyGroup:
      return "BUSYGROUP Consumer Group name already exists";
    case Err::kStreamEntriesAdded:
      return "ERR entries_added must be positive";
    case Err::kStreamSetidBelowMaxDeleted:
      return "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
    case Err::kStreamSetidBelowTop:
      return "ERR The ID specified in XSETID is smaller than the target stream top item";
    case Err::kStreamSetidEntriesAdded:
      return "ERR The entries_added specified in XSETID is smaller than the target stream length";
    case Err::kStreamClaimMinIdle:
      return "ERR Invalid min-idle-time argument for XCLAIM";
    case Err::kStreamClaimIdle:
      return "ERR Invalid IDLE option argument for XCLAIM";
    case Err::kStreamClaimTime:
      return "ERR Invalid TIME option argument for XCLAIM";
    case Err::kStreamClaimRetry:
      return "ERR Invalid RETRYCOUNT option argument for XCLAIM";
    case Err::kStreamAutoclaimMinIdle:
      return "ERR Invalid min-idle-time argument for XAUTOCLAIM";
    case Err::kStreamGroupGone:
      return "NOGROUP the consumer group this client was blocked on no longer exists";
    case Err::kStreamKeyGone:
      return "UNBLOCKED the stream key no longer exists";
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

std::string pfdebug_subcommand_error(std::string_view sub) {
  return join("ERR Unknown PFDEBUG subcommand '", until_nul(sub), "'");
}

std::string hll_selftest_error(std::string_view what) {
  return join("TESTFAILED ", what, "");
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

std::string geo_lonlat_error(double lon, double lat) {
  char buf[700];  // %f of +-DBL_MAX is 316 characters
  std::snprintf(buf, sizeof buf, "ERR invalid longitude,latitude pair %f,%f", lon, lat);
  return buf;
}

std::string geo_store_options_error(bool searchstore) {
  return join("ERR ", searchstore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS",
              " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
}

std::string geo_from_error(std::string_view command) {
  return join("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ", command, "");
}

std::string geo_by_error(std::string_view command) {
  return join("ERR exactly one of BYRADIUS and BYBOX can be specified for ", command, "");
}

namespace {
// Redis's addReplyErrorFormat: %s stops at a NUL; CR and LF become spaces.
std::string formatted(std::string s) {
  for (char& ch : s) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return s;
}
}  // namespace

std::string nogroup_xreadgroup_error(std::string_view key, std::string_view group) {
  return formatted("NOGROUP No such key '" + std::string(until_nul(key)) + "' or consumer group '" +
                   std::string(until_nul(group)) + "' in XREADGROUP with GROUP option");
}

std::string nogroup_for_key_error(std::string_view group, std::string_view key) {
  return formatted("NOGROUP No such consumer group '" + std::string(until_nul(group)) +
                   "' for key name '" + std::string(until_nul(key)) + "'");
}

std::string nogroup_error(std::string_view key, std::string_view group) {
  return formatted("NOGROUP No such key '" + std::string(until_nul(key)) + "' or consumer group '" +
                   std::string(until_nul(group)) + "'");
}

std::string xclaim_option_error(std::string_view option) {
  return formatted("ERR Unrecognized XCLAIM option '" + std::string(until_nul(option)) + "'");
}

std::string block_in_script_error(std::string_view command) {
  return formatted("ERR " + std::string(until_nul(command)) +
                   " command is not allowed with BLOCK option from scripts");
}

}  // namespace respite::server
