// Unit tests of server/errors.h: every status has a text, each text is the one Redis 7.0 sends,
// word for word (the table below is written out again on purpose: a change to errors.cpp must be
// a change here too), and the builders format their argument as Redis does.
#include <doctest.h>

#include <cctype>
#include <set>
#include <string>

#include "server/errors.h"

using namespace respite::server;

TEST_CASE("every status but kOk has a distinct Redis error text with an upper-case code") {
  CHECK(error_text(Err::kOk).empty());
  std::set<std::string_view> seen;
  for (int i = 1; i < static_cast<int>(Err::kCount); i++) {
    std::string_view t = error_text(static_cast<Err>(i));
    CAPTURE(i);
    REQUIRE(!t.empty());
    CHECK(t != "ERR unknown error");
    size_t sp = t.find(' ');
    REQUIRE(sp != std::string_view::npos);
    for (char ch : t.substr(0, sp)) CHECK(std::isupper(static_cast<unsigned char>(ch)));
    CHECK(t.find('\r') == std::string_view::npos);
    CHECK(t.find('\n') == std::string_view::npos);
    CHECK(seen.insert(t).second);
  }
}

TEST_CASE("each status maps to Redis 7.0's exact text") {
  const std::pair<Err, std::string_view> want[] = {
      {Err::kWrongType, "WRONGTYPE Operation against a key holding the wrong kind of value"},
      {Err::kNotInt, "ERR value is not an integer or out of range"},
      {Err::kNotFloat, "ERR value is not a valid float"},
      {Err::kSyntax, "ERR syntax error"},
      {Err::kNoSuchKey, "ERR no such key"},
      {Err::kOverflow, "ERR increment or decrement would overflow"},
      {Err::kDbIndex, "ERR DB index is out of range"},
      {Err::kInvalidDb, "ERR invalid DB index"},
      {Err::kSameObject, "ERR source and destination objects are the same"},
      {Err::kNoAuth, "NOAUTH Authentication required."},
      {Err::kNaN, "ERR increment would produce NaN or Infinity"},
      {Err::kStringTooLong, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
      {Err::kOutOfRangeOffset, "ERR offset is out of range"},
      {Err::kCursor, "ERR invalid cursor"},
      {Err::kPositive, "ERR value is out of range, must be positive"},
      {Err::kRandCount,
       "ERR value is out of range, value must between -9223372036854775807 and "
       "9223372036854775807"},
      {Err::kOutOfRange, "ERR value is out of range"},
      {Err::kNumkeysPositive, "ERR numkeys should be greater than 0"},
      {Err::kCountPositive, "ERR count should be greater than 0"},
      {Err::kTooManyKeys, "ERR Number of keys can't be greater than number of args"},
      {Err::kLimitNegative, "ERR LIMIT can't be negative"},
      {Err::kOom, "OOM command not allowed when used memory > 'maxmemory'."},
      {Err::kNotAllowedInMulti, "ERR Command not allowed inside a transaction"},
      {Err::kHttpRequest,
       "ERR Protocol error: HTTP request on a Redis (RESP) port; closing the connection"},
      {Err::kTlsOnPlainPort,
       "ERR Protocol error: TLS handshake on a plain-text port (TLS is not enabled); closing the "
       "connection"},
      {Err::kTimeoutNotFloat, "ERR timeout is not a float or out of range"},
      {Err::kTimeoutNegative, "ERR timeout is negative"},
      {Err::kTimeoutOutOfRange, "ERR timeout is out of range"},
      {Err::kDecrOverflow, "ERR decrement would overflow"},
      {Err::kHashNotInt, "ERR hash value is not an integer"},
      {Err::kHashNotFloat, "ERR hash value is not a float"},
      {Err::kIncrNaN, "ERR value is NaN or Infinity"},
      {Err::kFieldsArgMissing,
       "ERR Mandatory argument FIELDS is missing or not at the right position"},
      {Err::kNumFieldsPositive, "ERR Number of fields must be a positive integer"},
      {Err::kNumFieldsGreaterThanZero, "ERR Parameter `numFields` should be greater than 0"},
      {Err::kNumFieldsMismatch, "ERR The `numfields` parameter must match the number of arguments"},
      {Err::kExpireNegative, "ERR invalid expire time, must be >= 0"},
      {Err::kHgetexOneExpire,
       "ERR Only one of EX, PX, EXAT, PXAT or PERSIST arguments can be specified"},
      {Err::kHsetexOneExpire,
       "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"},
      {Err::kHsetexOneCondition, "ERR Only one of FXX or FNX arguments can be specified"},
      {Err::kInvalidNumFields, "ERR invalid number of fields"},
      {Err::kInvalidNumkeys, "ERR invalid numkeys value"},
      {Err::kIndexOutOfRange, "ERR index out of range"},
      {Err::kListElementTooLarge, "ERR element too large for a list"},
      {Err::kRankZero,
       "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
       "negative to start from the end of the list"},
      {Err::kCountNegative, "ERR COUNT can't be negative"},
      {Err::kMaxlenNegative, "ERR MAXLEN can't be negative"},
      {Err::kZaddXxNx, "ERR XX and NX options at the same time are not compatible"},
      {Err::kZaddGtLtNx, "ERR GT, LT, and/or NX options at the same time are not compatible"},
      {Err::kZaddIncrPair, "ERR INCR option supports a single increment-element pair"},
      {Err::kScoreNaN, "ERR resulting score is not a number (NaN)"},
      {Err::kWeightNotFloat, "ERR weight value is not a float"},
      {Err::kMinMaxNotFloat, "ERR min or max is not a float"},
      {Err::kMinMaxNotLex, "ERR min or max not valid string range item"},
      {Err::kLimitWithoutBy,
       "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
      {Err::kWithscoresWithBylex,
       "ERR syntax error, WITHSCORES not supported in combination with BYLEX"},
      {Err::kExpireNxAndOthers,
       "ERR NX and XX, GT or LT options at the same time are not compatible"},
      {Err::kExpireGtAndLt, "ERR GT and LT options at the same time are not compatible"},
      {Err::kLfuNotSelected,
       "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
       "that when switching between policies at runtime LRU and LFU data will take some time to "
       "adjust."},
      {Err::kLfuSelected,
       "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
       "switching between policies at runtime LRU and LFU data will take some time to adjust."},
      {Err::kMultiNested, "ERR MULTI calls can not be nested"},
      {Err::kDiscardWithoutMulti, "ERR DISCARD without MULTI"},
      {Err::kWatchInsideMulti, "ERR WATCH inside MULTI is not allowed"},
      {Err::kExecWithoutMulti, "ERR EXEC without MULTI"},
      {Err::kExecAbort, "EXECABORT Transaction discarded because of previous errors."},
      {Err::kNoPermKey,
       "NOPERM this user has no permissions to access one of the keys used as arguments"},
      {Err::kNoPermChannel,
       "NOPERM this user has no permissions to access one of the channels used as arguments"},
      {Err::kAclExecCmd,
       "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
       "call. This command is no longer allowed for the following reason: no permission to "
       "execute the command or subcommand"},
      {Err::kAclExecKey,
       "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
       "call. This command is no longer allowed for the following reason: no permission to touch "
       "the specified keys"},
      {Err::kAclExecChannel,
       "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
       "call. This command is no longer allowed for the following reason: no permission to access "
       "one of the channels used as arguments"},
      {Err::kScriptAclCmd,
       "ERR The user executing the script can't run this command or subcommand"},
      {Err::kScriptAclKey,
       "ERR The user executing the script can't access at least one of the keys mentioned in the "
       "command arguments"},
      {Err::kScriptAclChannel,
       "ERR The user executing the script can't publish to the channel mentioned in the command"},
      {Err::kAclUsernameSpaces, "ERR Usernames can't contain spaces or null characters"},
      {Err::kAclDeleteDefault, "ERR The 'default' user cannot be removed"},
      {Err::kAclNoFile,
       "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
       "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
       "Redis configuration file set) in order to store users in the Redis configuration."},
      {Err::kAclSaveFailed,
       "ERR There was an error trying to save the ACLs. Please check the server logs for more "
       "information"},
      {Err::kAclGenpassBits,
       "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
       "number up to 4096"},
      {Err::kWrongPass, "WRONGPASS invalid username-password pair or user is disabled."},
      {Err::kAuthNoPassword,
       "ERR AUTH <password> called without any password configured for the default user. Are you "
       "sure your configuration is correct?"},
      {Err::kBadClientName,
       "ERR Client names cannot contain spaces, newlines or special characters."},
      {Err::kProtoNotInt, "ERR Protocol version is not an integer or out of range"},
      {Err::kNoProto, "NOPROTO unsupported protocol version"},
      {Err::kHelloNoAuth,
       "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
       "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
       "protocol version at the same time"},
      {Err::kInvalidClientId, "ERR Invalid client ID"},
      {Err::kClientIdPositive, "ERR client-id should be greater than 0"},
      {Err::kUnblockReason, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"},
      {Err::kUnblocked, "UNBLOCKED client unblocked via CLIENT UNBLOCK"},
      {Err::kNoSuchClient, "ERR No such client"},
      {Err::kTimeoutNotInt, "ERR timeout is not an integer or out of range"},
      {Err::kPauseMode, "ERR CLIENT PAUSE mode must be WRITE or ALL"},
      {Err::kMonitorDenyBlocking, "ERR MONITOR isn't allowed for DENY BLOCKING client"},
      {Err::kMaxAgeNotInt, "ERR maxage is not an integer or out of range"},
      {Err::kMaxAgePositive, "ERR maxage should be greater than 0"},
      {Err::kReplicaKeyspace, "ERR Replica can't interact with the keyspace"},
      {Err::kNoReplicas, "NOREPLICAS Not enough good replicas to write."},
      {Err::kClusterDisabled, "ERR This instance has cluster support disabled"},
      {Err::kTrackingOneRedirect, "ERR A client can only redirect to a single other client"},
      {Err::kTrackingNoRedirectClient, "ERR The client ID you want redirect to does not exist"},
      {Err::kTrackingPrefixNeedsBcast, "ERR PREFIX option requires BCAST mode to be enabled"},
      {Err::kTrackingBcastSwitch,
       "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
       "then re-enabling it with a different mode."},
      {Err::kTrackingOptWithBcast, "ERR OPTIN and OPTOUT are not compatible with BCAST"},
      {Err::kTrackingOptBoth, "ERR You can't specify both OPTIN mode and OPTOUT mode"},
      {Err::kTrackingOptSwitch,
       "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
       "then re-enabling it with a different mode."},
      {Err::kCachingNotTracking,
       "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
       "OPTOUT mode enabled"},
      {Err::kCachingYesNotOptin,
       "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."},
      {Err::kCachingNoNotOptout,
       "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."},
      {Err::kSortScoreNotDouble, "ERR One or more scores can't be converted into double"},
      {Err::kSortByDenied, "ERR BY option of SORT denied due to insufficient ACL permissions."},
      {Err::kSortGetDenied, "ERR GET option of SORT denied due to insufficient ACL permissions."},
      {Err::kInvalidFirstDb, "ERR invalid first DB index"},
      {Err::kInvalidSecondDb, "ERR invalid second DB index"},
      {Err::kInvalidCommand, "ERR Invalid command specified"},
      {Err::kInvalidNumArgs, "ERR Invalid number of arguments specified for command"},
      {Err::kNoKeyArgs, "ERR The command has no key arguments"},
      {Err::kInvalidArgs, "ERR Invalid arguments specified for command"},
      {Err::kLibraryNameNotGiven, "ERR library name argument was not given"},
      {Err::kLibraryNotFound, "ERR Library not found"},
      {Err::kFunctionFlushMode, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option"},
      {Err::kRestorePolicy,
       "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."},
      {Err::kBitOffset, "ERR bit offset is not an integer or out of range"},
      {Err::kBitValue, "ERR bit is not an integer or out of range"},
      {Err::kBitArgument, "ERR The bit argument must be 1 or 0."},
      {Err::kBitopNot, "ERR BITOP NOT must be called with a single source key."},
      {Err::kBitfieldType,
       "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
       "i64 is."},
      {Err::kBitfieldOverflow, "ERR Invalid OVERFLOW type specified"},
      {Err::kBitfieldRo, "ERR BITFIELD_RO only supports the GET subcommand"},
      {Err::kLcsNotString, "ERR The specified keys must contain string values"},
      {Err::kLcsLenAndIdx, "ERR If you want both the length and indexes, please just use IDX."},
      {Err::kLcsTooLong, "ERR String too long for LCS"},
      {Err::kLcsMemory,
       "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"},
      {Err::kHllWrongType, "WRONGTYPE Key is not a valid HyperLogLog string value."},
      {Err::kHllCorrupt, "INVALIDOBJ Corrupted HLL object detected"},
      {Err::kHllNoSuchKey, "ERR The specified key does not exist"},
      {Err::kHllNotSparse, "ERR HLL encoding is not sparse"},
      {Err::kGeoUnit, "ERR unsupported unit provided. please use M, KM, FT, MI"},
      {Err::kGeoNeedRadius, "ERR need numeric radius"},
      {Err::kGeoNeedWidth, "ERR need numeric width"},
      {Err::kGeoNeedHeight, "ERR need numeric height"},
      {Err::kGeoRadiusNegative, "ERR radius cannot be negative"},
      {Err::kGeoBoxNegative, "ERR height or width cannot be negative"},
      {Err::kGeoMemberUnknown, "ERR could not decode requested zset member"},
      {Err::kCountAboveZero, "ERR COUNT must be > 0"},
      {Err::kGeoAnyWithoutCount, "ERR the ANY argument requires COUNT argument"},
      {Err::kNoShutdown, "ERR No shutdown in progress."},
      {Err::kNoConfigFile, "ERR The server is running without a config file"},
      {Err::kNoScript, "NOSCRIPT No matching script. Please use EVAL."},
      {Err::kNumkeysNegative, "ERR Number of keys can't be negative"},
      {Err::kScriptUnknownCommand, "ERR Unknown Redis command called from script"},
      {Err::kScriptArity, "ERR Wrong number of args calling Redis command from script"},
      {Err::kScriptDenied, "ERR This Redis command is not allowed from script"},
      {Err::kScriptWriteReadonly, "ERR Write commands are not allowed from read-only scripts."},
      {Err::kScriptRoCommand, "ERR Can not execute a script with write flag using *_ro command."},
      {Err::kScriptOom,
       "OOM allow-oom flag is not set on the script, can not run it when used memory > "
       "'maxmemory'"},
      {Err::kBusyEval,
       "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."},
      {Err::kBusyFunction,
       "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."},
      {Err::kNotBusy, "NOTBUSY No scripts in execution right now."},
      {Err::kUnkillable,
       "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
       "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
       "NOSAVE command."},
      {Err::kScriptFlushOption, "ERR SCRIPT FLUSH only support SYNC|ASYNC option"},
      {Err::kBadNumKeys, "ERR Bad number of keys provided"},
      {Err::kSlowlogCount, "ERR count should be greater than or equal to -1"},
      {Err::kFunctionNotFound, "ERR Function not found"},
      {Err::kScriptShardBusy,
       "ERR Script accessed an undeclared key whose shard another client held after the script had "
       "written (respite); the script will hold every shard of its database from its next run on"},
      {Err::kStreamInvalidId, "ERR Invalid stream ID specified as stream command argument"},
      {Err::kStreamMaxlenAndMinid,
       "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
      {Err::kStreamMaxlenNegative, "ERR The MAXLEN argument must be >= 0."},
      {Err::kStreamLimitNegative, "ERR The LIMIT argument must be >= 0."},
      {Err::kStreamLimitNoStrategy,
       "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"},
      {Err::kStreamXtrimNoStrategy,
       "ERR syntax error, XTRIM must be called with a trimming strategy"},
      {Err::kStreamLimitNoApprox,
       "ERR syntax error, LIMIT cannot be used without the special ~ option"},
      {Err::kStreamIdZero, "ERR The ID specified in XADD must be greater than 0-0"},
      {Err::kStreamExhausted,
       "ERR The stream has exhausted the last possible ID, unable to add more items"},
      {Err::kStreamIdTooSmall,
       "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
      {Err::kStreamTooLarge, "ERR Elements are too large to be stored"},
      {Err::kStreamInvalidStart, "ERR invalid start ID for the interval"},
      {Err::kStreamInvalidEnd, "ERR invalid end ID for the interval"},
      {Err::kStreamUnbalanced,
       "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."},
      {Err::kStreamGroupOnlyXreadgroup,
       "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."},
      {Err::kStreamNoackOnlyXreadgroup,
       "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."},
      {Err::kStreamMissingGroup, "ERR Missing GROUP option for XREADGROUP"},
      {Err::kStreamDollarInGroup,
       "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
       "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID "
       "would just return an empty result set."},
      {Err::kStreamGreaterOutsideGroup,
       "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
       "<consumer> option."},
      {Err::kStreamEntriesRead, "ERR value for ENTRIESREAD must be positive or -1"},
      {Err::kStreamGroupNeedsKey,
       "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
       "use the MKSTREAM option to create an empty stream automatically."},
      {Err::kStreamBusyGroup, "BUSYGROUP Consumer Group name already exists"},
      {Err::kStreamEntriesAdded, "ERR entries_added must be positive"},
      {Err::kStreamSetidBelowMaxDeleted,
       "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"},
      {Err::kStreamSetidBelowTop,
       "ERR The ID specified in XSETID is smaller than the target stream top item"},
      {Err::kStreamSetidEntriesAdded,
       "ERR The entries_added specified in XSETID is smaller than the target stream length"},
      {Err::kStreamClaimMinIdle, "ERR Invalid min-idle-time argument for XCLAIM"},
      {Err::kStreamClaimIdle, "ERR Invalid IDLE option argument for XCLAIM"},
      {Err::kStreamClaimTime, "ERR Invalid TIME option argument for XCLAIM"},
      {Err::kStreamClaimRetry, "ERR Invalid RETRYCOUNT option argument for XCLAIM"},
      {Err::kStreamAutoclaimMinIdle, "ERR Invalid min-idle-time argument for XAUTOCLAIM"},
      {Err::kStreamGroupGone,
       "NOGROUP the consumer group this client was blocked on no longer exists"},
      {Err::kStreamKeyGone, "UNBLOCKED the stream key no longer exists"},
  };
  // Every status is in the table above, once.
  CHECK(std::size(want) == static_cast<size_t>(Err::kCount) - 1);
  std::set<Err> listed;
  for (auto& row : want) {
    const Err e = row.first;  // not structured bindings: clang 14 rejects CAPTURE of one
    const auto& text = row.second;
    CAPTURE(text);
    CHECK(listed.insert(e).second);
    CHECK(error_text(e) == text);
  }
}

TEST_CASE("stream builders format their arguments as Redis does") {
  CHECK(nogroup_xreadgroup_error("k", "g") ==
        "NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option");
  CHECK(nogroup_for_key_error("g", "k") == "NOGROUP No such consumer group 'g' for key name 'k'");
  CHECK(nogroup_error(std::string("k\0x", 3), "a\nb") ==
        "NOGROUP No such key 'k' or consumer group 'a b'");
  CHECK(xclaim_option_error("FOO") == "ERR Unrecognized XCLAIM option 'FOO'");
  CHECK(block_in_script_error("xread") ==
        "ERR xread command is not allowed with BLOCK option from scripts");
}

TEST_CASE("builders format their argument as Redis does") {
  CHECK(arity_error("get") == "ERR wrong number of arguments for 'get' command");
  CHECK(arity_error("config|set") == "ERR wrong number of arguments for 'config|set' command");
  CHECK(invalid_expire_error("set") == "ERR invalid expire time in 'set' command");
  CHECK(no_input_keys_error("zunion") == "ERR at least 1 input key is needed for 'zunion' command");
  CHECK(unsupported_option_error("foo") == "ERR Unsupported option foo");
  CHECK(hello_option_error("x") == "ERR Syntax error in HELLO option 'x'");
  CHECK(unrecognized_option_error("lib-x") == "ERR Unrecognized option 'lib-x'");
  CHECK(client_attr_error("lib-ver") ==
        "ERR lib-ver cannot contain spaces, newlines or special characters.");
  CHECK(unknown_client_type_error("bogus") == "ERR Unknown client type 'bogus'");
  CHECK(no_such_user_error("bob") == "ERR No such user 'bob'");
  CHECK(pubsub_context_error("get") ==
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
        "are allowed in this context");
  CHECK(geo_lonlat_error(200, -91.5) ==
        "ERR invalid longitude,latitude pair 200.000000,-91.500000");
  CHECK(geo_store_options_error(true) ==
        "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  CHECK(geo_store_options_error(false) ==
        "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD "
        "options");
  CHECK(geo_from_error("GEOsearch") ==
        "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOsearch");
  CHECK(geo_by_error("geosearchstore") ==
        "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearchstore");
  CHECK(latency_no_samples_error("command") == "ERR No samples available for event 'command'");
  CHECK(pfdebug_subcommand_error(std::string("foo\0bar", 7)) ==
        "ERR Unknown PFDEBUG subcommand 'foo'");
  CHECK(hll_selftest_error("dense/sparse disagree") == "TESTFAILED dense/sparse disagree");
  CHECK(config_set_failed_error("port", "can't set immutable config") ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable "
        "config");
  CHECK(config_unknown_option_error("nope") ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'nope'");
  CHECK(config_rewrite_error("No such file or directory") ==
        "ERR Rewriting config file: No such file or directory");
  CHECK(function_load_option_error(std::string_view("fo\no\0x", 6)) ==
        "ERR Unknown option given: fo o");
  CHECK(function_list_argument_error("x") == "ERR Unknown argument x");
  CHECK(prefix_overlap_error("ab", "a", true) ==
        "ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must "
        "not overlap.");
  CHECK(prefix_overlap_error(std::string_view("a\0z", 3), "ab", false) ==
        "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client "
        "must not overlap.");
}

TEST_CASE("subcommand errors: the container upper-cased, the subcommand cut as Redis cuts it") {
  CHECK(unknown_subcommand_error("config", "nope") ==
        "ERR unknown subcommand 'nope'. Try CONFIG HELP.");
  CHECK(subcommand_syntax_error("client", "unblock") ==
        "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.");
  std::string long_sub(200, 'x');
  CHECK(subcommand_syntax_error("pubsub", long_sub) ==
        "ERR unknown subcommand or wrong number of arguments for '" + std::string(128, 'x') +
            "'. Try PUBSUB HELP.");
}

TEST_CASE("EXECABORT drops the reason's ERR prefix, keeps any other code") {
  CHECK(exec_abort_error("ERR wrong number of arguments for 'get' command") ==
        "EXECABORT Transaction discarded because of: wrong number of arguments for 'get' command");
  CHECK(exec_abort_error(error_text(Err::kOom)) ==
        "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > "
        "'maxmemory'.");
}

TEST_CASE("unknown command: name and arguments cut at 128 bytes and at a NUL, as Redis's %.*s") {
  std::vector<std::string_view> argv = {"foo", "a", "b"};
  CHECK(unknown_command_error(argv) ==
        "ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  std::vector<std::string_view> none = {"foo"};
  CHECK(unknown_command_error(none) == "ERR unknown command 'foo', with args beginning with: ");
  std::string nul("ab\0cd", 5);
  std::vector<std::string_view> with_nul = {nul, nul};
  CHECK(unknown_command_error(with_nul) ==
        "ERR unknown command 'ab', with args beginning with: 'ab' ");
  std::string big(300, 'n');
  std::vector<std::string_view> long_args = {big, big, "x"};
  // The first argument is cut at 128 bytes and fills the list, so the second is left out.
  CHECK(unknown_command_error(long_args) == "ERR unknown command '" + std::string(128, 'n') +
                                                "', with args beginning with: '" +
                                                std::string(128, 'n') + "' ");
}

TEST_CASE("ACL texts with an argument") {
  CHECK(noperm_command_error("config|set") ==
        "NOPERM this user has no permissions to run the 'config|set' command");
  CHECK(acl_unknown_category_error("nope") == "ERR Unknown category 'nope'");
  CHECK(acl_unknown_category_error(std::string(200, 'x')) ==
        "ERR Unknown category '" + std::string(128, 'x') + "'");
  CHECK(acl_user_not_found_error("bob") == "ERR User 'bob' not found");
  CHECK(acl_command_not_found_error("foo") == "ERR Command 'foo' not found");
  CHECK(acl_error("Syntax error") == "ERR Syntax error");
}
