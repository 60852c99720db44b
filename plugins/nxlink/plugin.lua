-- NXLink AI Agent (NXCloud open platform). Sources: FACTS.md §1 and seeds 000 (call record
-- callback) and 001 (query call records); NXCloud "API Interface Invocation Convention".
local digest = require("nxcloud-common.digest")
local clock = require("shared.clock")

local CONVENTION = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/API-Interface-Invocation-Convention"
local SIGN_CN = "https://help.nxcloud.com/docs/yan-qian-can-shu-yi-ji-yan-qian-de-gong-ju"
local CALLBACK = "seed 000: Call Record Callback"
local CALL_LIST = "seed 001: Query Call Records"

-- Fields shared by the call-record callback and the call/list record (seed 000 / 001 wording).
local function record_fields(extra)
  local fields = {
    { "taskId", "string", meaning = "internal system task id" },
    { "userTaskId", "string", meaning = "caller-defined task id" },
    { "contactId", "string", meaning = "contact id" },
    { "other", "string", meaning = "contact passthrough field given at task create / append" },
    { "autoFlowId", "integer", meaning = "AI Agent id" },
    { "orderHead", "integer", table = "flag", meaning = "first call of the contact" },
    { "orderTail", "integer", table = "flag", meaning = "last call of the contact" },
    { "callerPhone", "string", meaning = "caller number" },
    { "calleePhone", "string", meaning = "callee number" },
    { "realPhone", "string", meaning = "real phone number" },
    { "callId", "string", meaning = "call id", required = true },
    { "callStatus", "integer", table = "callStatus", meaning = "call status", required = true },
    { "callResult", "integer", table = "callResult", meaning = "call result", required = true },
    { "createTs", "integer", unit = "epoch-s", meaning = "created" },
    { "opTs", "integer", unit = "epoch-s", meaning = "last operation" },
    { "callStart", "integer", unit = "epoch-s", meaning = "dialling started" },
    { "callAnswer", "integer", unit = "epoch-s", meaning = "answered (0 when not answered)" },
    { "callEnd", "integer", unit = "epoch-s", meaning = "call ended" },
    { "callRingTime", "integer", unit = "seconds", meaning = "ring duration" },
    { "callElapsed", "integer", unit = "seconds", meaning = "call duration" },
    { "lineId", "string", meaning = "line used" },
    { "routeId", "string", meaning = "route used" },
    { "callAudioUrl", "string", meaning = "recording URL" },
    { "userIntent", "string", meaning = "user intent / tag (callResult 1, 3, 17 or 21)" },
    { "callSummary", "string", meaning = "call summary" },
    { "turnTime", "integer", meaning = "dialogue turns" },
    { "manualCallStart", "integer", unit = "epoch-s", meaning = "transfer to agent: dialling started" },
    { "manualCallAnswer", "integer", unit = "epoch-s", meaning = "transfer to agent: answered" },
    { "manualCallEnd", "integer", unit = "epoch-s", meaning = "transfer to agent: ended" },
    { "manualCallStatus", "integer", meaning = "transfer to agent: status (values not documented)" },
    { "manualElapsed", "integer", unit = "seconds", meaning = "transfer to agent: duration" },
    { "agentName", "string", meaning = "agent account name" },
    { "agentId", "string", meaning = "agent account id" },
    { "agentGroupName", "string", meaning = "agent group name" },
    { "agentGroupId", "string", meaning = "agent group id" },
    { "sipAddr", "string", meaning = "SIP address" },
    { "sipCode", "string", table = "telephony:sip", meaning = "final SIP response code (a string)" },
    { "hangupReason", "string", table = "telephony:hangupCause", meaning = "FreeSWITCH hang-up cause name" },
    { "attributes", "array", meaning = "custom variables" },
    { "attributes[].name", "string", meaning = "variable display name" },
    { "attributes[].key", "string", meaning = "variable key" },
    { "attributes[].value", "string", meaning = "variable value" },
    { "autoFlowName", "string", meaning = "AI Agent name" },
  }
  for _, f in ipairs(extra or {}) do fields[#fields + 1] = f end
  return fields
end

local function paging_body(fields)
  fields[#fields + 1] = { "pageNumber", "integer", required = true, meaning = "page, from 1" }
  fields[#fields + 1] = { "pageSize", "integer", required = true, meaning = "records per page" }
  return fields
end

local envelope = { code = "code", message = "message", data = "data", success = 0, table = "error" }

return {
  schema = 1,
  id = "nxlink",
  name = "NXLink AI Agent",
  version = "1.0.0",
  summary = "NXCloud open-platform signature (accessKey/ts/bizType/action/sign), AI Agent tasks and call records.",
  docs = { CONVENTION, SIGN_CN, "https://github.com/nxtele/http-api-document-en/wiki/AI-Agent-Task-Create" },
  regions = {
    { code = "APAC", name = "Hong Kong", base_url = "https://api-hk.nxlink.ai", note = "console https://app.nxlink.ai" },
    { code = "AMER", name = "Americas", base_url = "https://chl-api.nxlink.ai",
      note = "seed 001 says https://api-westus.nxlink.ai (conflict)" },
    { code = "APAC-IDN", name = "Indonesia", base_url = "https://api-idn.nxlink.ai",
      note = "seed 001 says https://api-hk.nxlink.ai (conflict)" },
  },
  timezone = { offset = "+08:00", note = "assumed: Hong Kong, the default gateway region (not documented)" },
  credentials = {
    { name = "accessKey", vendor_name = "accessKey (AK-…)" },
    { name = "accessSecret", secret = true, vendor_name = "accessSecret" },
  },
  conflicts = {
    "AMER gateway: seed 001 (Query Call Records) says https://api-westus.nxlink.ai, the other AI Agent wiki pages say https://chl-api.nxlink.ai.",
    "Indonesia gateway: seed 001 says https://api-hk.nxlink.ai, the other AI Agent wiki pages say https://api-idn.nxlink.ai.",
    "callResult wording differs between the callback page (seed 000) and the call-list page (seed 001); the codes agree.",
    "Some third-party clients call these paths with bizType 8 and other actions; the official pages say bizType 100, action nxai.",
  },
  undocumented = {
    "Output case of the sign when the algorithm header is sha256 (MD5 is lower-case hex; lower case is assumed).",
    "Whether NXLink signs its callbacks in practice (the headers are listed as optional).",
    "Callback retry policy, and any required response beyond {\"code\":0}.",
    "The full body of /openapi/aiagent/task/create and the request/response of /openapi/aiagent/route/list.",
    "Any task start/pause/stop endpoint.",
    "manualCallStatus values.",
  },
  codes = {
    callStatus = {
      title = "Call status (callStatus)", doc = CALLBACK, count = 27,
      values = {
        { 1, "Pending" }, { 2, "Scheduling" }, { 3, "Dialing" }, { 4, "Ringing" }, { 5, "In call" },
        { 6, "TTS synthesizing" }, { 7, "Paused" }, { 10, "Call completed" },
        { 11, "Invalid number" }, { 12, "Unreachable" }, { 13, "User busy" }, { 14, "User busy and rejected" },
        { 15, "User rejected" }, { 16, "Scheduling error" }, { 17, "TTS synthesis failed" },
        { 18, "Unknown error/reason" }, { 19, "Blacklisted number" },
        { 20, "Stopped (manual stop or insufficient balance)" }, { 21, "Insufficient customer balance" },
        { 22, "Invalid number direction" }, { 23, "Invalid number" }, { 24, "Ring no answer" },
        { 25, "No response (when dialing)" }, { 26, "Early media – voicemail" },
        { 27, "Ring timeout / ringing too long" }, { 28, "No available route (lines)" },
        { 29, "Line service unavailable" },
      },
    },
    callResult = {
      title = "Call result (callResult)", doc = CALLBACK, count = 19,
      values = {
        { 1, "Normal end – connected" }, { 2, "Human voice detected" }, { 3, "Normal end – AI hung up" },
        { 6, "Not answered – agent hung up quickly" }, { 7, "Not answered – user hung up quickly" },
        { 8, "Not answered – user rejected while ringing" }, { 9, "Not answered – timeout" },
        { 10, "Not answered – blacklisted number" }, { 11, "Not answered – restricted number" },
        { 12, "Unreachable" }, { 13, "Unreachable – call rejected" }, { 14, "Unreachable – temporarily unreachable" },
        { 15, "Unreachable – line busy" }, { 16, "Unreachable – call exception" },
        { 17, "Normal end – user hung up", hint = "the call was answered and the callee ended it; userIntent may be set" },
        { 18, "Voicemail" }, { 19, "Normal end – early-media voicemail" }, { 20, "Silence" },
        { 21, "System error/exception" },
      },
    },
    error = {
      title = "Response code (auth layer and business)", doc = CONVENTION, count = 7,
      values = {
        { 0, "success" },
        { 1001, "missing common/public parameters (a required header is absent)",
          hint = "send all of accessKey, ts, bizType, action and sign as headers; run 'sign nxlink' to see them" },
        { 1002, "parameter error (bizType/action wrong, or body parameters wrong)",
          hint = "AI Agent endpoints take bizType 100 and action nxai" },
        { 1003, "invalid signature",
          hint = "usual causes: the body you signed is not byte-identical to the body you sent (re-serialised JSON, added line breaks), wrong Content-Type, wrong secret; run 'sign nxlink --explain' and 'verify' on the captured request" },
        { 1004, "timestamp expired (ts not in milliseconds, or drift over 60 000 ms)",
          hint = "ts must be 13-digit Unix milliseconds within ±60 s of NXLink's clock; check for seconds and for clock drift" },
        { 1005, "insufficient authority (wrong accessKey or no permission for that business)" },
        { 20000, "business error", hint = "see the message field for the detail" },
      },
    },
    taskStatus = {
      title = "Task status (task/list)", doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/AI-Agent-Task-List", count = 6,
      values = {
        { 1, "Ready" }, { 2, "In progress" }, { 3, "Completed" }, { 4, "Failed" }, { 5, "Paused" },
        { 6, "Paused (insufficient balance)" },
      },
    },
    flag = {
      title = "0/1 flag (orderHead, orderTail)", count = 2,
      values = { { 0, "no" }, { 1, "yes" } },
    },
    bizType = {
      title = "bizType header values (common convention)", doc = CONVENTION, count = 10,
      values = {
        { 1, "number check" }, { 2, "WhatsApp" }, { 3, "SMS" }, { 4, "DID" }, { 5, "virtual/privacy number" },
        { 6, "OTA" }, { 7, "Viber" }, { 8, "Voice (also the NXCC call-centre AI API, action cc)" },
        { 9, "Zalo notification" }, { 100, "NXLink AI Agent (action nxai)" },
      },
    },
  },
  payloads = {
    callRecordCallback = {
      title = "Call record callback (POST to callCallbackUrl)",
      fingerprint = { "callId", "autoFlowId", "callResult", "orderHead", "contactId", "userTaskId" },
      fields = record_fields(),
      timeline = { originate = "callStart", answer = "callAnswer", ["end"] = "callEnd", elapsed = "callElapsed" },
      summary = { result = "callResult", duration = "callElapsed", answered = "callAnswer" },
    },
    callListRecord = {
      title = "Call record from /openapi/aiagent/call/list (data.list[])",
      fingerprint = { "id", "callId", "autoFlowId", "callResult", "callCallbackUrl", "orderCallbackUrl" },
      fields = record_fields({
        { "id", "integer", meaning = "record id" },
        { "callCallbackUrl", "string", meaning = "call callback URL" },
        { "orderCallbackUrl", "string", meaning = "order callback URL" },
      }),
      timeline = { originate = "callStart", answer = "callAnswer", ["end"] = "callEnd", elapsed = "callElapsed" },
      summary = { result = "callResult", duration = "callElapsed", answered = "callAnswer" },
    },
  },
  operations = {
    ["flow/list"] = {
      method = "POST", path = "/openapi/aiagent/flow/list", summary = "list AI Agents (to get autoFlowId)",
      body = paging_body({ { "name", "string", meaning = "fuzzy name match" } }),
      paging = { page = "pageNumber", size = "pageSize", max = 1000, total = "data.total" },
      response = envelope, limits = { "pageSize default 10, max 1000" },
      doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/AI-Agent-List-Flow",
    },
    ["route/list"] = {
      method = "POST", path = "/openapi/aiagent/route/list", summary = "list call routes (to get routeId); body not documented",
      response = envelope,
    },
    ["task/create"] = {
      method = "POST", path = "/openapi/aiagent/task/create", summary = "create an outbound task",
      body = {
        { "userTaskId", "string", meaning = "caller id for the task (recommended unique)" },
        { "other", "string", meaning = "passthrough, returned in the task callback and task list" },
        { "taskName", "string", required = true },
        { "taskDesc", "string" },
        { "autoFlowId", "integer", required = true, meaning = "AI Agent id (flow/list)" },
        { "routeId", "string", required = true, meaning = "route id (route/list)" },
        { "taskKeep", "integer", required = true, meaning = "0 no / 1 permanent" },
        { "startupType", "integer", required = true, meaning = "1 manual, 2 scheduled, …" },
        { "callCallbackUrl", "string", meaning = "where call records are pushed" },
        { "taskCallbackUrl", "string", meaning = "where task status is pushed" },
      },
      response = envelope, limits = { "full field list not documented (only the first fields were found)" },
      doc = "https://github.com/nxtele/http-api-document-en/wiki/AI-Agent-Task-Create",
    },
    ["task/list"] = {
      method = "POST", path = "/openapi/aiagent/task/list", summary = "query tasks",
      body = paging_body({
        { "taskName", "string" }, { "taskStatus", "integer", meaning = "see taskStatus" },
        { "createStartTs", "integer", unit = "epoch-s" }, { "createEndTs", "integer", unit = "epoch-s" },
        { "minCallsAnsweredRate", "integer", meaning = "0-100" }, { "maxCallsAnsweredRate", "integer", meaning = "0-100" },
        { "minTaskTotalQuantity", "integer" }, { "maxTaskTotalQuantity", "integer" },
      }),
      paging = { page = "pageNumber", size = "pageSize", total = "data.total" },
      response = envelope, doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/AI-Agent-Task-List",
    },
    ["call/append"] = {
      method = "POST", path = "/openapi/aiagent/call/append", summary = "append contacts to an existing task",
      body = {
        { "taskId", "string", required = true }, { "countryCode", "string", meaning = "e.g. \"86\"" },
        { "list", "array", required = true }, { "list[].contactId", "string", required = true, meaning = "globally unique" },
        { "list[].name", "string", required = true }, { "list[].phoneNumber", "string", required = true },
        { "list[].params", "array" }, { "list[].params[].name", "string", required = true, meaning = "must match a workflow variable" },
        { "list[].params[].value", "string" },
      },
      response = envelope,
      doc = "http://www.webkkk.net/nxtele/http-api-document-en/wiki/AI-Agent-%E2%80%90-Append-Contacts-to-an-Existing-Task",
    },
    ["order/delete"] = {
      method = "POST", path = "/openapi/aiagent/order/delete", summary = "delete a pending contact",
      body = { { "taskId", "string" }, { "userTaskId", "string", meaning = "wins over taskId when both are given" },
               { "contactId", "string", required = true } },
      response = envelope, limits = { "taskId or userTaskId required", "only pending / not-started contacts can be deleted" },
      doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/AI-Agent-Task-%E2%80%90-Delete-Contacts",
    },
    ["call/list"] = {
      method = "POST", path = "/openapi/aiagent/call/list", summary = "query call records",
      body = paging_body({
        { "taskId", "string", required = true }, { "startTs", "integer", unit = "epoch-s" }, { "endTs", "integer", unit = "epoch-s" },
        { "callId", "string" }, { "phone", "string" }, { "callResult", "integer", table = "callResult" },
        { "userIntent", "string", meaning = "only when callResult is 1, 3, 17 or 21" },
        { "minElapsed", "integer", unit = "seconds" }, { "maxElapsed", "integer", unit = "seconds" },
      }),
      paging = { page = "pageNumber", size = "pageSize", total = "data.total" },
      response = envelope, doc = CALL_LIST,
    },
  },
  webhooks = {
    { kind = "call record", payload = "callRecordCallback", ack = "HTTP 200 with {\"code\":0,\"data\":\"\"} (code 0 = success)",
      ack_check = { path = "code", equals = 0 }, signed = "optional",
      signing = "optional (decided by the customer): accessKey/ts/bizType/action/sign headers, presumably the request recipe over the raw body [inferred]" },
    { kind = "task status", signing = "not documented" },
  },
  -- The local stand-in (`mock nxlink`): the codes of the error table that answer each mistake, and
  -- the records of the operations that list them.
  mock = {
    -- 1003 also answers a wrong Content-Type (FACTS: error table, 1003).
    errors = { { table = "error", missing = 1001, signature = 1003, expired = 1004,
                 content_type = 1003, media_type = "application/json" } },
    operations = { ["call/list"] = { fixture = "fixtures/call-list-record-seed.json", list = "data.list" } },
  },
  pins = {
    ts = { doc = "the ts header: epoch milliseconds (13 digits)", unit = "ms" },
    algorithm = { doc = "the algorithm header (MD5 when absent)", values = { "md5", "sha256" }, default = "MD5",
                  label = "digest", stated_in = "the algorithm header" },
    bizType = { doc = "the bizType header (100 for AI Agent)" },
    action = { doc = "the action header (nxai for AI Agent)" },
    sign_algorithm_header = { doc = "also sign algorithm=… among the headers (a mistake, for diagnosis)" },
    empty_body_marker = { doc = "keep &body= for an empty body (a mistake, for diagnosis)" },
  },
  pitfalls = {
    { name = "body re-serialised", explanation = "the JSON was signed in one form and sent in another (key order, spaces, line breaks, unicode escapes); NXLink hashes the exact bytes sent" },
    { name = "ts in seconds", explanation = "ts must be 13-digit milliseconds; 10 digits get 1004 even when the sign matches" },
    { name = "algorithm header signed", explanation = "the sender put algorithm=… into the headers string; it is not part of it",
      pins = { sign_algorithm_header = "1" } },
    { name = "&body= for an empty body", explanation = "the sender kept '&body=' for an empty body; with no body the string to sign has no &body= part at all",
      pins = { empty_body_marker = "1" } },
    { name = "upper-case hex", explanation = "the sign is lower-case hex" },
    { name = "NXCC bizType/action", explanation = "the sender signed with bizType 8 / action cc (the NXCC call-centre API); AI Agent endpoints use 100 / nxai",
      pins = { bizType = "8", action = "cc" } },
    { name = "secret with trailing newline", explanation = "a secret read from a file often ends in a newline that becomes part of the string to sign" },
  },
  examples = {
    -- Each fixture, decoded as a user would: the kind, the record count, a meaning, the warnings (all of them).
    decode = {
      { fixture = "fixtures/call-list-record-seed.json", kind = "callListRecord", records = 1, fields = { ["callResult"] = "Normal end – user hung up" } },
      { fixture = "fixtures/call-list-response-seed.json", kind = "callListRecord", records = 1, fields = { ["data.list[0].callResult"] = "Normal end – user hung up" } },
      { fixture = "fixtures/callback-chinese.json", kind = "callRecordCallback", records = 1, fields = { ["callResult"] = "Normal end – AI hung up" } },
      { fixture = "fixtures/callback-null-times.json", kind = "callRecordCallback", records = 1, fields = { ["callResult"] = "System error/exception" } },
      { fixture = "fixtures/callback-seed.json", kind = "callRecordCallback", records = 1, fields = { ["callResult"] = "Normal end – user hung up" } },
      { fixture = "fixtures/callback-transferred-to-agent.json", kind = "callRecordCallback", records = 1, fields = { ["callResult"] = "Normal end – connected" } },
      { fixture = "fixtures/callback-unanswered.json", kind = "callRecordCallback", records = 1, fields = { ["callResult"] = "Not answered – timeout" } },
      { fixture = "fixtures/callbacks-batch.ndjson", kind = "callRecordCallback", records = 5, fields = { ["callResult"] = "Normal end – user hung up" } },
    },
    sign = {
      { name = "convention page vector A (Java/C# sample)", provenance = "verified",
        cred = { accessKey = "fme2na3kdi3ki", accessSecret = "abciiiko2k3" },
        pin = { ts = "1655710885431", bizType = "1", action = "send" },
        body = [[{"name":"牛小信","id":10001}]],
        expect = { sign = "87c3560d3331ae23f1021e2025722354" } },
      { name = "vector A inputs with an empty body (no &body=)", provenance = "derived",
        cred = { accessKey = "fme2na3kdi3ki", accessSecret = "abciiiko2k3" },
        pin = { ts = "1655710885431", bizType = "1", action = "send" },
        expect = { sign = "884afe159e39b6c88a0d6102ca97d704" } },
      { name = "vector A inputs with algorithm sha256", provenance = "derived",
        cred = { accessKey = "fme2na3kdi3ki", accessSecret = "abciiiko2k3" },
        pin = { ts = "1655710885431", bizType = "1", action = "send", algorithm = "sha256" },
        body = [[{"name":"牛小信","id":10001}]],
        expect = { sign = "e0eec2c99ef80f269a82795e2223f618ebfc0616c8b6c8c7d438021ec38ad0eb", algorithm = "sha256" } },
      { name = "call/list with the AI Agent defaults (bizType 100, action nxai)", provenance = "derived",
        operation = "call/list", cred = { accessKey = "fme2na3kdi3ki", accessSecret = "abciiiko2k3" },
        pin = { ts = "1655710885431" },
        body = [[{"taskId":"8bdf2a84-fc89-483e-ba1e-35a54285c7d0","pageNumber":1,"pageSize":10}]],
        expect = { sign = "5626848aacbd9728bf8e9129b97e0566", bizType = "100", action = "nxai" } },
    },
    explain = {
      { table = "callResult", code = 17, contains = "user hung up" },
      { table = "callStatus", code = 10, contains = "completed" },
      { table = "error", code = 1003, contains = "invalid signature" },
      { table = "error", code = 1004, contains = "timestamp" },
      { table = "taskStatus", code = 6, contains = "insufficient balance" },
    },
  },

  hooks = {
    --- The signature a received request or callback carries, and what to re-sign it with.
    signature_of = function(msg)
      local h = msg.headers
      if not (h.sign and h.accesskey and h.ts) then return nil end
      local epoch_ms, problem = clock.epoch_ms("ts", h.ts, "ms", "(NXLink answers 1004)")
      return {
        signature = h.sign, cred = { accessKey = h.accesskey },
        pins = { ts = h.ts, bizType = h.biztype, action = h.action, algorithm = h.algorithm },
        clock = { epoch_ms = epoch_ms, text = h.ts, window_s = 60, unit_problem = problem, error = "1004 timestamp expired" },
      }
    end,
  },

  --- sign(request, credentials): the NXCloud open-platform recipe.
  sign = function(req, cred)
    local ak = cred.accessKey or error("credential accessKey is missing", 0)
    local secret = cred.accessSecret or error("credential accessSecret is missing", 0)
    local ts = req.pin.ts or tostring(cs.now_ms())
    local bizType = req.pin.bizType or "100"
    local action = req.pin.action or "nxai"
    local algorithm = req.pin.algorithm
    local signed_algorithm = (req.pin.sign_algorithm_header and algorithm) and ("&algorithm=" .. algorithm) or ""
    local headers_str = cs.step("headers string (sorted, without sign and algorithm)",
      "accessKey=" .. ak .. "&action=" .. action .. signed_algorithm .. "&bizType=" .. bizType .. "&ts=" .. ts)
    local body = req.body or ""
    local body_str = (body ~= "" or req.pin.empty_body_marker) and ("&body=" .. body) or ""
    local raw = cs.step("string to sign", headers_str .. body_str .. "&accessSecret=" .. secret)
    local sign = digest.hex_digest(algorithm, raw, false)
    local headers = { accessKey = ak, ts = ts, bizType = bizType, action = action, sign = sign,
                      ["Content-Type"] = "application/json" }
    if algorithm then headers.algorithm = algorithm end
    return { headers = headers, signature = sign }
  end,
}
