-- itniotech AI voice. Sources: FACTS.md §3 and seed 003 (pushed call record and aivoice status codes);
-- https://www.itniotech.com/api/account/ (signature).
local clock = require("shared.clock")

local ACCOUNT = "https://www.itniotech.com/api/account/"
local PUSH = "https://itniotech.com/api/ai-voice/pushCallRecord"
local AGENT_SEND = "https://itniotech.com/api/ai/agentSend/"

local aivoice_envelope = { code = "status", message = "reason", data = "data", success = "0", table = "aivoiceStatus" }
local agent_envelope = { code = "code", message = "msg", data = "data", success = 0, table = "voiceStatus" }

local function record_fields(prefix, extra)
  local p = prefix
  local fields = {
    { p .. "callId", "string", meaning = "call log id", required = true },
    { p .. "appId", "string", meaning = "application id" },
    { p .. "dialogFlowId", "integer", meaning = "script id" },
    { p .. "tenantPhoneNumberId", "integer", meaning = "line id" },
    { p .. "calledPhoneNumber", "string", meaning = "customer phone number", required = true },
    { p .. "startTime", "integer", unit = "epoch-s", meaning = "dial start", required = true },
    { p .. "endTime", "integer", unit = "epoch-s", meaning = "call end" },
    { p .. "resultStatus", "string", table = "resultStatus", meaning = "call result", required = true },
    { p .. "hangupBy", "string", meaning = "hang-up status (values not documented)" },
    { p .. "customerConcern", "array", meaning = "customer concerns" },
    { p .. "analysisBasis", "string", meaning = "intention analysis basis" },
    { p .. "chatDuration", "integer", unit = "seconds", meaning = "call duration" },
    { p .. "chatRound", "integer", meaning = "conversation rounds" },
    { p .. "attributes", "array", meaning = "user attributes" },
    { p .. "properties", "object", meaning = "custom variables (given at import)" },
    { p .. "intentLevelDetailName", "string", meaning = "intention level name" },
    { p .. "fullAudioUrl", "string", meaning = "user and AI composite recording" },
    { p .. "customerAudioUrl", "string", meaning = "user recording" },
    { p .. "dynamicProperties", "object", meaning = "properties set during the call" },
    { p .. "redialTimes", "integer", meaning = "automatic redials" },
  }
  for _, f in ipairs(extra) do fields[#fields + 1] = f end
  return fields
end

return {
  schema = 1,
  id = "itniotech",
  name = "itniotech AI voice",
  version = "1.0.0",
  summary = "MD5(ApiKey + ApiSecret + Timestamp in seconds), body not signed; AI voice tasks, call records and pushes.",
  docs = { ACCOUNT, PUSH, "https://itniotech.com/api/ai-voice/recordQuery" },
  regions = { { code = "GLOBAL", name = "Global", base_url = "https://api.itniotech.com" } },
  credentials = {
    { name = "apiKey", vendor_name = "Api-Key" },
    { name = "apiSecret", secret = true, vendor_name = "API secret (apiPwd in the Java sample)" },
  },
  conflicts = {
    "Status codes number differently by endpoint family: -4 is 'timestamp expired' for aivoice but -16 for the voice / AI-agent family.",
    "resultStatus POWER_OFF and OUT_OF_SERVICE are both described as 'shutdown' in the source.",
  },
  undocumented = {
    "The allowed timestamp drift (errors -4 / -16 say the timestamp expired).",
    "The paths of the start/pause/stop task endpoints.",
    "hangupBy values.",
    "Whether pushed call records are signed, what the receiver must answer, and the retry policy.",
  },
  codes = {
    resultStatus = {
      title = "Call result (resultStatus; also redialCondition values)", doc = PUSH, count = 12,
      values = {
        { "ANSWERED", "answered" }, { "NO_ANSWER", "no answer" }, { "BUSY", "busy line" },
        { "POWER_OFF", "powered off" }, { "OUT_OF_SERVICE", "out of service (the source says \"shutdown\")" },
        { "REFUSED", "rejected" }, { "VACANT_NUMBER", "vacant/empty number" }, { "CAN_NOT_CONNECT", "cannot connect" },
        { "FROM_PHONE_ERROR", "caller arrears (caller account problem)" }, { "SYSTEM_ERROR", "outbound call failed" },
        { "CALL_LOSS", "call-loss customer" }, { "TRANSFER_ARTIFICIAL", "transfer to manual – call loss" },
      },
    },
    aivoiceStatus = {
      title = "Response status, AI voice (aivoice) family", family = "aivoice", doc = "seed 003", count = 38,
      values = {
        { 0, "success" }, { -1, "authentication error", hint = "check Api-Key and that Sign = md5(apiKey .. apiSecret .. Timestamp); run 'sign itniotech --explain'" },
        { -3, "customer balance insufficient" },
        { -4, "timestamp expired", hint = "Timestamp is Unix seconds (10 digits), close to the server clock" },
        { -5, "port program unusual (server exception)" }, { -6, "restricted IP access" }, { -12, "failed getting fee" },
        { -27, "abnormal parameter verification" }, { -28, "automatic mode: task start time cannot be empty" },
        { -29, "redial rule parameters abnormal" }, { -30, "redial interval parameters abnormal" },
        { -31, "redial-on parameters abnormal" }, { -32, "outbound task does not exist" },
        { -33, "outbound task name already exists" }, { -35, "customer information import failed" },
        { -37, "application does not exist" }, { -38, "current task cannot be paused" },
        { -39, "current task cannot be started" }, { -41, "ID parameter abnormal" },
        { -42, "application name already exists" }, { -43, "rates don't exist" }, { -44, "current task cannot be deleted" },
        { -45, "no customers imported, cannot start" }, { -46, "network exception or parameter error" },
        { -47, "network busy, try later" }, { -48, "daily dial-up task must be created between 9:00–20:00" },
        { -49, "account not authenticated" }, { -50, "application not quoted" },
        { -51, "customer custom property incomplete" }, { -52, "concurrent requests exceed the upper limit" },
        { -53, "customer already exists in this task" }, { -54, "current task status cannot be modified" },
        { -55, "operation not allowed while script is unbound" }, { -56, "import limit exceeded, max 100 entries" },
        { -57, "Sign cannot be empty" }, { -58, "Timestamp cannot be empty" }, { -59, "Api-Key cannot be empty" },
        { -60, "intent level tag not found" },
      },
    },
    voiceStatus = {
      title = "Response status, voice / AI-agent family", family = "voice", count = 8,
      doc = "https://itniotech.com/api/voice/sendCode",
      values = {
        { 0, "success" }, { -1, "authentication error" }, { -2, "restricted IP access" }, { -10, "balance insufficient" },
        { -16, "timestamp expired", hint = "Timestamp is Unix seconds (10 digits), close to the server clock" },
        { -18, "system exception (\"port program unusual\")" }, { -22, "parameter exception" }, { -26, "failed getting fee" },
      },
    },
    callCentreStatus = {
      title = "Response status, call-centre v3 family (the voice family's codes plus these)", family = "call-centre", count = 13,
      doc = "https://kxnrh7nfk8zwevuu.itniotech.com/api/call/previewSubmitTask",
      values = {
        { 0, "success" }, { -1, "authentication error" }, { -2, "restricted IP access" }, { -10, "balance insufficient" },
        { -16, "timestamp expired" }, { -18, "system exception (\"port program unusual\")" }, { -22, "parameter exception" },
        { -26, "failed getting fee" }, { -20, "data existing" }, { -23, "data caps" },
        { -43, "callee info header repeated" }, { -74, "agent group not in application" }, { -77, "no minimum rate value" },
      },
    },
    groupCallStatus = {
      title = "AI-agent group call status (/voice/group/call/query)", family = "voice", count = 7,
      doc = "https://itniotech.com/api/ai/agentQuery",
      values = { { 0, "waiting to submit" }, { 1, "calling" }, { 2, "finished" }, { 3, "submission failed" },
                 { 4, "canceled" }, { 5, "suspended" }, { 6, "submitting" } },
    },
    speaker = {
      title = "Transcript speaker (callDetailList[].type)", doc = PUSH, count = 2,
      values = { { "PERSON", "human" }, { "ROBOT", "robot" } },
    },
    taskStatus = {
      title = "Uncalled-number task status (taskNoCall params.taskStatus)", count = 3,
      doc = "https://kxnrh7nfk8zwevuu.itniotech.com/api/ai-voice/taskNoCall",
      values = { { "CAN_NOT_START", "cannot start" }, { "CAN_START", "can start" }, { "IN_PROCESS", "in process" } },
    },
  },
  payloads = {
    pushCallRecord = {
      title = "Pushed call record (POST to the application's status report address)",
      fingerprint = { "robotCallJobId", "dialogFlowId", "resultStatus", "calledPhoneNumber" },
      fields = record_fields("", {
        { "robotCallJobId", "integer", meaning = "task id", required = true },
        { "billingTime", "integer", unit = "seconds", meaning = "billed time" },
        { "pay", "string", meaning = "amount charged (USD, a string)" },
        { "callRecordTagIds", "array" }, { "callRecordTagNames", "array", meaning = "call tags" },
        { "customerTagIds", "array" }, { "customerTagNames", "array", meaning = "customer tags" },
        { "callDetailList", "array", meaning = "transcript" },
        { "callDetailList[].callDetailId", "integer", meaning = "sentence id" },
        { "callDetailList[].text", "string", meaning = "what was said" },
        { "callDetailList[].type", "string", table = "speaker", meaning = "speaker" },
        { "callDetailList[].startOffset", "integer", unit = "milliseconds", meaning = "offset in the recording (absent for AI speech)" },
        { "callDetailList[].endOffset", "integer", unit = "milliseconds", meaning = "end offset in the recording" },
        { "callCount", "integer", meaning = "number of calls" },
      }),
      transcript = { path = "callDetailList", text = "text", speaker = "type", offset = "startOffset" },
      timeline = { originate = "startTime", ["end"] = "endTime" },
      summary = { result = "resultStatus", duration = "chatDuration", answered = "resultStatus", answered_values = { "ANSWERED" } },
    },
    recordQueryRecord = {
      title = "Call record from /aivoice/recordQuery (data.records[])",
      fingerprint = { "keyId", "callJobId", "callRecordId", "resultStatus" },
      fields = record_fields("", {
        { "keyId", "any", meaning = "record key" }, { "callRecordId", "any", meaning = "call record id" },
        { "callJobId", "integer", meaning = "task id" }, { "robotCount", "integer", meaning = "AI concurrency" },
        { "customerPersonName", "string", meaning = "customer name" },
        { "chargedDuration", "integer", unit = "seconds", meaning = "charged duration" },
      }),
      timeline = { originate = "startTime", ["end"] = "endTime" },
      summary = { result = "resultStatus", duration = "chatDuration", answered = "resultStatus", answered_values = { "ANSWERED" } },
    },
  },
  operations = {
    taskAdd = { method = "POST", path = "/aivoice/taskAdd", summary = "create an AI outbound task", family = "aivoice",
                body = { { "appId", "string", required = true }, { "name", "string", required = true },
                         { "dialogFlowId", "integer", required = true, meaning = "script" },
                         { "mode", "string", meaning = "MANUAL or AUTO" },
                         { "startDateTime", "string", unit = "datetime-local", meaning = "AUTO only, yyyy-MM-dd HH:mm:ss" },
                         { "dailyStartDateTime", "string", meaning = "\"09:00\", not earlier than 9:00" },
                         { "dailyEndDateTime", "string", meaning = "\"20:00\", not later than 20:00" },
                         { "robotCount", "integer", meaning = "AI concurrency" }, { "jobPhoneNumberId", "integer", meaning = "line" },
                         { "endDateTime", "string" }, { "inactiveTimeList", "array", meaning = "at most 3" },
                         { "inactiveDateList", "array", meaning = "at most 3" }, { "daysOfWeek", "array" },
                         { "redial", "boolean" }, { "redialCondition", "array", meaning = "resultStatus values" } },
                response = aivoice_envelope, doc = "https://www.itniotech.cn/api/ai-voice/taskAdd/" },
    taskEdit = { method = "POST", path = "/aivoice/taskEdit", summary = "modify a task (taskAdd fields + jobId)", family = "aivoice",
                 body = { { "jobId", "integer", required = true } }, response = aivoice_envelope,
                 doc = "https://itniotech.com/api/ai-voice/taskEdit" },
    taskList = { method = "POST", path = "/aivoice/taskList", summary = "list tasks", family = "aivoice",
                 body = { { "current", "integer", required = true, meaning = "page from 1" },
                          { "size", "integer", required = true, meaning = "1-100" },
                          { "params", "object" }, { "params.appId", "string" }, { "params.name", "string" } },
                 paging = { page = "current", size = "size", max = 100, total = "data.total" },
                 response = aivoice_envelope, doc = "https://itniotech.com/api/ai-voice/taskList" },
    importCustomer = { method = "POST", path = "/aivoice/importCustomer", summary = "add customers to a task", family = "aivoice",
                       body = { { "appId", "string", required = true }, { "jobId", "integer", required = true },
                                { "callRecordDup", "boolean", meaning = "default false" },
                                { "customerPersons", "array", required = true, meaning = "at most 100" },
                                { "customerPersons[].name", "string" },
                                { "customerPersons[].phoneNumber", "string", required = true, meaning = "or an encrypted id of at most 32 characters" },
                                { "customerPersons[].gender", "string", meaning = "MALE, FEMALE or null" },
                                { "customerPersons[].properties", "object", meaning = "returned in the push" } },
                       response = aivoice_envelope, limits = { "customerPersons: at most 100 per call" },
                       doc = "https://itniotech.com/api/ai-voice/importCustomer" },
    ["importCustomer/del"] = { method = "POST", path = "/aivoice/importCustomer/del", summary = "delete uncalled numbers", family = "aivoice",
                               body = { { "appId", "string", required = true }, { "jobId", "integer", required = true },
                                        { "jobPhoneNumberList", "array", required = true } },
                               response = aivoice_envelope, doc = "https://itniotech.com/api/ai-voice/importCustomerDel" },
    taskNoCall = { method = "POST", path = "/aivoice/taskNoCall", summary = "uncalled numbers of a task", family = "aivoice",
                   body = { { "current", "integer", required = true }, { "size", "integer", required = true, meaning = "1-100" },
                            { "params", "object" }, { "params.appId", "string" },
                            { "params.taskStatus", "string", table = "taskStatus" }, { "params.jobId", "integer" } },
                   paging = { page = "current", size = "size", max = 100, total = "data.total" },
                   response = aivoice_envelope, doc = "https://kxnrh7nfk8zwevuu.itniotech.com/api/ai-voice/taskNoCall" },
    recordQuery = { method = "POST", path = "/aivoice/recordQuery", summary = "call records in a time window", family = "aivoice",
                    body = { { "current", "integer", required = true }, { "size", "integer", required = true, meaning = "1-100" },
                             { "params", "object", required = true }, { "params.appId", "string" },
                             { "params.startTime", "string", unit = "datetime-local", meaning = "yyyy-MM-dd HH:mm:ss" },
                             { "params.endTime", "string", unit = "datetime-local", meaning = "yyyy-MM-dd HH:mm:ss" } },
                    paging = { page = "current", size = "size", max = 100, total = "data.total" },
                    response = aivoice_envelope, doc = "https://itniotech.com/api/ai-voice/recordQuery" },
    ["group/call/send/agent"] = { method = "POST", path = "/voice/group/call/send/agent", summary = "create an AI-agent group call", family = "voice",
                                  body = { { "numberInfoList", "array", required = true, meaning = "up to 200 000; calleeNumber 6-18 digits with country code; text1..text10 at most 30 characters" } },
                                  response = agent_envelope, limits = { "numberInfoList: at most 200 000 numbers" }, doc = AGENT_SEND },
    ["group/call/query"] = { method = "POST", path = "/voice/group/call/query", summary = "query AI-agent group calls", family = "voice",
                             body = { { "current", "integer", required = true }, { "size", "integer", required = true, meaning = "1-100" },
                                      { "params", "object" }, { "params.strTime", "string" }, { "params.endTime", "string" },
                                      { "params.taskType", "integer", meaning = "3" }, { "params.statusList", "array", meaning = "groupCallStatus values" } },
                             paging = { page = "current", size = "size", max = 100 },
                             response = agent_envelope, doc = "https://itniotech.com/api/ai/agentQuery" },
    ["recallFlow/update"] = { method = "POST", path = "/voice/recallFlow/update", summary = "automatic recall settings", family = "voice",
                              body = { { "recallInterval", "integer", meaning = "1-1440 minutes" }, { "recallNum", "integer", meaning = "1-10" },
                                       { "recallType", "integer", meaning = "0 all / 1 failed only" } },
                              response = agent_envelope, doc = "https://kxnrh7nfk8zwevuu.itniotech.com/api/ai/agentRecallUpdate" },
  },
  webhooks = {
    { kind = "call record", payload = "pushCallRecord" },
  },
  -- The local stand-in: each endpoint family answers with its own codes (-4 / -16 for the timestamp).
  -- recordQuery's records are made from the pushed record, whose fields they share.
  mock = {
    errors = { { table = "aivoiceStatus", missing = -1, signature = -1, expired = -4 },
               { table = "voiceStatus", missing = -1, signature = -1, expired = -16 } },
    operations = { recordQuery = { fixture = "fixtures/push-call-record.json", list = "data.records" } },
  },
  pins = {
    ts = { doc = "the Timestamp header: epoch seconds", unit = "s" },
    separator = { doc = "put this between apiKey, apiSecret and Timestamp (a mistake, for diagnosis)" },
  },
  pitfalls = {
    { name = "timestamp in milliseconds", explanation = "Timestamp is Unix seconds; 13 digits get 'timestamp expired' (-4 or -16)" },
    { name = "body signed", explanation = "the body is not part of the signature; only ApiKey + ApiSecret + Timestamp" },
    { name = "separators added", explanation = "the sender joined apiKey, apiSecret and Timestamp with '&'; they are concatenated with no separator",
      pins = { separator = "&" } },
    { name = "upper-case hex", explanation = "the vendor says the 32-hex sign is case-insensitive; its Java sample sends lower case" },
    { name = "secret with trailing newline", explanation = "a secret read from a file often ends in a newline that becomes part of the string to sign" },
  },
  examples = {
    -- Each fixture, decoded as a user would: the kind, the record count, a meaning, the warnings (all of them).
    decode = {
      { fixture = "fixtures/push-call-record.json", kind = "pushCallRecord", records = 1, fields = { ["resultStatus"] = "answered" } },
      { fixture = "fixtures/push-chinese.json", kind = "pushCallRecord", records = 1, fields = { ["resultStatus"] = "answered" } },
      { fixture = "fixtures/push-large-task-id.json", kind = "pushCallRecord", records = 1, fields = { ["resultStatus"] = "answered" }, warnings = { "unsafe-integer" } },
      { fixture = "fixtures/push-null-times.json", kind = "pushCallRecord", records = 1, fields = { ["resultStatus"] = "outbound call failed" } },
      { fixture = "fixtures/push-transferred-to-agent.json", kind = "pushCallRecord", records = 1, fields = { ["resultStatus"] = "transfer to manual – call loss" } },
      { fixture = "fixtures/push-unanswered.json", kind = "pushCallRecord", records = 1, fields = { ["resultStatus"] = "no answer" } },
      { fixture = "fixtures/pushes-batch.ndjson", kind = "pushCallRecord", records = 5, fields = { ["resultStatus"] = "answered" } },
    },
    sign = {
      { name = "account page vector", provenance = "verified",
        cred = { apiKey = "bDqJFiq9", apiSecret = "7bz1lzh9" }, pin = { ts = "1630468800" },
        expect = { Sign = "05d7a50893e22a5c4bb3216ae3396c7c", Timestamp = "1630468800", ["Api-Key"] = "bDqJFiq9" } },
      { name = "body does not change the sign", provenance = "derived", operation = "recordQuery",
        cred = { apiKey = "bDqJFiq9", apiSecret = "7bz1lzh9" }, pin = { ts = "1630468800" },
        body = [[{"current":1,"size":100,"params":{"appId":"app-1","startTime":"2021-09-01 00:00:00","endTime":"2021-09-01 23:59:59"}}]],
        expect = { Sign = "05d7a50893e22a5c4bb3216ae3396c7c" } },
      { name = "other inputs", provenance = "derived",
        cred = { apiKey = "AK123", apiSecret = "SECRET456" }, pin = { ts = "1700000000" },
        expect = { Sign = "c4daebe8db99f2f772fd46b7f2477c4b" } },
    },
    explain = {
      { table = "resultStatus", code = "NO_ANSWER", contains = "no answer" },
      { table = "aivoiceStatus", code = -4, contains = "timestamp" },
      { table = "voiceStatus", code = -16, contains = "timestamp" },
      { table = "callCentreStatus", code = -74, contains = "agent group" },
      { table = "speaker", code = "ROBOT", contains = "robot" },
    },
  },

  hooks = {
    --- The signature a request carries (Api-Key, Timestamp, Sign headers).
    signature_of = function(msg)
      local h = msg.headers
      if not (h.sign and h["api-key"] and h.timestamp) then return nil end
      local epoch_ms, problem = clock.epoch_ms("Timestamp", h.timestamp, "s")
      return {
        signature = h.sign, cred = { apiKey = h["api-key"] }, pins = { ts = h.timestamp },
        clock = { epoch_ms = epoch_ms, text = h.timestamp, unit_problem = problem, error = "-4 (aivoice) / -16 (voice) timestamp expired" },
      }
    end,
  },

  --- sign(request, credentials): MD5(apiKey .. apiSecret .. Timestamp), lower-case hex; body unsigned.
  sign = function(req, cred)
    local key = cred.apiKey or error("credential apiKey is missing", 0)
    local secret = cred.apiSecret or error("credential apiSecret is missing", 0)
    local ts = req.pin.ts or tostring(cs.now_s())
    local sep = req.pin.separator or ""
    local raw = cs.step("string to sign (apiKey + apiSecret + Timestamp)", key .. sep .. secret .. sep .. ts)
    local sign = cs.hex(cs.md5(raw))
    return { headers = { ["Api-Key"] = key, Timestamp = ts, Sign = sign, ["Content-Type"] = "application/json;charset=UTF-8" },
             signature = sign }
  end,
}
