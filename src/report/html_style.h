// The report's stylesheet, inlined so the HTML file needs nothing else.
#pragma once

namespace dealsync::report_internal {

inline constexpr const char* kReportCss = R"css(
:root { --ink:#1d2733; --muted:#5b6775; --line:#d9dee4; --soft:#f4f6f8;
        --held:#b35c00; --held-bg:#fff4e5; --flag:#8a1c1c; --flag-bg:#fdecec;
        --vendor:#2f5d8a; --partner:#e0a030; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 24px 0 6px; }
h4 { font-size: 14px; margin: 18px 0 4px; color: var(--muted); text-transform: uppercase;
     letter-spacing: .04em; }
p.meta, p.note { color: var(--muted); margin: 2px 0; }
nav { margin: 14px 0 0; font-size: 13px; }
nav a { margin-right: 14px; color: var(--vendor); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 18px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 170px; }
.card .n { font-size: 22px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
.card.held { border-color: var(--held); background: var(--held-bg); }
.card.held .n { color: var(--held); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; font-size: 12px; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.neg { color: var(--flag); }
.ids, .who { color: var(--muted); font-size: 11px; display: block; }
tr.held:has(+ tr.settle) td { border-bottom: none; }
tr.settle td { padding-top: 0; }
tr.settle code { font-size: 11px; user-select: all; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 6px;
         border-radius: 3px; white-space: nowrap; }
.badge.held_for_review { background: var(--held-bg); color: var(--held); border: 1px solid var(--held); }
.badge.auto_resolved { background: var(--soft); color: var(--muted); }
.badge.resolved_by_operator { background: #eaf3ea; color: #2d6a2d; }
.flag { display: inline-block; font-size: 11px; background: var(--flag-bg); color: var(--flag);
        padding: 0 5px; border-radius: 3px; margin: 2px 2px 0 0; }
tr.held td:first-child { box-shadow: inset 3px 0 0 var(--held); }
.empty { color: var(--muted); font-style: italic; }
.partner { margin-top: 36px; padding-top: 4px; border-top: 1px solid var(--line); }
.partner h3 { font-size: 18px; }
table.metrics, table.conversion { max-width: 780px; }
table.metrics th[scope=row], table.conversion th[scope=row] { background: none; color: var(--ink);
                                                             font-weight: 500; font-size: 13px; }
.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
.chart text { font: 11px Arial, sans-serif; fill: var(--ink); }
.chart text.value { fill: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line);
         padding-top: 8px; }
footer li { margin: 2px 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  h2 { break-after: avoid; }
  .partner { break-before: page; }
  tr, .card, .chart { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
)css";

}  // namespace dealsync::report_internal
