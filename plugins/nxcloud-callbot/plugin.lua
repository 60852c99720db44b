-- NXCloud Callbot API v3. Sources: FACTS.md §2 and seed 002 (listOrderDetail);
-- Callbot-API-authorization (CN and EN wiki pages).
local digest = require("nxcloud-common.digest")
local clock = require("shared.clock")

local AUTH = "https://github.com/nxtele/http-api-document-en/wiki/Callbot-API-authorization"
local ORDER_DETAIL = "seed 002: Callbot API orderDetailList"
local CREATE_AND_CALL = "https://github.proxy.ipfei.com/nxtele/http-api-document-en/wiki/Callbot-API-createTaskAndCall"

local envelope = { code = "retCode", message = "retMsg", success = 0, table = "retCode" }

-- The uuid and secret printed in the vendor's Python sample (FACTS.md §2.1): public example values,
-- not an account.
local SAMPLE_CREDENTIALS = { uuid = "Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR", secretKey = "u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr" }

-- One call of an order (callInfoDetailList[] in listOrderDetail, callInfoDetail in callbacks).
local function call_fields(prefix)
  local p = prefix
  return {
    { p .. "callID", "string", meaning = "call id" },
    { p .. "callingNumber", "string", meaning = "calling number" },
    { p .. "lineAddress", "string", meaning = "line IP" },
    { p .. "callStatus", "integer", table = "callStatus", meaning = "call status (decides whether it was answered)" },
    { p .. "callStartTs", "integer", unit = "epoch-auto", meaning = "call start (unit not documented)" },
    { p .. "callAnswerTs", "integer", unit = "epoch-auto", meaning = "answer time; a value does not mean answered — see callStatus" },
    { p .. "callEndTs", "integer", unit = "epoch-auto", meaning = "call end" },
    { p .. "callDuration", "integer", unit = "seconds", meaning = "call duration" },
    { p .. "callAudioUrl", "string", meaning = "recording (.wav, valid 3 months)" },
    { p .. "hangupCause", "string", table = "telephony:hangupCause", meaning = "hang-up cause" },
    { p .. "termSipCode", "string", table = "telephony:sip", meaning = "final SIP code" },
    { p .. "intents", "array", meaning = "intention labels of the script template" },
    { p .. "intents[].intentID", "string", meaning = "intention label id" },
    { p .. "intents[].intentTag", "string", meaning = "intention label" },
    { p .. "intents[].intentName", "string", meaning = "intention label name" },
    { p .. "intents[].intentLevel", "any", meaning = "intention level" },
    { p .. "sms", "array", meaning = "SMS sent for the call" },
    { p .. "sms[].smsSendTs", "integer", table = "smsStatus", meaning = "SMS status (the source labels this field smsSendTs)" },
    { p .. "sms[].sysMessageID", "string", meaning = "SMS send id" },
    { p .. "sms[].smsContent", "string", meaning = "SMS text" },
    { p .. "agent", "object", meaning = "human agent leg" },
    { p .. "agent.agentName", "string", meaning = "agent name" },
    { p .. "agent.agentGroup", "string", meaning = "agent group" },
    { p .. "agent.agentCallStatus", "integer", table = "agentCallStatus", meaning = "agent call status" },
    { p .. "agent.agentCallElapsed", "integer", unit = "seconds", meaning = "agent call duration" },
    { p .. "agent.agentLabel", "string", meaning = "agent label" },
    { p .. "agent.manualCallStart", "integer", unit = "epoch-auto", meaning = "agent call start" },
    { p .. "agent.manualCallAnswer", "integer", unit = "epoch-auto", meaning = "agent answered" },
    { p .. "agent.manualCallEnd", "integer", unit = "epoch-auto", meaning = "agent call end" },
    { p .. "agent.manualHangupBy", "integer", table = "manualHangupBy", meaning = "who hung up the agent call" },
    { p .. "params", "array", meaning = "variables" },
    { p .. "params[].name", "string", meaning = "variable name" },
    { p .. "params[].value", "string", meaning = "variable value" },
    { p .. "recordDetail", "array", meaning = "transcript" },
    { p .. "recordDetail[].recordWord", "string", meaning = "what was said" },
    { p .. "recordDetail[].recordIndex", "integer", meaning = "order in the conversation" },
    { p .. "recordDetail[].recordRole", "integer", table = "recordRole", meaning = "speaker" },
    { p .. "recordDetail[].recordType", "integer", table = "recordType", meaning = "kind of turn" },
    { p .. "recordDetail[].nodeID", "string", meaning = "script node id" },
    { p .. "recordDetail[].nodeDesc", "string", meaning = "script node" },
    { p .. "recordDetail[].createTs", "integer", unit = "epoch-auto", meaning = "when it was said" },
  }
