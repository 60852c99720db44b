-- Alibaba Cloud Intelligent Contact Center (aiccs) "Communication Agent". Sources: FACTS.md §4 and
-- seed 004 (AlicomAgentCallReport); Alibaba OpenAPI V3 and V2 signature documents.
local REPORT = "https://help.aliyun.com/en/aiccs/developer-reference/alicomagentcallreport-1"
local SMART = "https://help.aliyun.com/zh/aiccs/developer-reference/smart-status-code"
local CARRIER = "https://help.aliyun.com/en/vms/developer-reference/operators-receipt-error-code"
local V3 = "https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature"
local V2 = "https://help.aliyun.com/document_detail/157269.html"
local DETAIL_PAGE = "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-queryaicalldetailpage"
local BEIJING = "+08:00 (assumed Beijing time: the push carries no zone)"

local envelope = { code = "Code", message = "Message", data = "Data", success = "OK" }

local function rpc(summary, body, doc, extra)
  local op = { method = "POST", path = "/", summary = summary, body = body, response = envelope, doc = doc }
  for k, v in pairs(extra or {}) do op[k] = v end
  return op
end

-- RFC 3986 encoding as Alibaba uses it (space %20, * %2A, ~ kept); the "form" pitfall pin
-- reproduces senders that use form encoding instead.
local style = "rfc3986"
local function enc(s) return cs.percent(s, style) end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function canonical_query(params)
  local parts = {}
  for _, k in ipairs(sorted_keys(params)) do parts[#parts + 1] = enc(k) .. "=" .. enc(params[k]) end
  return table.concat(parts, "&")
end

local function utc_now() return os.date("!%Y-%m-%dT%H:%M:%SZ", cs.now_s()) end

--- OpenAPI V3: ACS3-HMAC-SHA256 in the Authorization header.
local function sign_v3(req, cred, id, secret)
  local body = req.body or ""
  local hashed = cs.step("HashedRequestPayload (sha256 of the body)", cs.hex(cs.sha256(body)))
  local headers = {
    host = req.pin.host or "aiccs.aliyuncs.com",
    ["x-acs-action"] = req.pin.action or req.operation or error("name the API action (operation or --pin action=…)", 0),
    ["x-acs-version"] = req.pin.version or "2019-10-15",
    ["x-acs-date"] = req.pin.date or utc_now(),
    ["x-acs-signature-nonce"] = req.pin.nonce or cs.random_hex(16),
    ["x-acs-content-sha256"] = hashed,
  }
  if body ~= "" then headers["content-type"] = req.pin.content_type or "application/json" end
  if cred.securityToken then headers["x-acs-security-token"] = cred.securityToken end
  local names, lines = {}, {}
  for _, name in ipairs(sorted_keys(headers)) do
    names[#names + 1] = name
    lines[#lines + 1] = name .. ":" .. tostring(headers[name]):match("^%s*(.-)%s*$") .. "\n"
  end
  local signed_headers = table.concat(names, ";")
  local header_block = table.concat(lines)
  if req.pin.v3_no_blank_line then header_block = header_block:sub(1, -2) end
  local canonical = cs.step("CanonicalRequest", table.concat({
    (req.method or "POST"):upper(), req.path or "/", canonical_query(req.query or {}),
    header_block, signed_headers, hashed }, "\n"))
  local string_to_sign = cs.step("StringToSign", "ACS3-HMAC-SHA256\n" .. cs.hex(cs.sha256(canonical)))
  local signature = cs.hex(cs.hmac_sha256(secret, string_to_sign))
  headers.Authorization = "ACS3-HMAC-SHA256 Credential=" .. id .. ",SignedHeaders=" .. signed_headers .. ",Signature=" .. signature
  return { headers = headers, signature = signature }
end

--- OpenAPI V2 RPC: HMAC-SHA1 over the twice-encoded query, key = secret .. "&".
local function sign_v2(req, cred, id, secret)
  local params = {}
  for k, v in pairs(req.query or {}) do params[k] = v end
  local defaults = {
    Action = req.pin.action or req.operation, Version = req.pin.version or "2019-10-15", Format = req.pin.format or "JSON",
    AccessKeyId = id, SignatureMethod = "HMAC-SHA1", SignatureVersion = "1.0",
    SignatureNonce = req.pin.nonce or cs.random_hex(16), Timestamp = req.pin.date or utc_now(),
  }
  if cred.securityToken then defaults.SecurityToken = cred.securityToken end
  for k, v in pairs(defaults) do if params[k] == nil then params[k] = v end end
  if not params.Action then error("name the API action (operation or --pin action=…)", 0) end
  params.Signature = nil
  local query = cs.step("CanonicalizedQueryString", canonical_query(params))
  local outer = req.pin.v2_encode_once and query or enc(query)
  local string_to_sign = cs.step("StringToSign", (req.method or "GET"):upper() .. "&" .. enc("/") .. "&" .. outer)
  local key = req.pin.v2_key_without_ampersand and secret or (secret .. "&")
  local signature = cs.base64(cs.hmac_sha1(cs.step("HMAC key (secret + \"&\")", key), string_to_sign))
  params.Signature = signature
  return { query = params, signature = signature }
end

return {
  schema = 1,
  id = "alibaba-aiccs",
  aliases = { "alibaba", "aliyun", "aiccs" },
  name = "Alibaba Cloud aiccs Communication Agent",
  version = "1.0.0",
  summary = "OpenAPI V3 ACS3-HMAC-SHA256 and V2 RPC HMAC-SHA1 signing; AlicomAgentCallReport pushes and AI call tasks.",
  docs = { REPORT, SMART, V3, V2, "https://help.aliyun.com/document_detail/181924.html" },
  regions = { { code = "DEFAULT", name = "aiccs endpoint", base_url = "https://aiccs.aliyuncs.com" } },
  timezone = { offset = "+08:00", note = "assumed Beijing time: pushed times carry no zone (not documented)" },
  credentials = {
    { name = "accessKeyId", vendor_name = "AccessKey ID" },
    { name = "accessKeySecret", secret = true, vendor_name = "AccessKey Secret" },
    { name = "securityToken", secret = true, optional = true, vendor_name = "STS SecurityToken" },
  },
  conflicts = {
    "The AlicomAgentCallReport sample pairs statusCode 200010 ('powered off' in the carrier table) with smartStatusCode ANSWERED and statusMsg 'Call ended normally'; smartStatusCode/statusMsg are shown as authoritative.",
    "DTMF: the English VMS call-status page shows 200000, the Chinese page 300000.",
    "CallResult spells NO_USER_RESPONSE, the smart status code NO_USER_RESPONDING; the VMS variant spells OTHERS as OTHER.",
    "The English push page says the body is a JSON array; the Chinese sample shows a bare object (both are accepted).",
    "hangupDirection: User/Machine in the English page, 用户 in the Chinese sample.",
  },
  undocumented = {
    "The zone of pushed yyyy-MM-dd HH:mm:ss times (assumed UTC+8, Beijing time).",
    "Any signature or authentication on HTTP batch pushes.",
    "An aiccs-specific call status table for AlicomAgentCallReport (the carrier receipt table is used).",
    "The response schema and paging parameter names of QueryAiCallDetailPage; the parameters of ImportTaskNumberDatas.",
    "realCaller, bRingTime, bStartTime, bEndTime, bDuration and bOriginateTime (B-leg) are not described.",
  },
  codes = {
    smartStatusCode = {
      title = "Smart call result (smartStatusCode)", doc = SMART, count = 16,
      values = {
        { "ANSWERED", "user answered, normal conversation" }, { "CANCEL", "caller cancelled (caller hung up)" },
        { "CALL_REJECTED", "callee rejected" },
        { "CALL_FORWARDING", "forwarded (call forwarding, answering assistant, mobile secretary)" },
        { "INCOMING_CALL_BARRED", "callee bars incoming calls" }, { "INVALID_NUMBER", "vacant/nonexistent number" },
        { "NO_ANSWER", "no answer" }, { "NO_USER_RESPONDING", "out of service area" },
        { "NETWORK_BUSY", "announcement \"network busy\"" }, { "OPERATOR_BLOCK", "blocked by carrier" },
        { "POWERED_OFF", "powered off" }, { "SUSPEND", "service suspended" }, { "USER_BUSY", "callee busy" },
        { "UNAVAILABLE", "temporarily unreachable (no definite signalling / ASR too short)" },
        { "INTELLIGENT_ANSWER", "answered by intelligent assistant (voicemail, voice assistant)" },
        { "OTHERS", "other", aliases = { "OTHER" } },
      },
    },
    statusCode = {
      title = "Carrier receipt code (statusCode)", doc = CARRIER, count = 33,
      values = {
        { 200000, "user listened to the whole voice message (single call)" },
        { 200001, "user hung up before the message finished" },
        { 200002, "user busy (two-party: caller busy)" }, { 200003, "user received call but did not answer" },
        { 200004, "invalid user number" },
        { 200005, "callee unreachable (carrier issue, anti-spam rejection, spam-marked pool number, rejected)" },
        { 200006, "voice playback failed / ringtone format error" }, { 200007, "user unreachable (out of service area)" },
        { 200008, "key-press (DTMF) collection timeout" },
        { 200010, "powered off", hint = "the AlicomAgentCallReport sample pairs 200010 with smartStatusCode ANSWERED; trust smartStatusCode and statusMsg" },
        { 200011, "service suspended (arrears/expired/stopped)" }, { 200100, "call ended (two-party)" },
        { 200101, "connecting caller" }, { 200102, "caller connected, connecting callee" },
        { 200103, "call established, in conversation" }, { 200104, "caller number restricted" },
        { 200105, "callee number restricted (two-party)" }, { 200111, "callee unreachable – rejected (two-party)" },
        { 200112, "callee busy (two-party)" }, { 200113, "callee received call but did not answer (two-party)" },
        { 200116, "callee number invalid (two-party)" },
        { 200117, "caller-ID number invalid (not used per authorisation rules)" },
        { 200118, "supplier time-window call restriction" },
        { 200119, "supplier frequency limit (per caller, or same callee)" },
        { 200120, "callee unreachable – out of service area (two-party)" }, { 200121, "call exceeds concurrency limit" },
        { 300000, "DTMF key-press message" }, { 9996, "call not established or already ended (query/terminate)" },
        { 999999, "system error (unlocated fault)" }, { 500, "carrier error" },
        { 400, "network element busy (capacity)" }, { 482, "callee number unavailable" },
        { 476, "number forcibly reclaimed" },
      },
    },
    vmsCallStatus = {
      title = "VMS call status codes (intermediate and early-media results)", count = 14,
      doc = "https://help.aliyun.com/en/vms/developer-reference/call-status-code",
      values = {
        { 200101, "calling" }, { 200201, "callee ringing" }, { 200102, "callee answered" }, { 200100, "call ended" },
        { 300000, "DTMF (the English page shows 200000)" }, { 200002, "early media: busy" },
        { 200005, "early media: unreachable (rejected)" }, { 200003, "early media: no answer" },
        { 200010, "early media: powered off" }, { 200011, "early media: suspended" },
        { 200007, "early media: out of service area" }, { 200004, "early media: nonexistent number" },
        { 200012, "early media: call loss (restricted)" }, { 200130, "early media: other / undetectable" },
      },
    },
    callResult = {
      title = "QueryAiCallDetailPage CallResult", doc = DETAIL_PAGE, count = 15,
      values = {
        { "CALL_FORWARDING", "call forwarded" }, { "INCOMING_CALL_BARRED", "callee bars incoming calls" },
        { "CALL_REJECTED", "callee rejected" }, { "ANSWERED", "answered" }, { "USER_BUSY", "callee busy" },
        { "POWERED_OFF", "powered off" },
        { "NO_USER_RESPONSE", "out of service area (spelled NO_USER_RESPONDING in smartStatusCode)" },
        { "OPERATOR_BLOCK", "blocked by carrier" }, { "OTHERS", "other" }, { "SUSPEND", "service suspended" },
        { "CANCEL", "caller cancelled" }, { "INVALID_NUMBER", "vacant/nonexistent number" },
        { "UNAVAILABLE", "temporarily unreachable" }, { "NETWORK_BUSY", "network busy" }, { "NO_ANSWER", "no answer" },
      },
    },
    taskStatus = {
      title = "Task status in QueryAiCallTaskPage results", count = 4,
      doc = "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-queryaicalltaskpage",
      values = { { 0, "init", aliases = { "INIT" } }, { 1, "running", aliases = { "RUNNING" } },
                 { 2, "stopped", aliases = { "STOPPED" } }, { 3, "start failed", aliases = { "FAILED" } } },
    },
    detailStatus = {
      title = "Call detail status (QueryAiCallDetailPage Status)", doc = DETAIL_PAGE, count = 3,
      values = { { 0, "pending" }, { 1, "done" }, { 2, "failed" } },
    },
    hangupDirection = {
      title = "Who hung up (hangupDirection)", doc = REPORT, count = 2,
      values = { { "User", "the callee hung up", aliases = { "用户" } }, { "Machine", "the system hung up" } },
    },
    callRetryReason = {
      title = "CreateAiCallTask CallRetryReason", count = 7,
      doc = "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-createaicalltask",
      values = { { "CALL_REJECTED", "callee rejected" }, { "USER_BUSY", "callee busy" }, { "SUSPEND", "service suspended" },
                 { "INVALID_NUMBER", "invalid number" }, { "POWERED_OFF", "powered off" }, { "NETWORK_BUSY", "network busy" },
                 { "NO_ANSWER", "no answer" } },
    },
  },
  payloads = {
    AlicomAgentCallReport = {
      title = "AlicomAgentCallReport: call record (HTTP batch push; a JSON array, a bare object accepted)",
      array = true,
      fingerprint = { "smartStatusCode", "statusCode", "callee", "hangupDirection", "detailId" },
      fields = {
        { "taskId", "string", meaning = "task id", required = true }, { "detailId", "string", meaning = "task detail id" },
        { "batchId", "string", meaning = "task batch id" }, { "callId", "string", meaning = "call id", required = true },
        { "outId", "string", meaning = "your outId from the call request" },
        { "startTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "answered (null if not answered)" },
        { "endTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "ended (null if not connected)" },
        { "duration", "integer", unit = "seconds", meaning = "call duration (0 if not connected)" },
        { "statusCode", "string", table = "statusCode", meaning = "call result status code" },
        { "smartStatusCode", "string", table = "smartStatusCode", meaning = "smart call result", required = true },
        { "statusMsg", "string", meaning = "description of the result" },
        { "caller", "string", meaning = "service instance number" }, { "realCaller", "string", meaning = "actual caller number" },
        { "callee", "string", meaning = "callee number", required = true },
        { "hangupDirection", "string", table = "hangupDirection", meaning = "who hung up" },
        { "originateTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "call sent to the carrier" },
        { "ringTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "ringback heard (null if it did not ring)" },
        { "bRingTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "B-leg ring (not described)" },
        { "bStartTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "B-leg start (not described)" },
        { "bEndTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "B-leg end (not described)" },
        { "bDuration", "integer", unit = "seconds", meaning = "B-leg duration (not described)" },
        { "bOriginateTime", "string", unit = "datetime-local", zone = BEIJING, meaning = "B-leg originate (not described)" },
      },
      timeline = { originate = "originateTime", ring = "ringTime", answer = "startTime", ["end"] = "endTime", elapsed = "duration" },
      summary = { result = "smartStatusCode", duration = "duration", answered = "smartStatusCode", answered_values = { "ANSWERED" } },
    },
    AlicomAgentCallRecord = {
      title = "AlicomAgentCallRecord: recording message",
      array = true,
      fingerprint = { "recordFile", "detailId", "callId" },
      fields = {
        { "callId", "string", required = true }, { "duration", "integer", unit = "seconds" },
        { "startTime", "string", unit = "datetime-local", zone = BEIJING }, { "endTime", "string", unit = "datetime-local", zone = BEIJING },
        { "recordFile", "string", meaning = "recording URL, valid 7 days", required = true },
        { "taskId", "string" }, { "detailId", "string" }, { "batchId", "string" }, { "outId", "string" },
      },
    },
  },
  operations = {
    CreateAiCallTask = rpc("create an AI call task", {
      { "TaskName", "string", required = true, meaning = "unique per account" }, { "AgentId", "string", required = true, meaning = "published agent" },
      { "VirtualNumber", "string", required = true, meaning = "service instance" },
      { "StartType", "string", required = true, meaning = "IMMEDIATE or SCHEDULE" }, { "MissCallRetry", "boolean" },
      { "CallRetryReason", "array", table = "callRetryReason" }, { "CallRetryTimes", "integer", meaning = "at most 3" },
      { "CallRetryInterval", "integer", meaning = "minutes, at most 720" },
      { "CallTime", "array", meaning = "{\"startTime\":\"09:00:00\",\"endTime\":\"10:00:00\"}" },
      { "CallDay", "array", meaning = "MONDAY…SUNDAY" },
      { "TaskStartTime", "integer", unit = "epoch-ms", meaning = "required for SCHEDULE" }, { "TaskCps", "integer", meaning = "at most 500" },
    }, "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-createaicalltask",
       { limits = { "CallRetryTimes ≤ 3", "CallRetryInterval ≤ 720 minutes", "TaskCps ≤ 500" } }),
    ImportTaskNumberDatas = rpc("import callee data (parameters not documented)", {}, nil),
    StartAiCallTask = rpc("start a stopped task", { { "TaskId", "string", required = true } },
      "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-startaicalltask"),
    QueryAiCallTaskPage = rpc("list tasks", {
      { "PageNo", "integer", meaning = "default 1" }, { "PageSize", "integer" },
      { "Status", "string", meaning = "INIT, FAILED, RUNNING or STOPPED" }, { "TaskName", "string" }, { "AgentName", "string" },
      { "TaskId", "string" },
    }, "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-queryaicalltaskpage",
       { paging = { page = "PageNo", size = "PageSize" } }),
    QueryAiCallTaskDetail = rpc("task settings", { { "TaskId", "string", required = true } },
      "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-queryaicalltaskdetail"),
    QueryAiCallDetailPage = rpc("page through call records (task details)", {
      { "TaskId", "string", required = true }, { "Status", "integer", table = "detailStatus" }, { "BatchId", "string" },
      { "CalledNumber", "string" }, { "CallResult", "string", table = "callResult" }, { "MajorIntent", "string" },
      { "MinConversationDuration", "integer", meaning = "minutes" }, { "MaxConversationDuration", "integer", meaning = "minutes" },
      { "StartImportedTime", "integer", unit = "epoch-ms" }, { "EndImportedTime", "integer", unit = "epoch-ms" },
      { "StartCallingTime", "integer", unit = "epoch-ms" }, { "EndCallingTime", "integer", unit = "epoch-ms" },
    }, DETAIL_PAGE, { limits = { "paging parameter names not documented" } }),
    QueryConversationDetailInfoNew = rpc("one call's details and transcript", {
      { "TaskId", "string" }, { "DetailId", "string" }, { "CallId", "string" }, { "OutId", "string" },
    }, "https://help.aliyun.com/zh/aiccs/developer-reference/api-aiccs-2019-10-15-queryconversationdetailinfonew"),
  },
  webhooks = {
    { kind = "AlicomAgentCallReport", payload = "AlicomAgentCallReport",
      ack = "HTTP 200 with JSON {\"code\":0,\"msg\":\"…\"} within 700 ms; only checks that code is a number; answer 5xx when processing fails",
      retry = "after the first failure, up to 3 more attempts at 1, 5 and 10 minutes, then none; duplicates possible (no idempotency guarantee)",
      signing = "none documented", ack_check = { path = "code" }, retry_after = { 60, 300, 600 } },
    { kind = "AlicomAgentCallRecord", payload = "AlicomAgentCallRecord",
      retry = "after the first failure, up to 3 more attempts at 1, 5 and 10 minutes, then none", signing = "none documented",
      retry_after = { 60, 300, 600 } },
  },
  pins = {
    style = { doc = "v3 (ACS3-HMAC-SHA256, default) or v2 (RPC HMAC-SHA1)", values = { "v3", "v2" }, default = "v3",
              label = "signature version", stated_in = "the request" },
    action = { doc = "the API action (default: the operation)" },
    version = { doc = "the API version (2019-10-15)" },
    date = { doc = "x-acs-date / Timestamp: yyyy-MM-ddTHH:mm:ssZ (now when not pinned)" },
    nonce = { doc = "x-acs-signature-nonce / SignatureNonce (random when not pinned)" },
    host = { doc = "the Host header (aiccs.aliyuncs.com)" },
    format = { doc = "v2 Format parameter (JSON)" },
    content_type = { doc = "content-type of a v3 body (application/json)" },
    v3_no_blank_line = { doc = "drop the blank line after the canonical headers (a mistake, for diagnosis)" },
    v2_encode_once = { doc = "percent-encode the v2 query once instead of twice (a mistake, for diagnosis)" },
    v2_key_without_ampersand = { doc = "v2 key without the trailing & (a mistake, for diagnosis)" },
    percent_style = { doc = "percent-encoding style of the v2 query" },
  },
  pitfalls = {
    { name = "V2 key without &", explanation = "the sender used the bare secret as the HMAC-SHA1 key; V2 needs the secret followed by \"&\"",
      pins = { v2_key_without_ampersand = "1" } },
    { name = "query encoded once", explanation = "the sender did not percent-encode the canonical query a second time inside the V2 string to sign (':' must become %253A)",
      pins = { v2_encode_once = "1" } },
    { name = "form encoding", explanation = "the sender used form encoding (space as +, * left as it is, ~ as %7E); Alibaba wants RFC 3986 (%20, %2A, ~)",
      pins = { percent_style = "form" } },
    { name = "missing blank line", explanation = "the sender dropped the newline that ends the last canonical header, so no blank line precedes SignedHeaders",
      pins = { v3_no_blank_line = "1" } },
    { name = "body hash", explanation = "x-acs-content-sha256 is the lower-hex SHA-256 of the exact body (e3b0… when empty)" },
    { name = "date not UTC", explanation = "x-acs-date / Timestamp is UTC yyyy-MM-ddTHH:mm:ssZ" },
  },
  examples = {
    -- Each fixture, decoded as a user would: the kind, the record count, a meaning, the warnings (all of them).
    decode = {
      { fixture = "fixtures/call-record-message.json", kind = "AlicomAgentCallRecord", records = 1 },
      { fixture = "fixtures/call-report-bare-object-chinese.json", kind = "AlicomAgentCallReport", records = 1, fields = { ["smartStatusCode"] = "user answered, normal conversation" } },
      { fixture = "fixtures/call-report-batch.json", kind = "AlicomAgentCallReport", records = 4, fields = { ["[0].smartStatusCode"] = "user answered, normal conversation" } },
      { fixture = "fixtures/call-report-null-times.json", kind = "AlicomAgentCallReport", records = 1, fields = { ["[0].smartStatusCode"] = "powered off" } },
      { fixture = "fixtures/call-report-seed.json", kind = "AlicomAgentCallReport", records = 1, fields = { ["[0].smartStatusCode"] = "user answered, normal conversation" } },
      { fixture = "fixtures/call-report-unanswered.json", kind = "AlicomAgentCallReport", records = 1, fields = { ["[0].smartStatusCode"] = "no answer" } },
    },
    sign = {
      { name = "V3 official fixed-parameter example (ECS RunInstances)", provenance = "verified", method = "POST",
        cred = { accessKeyId = "YourAccessKeyId", accessKeySecret = "YourAccessKeySecret" },
        pin = { host = "ecs.cn-shanghai.aliyuncs.com", action = "RunInstances", version = "2014-05-26",
                date = "2023-10-26T10:22:32Z", nonce = "3156853299f313e23d1673dc12e1703d" },
        query = { ImageId = "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId = "cn-shanghai" },
        expect = { signature = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
                   Authorization = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0" } },
      { name = "V2 RPC vector 1 (ECS DescribeRegions)", provenance = "verified", method = "GET",
        cred = { accessKeyId = "testid", accessKeySecret = "testsecret" },
        pin = { style = "v2", action = "DescribeRegions", version = "2014-05-26", format = "XML",
                nonce = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", date = "2016-02-23T12:46:24Z" },
        expect = { Signature = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" } },
    },
    explain = {
      { table = "smartStatusCode", code = "ANSWERED", contains = "answered" },
      { table = "smartStatusCode", code = "OTHER", contains = "other" },
      { table = "statusCode", code = 200010, contains = "powered off" },
      { table = "callResult", code = "NO_USER_RESPONSE", contains = "out of service" },
      { table = "hangupDirection", code = "用户", contains = "callee" },
    },
  },

  hooks = {
    --- The signature a request carries: V3 in Authorization, V2 in the Signature parameter.
    signature_of = function(msg)
      local h, q = msg.headers, msg.query
      local auth = h.authorization
      if auth and auth:match("^ACS3%-HMAC%-SHA256 ") then
        local id = auth:match("Credential=([^,]+)")
        local received = auth:match("Signature=([0-9a-fA-F]+)")
        local date = h["x-acs-date"]
        return {
          signature = received, cred = { accessKeyId = id },
          pins = { host = h.host, action = h["x-acs-action"], version = h["x-acs-version"], date = date,
                   nonce = h["x-acs-signature-nonce"], content_type = h["content-type"] },
          clock = { epoch_ms = date and (cs.time.parse(date) * 1000) or nil, text = date, window_s = 900 },
        }
      end
      if q.Signature and q.SignatureMethod then
        local query = {}
        for k, v in pairs(q) do if k ~= "Signature" then query[k] = v end end
        return {
          signature = q.Signature, cred = { accessKeyId = q.AccessKeyId }, query = query,
          pins = { style = "v2", action = q.Action, version = q.Version, format = q.Format, nonce = q.SignatureNonce, date = q.Timestamp },
          clock = { epoch_ms = q.Timestamp and (cs.time.parse(q.Timestamp) * 1000) or nil, text = q.Timestamp, window_s = 31 * 60 },
        }
      end
      return nil
    end,
  },

  --- sign(request, credentials): V3 by default; --pin style=v2 for the RPC HMAC-SHA1 signature.
  sign = function(req, cred)
    style = req.pin.percent_style == "form" and "form" or "rfc3986"
    local id = cred.accessKeyId or error("credential accessKeyId is missing", 0)
    local secret = cred.accessKeySecret or error("credential accessKeySecret is missing", 0)
    local style = (req.pin.style or "v3"):lower()
    if style == "v2" then return sign_v2(req, cred, id, secret) end
    if style ~= "v3" then error("style must be v3 or v2, not " .. style, 0) end
    return sign_v3(req, cred, id, secret)
  end,
}
