/// Lua code run first in every plugin state: builds the `cs` module over the host primitives,
/// installs a `require` confined to the plugin folders, and removes `load`.
enum Prelude {
    static let source = #"""
local H = ...
local _load, type, pairs, ipairs, tostring, tonumber, error = load, type, pairs, ipairs, tostring, tonumber, error
local concat, sort, insert = table.concat, table.sort, table.insert
load = nil

cs = {}
function cs.md5(s) return H.digest("md5", s) end
function cs.sha1(s) return H.digest("sha1", s) end
function cs.sha256(s) return H.digest("sha256", s) end
function cs.hmac(algorithm, key, message) return H.hmac(algorithm, key, message) end
function cs.hmac_sha1(key, message) return H.hmac("sha1", key, message) end
function cs.hmac_sha256(key, message) return H.hmac("sha256", key, message) end
function cs.hex(s) return H.hex(s, "lower") end
function cs.hex_upper(s) return H.hex(s, "upper") end
function cs.base64(s) return H.base64(s) end
function cs.base64_decode(s) return H.base64_decode(s) end
--- Percent-encoding: "rfc3986" (default; space %20, ~ kept) or "form" (space +, * kept).
function cs.percent(s, style) return H.percent(tostring(s), style or "rfc3986") end
--- Records an intermediate value in the signing trace; returns it unchanged.
function cs.step(name, value) H.step(tostring(name), tostring(value)); return value end
function cs.now_ms() return math.tointeger(tonumber(H.now_ms())) end
function cs.now_s() return cs.now_ms() // 1000 end
--- Scripts only: runs a shell command and returns its --json document as a table
--- (on failure: { error = message, status = exit status }).
function cs.exec(line) return cs.json.decode(H.exec(tostring(line))) end

--- Session Lua only (the lua prompt, init.lua): makes fn(arg1, arg2, …) the shell command NAME.
cs.commands = {}
function cs.command(name, fn, summary)
  if type(name) ~= "string" or not name:find("^[%a_][%w_%-]*$") then
    error("cs.command: a command name is letters, digits, - and _, not " .. tostring(name), 2)
  end
  if type(fn) ~= "function" then error("cs.command: the second argument is the function to run", 2) end
  cs.commands[name] = { fn = fn, summary = summary and tostring(summary) or nil }
end

--- A random lower-hex string of n bytes (request ids, nonces).
function cs.random_hex(n) return H.random_hex(tostring(n or 16)) end

--- key=value pairs of t sorted by key (byte order), joined: cs.join_sorted(t, "&", "=").
function cs.join_sorted(t, sep, kv, encode)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = tostring(t[k])
    if encode then k, v = encode(k), encode(v) end
    parts[#parts + 1] = k .. (kv or "=") .. v
  end
  return concat(parts, sep or "&")
end

function cs.utf8_valid(s) return utf8.len(s) ~= nil end
cs.utf8_len = utf8.len

-- JSON: objects keep their member order (a decoded object remembers it; cs.json.object builds one),
-- numbers decoded with {exact = true} keep their text.
local json = {}
cs.json = json
local ORDER = setmetatable({}, {__mode = "k"})
local NUMBER = {}
NUMBER.__index = NUMBER
function json.number(text) return setmetatable({text = text}, NUMBER) end
function json.object(pairs_list)
  local o, keys = {}, {}
  for _, p in ipairs(pairs_list) do o[p[1]] = p[2]; keys[#keys + 1] = p[1] end
  ORDER[o] = keys
  return o
end
json.null = setmetatable({}, {__tostring = function() return "null" end})

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return escapes[c] or string.format("\\u%04x", c:byte()) end) .. '"'
end

local function encode(v, out, indent, depth)
  local t = type(v)
  if v == nil or v == json.null then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("cannot encode " .. tostring(v) .. " in JSON", 3) end
    out[#out + 1] = math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  elseif t == "string" then out[#out + 1] = quote(v)
  elseif t == "table" and getmetatable(v) == NUMBER then out[#out + 1] = v.text
  elseif t == "table" then
    if depth > 100 then error("JSON nesting too deep (a cycle?)", 3) end
    local nl = indent and ("\n" .. string.rep(indent, depth + 1)) or ""
    local close = indent and ("\n" .. string.rep(indent, depth)) or ""
    local colon = indent and ": " or ":"
    if #v > 0 or (next(v) == nil and not ORDER[v]) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = nl
        encode(v[i], out, indent, depth + 1)
      end
      out[#out + 1] = (#v > 0 and close or "") .. "]"
    else
      local keys = ORDER[v]
      if not keys then
        keys = {}
        for k in pairs(v) do
          if type(k) ~= "string" then error("JSON object keys must be strings", 3) end
          keys[#keys + 1] = k
        end
        sort(keys)
      end
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = nl .. quote(k) .. colon
        encode(v[k], out, indent, depth + 1)
      end
      out[#out + 1] = (#keys > 0 and close or "") .. "}"
    end
  else error("cannot encode a " .. t .. " in JSON", 3) end
end

--- cs.json.encode(value [, {indent = "  "}]); tables with a sequence become arrays.
function json.encode(v, options)
  local out = {}
  encode(v, out, options and options.indent, 0)
  return concat(out)
end

function json.decode(s, options)
  local exact = options and options.exact
  local pos = 1
  local function fail(msg) error(string.format("JSON: %s at byte %d", msg, pos), 0) end
  local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
  local value
  local function str()
    local buf, i = {}, pos + 1
    while true do
      local c = s:sub(i, i)
      if c == "" then fail("unterminated string") end
      if c == '"' then pos = i + 1; return concat(buf) end
      if c == "\\" then
        local e = s:sub(i + 1, i + 1)
        local map = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
        if map[e] then buf[#buf + 1] = map[e]; i = i + 2
        elseif e == "u" then
          local cp = tonumber(s:sub(i + 2, i + 5), 16) or fail("bad \\u escape")
          i = i + 6
          if cp >= 0xD800 and cp <= 0xDBFF and s:sub(i, i + 1) == "\\u" then
            local lo = tonumber(s:sub(i + 2, i + 5), 16) or fail("bad \\u escape")
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
            i = i + 6
          end
          buf[#buf + 1] = utf8.char(cp)
        else fail("bad escape") end
      else buf[#buf + 1] = c; i = i + 1 end
    end
  end
  value = function()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      pos = pos + 1
      local o, keys = {}, {}
      ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1; ORDER[o] = keys; return o end
      while true do
        ws()
        if s:sub(pos, pos) ~= '"' then fail("expected a member name") end
        local k = str()
        ws()
        if s:sub(pos, pos) ~= ":" then fail("expected ':'") end
        pos = pos + 1
        if o[k] == nil then keys[#keys + 1] = k end
        o[k] = value()
        ws()
        local d = s:sub(pos, pos)
        pos = pos + 1
        if d == "}" then ORDER[o] = keys; return o end
        if d ~= "," then fail("expected ',' or '}'") end
      end
    elseif c == "[" then
      pos = pos + 1
      local a = {}
      ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1; return a end
      while true do
        a[#a + 1] = value()
        ws()
        local d = s:sub(pos, pos)
        pos = pos + 1
        if d == "]" then return a end
        if d ~= "," then fail("expected ',' or ']'") end
      end
    elseif c == '"' then return str()
    elseif s:sub(pos, pos + 3) == "true" then pos = pos + 4; return true
    elseif s:sub(pos, pos + 4) == "false" then pos = pos + 5; return false
    elseif s:sub(pos, pos + 3) == "null" then pos = pos + 4; return json.null
    else
      local text = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not text or text == "" or text == "-" then fail("unexpected character") end
      pos = pos + #text
      if exact then return json.number(text) end
      return math.tointeger(tonumber(text)) or tonumber(text)
    end
  end
  local result = value()
  ws()
  if pos <= #s then fail("unexpected text after the value") end
  return result
end

-- Time: epoch seconds <-> ISO 8601 with an explicit UTC offset in minutes.
cs.time = {}
function cs.time.iso8601(epoch_s, offset_minutes)
  offset_minutes = offset_minutes or 0
  local t = math.floor(epoch_s) + offset_minutes * 60
  local zone = offset_minutes == 0 and "Z" or string.format("%s%02d:%02d", offset_minutes < 0 and "-" or "+",
    math.abs(offset_minutes) // 60, math.abs(offset_minutes) % 60)
  return os.date("!%Y-%m-%dT%H:%M:%S", t) .. zone
end
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
--- Epoch seconds of "YYYY-MM-DD[T ]hh:mm:ss[Z|±hh:mm]"; a string without zone uses default_offset_minutes.
function cs.time.parse(text, default_offset_minutes)
  local y, mo, d, h, mi, se, rest = text:match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d):(%d%d)%.?%d*(.*)$")
  if not y then error("not an ISO 8601 date-time: " .. text, 2) end
  local offset = default_offset_minutes or 0
  if rest == "Z" then offset = 0
  elseif rest ~= "" then
    local sign, oh, om = rest:match("^([+-])(%d%d):?(%d%d)$")
    if not sign then error("bad zone in " .. text, 2) end
    offset = (tonumber(oh) * 60 + tonumber(om)) * (sign == "-" and -1 or 1)
  end
  local days = days_from_civil(tonumber(y), tonumber(mo), tonumber(d))
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se) - offset * 60
end

-- print goes through the host (in scripts, to the session's output; in plugins, nowhere).
function print(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  H.print(concat(parts, "\t") .. "\n")
end

-- require: modules from the plugin folders only (name "nxcloud-common.sign" -> nxcloud-common/sign.lua).
local loaded = {}
function require(name)
  if type(name) ~= "string" then error("require expects a module name", 2) end
  if loaded[name] ~= nil then return loaded[name] end
  local found = H.read_module(name)
  local path, source = found:match("^([^\n]*)\n(.*)$")
  local chunk, err = _load(source, "@" .. path, "t")
  if not chunk then error(err, 0) end
  local result = chunk(name)
  if result == nil then result = true end
  loaded[name] = result
  return result
end
"""#
}
