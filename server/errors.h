// Every error text the server replies with, word for word as Redis 7.0 sends it, in one place: a
// status enum (Err) whose error_text() is the fixed text, and builder functions for the texts that
// carry an argument (a command name, an option the client typed). Handlers never spell an error
// literal: a typo or a drifted word would otherwise hide in one family file, and the integration
// and differential tests compare these texts byte for byte with real Redis. Plays the part of
// Dragonfly's OpStatus and StatusToMsg; the config file loader's own messages (which are not
// replies) stay with it in config*.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respite::server {

// The fixed error replies. kOk (no error) is the zero value, so that a latched status (ArgParser)
// reads as "nothing went wrong" until something does.
enum class Err : uint8_t {
  kOk = 0,
  // Shared by many families.
  kWrongType,
  kNotInt,
  kNotFloat,
  kSyntax,
  kNoSuchKey,
  kOverflow,
  kDbIndex,
  kInvalidDb,
  kSameObject,
  kNoAuth,
  kNaN,
  kStringTooLong,
  kOutOfRangeOffset,
  kCursor,
  kPositive,
  kRandCount,
  kOutOfRange,
  kNumkeysPositive,
  kCountPositive,
  kTooManyKeys,
  kLimitNegative,
  kOom,
  kNotAllowedInMulti,
  // Another protocol on the RESP port (foreign_protocol.h).
  kHttpRequest,
  kTlsOnPlainPort,
  // Blocking commands' timeout argument.
  kTimeoutNotFloat,
  kTimeoutNegative,
  kTimeoutOutOfRange,
  // Strings.
  kDecrOverflow,
  // Hashes.
  kHashNotInt,
  kHashNotFloat,
  kIncrNaN,
  // Hash-field expiry (HEXPIRE, HTTL, HPERSIST, HGETEX, HSETEX, HGETDEL; Redis 7.4/8.0).
  kFieldsArgMissing,
  kNumFieldsPositive,
  kNumFieldsGreaterThanZero,
  kNumFieldsMismatch,
  kExpireNegative,
  kHgetexOneExpire,
  kHsetexOneExpire,
  kHsetexOneCondition,
  kInvalidNumFields,  // HGETEX and HSETEX (Redis 8.0)
  kInvalidNumkeys,    // MSETEX (Redis 8.4)
  // Lists.
  kIndexOutOfRange,
  kListElementTooLarge,
  kRankZero,
  kCountNegative,
  kMaxlenNegative,
  // Sorted sets.
  kZaddXxNx,
  kZaddGtLtNx,
  kZaddIncrPair,
  kScoreNaN,
  kWeightNotFloat,
  kMinMaxNotFloat,
  kMinMaxNotLex,
  kLimitWithoutBy,
  kWithscoresWithBylex,
  // Keys.
  kExpireNxAndOthers,
  kExpireGtAndLt,
  kLfuNotSelected,
  kLfuSelected,
  // Transactions.
  kMultiNested,
  kDiscardWithoutMulti,
  kWatchInsideMulti,
  kExecWithoutMulti,
  kExecAbort,
  // ACL: a command refused for its keys or channels (the command's own refusal names it), the
  // same found at EXEC and in a script, and the ACL command's fixed texts.
  kNoPermKey,
  kNoPermChannel,
  kAclExecCmd,
  kAclExecKey,
  kAclExecChannel,
  kScriptAclCmd,
  kScriptAclKey,
  kScriptAclChannel,
  kAclUsernameSpaces,
  kAclDeleteDefault,
  kAclNoFile,
  kAclSaveFailed,
  kAclGenpassBits,
  // Connection.
  kWrongPass,
  kAuthNoPassword,
  kBadClientName,
  kProtoNotInt,
  kNoProto,
  kHelloNoAuth,
  kInvalidClientId,
  kClientIdPositive,
  kUnblockReason,
  kUnblocked,
  kNoSuchClient,
  // CLIENT PAUSE, MONITOR (the timeout text also XREAD BLOCK's).
  kTimeoutNotInt,
  kPauseMode,
  kMonitorDenyBlocking,
  kMaxAgeNotInt,
  kMaxAgePositive,
  kReplicaKeyspace,
  kNoReplicas,       // a write while min-replicas-to-write > 0: respite has no replicas
  kClusterDisabled,  // CLUSTER in a server without cluster mode
  // Client-side caching (CLIENT TRACKING, CLIENT CACHING).
  kTrackingOneRedirect,
  kTrackingNoRedirectClient,
  kTrackingPrefixNeedsBcast,
  kTrackingBcastSwitch,
  kTrackingOptWithBcast,
  kTrackingOptBoth,
  kTrackingOptSwitch,
  kCachingNotTracking,
  kCachingYesNotOptin,
  kCachingNoNotOptout,
  // SORT.
  kSortScoreNotDouble,
  kSortByDenied,
  kSortGetDenied,
  // Server.
  kInvalidFirstDb,
  kInvalidSecondDb,
  kInvalidCommand,
  kInvalidNumArgs,
  kNoKeyArgs,
  kInvalidArgs,
  kNoShutdown,
  kNoConfigFile,
  kSlowlogCount,
  // Scripting (EVAL, SCRIPT, redis.call, BUSY).
  kNoScript,
  kNumkeysNegative,
  kScriptUnknownCommand,
  kScriptArity,
  kScriptDenied,
  kScriptWriteReadonly,
  kScriptRoCommand,
  kScriptOom,
  kBusyEval,
  kBusyFunction,
  kNotBusy,
  kUnkillable,
  kScriptFlushOption,
  kScriptShardBusy,
  kFunctionNotFound,
  kBadNumKeys,
  // Functions (FUNCTION LOAD, LIST, DELETE, FLUSH, RESTORE). The texts of library loading and
  // payloads come from scripting/library.h.
  kLibraryNameNotGiven,
  kLibraryNotFound,
  kFunctionFlushMode,
  kRestorePolicy,
  // Bit commands (SETBIT, GETBIT, BITPOS, BITOP, BITFIELD) and LCS.
  kBitOffset,
  kBitValue,
  kBitArgument,
  kBitopNot,
  kBitfieldType,
  kBitfieldOverflow,
  kBitfieldRo,
  kLcsNotString,
  kLcsLenAndIdx,
  kLcsTooLong,
  kLcsMemory,
  // HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG).
  kHllWrongType,
  kHllCorrupt,
  kHllNoSuchKey,
  kHllNotSparse,
  // Geo (GEOADD, GEOSEARCH, GEORADIUS, ...).
  kGeoUnit,
  kGeoNeedRadius,
  kGeoNeedWidth,
  kGeoNeedHeight,
  kGeoRadiusNegative,
  kGeoBoxNegative,
  kGeoMemberUnknown,
  kCountAboveZero,  // GEOSEARCH COUNT, XAUTOCLAIM COUNT
  kGeoAnyWithoutCount,
  // Streams (XADD, XRANGE, XREAD, consumer groups).
  kStreamInvalidId,
  kStreamMaxlenAndMinid,
  kStreamMaxlenNegative,
  kStreamLimitNegative,
  kStreamLimitNoStrategy,
  kStreamXtrimNoStrategy,
  kStreamLimitNoApprox,
  kStreamIdZero,
  kStreamExhausted,
  kStreamIdTooSmall,
  kStreamTooLarge,
  kStreamInvalidStart,
  kStreamInvalidEnd,
  kStreamUnbalanced,
  kStreamGroupOnlyXreadgroup,
  kStreamNoackOnlyXreadgroup,
  kStreamMissingGroup,
  kStreamDollarInGroup,
  kStreamGreaterOutsideGroup,
  kStreamEntriesRead,
  kStreamGroupNeedsKey,
  kStreamBusyGroup,
  kStreamEntriesAdded,
  kStreamSetidBelowMaxDeleted,
  kStreamSetidBelowTop,
  kStreamSetidEntriesAdded,
  kStreamClaimMinIdle,
  kStreamClaimIdle,
  kStreamClaimTime,
  kStreamClaimRetry,
  kStreamAutoclaimMinIdle,
  kStreamGroupGone,
  kStreamKeyGone,
  kCount  // not a status: the number of them
};