end

local function order_fields(prefix)
  local p = prefix
  local fields = {
    { p .. "orderID", "string", meaning = "order id (caller-generated)", required = true },
    { p .. "userPhone", "string", meaning = "phone number" },
    { p .. "userName", "string", meaning = "user name" },
    { p .. "sceneID", "string", meaning = "script template id" },
    { p .. "userTaskID", "string", meaning = "caller's task id" },
    { p .. "taskID", "string", meaning = "task id" },
    { p .. "finish", "boolean", meaning = "order completed" },
    { p .. "other", "string", meaning = "passthrough field" },
    { p .. "callInfoDetailList", "array", meaning = "every call of the order" },
  }
  for _, f in ipairs(call_fields(p .. "callInfoDetailList[].")) do fields[#fields + 1] = f end
  return fields
end

local function list_order_detail_response()
  local fields = {
    { "retCode", "integer", table = "retCode", required = true, meaning = "0 = success" },
    { "retMsg", "string", required = true, meaning = "message" },
    { "responseID", "string", required = true, meaning = "give it to support when troubleshooting" },
    { "orderDetailList", "array", required = true, meaning = "orders" },
  }
  for _, f in ipairs(order_fields("orderDetailList[].")) do fields[#fields + 1] = f end
  return fields
end

local function callback_fields()
  local fields = {
    { "callbackType", "integer", table = "callbackType", meaning = "which callback", required = true },
    { "orderID", "string", meaning = "order id", required = true },
    { "userPhone", "string" }, { "userName", "string" }, { "sceneID", "string", meaning = "script template id" },
    { "userTaskID", "string" }, { "taskID", "string" }, { "finish", "boolean", meaning = "order completed" },
    { "other", "string", meaning = "passthrough field" },
    { "callInfoDetail", "object", meaning = "the call" },
  }
  for _, f in ipairs(call_fields("callInfoDetail.")) do fields[#fields + 1] = f end
  return fields
end

return {
  schema = 1,
  id = "nxcloud-callbot",
  aliases = { "callbot", "nxcloud" },
  name = "NXCloud Callbot API v3",
  version = "1.0.0",
  summary = "Upper-hex MD5/SHA256 of secret&body=…&createTs=…&requestID=…&uuid=…; requests, responses and callbacks.",
  docs = { AUTH, "https://github.com/nxtele/http-api-document/wiki/Callbot-API-authorization" },
  regions = {
    { code = "PROD", name = "Production", base_url = "https://nxbot.nxcloud.com" },
    { code = "DEV", name = "Development (vendor sample)", base_url = "https://devnxbot.nxcloud.com" },
  },
  timezone = { offset = "+08:00", note = "assumed: China Standard Time (not documented)" },
  credentials = {
    { name = "uuid", vendor_name = "uuid (Backend → Developer)" },
    { name = "secretKey", secret = true, vendor_name = "secretKey (Backend → Developer)" },
  },
  conflicts = {
    "callStatus 12 and 13 carry the same label ('user rejected') in the source.",
    "The vendor sample sends the header 'requestId' (lower-case d); the recipe names it requestID. Header names are case-insensitive.",
  },
  undocumented = {
    "Any vendor-published sign output (the auth page has random inputs only); the vectors here are derived.",
    "Allowed createTs drift.",
    "The exact input of the response signature (assumed: the raw response body with the response's createTs and requestID).",
    "The unit of callStartTs/callAnswerTs/callEndTs (seconds or milliseconds; decided by magnitude).",
    "The full callbackType and taskStatus enums of callbacks; the required receiver response and retry policy of callbacks.",
  },
  codes = {
    retCode = {
      title = "Response code (retCode)", doc = CREATE_AND_CALL, count = 13,
      values = {
        { 0, "success" }, { 1, "general error" }, { 2, "missing parameters" }, { 3, "parameter format error" },
        { 4, "invalid parameter value" }, { 4001, "parameter content capacity error (too many array elements)",
          hint = "listOrderDetail takes at most 500 orders" },
        { 5, "server maintenance" }, { 5001, "internal server error", hint = "give the responseID to support" },
        { 6, "incorrect signature",
          hint = "usual causes: the body signed is not the body sent, createTs/requestID/uuid differ from the headers, lower-case hex (the sign is upper-case), MD5 vs SHA256 against the algorithm header; run 'sign nxcloud-callbot --explain' and 'verify'" },
        { 6001, "missing signature", hint = "send the sign header (and requestID, uuid, createTs)" },
        { 6002, "account does not exist", hint = "check the uuid header" },
        { 6003, "user has no permission" }, { 7, "system busy" },
      },
    },
    callStatus = {
      title = "Call status (callStatus)", doc = ORDER_DETAIL, count = 21,
      values = {
        { 1, "call preparation" }, { 2, "dispatching" }, { 3, "dialing" }, { 4, "ringing" }, { 5, "in call" },
        { 6, "call completed" }, { 8, "completed – invalid number" }, { 9, "completed – temporarily unreachable" },
        { 10, "completed – user busy" }, { 11, "completed – user busy and rejected" }, { 12, "completed – user rejected" },
        { 13, "completed – user rejected (duplicate label in source)" }, { 15, "completed – TTS synthesis failed" },
        { 16, "completed – unknown reason" }, { 17, "completed – blacklisted number" }, { 18, "completed – user terminated" },
        { 21, "completed – invalid number (number check)" }, { 22, "ended – ring missed" },
        { 23, "ended – no response to call" }, { 24, "ended – early media – voicemail (\"Morning Media\" typo in source)" },
        { 25, "ended – ring too long" },
      },
    },
    smsStatus = {
      title = "SMS status (field labelled smsSendTs in the source)", doc = ORDER_DETAIL, count = 5,
      values = { { 0, "not sent" }, { 1, "sent" }, { 2, "send successful" }, { 3, "send failed" }, { 4, "click successful" } },
    },
    agentCallStatus = {
      title = "Agent call status", doc = ORDER_DETAIL, count = 6,
      values = { { 1, "dialing" }, { 2, "ringing" }, { 3, "connected" }, { 4, "completed" },
                 { 10, "completed – agent busy" }, { 12, "completed – user rejected" } },
    },
    manualHangupBy = {
      title = "Who hung up the agent call (manualHangupBy)", doc = ORDER_DETAIL, count = 3,
      values = { { 0, "none" }, { 1, "agent hung up" }, { 2, "user hung up" } },
    },
    recordRole = {
      title = "Transcript speaker (recordRole)", doc = ORDER_DETAIL, count = 3,
      values = { { 0, "robot" }, { 1, "user" }, { 2, "agent" } },
    },
    recordType = {
      title = "Transcript turn kind (recordType)", doc = ORDER_DETAIL, count = 5,
      values = { { 5, "user timeout" }, { 6, "user interruption" }, { 7, "user normal response" },
                 { 8, "server response" }, { 18, "customer-service reply" } },
    },
    taskOperate = {
      title = "mgrTaskStatus taskOperate", count = 3,
      doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/Callbot-API-mgrTaskStatus",
      values = { { 1, "start" }, { 2, "pause" }, { 3, "complete" } },
    },
    callbackType = {
      title = "Callback type (callbackType); the source lists these two, the second cut off", count = 2,
      doc = "https://github.proxy.ipfei.com/nxtele/http-api-document-en/wiki/Callbot-API-taskCallback",
      values = { { 1, "task callback" }, { 2, "order call… (the source text is cut off here)" } },
    },
  },
  payloads = {
    listOrderDetailResponse = {
      title = "listOrderDetail response (orders with every call)",
      fingerprint = { "retCode", "responseID", "orderDetailList" },
      fields = list_order_detail_response(),
      transcript = { path = "orderDetailList[].callInfoDetailList[].recordDetail", text = "recordWord", speaker = "recordRole" },
      timeline = { each = "orderDetailList[].callInfoDetailList", originate = "callStartTs", answer = "callAnswerTs", ["end"] = "callEndTs", elapsed = "callDuration" },
    },
    orderDetail = {
      title = "One order of listOrderDetail (orderDetailList[])",
      fingerprint = { "orderID", "sceneID", "callInfoDetailList" },
      fields = order_fields(""),
      transcript = { path = "callInfoDetailList[].recordDetail", text = "recordWord", speaker = "recordRole" },
      timeline = { each = "callInfoDetailList", originate = "callStartTs", answer = "callAnswerTs", ["end"] = "callEndTs", elapsed = "callDuration" },
      summary = { result = "callInfoDetailList[].callStatus", duration = "callInfoDetailList[].callDuration",
                  answered = "callInfoDetailList[].callStatus", answered_values = { 6 } },
    },
    taskCallback = {
      title = "Task callback (POST to taskCallbackUrl)",
      fingerprint = { "callbackType", "taskStat", "taskStatus" },
      fields = {
        { "callbackType", "integer", table = "callbackType", required = true },
        { "userTaskID", "string" }, { "taskID", "string" }, { "sceneID", "string" },
        { "taskStatus", "integer", meaning = "task status (enum not documented)" },
        { "createTs", "integer", unit = "epoch-auto" },
        { "taskStat", "object", meaning = "task statistics" },
        { "taskStat.answerOrderCount", "integer" }, { "taskStat.finishOrderCount", "integer" },
        { "taskStat.totalOrderCount", "integer" },
        { "taskStat.finishRate", "number", meaning = "finish/total, 2 decimals" },
        { "taskStat.totalAnswerCall", "integer" }, { "taskStat.totalCall", "integer" },
        { "taskStat.answerRate", "number", meaning = "answered/total calls, 2 decimals" },
      },
    },
    callCallback = {
      title = "Order / call callback (POST to orderCallbackUrl or callCallbackUrl)",
      fingerprint = { "callbackType", "orderID", "callInfoDetail" },
      fields = callback_fields(),
      transcript = { path = "callInfoDetail.recordDetail", text = "recordWord", speaker = "recordRole" },
      timeline = { each = "callInfoDetail", originate = "callStartTs", answer = "callAnswerTs", ["end"] = "callEndTs", elapsed = "callDuration" },
      summary = { result = "callInfoDetail.callStatus", duration = "callInfoDetail.callDuration",
                  answered = "callInfoDetail.callStatus", answered_values = { 6 } },
    },
  },
  operations = {
    ping = { method = "POST", path = "/callcentre/api/v3/ping", summary = "connectivity and signature test",
             body = { { "data", "string", meaning = "echoed back" } },
             response = { code = "code", message = "msg", data = "data", success = 0 },
             doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/Callbot-API-ping" },
    createTask = { method = "POST", path = "/callcentre/api/v3/createTask", summary = "create a task",
                   body = { { "productID", "string", required = true, meaning = "\"callbot\"" },
                            { "userTaskID", "string", required = true, meaning = "caller-unique, UUID recommended" },
                            { "sceneID", "string", required = true, meaning = "script template id" },
                            { "taskCreateSetting", "object" }, { "funcFlag", "object" }, { "other", "string" },
                            { "taskCallbackUrl", "string" }, { "orderCallbackUrl", "string" } },
                   response = envelope,
                   doc = "https://github.proxy.ipfei.com/nxtele/http-api-document-en/wiki/Callbot-API-createTask" },
    createAndCall = { method = "POST", path = "/callcentre/api/v3/createAndCall", summary = "create a task and add orders",
                      body = { { "productID", "string", required = true }, { "userTaskID", "string", required = true },
                               { "sceneID", "string", required = true }, { "taskCreateSetting", "object" },
                               { "funcFlag", "object" }, { "callInfoList", "object", required = true } },
                      response = envelope, doc = CREATE_AND_CALL },
    addBatchCall = { method = "POST", path = "/callcentre/api/v3/addBatchCall", summary = "add orders (numbers) to a task",
                     body = { { "productID", "string", required = true }, { "userTaskID", "string", required = true },
                              { "callInfoList", "object", required = true },
                              { "callInfoList.callList", "array", required = true },
                              { "callInfoList.callList[].orderID", "string", required = true, meaning = "globally unique" },
                              { "callInfoList.callList[].userPhone", "string", required = true, meaning = "country code + digits" } },
                     response = envelope,
                     doc = "https://github.proxy.ipfei.com/nxtele/http-api-document-en/wiki/Callbot-API-addBatchOrder" },
    mgrTaskStatus = { method = "POST", path = "/callcentre/api/v3/mgrTaskStatus", summary = "start, pause or complete a task",
                      body = { { "productID", "string", required = true }, { "userTaskID", "string", required = true },
                               { "taskOperate", "integer", required = true, table = "taskOperate" },
                               { "delCall", "integer", meaning = "0 none / 1 delete undialled" } },
                      response = envelope,
                      doc = "https://github-wiki-see.page/m/nxtele/nxcloud-doc-en/wiki/Callbot-API-mgrTaskStatus" },
    listOrder = { method = "POST", path = "/callcentre/api/v3/listOrder", summary = "orders with their last call status",
                  body = { { "productID", "string", required = true }, { "userTaskID", "string", required = true },
                           { "options", "object" }, { "page", "integer", required = true }, { "size", "integer", required = true } },
                  paging = { page = "page", size = "size" }, response = envelope,
                  doc = "https://github.proxy.ipfei.com/nxtele/http-api-document-en/wiki/Callbot-API-orderList" },
    listOrderDetail = { method = "POST", path = "/callcentre/api/v3/listOrderDetail", summary = "every call of the given orders",
                        body = { { "productID", "string", required = true, meaning = "\"callbot\"" },
                                 { "userTaskID", "string", required = true },
                                 { "orderList", "array", required = true, meaning = "order ids, at most 500" } },
                        response = envelope, limits = { "orderList: at most 500 order ids" }, doc = ORDER_DETAIL },
  },
  webhooks = {
    { kind = "task", payload = "taskCallback", signing = "headers requestID, uuid, createTs, sign — same recipe over the raw body [inferred]", signed = "yes" },
    { kind = "order", payload = "callCallback", signing = "headers requestID, uuid, createTs, sign — same recipe over the raw body [inferred]", signed = "yes" },
    { kind = "call", payload = "callCallback", signing = "headers requestID, uuid, createTs, sign — same recipe over the raw body [inferred]", signed = "yes" },
  },
  -- The local stand-in: retCode 6001 / 6 answer a missing / wrong signature; no timestamp error is
  -- documented. Responses are signed with the request recipe (FACTS.md §2.1).
  mock = {
    errors = { { table = "retCode", missing = 6001, signature = 6 } },
    operations = { listOrderDetail = { fixture = "fixtures/list-order-detail-response.json", list = "orderDetailList" } },
    sign_response = true,
  },
  pins = {
    ts = { doc = "the createTs header: epoch seconds", unit = "s" },
    request_id = { doc = "the requestID header (random 32 hex digits when not pinned)" },
    algorithm = { doc = "the algorithm header (MD5 when absent)", values = { "MD5", "SHA256" }, default = "MD5",
                  label = "digest", stated_in = "the algorithm header" },
  },
  pitfalls = {
    { name = "lower-case hex", explanation = "the sign is upper-case hex" },
    { name = "secret not first", explanation = "the secret comes first, with no key name: secret&body=…" },
    { name = "body re-serialised", explanation = "sign the exact bytes sent; Python's json.dumps puts spaces after ':' and ','" },
    { name = "createTs in milliseconds", explanation = "createTs is seconds" },
    { name = "algorithm mismatch", explanation = "the algorithm header (MD5 default, or SHA256) decides the digest" },
    { name = "response createTs", explanation = "a response is signed with the response's own createTs, not the request's" },
  },
  examples = {
    -- Each fixture, decoded as a user would: the kind, the record count, a meaning, the warnings (all of them).
    decode = {
      { fixture = "fixtures/call-callback-transferred-to-agent.json", kind = "callCallback", records = 1, fields = { ["callbackType"] = "order call" } },
      { fixture = "fixtures/list-order-detail-response.json", kind = "listOrderDetailResponse", records = 1, fields = { ["orderDetailList[0].callInfoDetailList[0].hangupCause"] = "normal hang-up by a party (NORMAL_CLEARING)" } },
      { fixture = "fixtures/list-order-detail-seed.json", kind = "listOrderDetailResponse", records = 1, fields = { ["orderDetailList[0].callInfoDetailList[0].hangupCause"] = "not a known hangupCause code" }, warnings = { "unknown-code" } },
      { fixture = "fixtures/order-detail-chinese-transcript.json", kind = "orderDetail", records = 1, fields = { ["callInfoDetailList[0].hangupCause"] = "normal hang-up by a party (NORMAL_CLEARING)" } },
      { fixture = "fixtures/order-detail-null-times.json", kind = "orderDetail", records = 1, fields = { ["callInfoDetailList[0].hangupCause"] = "(empty)" } },
      { fixture = "fixtures/order-detail-unanswered.json", kind = "orderDetail", records = 1, fields = { ["callInfoDetailList[0].hangupCause"] = "alerted but not answered (NO_ANSWER)" } },
      { fixture = "fixtures/orders-batch.ndjson", kind = "orderDetail", records = 3, fields = { ["callInfoDetailList[0].hangupCause"] = "normal hang-up by a party (NORMAL_CLEARING)" } },
      { fixture = "fixtures/task-callback.json", kind = "taskCallback", records = 1, fields = { ["callbackType"] = "task callback" } },
    },
    sign = {
      { name = "vendor Python sample inputs, pinned (MD5)", provenance = "derived",
        cred = SAMPLE_CREDENTIALS,
        pin = { ts = "1700000000", request_id = "0f8fad5bd9cb469fa16570867728950e" },
        body = [[{"customerId": "1234", "appKey": "xxxxxx", "status": 1}]],
        expect = { sign = "8DB2D1A32AEE0B451B833A0667A08BB1", createTs = "1700000000" } },
      { name = "same inputs with algorithm SHA256", provenance = "derived",
        cred = SAMPLE_CREDENTIALS,
        pin = { ts = "1700000000", request_id = "0f8fad5bd9cb469fa16570867728950e", algorithm = "SHA256" },
        body = [[{"customerId": "1234", "appKey": "xxxxxx", "status": 1}]],
        expect = { sign = "4575A96D40784C4C6B9A11CBD08DBCA6BF89B1245F20A05C5DB902D7C0AACE34", algorithm = "SHA256" } },
      { name = "ping", provenance = "derived", operation = "ping",
        cred = SAMPLE_CREDENTIALS,
        pin = { ts = "1700000000", request_id = "3d0f4bd0a2f94c3e9b1f6f3bb6a1e7a2" },
        body = [[{"data": "hello"}]],
        expect = { sign = "B8FA1490E991187C3947547B65AD980B" } },
    },
    explain = {
      { table = "retCode", code = 6, contains = "signature" },
      { table = "callStatus", code = 22, contains = "ring missed" },
      { table = "recordRole", code = 1, contains = "user" },
      { table = "manualHangupBy", code = 2, contains = "user" },
    },
  },

  hooks = {
    --- The signature a request, response or callback carries, and what to re-sign it with.
    signature_of = function(msg)
      local h = msg.headers
      local request_id = h.requestid
      if not (h.sign and h.uuid and h.createts and request_id) then return nil end
      local epoch_ms, problem = clock.epoch_ms("createTs", h.createts, "s")
      return {
        signature = h.sign, cred = { uuid = h.uuid },
        pins = { ts = h.createts, request_id = request_id, algorithm = h.algorithm },
        clock = { epoch_ms = epoch_ms, text = h.createts, unit_problem = problem },
      }
    end,
  },

  --- sign(request, credentials): requests; responses and callbacks use the same recipe with
  --- their own createTs and requestID (pin them as ts and request_id).
  sign = function(req, cred)
    local uuid = cred.uuid or error("credential uuid is missing", 0)
    local secret = cred.secretKey or error("credential secretKey is missing", 0)
    local ts = req.pin.ts or tostring(cs.now_s())
    local request_id = req.pin.request_id or cs.random_hex(16)
    local algorithm = req.pin.algorithm
    local raw = cs.step("string to sign (secret first)",
      secret .. "&body=" .. (req.body or "") .. "&createTs=" .. ts .. "&requestID=" .. request_id .. "&uuid=" .. uuid)
    local sign = digest.hex_digest(algorithm, raw, true)
    local headers = { requestID = request_id, uuid = uuid, createTs = ts, sign = sign, ["Content-Type"] = "application/json" }
    if algorithm then headers.algorithm = algorithm:upper() end
    return { headers = headers, signature = sign }
  end,
}
