#include "goldensignals/backtest/report_json.h"

#include "goldensignals/json/writer.h"
#include "goldensignals/market/time_format.h"

namespace gs::backtest {

namespace {

void write_time(json::Writer& w, std::int64_t epoch_seconds) {
    std::string& out = w.raw_value("\"").out();
    market::append_iso8601(out, epoch_seconds);
    out += '"';
}

void write_optional_time(json::Writer& w, const std::optional<std::int64_t>& time) {
    if (time) {
        write_time(w, *time);
    } else {
        w.null();
    }
}

void write_track(json::Writer& w, const TrackFigures& f) {
    w.raw_key("signals").unsigned_integer(f.signals);
    w.raw_key("hit_rate").number(f.hit_rate);
    w.raw_key("avg_forward_return").number(f.avg_forward_return);
    w.raw_key("ic").number(f.ic);
}

void write_summary_fields(json::Writer& w, const Summary& s) {
    w.begin_object();
    w.raw_key("total_return").number(s.total_return);
    w.raw_key("buy_and_hold_return").number(s.buy_and_hold_return);
    w.raw_key("cagr").number(s.cagr);
    w.raw_key("sharpe").number(s.sharpe);
    w.raw_key("sortino").number(s.sortino);
    w.raw_key("max_drawdown").number(s.max_drawdown);
    w.raw_key("hit_rate").number(s.hit_rate);
    w.raw_key("trades").unsigned_integer(s.trades);
    w.raw_key("exposure").number(s.exposure);
    w.raw_key("turnover").number(s.turnover);
    w.end_object();
}

void write_summary(json::Writer& w, const Summary& s) {
    w.raw_key("summary");
    write_summary_fields(w, s);
}

void write_by_action(json::Writer& w, const Report& report) {
    w.raw_key("by_action").begin_object();
    for (const auto action : {agents::Action::kBuy, agents::Action::kSell, agents::Action::kHold}) {
        const ActionFigures& f = report.by_action[static_cast<std::size_t>(action)];
        w.key(agents::to_string(action)).begin_object();
        w.raw_key("count").unsigned_integer(f.count);
        w.raw_key("hit_rate").number(f.hit_rate);
        w.raw_key("avg_forward_return").number(f.avg_forward_return);
        w.end_object();
    }
    w.end_object();
}

void write_equity(json::Writer& w, const Report& report) {
    w.raw_key("equity").begin_array();
    for (const std::size_t i : downsample(report.rows.size(), kMaxEquityPoints)) {
        w.begin_array();
        write_time(w, report.rows[i].time);
        w.number(report.rows[i].equity);
        w.end_array();
    }
    w.end_array();
}

void write_bars(json::Writer& w, const Report& report) {
    // "bars" already holds the count: a JSON object cannot hold a key twice.
    w.raw_key("bars_detail").begin_array();
    for (const BarRow& row : report.rows) {
        w.begin_object();
        w.raw_key("time");
        write_time(w, row.time);
        w.raw_key("action").string(agents::to_string(row.action));
        w.raw_key("score").number(row.score);
        w.raw_key("position").integer(row.position);
        w.raw_key("forward_return").number(row.forward_return);
        w.raw_key("equity").number(row.equity);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

std::string to_json(const Report& report, const ReportMeta& meta) {
    std::string out;
    out.reserve(4096 + 60 * std::min(report.rows.size(), kMaxEquityPoints) +
                (meta.with_bars ? 150 * report.rows.size() : 0));
    json::Writer w(out);
    w.begin_object();
    w.raw_key("symbol").string(meta.symbol);
    w.raw_key("timeframe").string(market::to_string(meta.timeframe));
    w.raw_key("from");
    write_optional_time(w, meta.from);
    w.raw_key("to");
    write_optional_time(w, meta.to);
    w.raw_key("horizon").unsigned_integer(meta.options.horizon);
    w.raw_key("mode").string(meta.options.mode == Mode::kLongShort ? "long_short" : "long_only");
    w.raw_key("fee_bps").number(meta.options.fee_bps);
    const bool adaptive = meta.options.weighting == Weighting::kAdaptive;
    w.raw_key("weighting").string(adaptive ? "adaptive" : "static");
    w.raw_key("periods_per_year").number(meta.options.periods_per_year);
    w.raw_key("bars").unsigned_integer(report.bars);
    w.raw_key("skipped").unsigned_integer(report.skipped);
    write_summary(w, report.summary);
    if (adaptive && report.static_summary) {
        // Both weightings' summaries over the same bars (the adaptive one is `summary` too).
        w.raw_key("side_by_side").begin_object();
        w.raw_key("static");
        write_summary_fields(w, *report.static_summary);
        w.raw_key("adaptive");
        write_summary_fields(w, report.summary);
        w.end_object();
    }
    write_by_action(w, report);
    w.raw_key("categories").begin_object();
    for (std::size_t c = 0; c < report.categories.size(); ++c) {
        w.key(agents::to_string(static_cast<agents::Category>(c))).begin_object();
        write_track(w, report.categories[c]);
        w.end_object();
    }
    w.end_object();
    w.raw_key("agents").begin_array();
    for (std::size_t i = 0; i < report.agents.size(); ++i) {
        w.begin_object();
        w.raw_key("name").string(meta.defs[i]->name);
        w.raw_key("category").string(agents::to_string(meta.defs[i]->category));
        write_track(w, report.agents[i]);
        w.end_object();
    }
    w.end_array();
    write_equity(w, report);
    if (meta.with_bars) {
        write_bars(w, report);
    }
    w.end_object();
    return out;
}

}  // namespace gs::backtest