// What Redis's C-string code sees of some bytes: everything before the first NUL. Its %s in error
// texts stops there, and so do strchr()/strstr() over a pattern (SORT's BY and GET).
inline std::string_view until_nul(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

// The exact reply text of e; empty for kOk.
std::string_view error_text(Err e);

// Texts with an argument, each as Redis formats it.

// "ERR unknown command 'x', with args beginning with: 'a' 'b' ": the name cut at 128 bytes, then
// quoted arguments while the list is under 128 bytes; each stops at a NUL byte (Redis's %.*s).
std::string unknown_command_error(const std::vector<std::string_view>& argv);
// "ERR unknown subcommand 'sub'. Try CONTAINER HELP." (sub as given: the caller cuts it).
std::string unknown_subcommand_error(std::string_view container, std::string_view sub);
// Redis's addReplySubcommandSyntaxError: "ERR unknown subcommand or wrong number of arguments for
// 'sub'. Try CONTAINER HELP.", sub cut at 128 bytes.
std::string subcommand_syntax_error(std::string_view container, std::string_view sub);
// "ERR wrong number of arguments for 'get' command"
std::string arity_error(std::string_view command);
// "ERR invalid expire time in 'set' command"
std::string invalid_expire_error(std::string_view command);
// "ERR at least 1 input key is needed for 'zunion' command"
std::string no_input_keys_error(std::string_view command);
// EXPIRE's "ERR Unsupported option NOPE"
std::string unsupported_option_error(std::string_view option);
// "ERR Syntax error in HELLO option 'x'"
std::string hello_option_error(std::string_view option);
// CLIENT SETINFO: "ERR Unrecognized option 'x'"
std::string unrecognized_option_error(std::string_view option);
// CLIENT SETINFO: "ERR lib-name cannot contain spaces, newlines or special characters."
std::string client_attr_error(std::string_view attribute);
// "ERR Unknown client type 'x'"
std::string unknown_client_type_error(std::string_view type);
// "ERR No such user 'x'"
std::string no_such_user_error(std::string_view user);
// "NOPERM this user has no permissions to run the 'x' command" (x: "config|set" for a subcommand)
std::string noperm_command_error(std::string_view command);
// ACL CAT: "ERR Unknown category 'x'" (x cut at 128 bytes)
std::string acl_unknown_category_error(std::string_view category);
// ACL DRYRUN: "ERR User 'x' not found", "ERR Command 'x' not found"
std::string acl_user_not_found_error(std::string_view user);
std::string acl_command_not_found_error(std::string_view command);
// ACL SETUSER / LOAD: "ERR " + the rule engine's text (server/acl.h).
std::string acl_error(std::string_view why);
// A RESP2 subscriber's "ERR Can't execute 'get': only (P|S)SUBSCRIBE / ... are allowed in this
// context"
std::string pubsub_context_error(std::string_view command);
// "EXECABORT Transaction discarded because of: <reason>", reason without its "ERR " prefix (as
// Redis's execCommandAbort, which formats its own rejections without it).
std::string exec_abort_error(std::string_view reason);
// CLIENT TRACKING ... PREFIX: `prefix` overlaps `other`, one the client has already (existing) or
// another given in the same command. Both are cut at a NUL byte, as Redis's %s shows them.
std::string prefix_overlap_error(std::string_view prefix, std::string_view other, bool existing);
// "ERR CONFIG SET failed (possibly related to argument 'x') - why"
std::string config_set_failed_error(std::string_view name, std::string_view why);
// "ERR Unknown option or number of arguments for CONFIG SET - 'x'"
std::string config_unknown_option_error(std::string_view name);
// FUNCTION LOAD: "ERR Unknown option given: x" (x cut at a NUL, CR and LF as spaces, as Redis's
// addReplyErrorFormat).
std::string function_load_option_error(std::string_view option);
// FUNCTION LIST: "ERR Unknown argument x" (x cut at a NUL).
std::string function_list_argument_error(std::string_view argument);
// "ERR Rewriting config file: <strerror>"
std::string config_rewrite_error(std::string_view why);
// GEOADD, FROMLONLAT, GEORADIUS: "ERR invalid longitude,latitude pair 200.000000,10.000000" (%f).
std::string geo_lonlat_error(double lon, double lat);
// A GEO command storing with WITHDIST/WITHHASH/WITHCOORD: "ERR GEOSEARCHSTORE is not compatible
// with ..." or "ERR STORE option in GEORADIUS is not compatible with ...".
std::string geo_store_options_error(bool searchstore);
// GEOSEARCH(STORE) without a centre or a shape; `command` as the client typed it: "ERR exactly one
// of FROMMEMBER or FROMLONLAT can be specified for geosearch".
std::string geo_from_error(std::string_view command);
std::string geo_by_error(std::string_view command);
// LATENCY GRAPH of an event with no samples: "ERR No samples available for event 'x'".
std::string latency_no_samples_error(std::string_view event);
// "ERR Unknown PFDEBUG subcommand 'x'" (x cut at a NUL).
std::string pfdebug_subcommand_error(std::string_view sub);
// PFSELFTEST: "TESTFAILED <what>".
std::string hll_selftest_error(std::string_view what);
// Streams: the NOGROUP texts, named by where Redis sends them. XREADGROUP: "NOGROUP No such key
// 'k' or consumer group 'g' in XREADGROUP with GROUP option"; XGROUP and XINFO CONSUMERS:
// "NOGROUP No such consumer group 'g' for key name 'k'"; XPENDING, XCLAIM, XAUTOCLAIM: "NOGROUP
// No such key 'k' or consumer group 'g'". Each argument cut at a NUL, CR and LF as spaces.
std::string nogroup_xreadgroup_error(std::string_view key, std::string_view group);
std::string nogroup_for_key_error(std::string_view group, std::string_view key);
std::string nogroup_error(std::string_view key, std::string_view group);
// "ERR Unrecognized XCLAIM option 'x'"
std::string xclaim_option_error(std::string_view option);
// "ERR xread command is not allowed with BLOCK option from scripts" (the name as called).
std::string block_in_script_error(std::string_view command);

}  // namespace respite::server
