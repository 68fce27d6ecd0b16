// Unit tests of the cmsgpack and struct libraries (scripting/cmsgpack.cpp, scripting/struct.cpp)
// through the interpreter, with no server. Every expected reply in the two tables below, errors
// and the script SHA inside them included, is what Debian's redis-server 7.0.15 answered to
// `EVAL <body> 0` (taken with a RESP client; strings are written with octal escapes, which never
// run into the next character). The other cases are Redis's own tests/unit/scripting.tcl.
#include <doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scripting/interpreter.h"

using namespace std::string_literals;
using respite::protocol::RespValue;
using respite::scripting::Callback;
using respite::scripting::Interpreter;

namespace {

// Answers every redis.call with an error: these scripts make none.
class NoServer : public Callback {
 public:
  RespValue call(std::span<const std::string_view>, int, bool) override {
    return RespValue::error("ERR Unknown Redis command called from script");
  }
};

RespValue run(Interpreter& in, std::string_view body) {
  NoServer server;
  Interpreter::AddResult added = in.add_function(body);
  REQUIRE_MESSAGE(added.ok, added.error);
  RespValue reply;
  REQUIRE(in.run_function(added.sha, {}, {}, &server, &reply) == Interpreter::RunStatus::kOk);
  return reply;
}

RespValue arr(std::vector<RespValue> v) {
  return RespValue::array(std::move(v));
}
RespValue num(int64_t n) {
  return RespValue::integer_of(n);
}
RespValue bulk(std::string s) {
  return RespValue::bulk(std::move(s));
}

struct Case {
  const char* body;
  RespValue expected;
};

void check_all(const std::vector<Case>& cases) {
  Interpreter in;
  for (const Case& c : cases) {
    std::string body = c.body;  // a string, so that a failure prints the script
    CAPTURE(body);
    CHECK(run(in, body) == c.expected);
  }
}

}  // namespace

