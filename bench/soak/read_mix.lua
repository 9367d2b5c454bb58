-- Reads as dashboards make them: current signals (cached after the first read), signals
-- with all agents, bars, and indicator series (computed on every request: uncached).
local symbols = tonumber(os.getenv("SOAK_SYMBOLS") or "200")
local pause = tonumber(os.getenv("SOAK_READ_PAUSE_MS") or "2")
local n = 0
local agents = { "rsi", "macd", "bollinger", "adx_dmi" }

request = function()
  n = n + 1
  local symbol = string.format("S%04d", math.random(symbols))
  local kind = n % 10
  if kind < 6 then
    return wrk.format("GET", "/v1/signals/" .. symbol .. "?agents=false")
  elseif kind < 8 then
    return wrk.format("GET", "/v1/signals/" .. symbol)
  elseif kind < 9 then
    return wrk.format("GET", "/v1/bars/" .. symbol .. "?limit=100")
  end
  return wrk.format("GET", "/v1/indicators/" .. symbol .. "?agent=" .. agents[n % #agents + 1] ..
    "&limit=50")
end

delay = function()
  return pause
end
