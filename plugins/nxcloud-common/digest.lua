-- Helpers shared by the two NXCloud adapters (NXLink AI Agent and Callbot v3).
local M = {}

--- Digest of `text` by the `algorithm` header value: md5 (default) or sha256, in lower or upper hex.
function M.hex_digest(algorithm, text, upper)
  local name = (algorithm or "md5"):lower()
  local bytes
  if name == "md5" then bytes = cs.md5(text)
  elseif name == "sha256" then bytes = cs.sha256(text)
  else error("algorithm must be md5 or sha256, not " .. tostring(algorithm), 2) end
  return upper and cs.hex_upper(bytes) or cs.hex(bytes)
end

return M