TEST_CASE("cmsgpack: encodings, decodings and errors as redis-server 7.0.15 gives them") {
  // clang-format off
  check_all({
    {"return cmsgpack.pack(nil)",
     bulk("\300"s)},
    {"return cmsgpack.pack(true, false)",
     bulk("\303\302"s)},
    {"return cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536)",
     bulk("\000\001\177\314\200\314\377\315\001\000\315\377\377\316\000\001\000\000"s)},
    {"return cmsgpack.pack(4294967295, 4294967296, 2^53, 2^63 - 2^10)",
     bulk("\316\377\377\377\377\317\000\000\000\001\000\000\000\000\317\000 \000\000\000\000\000\000\317\177\377\377\377\377\377\374\000"s)},
    {"return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769)",
     bulk("\377\340\320\337\320\200\321\377\177\321\200\000\322\377\377\177\377"s)},
    {"return cmsgpack.pack(-2147483648, -2147483649, -2^63)",
     bulk("\322\200\000\000\000\323\377\377\377\377\177\377\377\377\323\200\000\000\000\000\000\000\000"s)},
    {"return cmsgpack.pack(2^63, 2^64, -2^64)",
     bulk("\312_\000\000\000\312_\200\000\000\312\337\200\000\000"s)},
    {"return cmsgpack.pack(0.5, 3.25, -1.5, 0.1, 1e300, 1/0, -1/0)",
     bulk("\312\077\000\000\000\312@P\000\000\312\277\300\000\000\313\077\271\231\231\231\231\231\232\313~7\344<\210\000u\234\312\177\200\000\000\312\377\200\000\000"s)},
    {"return cmsgpack.pack(0/0)",
     bulk("\313\377\370\000\000\000\000\000\000"s)},
    {"return cmsgpack.pack(-0.0)",
     bulk("\000"s)},
    {"return cmsgpack.pack('', 'a', string.rep('x', 31))",
     bulk("\240\241a\277xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"s)},
    {"local s = cmsgpack.pack(string.rep('x', 32)) return {#s, s:sub(1, 3)}",
     arr({num(34), bulk("\331 x"s)})},
    {"local s = cmsgpack.pack(string.rep('x', 255)) return {#s, s:sub(1, 3)}",
     arr({num(257), bulk("\331\377x"s)})},
    {"local s = cmsgpack.pack(string.rep('x', 256)) return {#s, s:sub(1, 4)}",
     arr({num(259), bulk("\332\001\000x"s)})},
    {"local s = cmsgpack.pack(string.rep('x', 65535)) return {#s, s:sub(1, 4)}",
     arr({num(65538), bulk("\332\377\377x"s)})},
    {"local s = cmsgpack.pack(string.rep('x', 65536)) return {#s, s:sub(1, 6)}",
     arr({num(65541), bulk("\333\000\001\000\000x"s)})},
    {"return cmsgpack.pack('a\\0b')",
     bulk("\243a\000b"s)},
    {"return cmsgpack.pack(tostring, cmsgpack.pack, coroutine.create(function() end))",
     bulk("\300\300\300"s)},
    {"return cmsgpack.pack(1, 'two', {3}, nil, {x=4})",
     bulk("\001\243two\221\003\300\201\241x\004"s)},
    {"return cmsgpack.pack({})",
     bulk("\220"s)},
    {"return cmsgpack.pack({1, 2, 3})",
     bulk("\223\001\002\003"s)},
    {"return cmsgpack.pack({1, nil, 3})",
     bulk("\202\001\001\003\003"s)},
    {"return cmsgpack.pack({nil, 2})",
     bulk("\201\002\002"s)},
    {"return cmsgpack.pack({[1]='a', [2]='b'})",
     bulk("\222\241a\241b"s)},
    {"return cmsgpack.pack({a=1})",
     bulk("\201\241a\001"s)},
    {"return cmsgpack.pack({[1.5]=1})",
     bulk("\201\312\077\300\000\000\001"s)},
    {"return cmsgpack.pack({[0]=1})",
     bulk("\201\000\001"s)},
    {"return cmsgpack.pack({[-1]=1})",
     bulk("\201\377\001"s)},
    {"return cmsgpack.pack({[2]=1})",
     bulk("\201\002\001"s)},
    {"return cmsgpack.pack({[2^31]=1})",
     bulk("\201\316\200\000\000\000\001"s)},
    {"return cmsgpack.pack({[true]=false})",
     bulk("\201\303\302"s)},
    {"return cmsgpack.pack({1, 2, a=3})",
     bulk("\203\001\001\002\002\241a\003"s)},
    {"return cmsgpack.pack({{1, {2}}, {a={b={}}}})",
     bulk("\222\222\001\221\002\201\241a\201\241b\220"s)},
    {"local t = {} for i = 1, 16 do t[i] = i end return cmsgpack.pack(t)",
     bulk("\334\000\020\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"s)},
    {"local t = {} for i = 1, 65536 do t[i] = 0 end local s = cmsgpack.pack(t) return {#s, s:sub(1, 6)}",
     arr({num(65541), bulk("\335\000\001\000\000\000"s)})},
    {"local t = {} for i = 1, 16 do t['k' .. i] = i end local s = cmsgpack.pack(t) return {#s, s:sub(1, 3)}",
     arr({num(74), bulk("\336\000\020"s)})},
    {"local t = {} for i = 1, 65536 do t['k' .. i] = 0 end local s = cmsgpack.pack(t) return {#s, s:sub(1, 5)}",
     arr({num(513187), bulk("\337\000\001\000\000"s)})},
    {"local t = {} for i = 1, 20 do t = {t} end return cmsgpack.pack(t)",
     bulk("\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\300"s)},
    {"local t = {} for i = 1, 15 do t = {t} end return cmsgpack.pack(t)",
     bulk("\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\220"s)},
    {"local t = {} for i = 1, 16 do t = {t} end return cmsgpack.pack(t)",
     bulk("\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\300"s)},
    {"local t = {} for i = 1, 16 do t = {[t]=1} end return cmsgpack.pack(t)",
     bulk("\201\201\201\201\201\201\201\201\201\201\201\201\201\201\201\201\300\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001"s)},
    {"local a = {} a[1] = a return cmsgpack.pack(a)",
     bulk("\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\221\300"s)},
    {"local a = {} a.me = a return cmsgpack.pack(a)",
     bulk("\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\201\242me\300"s)},
    {"local t = {} t[1] = {} t[2] = t[1] return cmsgpack.pack(t)",
     bulk("\222\220\220"s)},
    {"return cmsgpack.pack(setmetatable({}, {__index = function() return 1 end}))",
     bulk("\220"s)},
    {"return cmsgpack.pack(redis.LOG_DEBUG, KEYS, ARGV)",
     bulk("\000\220\220"s)},
    {"local encoded = cmsgpack.pack(0.1) local h = '' for i = 1, #encoded do h = h .. string.format('%02x', string.byte(encoded, i)) end return h",
     bulk("cb3fb999999999999a"s)},
    {"local encoded = cmsgpack.pack(-1099511627776) local h = '' for i = 1, #encoded do h = h .. string.format('%02x', string.byte(encoded, i)) end return h",
     bulk("d3ffffff0000000000"s)},
    {"return {cmsgpack.unpack('\\0\\127\\204\\200\\205\\1\\0\\206\\0\\1\\0\\0\\207\\0\\0\\0\\1\\0\\0\\0\\0')}",
     arr({num(0), num(127), num(200), num(256), num(65536), num(4294967296)})},
    {"return {cmsgpack.unpack('\\255\\224\\208\\128\\209\\255\\0\\210\\255\\255\\255\\254\\211\\255\\255\\255\\255\\255\\255\\255\\254')}",
     arr({num(-1), num(-32), num(-128), num(-256), num(-2), num(-2)})},
    {"return {cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')}",
     arr({num(-1)})},
    {"return tostring(cmsgpack.unpack('\\207\\128\\0\\0\\0\\0\\0\\0\\0'))",
     bulk("-9.2233720368548e+18"s)},
    {"return tostring(cmsgpack.unpack('\\207\\127\\255\\255\\255\\255\\255\\255\\255'))",
     bulk("9.2233720368548e+18"s)},
    {"return tostring(cmsgpack.unpack('\\211\\128\\0\\0\\0\\0\\0\\0\\0'))",
     bulk("-9.2233720368548e+18"s)},
    {"return {tostring(cmsgpack.unpack('\\202\\63\\192\\0\\0')), tostring(cmsgpack.unpack('\\203\\63\\185\\153\\153\\153\\153\\153\\154'))}",
     arr({bulk("1.5"s), bulk("0.1"s)})},
    {"return tostring(cmsgpack.unpack(cmsgpack.pack(0.1)))",
     bulk("0.1"s)},
    {"return cmsgpack.unpack(cmsgpack.pack(0.1)) == 0.1",
     num(1)},
    {"return tostring(cmsgpack.unpack('\\202\\127\\192\\0\\0'))",
     bulk("nan"s)},
    {"return {cmsgpack.unpack('\\192\\194\\195')}",
     arr({})},
    {"return {type(cmsgpack.unpack('\\192')), cmsgpack.unpack('\\194') == false, cmsgpack.unpack('\\195') == true}",
     arr({bulk("nil"s), num(1), num(1)})},
    {"return {cmsgpack.unpack('\\160\\161a\\217\\3abc\\218\\0\\2de\\219\\0\\0\\0\\1f')}",
     arr({bulk(""s), bulk("a"s), bulk("abc"s), bulk("de"s), bulk("f"s)})},
    {"return cmsgpack.unpack('\\147\\1\\2\\3')",
     arr({num(1), num(2), num(3)})},
    {"return cmsgpack.unpack('\\220\\0\\2\\1\\2')",
     arr({num(1), num(2)})},
    {"return cmsgpack.unpack('\\221\\0\\0\\0\\2\\1\\2')",
     arr({num(1), num(2)})},
    {"return cmsgpack.unpack('\\147\\1\\192\\3')",
     arr({num(1)})},
    {"return cjson.encode(cmsgpack.unpack('\\129\\161a\\1'))",
     bulk("{\"a\":1}"s)},
    {"return cjson.encode(cmsgpack.unpack('\\222\\0\\1\\161a\\145\\1'))",
     bulk("{\"a\":[1]}"s)},
    {"return cjson.encode(cmsgpack.unpack('\\223\\0\\0\\0\\1\\161a\\128'))",
     bulk("{\"a\":{}}"s)},
    {"return cjson.encode(cmsgpack.unpack('\\129\\1\\161x'))",
     bulk("[\"x\"]"s)},
    {"return cjson.encode(cmsgpack.unpack('\\129\\161a\\192'))",
     bulk("{}"s)},
    {"return {cmsgpack.unpack('')}",
     arr({})},
    {"return cmsgpack.unpack(123)",
     num(49)},
    {"return {cmsgpack.unpack('\\1\\2', 'ignored')}",
     arr({num(1), num(2)})},
    {"return cmsgpack.unpack('\\193')",
     RespValue::error("ERR user_script:1: Bad data format in input. script: dc135bd7bc2955014f03280e151acf74360378e7, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\196\\1a')",
     RespValue::error("ERR user_script:1: Bad data format in input. script: 6f8b916f0f73238529184461236248e68f5e450b, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\199\\1\\1a')",
     RespValue::error("ERR user_script:1: Bad data format in input. script: 99ff8ffb5791804e4457c3d361d9f8544f6e4a8b, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\212\\1\\1')",
     RespValue::error("ERR user_script:1: Bad data format in input. script: cf19445e5530b346880b9a93636b778506b3b9c1, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\1\\2\\196')",
     RespValue::error("ERR user_script:1: Bad data format in input. script: 12f19d4a6d55757045068e469d1b9e4d7569a7a0, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\204')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 332e907abffc8f6c8c9aa7fa8c8f82745d942bf9, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\205\\1')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 4679240a23ff9735759d614fd4b677cab6fb1b9a, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\206\\1\\2\\3')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: f55c81787b4b01fc5ad8df80d459b2e1621ce288, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\207\\1\\2\\3\\4\\5\\6\\7')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 3edcb839db9d762aa5cb755e8187463cb782d3c4, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\211\\1')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 723640cb7e5566ca2e08cf02ab52d6cdbc6e40c2, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\202\\1')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: c399b3eff56cb0557646c8f70f40f0bc0e2b7ab9, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\203\\1\\2\\3\\4\\5\\6\\7\\8')",
     num(0)},
    {"return cmsgpack.unpack('\\162a')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: d8280305d55eaa11738398306029c3613b6cf250, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\217')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 124b3274c7f37c58588f90a8c3c3427ad124e0b3, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\217\\5abc')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: dec19d8744f002d57aef4042a9eb73a0adfa00ba, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\218\\0')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 1f0ac2b04108fe44cfd11457a15a79ad577d614c, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\218\\0\\5abc')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 7266992bb0933d51ed323f29c79a3c8426658945, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\219\\0\\0\\0')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: fa8ee461fbf99808b1ba150cf69cca5b18e22790, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\219\\0\\0\\0\\5abc')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 448e14ca25e65a85bb9f20f1603e0707f1a76f79, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\147\\1\\2')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 4b51d5e2e41b7e6e0a00e22021a6bde9b48efac5, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\220\\0')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 375924e9aecacdd220b5c3229024e79e00bcede3, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\221\\0\\0\\0\\9')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: eed260c36b5b336e10907061ead23120bad9eb5b, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\129\\1')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: 5c1d1e5f5218fca4c8c908d06c87704124e3e5db, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\222\\0\\1')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: a0c18d2e88e6c7b88865f80f946139c0baab49b4, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\223\\0\\0\\0\\1\\1')",
     RespValue::error("ERR user_script:1: Missing bytes in input. script: ca286c1e0d559fd63c0ec7e45ab99dfa149f5d8e, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\145\\193')",
     RespValue::error("ERR user_script:1: Bad data format in input. script: e35d5d3ab3a23d209a5bd50707126b50019b09c8, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\129\\192\\1')",
     RespValue::error("ERR table index is nil script: fc5ecea28c7c4519bafde8e9710d8f45499f865b, on @user_script:1."s)},
    {"return cmsgpack.unpack('\\129\\203\\255\\248\\0\\0\\0\\0\\0\\0\\1')",
     RespValue::error("ERR table index is NaN script: ef60e9999c7a14821e96d6d28622096c2f172bb3, on @user_script:1."s)},
    {"return #{cmsgpack.unpack(string.rep('\\1', 7000))}",
     num(7000)},
    {"return #{cmsgpack.unpack(string.rep('\\1', 10000))}",
     RespValue::error("ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: e44efe902b654376dd5e73699f8ae828e9c954a9, on @user_script:1."s)},
    {"return cmsgpack.unpack(string.rep('\\145', 5000) .. '\\1')",
     RespValue::error("ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: a68862545ca8d37e0415f8f995a9ae92ce59ab99, on @user_script:1."s)},
    {"return cmsgpack.unpack(string.rep('\\145', 3000) .. '\\1') ~= nil",
     num(1)},
    {"return cmsgpack.pack()",
     RespValue::error("ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: 6bc235afa55de88253e203cc5fe5844792e25209, on @user_script:1."s)},
    {"return cmsgpack.unpack()",
     RespValue::error("ERR user_script:1: bad argument #1 to 'unpack' (string expected, got no value) script: 78103c0f3f46e5897cb5d2fad8dfb28bd38e0eeb, on @user_script:1."s)},
    {"return cmsgpack.unpack({})",
     RespValue::error("ERR user_script:1: bad argument #1 to 'unpack' (string expected, got table) script: 1bf8d78c3e2298775df6934cb05254905d2c8ddc, on @user_script:1."s)},
    {"return cmsgpack.unpack_one()",
     RespValue::error("ERR user_script:1: bad argument #1 to 'unpack_one' (string expected, got no value) script: eb943cbabab4c1be475b701d22aeca8aa78bd649, on @user_script:1."s)},
    {"return cmsgpack.unpack_one('a', 'x')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack_one' (number expected, got string) script: 3bded022a4c90efc12844902ed1cfa2da192533d, on @user_script:1."s)},
    {"return cmsgpack.unpack_limit('a')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value) script: 322919891a19a9d580a3cd7db27baf0031842e1d, on @user_script:1."s)},
    {"return cmsgpack.unpack_limit('a', {})",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got table) script: 85ef55e5c675d280e53e206e80444f439daa29a6, on @user_script:1."s)},
    {"return cmsgpack.unpack_limit('a', 1, 'x')",
     RespValue::error("ERR user_script:1: bad argument #3 to 'unpack_limit' (number expected, got string) script: c349ad17bdfd9dab204495a7077770f9f3fcc9fb, on @user_script:1."s)},
    {"return {cmsgpack.unpack_one('\\1\\2\\3')}",
     arr({num(1), num(1)})},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', 1)}",
     arr({num(2), num(2)})},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', 2)}",
     arr({num(-1), num(3)})},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', 3)}",
     arr({num(-1)})},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', '1')}",
     arr({num(2), num(2)})},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', 1.9)}",
     arr({num(2), num(2)})},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', 4)}",
     RespValue::error("ERR user_script:1: Start offset 4 greater than input length 3. script: 20f363070f2503e0b7a10a1c59da3a86eeac39cf, on @user_script:1."s)},
    {"return {cmsgpack.unpack_one('\\1\\2\\3', -1)}",
     RespValue::error("ERR user_script:1: Invalid request to unpack with offset of -1 and limit of 3. script: 01c48994c7c313b4d5375e730dc2a78ab0f88aab, on @user_script:1."s)},
    {"return {cmsgpack.unpack_one('')}",
     arr({num(-1)})},
    {"return {cmsgpack.unpack_one('', 0)}",
     arr({num(-1)})},
    {"return {cmsgpack.unpack_one('\\192\\1')}",
     arr({num(1)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 2)}",
     arr({num(2), num(1), num(2)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 2, 2)}",
     arr({num(-1), num(3)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 5)}",
     arr({num(-1), num(1), num(2), num(3)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 0)}",
     arr({num(1), num(2), num(3)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 0, 0)}",
     arr({num(1), num(2), num(3)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 0, 1)}",
     arr({num(1)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 0, 3)}",
     arr({num(-1)})},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', -1)}",
     RespValue::error("ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 3. script: a61504c604879e3b4b9e8da20ce1ee48942ccd0b, on @user_script:1."s)},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', -5, 7)}",
     RespValue::error("ERR user_script:1: Invalid request to unpack with offset of 7 and limit of 3. script: c51ad0c8cca130b0ae5a744d5f1ef516876ca817, on @user_script:1."s)},
    {"return {cmsgpack.unpack_limit('\\1\\2\\3', 1, 9)}",
     RespValue::error("ERR user_script:1: Start offset 9 greater than input length 3. script: 2e52c06c4f896137293e563c97139aec98ed5cf2, on @user_script:1."s)},
    {"return {cmsgpack.unpack_limit('', 1)}",
     arr({num(-1)})},
    {"return {cmsgpack.unpack_one('\\1\\193', 1)}",
     RespValue::error("ERR user_script:1: Bad data format in input. script: bbc2de9ac1af69bd71c87616bf8971c4e475e81c, on @user_script:1."s)},
    {"return {cmsgpack.unpack_one('\\193\\1', 1)}",
     arr({num(-1), num(1)})},
    {"return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}",
     arr({bulk("cmsgpack"s), bulk("lua-cmsgpack 0.4.0"s), bulk("Copyright (C) 2012, Salvatore Sanfilippo"s), bulk("MessagePack C implementation for Lua"s)})},
    {"cmsgpack.pack = function() return 1 end",
     RespValue::error("ERR user_script:1: Attempt to modify a readonly table script: 50388a6a22c84dc2c14720fac460e3122ba23a72, on @user_script:1."s)},
    {"cmsgpack.foo = 1",
     RespValue::error("ERR user_script:1: Attempt to modify a readonly table script: 65a39e05f3d8097f5084311a8312f5eea74b1fcc, on @user_script:1."s)},
    {"rawset(cmsgpack, 'pack', 1)",
     RespValue::error("ERR Attempt to modify a readonly table script: 0bba5a6cd2531ed585df3c29e4d61ff30d19c98c, on @user_script:1."s)},
    {"return type(cmsgpack_safe)",
     RespValue::error("ERR user_script:1: Script attempted to access nonexistent global variable 'cmsgpack_safe' script: 36826a483503e682a0244b5344d29e5bf0ac915b, on @user_script:1."s)},
    {"return pcall(cmsgpack.unpack, '\\193')",
     RespValue::null()},
  });
  // clang-format on
}

