-- Timestamp checks shared by the adapters' signature_of hooks.
local M = {}

--- Reads a numeric timestamp `text` (header `name`) expected in `unit` ("s" or "ms").
--- Returns its epoch milliseconds and a problem to report (or nil); `consequence` is appended to it.
function M.epoch_ms(name, text, unit, consequence)
  if not text:match("^%d+$") then return nil, name .. " is not a number" end
  local n, digits = tonumber(text), #text
  local suffix = consequence and (" " .. consequence) or ""
  if unit == "ms" and digits <= 10 then
    return n * 1000, name .. " has " .. digits .. " digits: seconds where milliseconds are expected" .. suffix
  elseif unit == "s" and digits >= 13 then
    return n, name .. " has " .. digits .. " digits: milliseconds where seconds are expected" .. suffix
  end
  return unit == "ms" and n or n * 1000, nil
end

return M
