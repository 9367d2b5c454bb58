-- wrk script: every request POSTs one NEW bar (JSON, epoch seconds) for the next symbol,
-- round-robin over SYMBOLS symbols named <PREFIX><i> (i = 0 .. SYMBOLS-1). Each symbol's bar
-- times go up strictly, one STEP per post, starting one STEP after START (the newest preloaded
-- bar). With several wrk threads, thread k of T posts only for the symbols i with i % T == k,
-- so no two threads ever post the same time for a symbol. Environment:
--   SYMBOLS (1000), PREFIX ("S"), START (epoch seconds of the newest preloaded bar),
--   TIMEFRAME ("1d"), STEP (seconds between bars, 86400), TOKEN (the write token; empty:
--   none), THREADS (wrk's -t, default 1).
-- done() prints "acked <n> refused <n>" (2xx vs other statuses) for bench/ingest.sh.

local symbols = tonumber(os.getenv("SYMBOLS") or "1000")
local prefix = os.getenv("PREFIX") or "S"
local start = tonumber(os.getenv("START") or "0")
local timeframe = os.getenv("TIMEFRAME") or "1d"
local step = tonumber(os.getenv("STEP") or "86400")
local token = os.getenv("TOKEN") or ""
local stride = tonumber(os.getenv("THREADS") or "1")

local threads = {}
local thread_count = 0

function setup(thread)
    thread:set("index", thread_count)
    thread_count = thread_count + 1
    table.insert(threads, thread)
end

function init(args)
    acked = 0
    refused = 0
    next_symbol = index
    sent = {}
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    if token ~= "" then
        wrk.headers["Authorization"] = "Bearer " .. token
    end
end

function request()
    local i = next_symbol
    next_symbol = next_symbol + stride
    if next_symbol >= symbols then
        next_symbol = index
    end
    local n = (sent[i] or 0) + 1
    sent[i] = n
    local t = start + n * step
    -- A small deterministic walk, valid OHLC (low <= open, close <= high).
    local c = 100 + ((i * 7 + n * 13) % 50) / 10
    local o = c - 0.3
    local body = string.format(
        '[{"time":%d,"open":%.2f,"high":%.2f,"low":%.2f,"close":%.2f,"volume":%d}]',
        t, o, c + 0.5, o - 0.5, c, 1000 + n)
    return wrk.format(nil, "/v1/bars/" .. prefix .. i .. "?timeframe=" .. timeframe, nil, body)
end

function response(status, headers, body)
    if status >= 200 and status < 300 then
        acked = acked + 1
    else
        refused = refused + 1
        if refused <= 3 then
            io.stderr:write("refused: " .. status .. " " .. body .. "\n")
        end
    end
end

function done(summary, latency, requests)
    local a, r = 0, 0
    for _, thread in ipairs(threads) do
        a = a + thread:get("acked")
        r = r + thread:get("refused")
    end
    io.write(string.format("acked %d refused %d\n", a, r))
end