TEST_CASE("struct: pack, unpack and size as redis-server 7.0.15 gives them") {
  // clang-format off
  check_all({
    {"return struct.pack('b', -1) .. struct.pack('B', 255) .. struct.pack('b', 200) .. struct.pack('B', -1)",
     bulk("\377\377\310\377"s)},
    {"return struct.pack('h', -2) .. struct.pack('>h', -2) .. struct.pack('<H', 65535) .. struct.pack('>H', 65536 + 258)",
     bulk("\376\377\377\376\377\377\001\002"s)},
    {"return struct.pack('i', 1) .. struct.pack('>i', 1) .. struct.pack('<I', -1) .. struct.pack('>I', 2^32 + 3)",
     bulk("\001\000\000\000\000\000\000\001\377\377\377\377\000\000\000\003"s)},
    {"return struct.pack('l', -1) .. struct.pack('>L', 2^40) .. struct.pack('T', 5) .. struct.pack('>T', 5)",
     bulk("\377\377\377\377\377\377\377\377\000\000\001\000\000\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000\000\000\000\005"s)},
    {"return struct.pack('>i3', 0x010203) .. struct.pack('<i3', 0x010203) .. struct.pack('>i1', 65) .. struct.pack('i0', 7)",
     bulk("\001\002\003\003\002\001A"s)},
    {"return struct.pack('>i16', -2) .. struct.pack('<i16', -2) .. struct.pack('>I9', 2^63)",
     bulk("\000\000\000\000\000\000\000\000\377\377\377\377\377\377\377\376\376\377\377\377\377\377\377\377\000\000\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000"s)},
    {"return struct.pack('>i32', 1)",
     bulk("\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001"s)},
    {"return struct.pack('>L', 2^64) .. struct.pack('>L', 0/0) .. struct.pack('>l', -2^64) .. struct.pack('>L', 1/0) .. struct.pack('>l', -1/0)",
     bulk("\000\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000"s)},
    {"return struct.pack('>L', 2^63 + 2^40) .. struct.pack('>L', 2^63) .. struct.pack('>l', 2^63) .. struct.pack('>l', -2^63)",
     bulk("\200\000\001\000\000\000\000\000\200\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000"s)},
    {"return struct.pack('>L', 1.9) .. struct.pack('>l', -1.9) .. struct.pack('>b', 0.5) .. struct.pack('>h', '12')",
     bulk("\000\000\000\000\000\000\000\001\377\377\377\377\377\377\377\377\000\000\014"s)},
    {"return struct.pack('f', 1.5) .. struct.pack('>f', 1.5) .. struct.pack('<d', 0.1) .. struct.pack('>d', 0.1)",
     bulk("\000\000\300\077\077\300\000\000\232\231\231\231\231\231\271\077\077\271\231\231\231\231\231\232"s)},
    {"return struct.pack('>f', 0.1) .. struct.pack('>f', 1e300) .. struct.pack('>d', 1/0)",
     bulk("=\314\314\315\177\200\000\000\177\360\000\000\000\000\000\000"s)},
    {"return struct.pack('c5', 'abcdefg') .. '|' .. struct.pack('c0', 'hello') .. '|' .. struct.pack('c', 'xyz')",
     bulk("abcde|hello|x"s)},
    {"return struct.pack('s', 'hi') .. '|' .. struct.pack('s', '') .. '|' .. struct.pack('c0s', 'a', 'b')",
     bulk("hi\000|\000|ab\000"s)},
    {"return struct.pack('xbx', 1) .. struct.pack('   <>  ')",
     bulk("\000\001\000"s)},
    {"return struct.pack('!4 b i', 1, 2)",
     bulk("\001\000\000\000\002\000\000\000"s)},
    {"return struct.pack('!b d', 1, 2.5)",
     bulk("\001\000\000\000\000\000\000\000\000\000\000\000\000\000\004@"s)},
    {"return struct.pack('!2 b i b h', 1, 2, 3, 4)",
     bulk("\001\000\002\000\000\000\003\000\004\000"s)},
    {"return struct.pack('! b h b l b i b f', 1, 2, 3, 4, 5, 6, 7, 8)",
     bulk("\001\000\002\000\003\000\000\000\004\000\000\000\000\000\000\000\005\000\000\000\006\000\000\000\007\000\000\000\000\000\000A"s)},
    {"return struct.pack('!8 b i3 b i5', 1, 2, 3, 4)",
     bulk("\001\000\000\002\000\000\003\004\000\000\000\000"s)},
    {"return struct.pack('!4 b c3 b', 1, 'abc', 2)",
     bulk("\001abc\002"s)},
    {"return struct.pack('!16 b d', 1, 2)",
     bulk("\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000@"s)},
    {"return struct.pack('')",
     bulk(""s)},
    {"return struct.pack('b', 1, 2, 3)",
     bulk("\001"s)},
    {"return struct.pack()",
     RespValue::error("ERR user_script:1: bad argument #1 to 'pack' (string expected, got no value) script: c9b8aed4f0633591e6252db264bf8b86b82828d5, on @user_script:1."s)},
    {"return struct.pack({})",
     RespValue::error("ERR user_script:1: bad argument #1 to 'pack' (string expected, got table) script: 48dc0e53c764beb8b4d41783496584bb97e5f764, on @user_script:1."s)},
    {"return struct.pack('z')",
     RespValue::error("ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'z') script: e1609934105e09f0f9875aca64d1574a895df820, on @user_script:1."s)},
    {"return struct.pack('<z', 1)",
     RespValue::error("ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'z') script: df4ba792f77bb5cc7a6a73f3e3ff3a4cde2f151b, on @user_script:1."s)},
    {"return struct.pack('b')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil) script: fd20463fb1ef62aa4fafca9dfa083b276ab7d453, on @user_script:1."s)},
    {"return struct.pack('i', 'x')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'pack' (number expected, got string) script: 72d01f23645269179316b093775c7fa64478554a, on @user_script:1."s)},
    {"return struct.pack('c', 'a', 'b')",
     bulk("a"s)},
    {"return struct.pack('c2', 'a')",
     RespValue::error("ERR user_script:1: bad argument #3 to 'pack' (string too short) script: c0e0df4a7eb7f4a68055945e60c779521b3a3279, on @user_script:1."s)},
    {"return struct.pack('bc2', 1, 'a')",
     RespValue::error("ERR user_script:1: bad argument #4 to 'pack' (string too short) script: 51b4abfe86deb38dbd2d271747d2d79c2c3b9552, on @user_script:1."s)},
    {"return struct.pack('c', 1)",
     bulk("1"s)},
    {"return struct.pack('s', {})",
     RespValue::error("ERR user_script:1: bad argument #2 to 'pack' (string expected, got table) script: 5cf444f359bf1c8e7834932265689f94ec6774d9, on @user_script:1."s)},
    {"return struct.pack('i40', 1)",
     RespValue::error("ERR user_script:1: integral size 40 is larger than limit of 32 script: 652cabace7a9fdbd8e0c2489b1b804d19185ddc8, on @user_script:1."s)},
    {"return struct.pack('i33', 1)",
     RespValue::error("ERR user_script:1: integral size 33 is larger than limit of 32 script: 0a76c071d82805e752befa6958961c98c39f358f, on @user_script:1."s)},
    {"return struct.pack('!3', 1)",
     RespValue::error("ERR user_script:1: alignment 3 is not a power of 2 script: 015083070625e0c8535172e55b13a94acdf4c3c6, on @user_script:1."s)},
    {"return struct.pack('!0', 1)",
     RespValue::error("ERR user_script:1: alignment 0 is not a power of 2 script: 52329bab0d3daa15cb5ba44cf64178acca17153f, on @user_script:1."s)},
    {"return struct.pack('!64 b', 1)",
     bulk("\001"s)},
    {"return struct.pack('i99999999999', 1)",
     RespValue::error("ERR user_script:1: integral size overflow script: 55da9dc87c031781cab77cd7caa7180a2f334e7e, on @user_script:1."s)},
    {"return struct.pack('c2147483648', 'a')",
     RespValue::error("ERR user_script:1: integral size overflow script: 09631919f28a2e546344b038ddcc76b31aeaa3d2, on @user_script:1."s)},
    {"return struct.pack('f', nil)",
     RespValue::error("ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil) script: 9b3b959591d7d016e1b3be1fbd13a5345f43b6c6, on @user_script:1."s)},
    {"return {struct.unpack('>i', '\\0\\0\\1\\2')}",
     arr({num(258), num(5)})},
    {"return {struct.unpack('<i', '\\0\\0\\1\\2')}",
     arr({num(33619968), num(5)})},
    {"return {struct.unpack('bBhH', '\\255\\255\\254\\255\\254\\255')}",
     arr({num(-1), num(255), num(-2), num(65534), num(7)})},
    {"return {struct.unpack('>lL', '\\255\\255\\255\\255\\255\\255\\255\\254\\0\\0\\0\\0\\0\\0\\1\\0')}",
     arr({num(-2), num(256), num(17)})},
    {"return {tostring(struct.unpack('>L', '\\255\\255\\255\\255\\255\\255\\255\\255'))}",
     arr({bulk("1.844674407371e+19"s)})},
    {"return {tostring(struct.unpack('<T', '\\255\\255\\255\\255\\255\\255\\255\\127'))}",
     arr({bulk("9.2233720368548e+18"s)})},
    {"return {struct.unpack('>i3 <i3 I1', '\\1\\2\\3\\1\\2\\3\\200')}",
     arr({num(66051), num(197121), num(200), num(8)})},
    {"return {struct.unpack('>i3', '\\255\\255\\254')}",
     arr({num(-2), num(4)})},
    {"return {struct.unpack('>i16', string.rep('\\255', 16))}",
     arr({num(-1), num(17)})},
    {"return {struct.unpack('<i16', string.rep('\\255', 16))}",
     arr({num(-1), num(17)})},
    {"return {struct.unpack('>I16', string.rep('\\0', 15) .. '\\7')}",
     arr({num(7), num(17)})},
    {"return {struct.unpack('<I16', '\\7' .. string.rep('\\0', 15))}",
     arr({num(7), num(17)})},
    {"return {struct.unpack('>i0', 'ab')}",
     arr({num(0), num(1)})},
    {"return {tostring(struct.unpack('>i16', string.rep('\\0', 8) .. '\\128' .. string.rep('\\0', 7)))}",
     arr({bulk("-9.2233720368548e+18"s)})},
    {"return {tostring(struct.unpack('>i9', '\\1\\128' .. string.rep('\\0', 7)))}",
     arr({bulk("-128"s)})},
    {"return {tostring(struct.unpack('>I9', '\\1\\128' .. string.rep('\\0', 7)))}",
     arr({bulk("9.2233720368548e+18"s)})},
    {"return {struct.unpack('i', 'abcdefgh', 5)}",
     arr({num(1751606885), num(9)})},
    {"return {struct.unpack('b', 'abc', 3)}",
     arr({num(99), num(4)})},
    {"return {struct.unpack('x', 'a')}",
     arr({num(2)})},
    {"return {struct.unpack('', 'abc')}",
     arr({num(1)})},
    {"return {struct.unpack('', 'abc', 10)}",
     arr({num(10)})},
    {"return {struct.unpack('', '', -1)}",
     arr({num(-1)})},
    {"return {struct.unpack('b', '', -1)}",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 891b5e1607ce5cb682b604f300dc2c2f986faeef, on @user_script:1."s)},
    {"return {struct.unpack('c0', 'abc', 4)}",
     RespValue::error("ERR user_script:1: format 'c0' needs a previous size script: f1446b7aad55aecb0b518eca17c44a286d62c976, on @user_script:1."s)},
    {"return {tostring(struct.unpack('f', struct.pack('f', 1.5))), tostring(struct.unpack('>f', '\\61\\204\\204\\205'))}",
     arr({bulk("1.5"s), bulk("0.10000000149012"s)})},
    {"return {tostring(struct.unpack('<d', struct.pack('<d', 0.1))), tostring(struct.unpack('>d', struct.pack('>d', -2.5)))}",
     arr({bulk("0.1"s), bulk("-2.5"s)})},
    {"return {struct.unpack('c3', 'abcdef')}",
     arr({bulk("abc"s), num(4)})},
    {"return {struct.unpack('c', 'abc')}",
     arr({bulk("a"s), num(2)})},
    {"return {struct.unpack('bc0', '\\3abcde')}",
     arr({bulk("abc"s), num(5)})},
    {"return {struct.unpack('>hc0b', '\\0\\2xy\\9')}",
     arr({bulk("xy"s), num(9), num(6)})},
    {"return {struct.unpack('c1c0', '3abcd')}",
     arr({bulk("abc"s), num(5)})},
    {"return {struct.unpack('s', 'ab\\0cd')}",
     arr({bulk("ab"s), num(4)})},
    {"return {struct.unpack('ss', 'ab\\0\\0z')}",
     arr({bulk("ab"s), bulk(""s), num(5)})},
    {"return {struct.unpack('sc0', '2\\0abc')}",
     arr({bulk("ab"s), num(5)})},
    {"return {struct.unpack('!4 b i', '\\1\\0\\0\\0\\2\\0\\0\\0')}",
     arr({num(1), num(2), num(9)})},
    {"return {struct.unpack('!b d', struct.pack('!b d', 1, 2.5))}",
     arr({num(1), num(2), num(17)})},
    {"return {struct.unpack('!2 b i b h', struct.pack('!2 b i b h', 1, 2, 3, 4))}",
     arr({num(1), num(2), num(3), num(4), num(11)})},
    {"return {struct.unpack('!4 b c3 b', '\\1abc\\2')}",
     arr({num(1), bulk("abc"s), num(2), num(6)})},
    {"return {struct.unpack('! b h', '\\1\\0\\2\\0', 2)}",
     arr({num(0), num(2), num(5)})},
    {"return {struct.unpack('bb', '\\1\\2\\3', 2.7)}",
     arr({num(2), num(3), num(4)})},
    {"return {struct.unpack('b', '\\1\\2\\3', '2')}",
     arr({num(2), num(3)})},
    {"return struct.unpack()",
     RespValue::error("ERR user_script:1: bad argument #1 to 'unpack' (string expected, got no value) script: 11f6b89e7df5d47a3c2a516ceb347b9bf03ed9b1, on @user_script:1."s)},
    {"return struct.unpack('b')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (string expected, got no value) script: 8c477a7a8092b99b128ce33cc36d749bac3bfeae, on @user_script:1."s)},
    {"return struct.unpack('b', {})",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (string expected, got table) script: e696ef8550b59fb71b1285e14499077a55852b5b, on @user_script:1."s)},
    {"return struct.unpack('b', 'a', 'x')",
     RespValue::error("ERR user_script:1: bad argument #3 to 'unpack' (number expected, got string) script: 983e70a984fde1c57340af355b1bd57de6a5d5b6, on @user_script:1."s)},
    {"return struct.unpack('i', 'a', 0)",
     RespValue::error("ERR user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater) script: 6b58083d853f34bc7f4f3d357df0ab74e776a560, on @user_script:1."s)},
    {"return struct.unpack('i', 'abc')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: ec303136177146d52efe90f9a6ccc1accdbe9e9d, on @user_script:1."s)},
    {"return struct.unpack('b', 'abc', 4)",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: a7f01f38d096e63e9d74150de9f2c7f4834d699f, on @user_script:1."s)},
    {"return struct.unpack('!4 bi', 'abcde')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 0e70a7a1bcf2aa9a2938d2454b68a7a13656c59d, on @user_script:1."s)},
    {"return struct.unpack('c5', 'abc')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 88faccfc67e0f780786a8077809791c20d69dd68, on @user_script:1."s)},
    {"return struct.unpack('c0', 'a')",
     RespValue::error("ERR user_script:1: format 'c0' needs a previous size script: 922be60a4958508e847c10403e44115f3f2fe319, on @user_script:1."s)},
    {"return struct.unpack('xc0', 'a')",
     RespValue::error("ERR user_script:1: format 'c0' needs a previous size script: 677152eefa949a9dd5f565c238bc9481db15ebef, on @user_script:1."s)},
    {"return struct.unpack('c1c0', 'xabc')",
     RespValue::error("ERR user_script:1: format 'c0' needs a previous size script: 5cf64bc1f55f2b3e84f21e635e1db3e384ed988c, on @user_script:1."s)},
    {"return struct.unpack('bc0', '\\9ab')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 54323eb96ec2f4d585ef50d565d1d06f7d09cc29, on @user_script:1."s)},
    {"return struct.unpack('bc0', '\\255ab')",
     RespValue::error("ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: 2b47c6333cc72199c9560af7ca3d7d3434bf568f, on @user_script:1."s)},
    {"return struct.unpack('s', 'a')",
     RespValue::error("ERR user_script:1: unfinished string in data script: 2bbe4213cb3d12e250db833f237e7b23f172ec3d, on @user_script:1."s)},
    {"return struct.unpack('z', 'a')",
     RespValue::error("ERR user_script:1: bad argument #1 to 'unpack' (invalid format option 'z') script: 103f1a6924d1ca87e829f168bd89ce7cfc25659e, on @user_script:1."s)},
    {"return struct.unpack('i40', 'a')",
     RespValue::error("ERR user_script:1: integral size 40 is larger than limit of 32 script: bf6d4c0c566399ff78ed9482334b6b320722063e, on @user_script:1."s)},
    {"return struct.unpack('!3', 'a')",
     RespValue::error("ERR user_script:1: alignment 3 is not a power of 2 script: aa1a06a209a2c3549d74f8f4be61a321b4ecdf07, on @user_script:1."s)},
    {"return #{struct.unpack(string.rep('b', 8000), string.rep('a', 8000))}",
     RespValue::error("ERR user_script:1: stack overflow (too many results) script: 523d475e57ab0ec87b8889905768427c74be8bff, on @user_script:1."s)},
    {"return #{struct.unpack(string.rep('b', 7000), string.rep('a', 7000))}",
     num(7001)},
    {"return {struct.size(''), struct.size('b'), struct.size('h'), struct.size('i'), struct.size('l'), struct.size('T'), struct.size('f'), struct.size('d')}",
     arr({num(0), num(1), num(2), num(4), num(8), num(8), num(4), num(8)})},
    {"return {struct.size('!bd'), struct.size('bd'), struct.size('!4 b d'), struct.size('c10'), struct.size('i7 x'), struct.size('>i16 h')}",
     arr({num(16), num(9), num(12), num(10), num(8), num(18)})},
    {"return {struct.size('!2 b i b h'), struct.size('! b h b l b i b f'), struct.size('!8 b i3 b i5')}",
     arr({num(10), num(32), num(12)})},
    {"return {struct.size('z'), struct.size('zzz b'), struct.size('9')}",
     arr({num(0), num(1), num(0)})},
    {"return struct.size('s')",
     RespValue::error("ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size) script: a2a0525826ab7939ccd3f54427a862205642f28f, on @user_script:1."s)},
    {"return struct.size('c0')",
     RespValue::error("ERR user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size) script: 18f217e7d560de92703dc71e9797e043b536e0e6, on @user_script:1."s)},
    {"return struct.size('bc0')",
     RespValue::error("ERR user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size) script: 74dacd14324ad3d69ac5e1b860ef3e1e5692a275, on @user_script:1."s)},
    {"return struct.size('#')",
     RespValue::error("ERR user_script:1: bad argument #1 to 'size' (invalid format option '#') script: 437946402a785fe590f91d530cd3ccb765494eee, on @user_script:1."s)},
    {"return struct.size('!3')",
     RespValue::error("ERR user_script:1: alignment 3 is not a power of 2 script: e85d1ac33cd35488c9a4f9b4f97cb56bbfae9248, on @user_script:1."s)},
    {"return struct.size('i33')",
     RespValue::error("ERR user_script:1: integral size 33 is larger than limit of 32 script: 971b8442ed57a477454e5ab5cf888849b8b0f029, on @user_script:1."s)},
    {"return struct.size()",
     RespValue::error("ERR user_script:1: bad argument #1 to 'size' (string expected, got no value) script: 4c30ee4bce24a141420f334922489017312786e7, on @user_script:1."s)},
    {"return struct.size(12)",
     num(0)},
    {"struct.pack = function() return 1 end",
     RespValue::error("ERR user_script:1: Attempt to modify a readonly table script: ba6cf951bb93037b7c4135818c9ecad856cd7a2c, on @user_script:1."s)},
    {"struct.x = 1",
     RespValue::error("ERR user_script:1: Attempt to modify a readonly table script: dafa34c263a00d6fb86327e81f88cf81ee28bdd6, on @user_script:1."s)},
    {"rawset(struct, 'size', 1)",
     RespValue::error("ERR Attempt to modify a readonly table script: a6a1fdd8fe425aaafded967101880550408d272a, on @user_script:1."s)},
  });
  // clang-format on
}

