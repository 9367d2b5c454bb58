-- One new daily bar per request, round-robin over SOAK_SYMBOLS symbols (S0001...), each
-- bar a day after the previous one of its symbol. Run with one wrk thread (-t1) so the
-- counter orders the bars. The pause keeps this a soak, not a stress test.
local symbols = tonumber(os.getenv("SOAK_SYMBOLS") or "200")
local start = tonumber(os.getenv("SOAK_FIRST_DAY") or "20000")
local pause = tonumber(os.getenv("SOAK_POST_PAUSE_MS") or "10")
local token = os.getenv("GS_API_TOKEN") or ""
local n = 0

request = function()
  local symbol = n % symbols + 1
  local day = start + math.floor(n / symbols)
  n = n + 1
  local close = 100 + 10 * math.sin(day / 9 + symbol) + (day % 13) * 0.1
  local body = string.format("time,open,high,low,close,volume\n%d,%.4f,%.4f,%.4f,%.4f,%d\n",
    day * 86400, close - 0.3, close + 1, close - 1.1, close, 1000 + day % 97)
  return wrk.format("POST", string.format("/v1/bars/S%04d?timeframe=1d", symbol), {
    ["Content-Type"] = "text/csv",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

delay = function()
  return pause
end

-- The first few refusals are printed, so a soak that loses posts says why.
local shown = 0
response = function(status, headers, body)
  if status >= 300 and shown < 5 then
    shown = shown + 1
    io.write(string.format("post answered %d: %s\n", status, body))
  end
end