// Redis's scripting.tcl: "EVAL - cmsgpack can pack double?" and "can pack negative int64?".
TEST_CASE("cmsgpack packs 0.1 as a double that unpacks to 0.1, and a negative int64") {
  Interpreter in;
  CHECK(run(in, "return cmsgpack.pack(0.1)") == bulk("\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a"s));
  CHECK(run(in, "return cmsgpack.unpack(cmsgpack.pack(0.1)) == 0.1") == num(1));
  CHECK(run(in, "return cmsgpack.pack(-1099511627776)") ==
        bulk("\xd3\xff\xff\xff\x00\x00\x00\x00\x00"s));
}

// Redis's scripting.tcl: "EVAL - cmsgpack pack/unpack smoke test" (every assert must hold).
TEST_CASE("cmsgpack smoke test of Redis's suite") {
  Interpreter in;
  RespValue r = run(in, R"(
    local str_lt_32 = string.rep("x", 30)
    local str_lt_255 = string.rep("x", 250)
    local str_lt_65535 = string.rep("x", 65530)
    local str_long = string.rep("x", 100000)
    local array_lt_15 = {1, 2, 3, 4, 5}
    local array_lt_65535 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}
    local array_big = {}
    for i=1, 100000 do
        array_big[i] = i
    end
    local map_lt_15 = {a=1, b=2}
    local map_big = {}
    for i=1, 100000 do
        map_big[tostring(i)] = i
    end
    local some_map = {
        s1=str_lt_32,
        s2=str_lt_255,
        s3=str_lt_65535,
        s4=str_long,
        d1=0.1,
        i1=1,
        i2=250,
        i3=65530,
        i4=100000,
        i5=2^40,
        i6=-1,
        i7=-120,
        i8=-32000,
        i9=-100000,
        i10=-3147483648,
        a1=array_lt_15,
        a2=array_lt_65535,
        a3=array_big,
        m1=map_lt_15,
        m2=map_big,
        b1=false,
        b2=true,
        n=nil
    }
    local encoded = cmsgpack.pack(some_map)
    local decoded = cmsgpack.unpack(encoded)
    assert(table.concat(some_map) == table.concat(decoded))
    local offset, decoded_one = cmsgpack.unpack_one(encoded, 0)
    assert(table.concat(some_map) == table.concat(decoded_one))
    assert(offset == -1)

    local encoded_multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)
    local offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, 0)
    assert(obj == str_lt_32)
    offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
    assert(obj == str_lt_255)
    offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
    assert(obj == str_lt_65535)
    offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
    assert(obj == str_long)
    assert(offset == -1)
  )");
  CHECK(r == RespValue::null());
}

// Redis's scripting.tcl: "EVAL - cmsgpack can pack and unpack circular references?".
TEST_CASE("cmsgpack encodes circular references down to the nesting limit") {
  Interpreter in;
  RespValue r = run(in, R"(
    local a = {x=nil,y=5}
    local b = {x=a}
    a['x'] = b
    local encoded = cmsgpack.pack(a)
    local h = ""
    for i = 1, #encoded do
        h = h .. string.format("%02x",string.byte(encoded,i))
    end
    local re = cmsgpack.unpack(encoded)
    assert(re)
    assert(re.x)
    assert(re.x.x.y == re.y)
    assert(re.x.x.x.x.y == re.y)
    assert(re.x.x.x.x.x.x.y == re.y)
    assert(re.x.x.x.x.x.x.x.x.x.x.y == re.y)
    assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y)
    assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x)
    assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil)
    return {h, re.x.x.x.x.x.x.x.x.y == re.y, re.y == 5}
  )");
  CHECK(r ==
        arr({bulk("82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905"
                  "a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178c0"),
             num(1), num(1)}));
}

// Redis's scripting.tcl: "Try trick readonly table on cmsgpack table" (and the same for struct).
TEST_CASE("the cmsgpack and struct tables are read-only and survive a failed write") {
  Interpreter in;
  for (const char* body : {"cmsgpack.pack = function() return 1 end", "struct.size = nil",
                           "rawset(cmsgpack, 'unpack', 1)", "setmetatable(struct, {})"}) {
    CAPTURE(body);
    RespValue r = run(in, body);
    REQUIRE(r.is_error());
    CHECK(r.str.find("Attempt to modify a readonly table") != std::string::npos);
  }
  CHECK(run(in, "return {cmsgpack.unpack(cmsgpack.pack(1, 'a'))}") == arr({num(1), bulk("a")}));
  CHECK(run(in, "return struct.size('>i')") == num(4));
}

TEST_CASE("a large pack does not leave bytes behind for the next one") {
  Interpreter in;
  CHECK(run(in, "return #cmsgpack.pack(string.rep('x', 3000000))") == num(3000005));
  CHECK(run(in, "return cmsgpack.pack(1)") == bulk("\x01"s));
  // An error in the middle of unpacking leaves nothing behind either.
  CHECK(run(in, "return pcall(cmsgpack.unpack, '\\147\\1\\2')") == RespValue::null());
  CHECK(run(in, "return cmsgpack.pack({1, 2})") == bulk("\x92\x01\x02"s));
}
