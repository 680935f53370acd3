// Self-contained HTML rendering: inline CSS and SVG, no scripts, no external
// assets, so the file reads the same offline, in a mail attachment or printed.
// Every CRM-supplied string goes through HtmlEscape.
#include <sstream>

#include "dealsync/report.h"
#include "src/report/escape.h"
#include "src/report/html_style.h"
#include "src/report/report_money.h"
#include "src/report/svg_charts.h"

namespace dealsync {
namespace {

using report_internal::HtmlEscape;

// "1234567.50" -> "1,234,567.50" for reading; the CSV/JSON keep plain decimals.
std::string Grouped(const std::string& decimal) {
  const size_t sign = !decimal.empty() && decimal[0] == '-' ? 1 : 0;
  size_t point = decimal.find('.');
  if (point == std::string::npos) {
    point = decimal.size();
  }
  std::string out = decimal.substr(0, sign);
  for (size_t i = sign; i < point; ++i) {
    if (i > sign && (point - i) % 3 == 0) {
      out += ',';
    }
    out += decimal[i];
  }
  out += decimal.substr(point);
  return out;
}

// "closed_won" -> "closed won": words for people; the CSV/JSON keep the codes.
std::string Words(std::string_view code) {
  std::string out(code);
  for (char& ch : out) {
    ch = ch == '_' ? ' ' : ch;
  }
  return out;
}

// A field value as people read it: grouped amounts, stage names in words.
std::string DisplayValue(Field field, const std::string& text) {
  if (field == Field::kAmount) {
    if (std::optional<dealsync::Money> m = report_internal::ParseMoneyText(text)) {
      return Grouped(FormatDecimal(*m)) + "&nbsp;" + HtmlEscape(m->currency);
    }
  }
  if (field == Field::kStage && ParseStage(text)) {
    return HtmlEscape(Words(text));
  }
  return HtmlEscape(text);
}

class HtmlWriter {
 public:
  explicit HtmlWriter(const Report& report) : r_(report), currency_(report.reporting_currency) {}
  std::string Render();

 private:
  std::string Money(std::optional<int64_t> minor) const {
    return minor ? Grouped(FormatMinor(*minor, currency_)) : "&mdash;";
  }
  std::string NativeMoney(const std::optional<dealsync::Money>& m) const {
    return m ? Grouped(FormatDecimal(*m)) + " " + HtmlEscape(m->currency) : "&mdash;";
  }
  static std::string Percent(std::optional<int64_t> bp) {
    return bp ? FormatBasisPoints(*bp) + "%" : "&mdash;";
  }
  static std::string Slug(const std::string& id);
  static std::string When(Timestamp t);

  void Header();
  void Summary();
  void ConflictTable(bool held);
  std::string SettleCommand(const Conflict& c) const;
  void ConflictRow(const ConflictLine& line);
  void Change(const char* side, Field field, const FieldChange& change);
  void Pipeline();
  void PartnerSection(const PartnerReview& p);
  void MetricsTable(const SideMetrics& vendor, const SideMetrics& partner, bool with_coverage);
  void ConversionTable(const SideMetrics& vendor, const SideMetrics& partner);
  void DealTable(const char* title, const std::vector<DealLine>& deals, const char* empty);
  void Footer();

  const Report& r_;
  const std::string& currency_;
  std::ostringstream out_;
};

std::string HtmlWriter::Slug(const std::string& id) {
  std::string slug;
  for (char ch : id) {
    const bool safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
    slug += safe ? ch : '-';
  }
  return slug;
}

std::string HtmlWriter::When(Timestamp t) {
  if (t == Timestamp{}) {
    return "";
  }
  // "2026-11-20 14:03 UTC": minutes are precise enough for people.
  const std::string iso = FormatTimestamp(t);
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string HtmlWriter::Render() {
  out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<title>Deal conflicts and joint pipeline review &mdash; " << HtmlEscape(r_.scope_name)
       << "</title>\n<style>" << report_internal::kReportCss << "</style>\n</head>\n<body>\n";
  Header();
  Summary();
  ConflictTable(true);
  ConflictTable(false);
  Pipeline();
  Footer();
  out_ << "</body>\n</html>\n";
  return out_.str();
}

void HtmlWriter::Header() {
  out_ << "<header>\n<h1>Deal conflicts and joint pipeline review</h1>\n"
       << "<p class=\"meta\"><strong>" << HtmlEscape(r_.scope_name) << "</strong> &middot; as of "
       << When(r_.generated_at) << " &middot; amounts in " << HtmlEscape(currency_) << "</p>\n";
  out_ << "<p class=\"meta\" id=\"rates\">Exchange rates used: ";
  if (r_.rates_used.empty()) {
    out_ << "none (every amount was already in " << HtmlEscape(currency_) << ")";
  }
  for (size_t i = 0; i < r_.rates_used.size(); ++i) {
    out_ << (i ? ", " : "") << "1 " << HtmlEscape(r_.rates_used[i].currency) << " = "
         << FormatNanoRate(r_.rates_used[i].nano_rate) << " " << HtmlEscape(currency_);
  }
  out_ << ".";
  if (!r_.missing_rates.empty()) {
    out_ << " <strong>No rate configured for:";
    for (const std::string& c : r_.missing_rates) {
      out_ << " " << HtmlEscape(c);
    }
    out_ << "</strong> &mdash; those amounts are left out of totals.";
  }
  out_ << "</p>\n<nav><a href=\"#held\">Needs your decision</a><a href=\"#settled\">Settled "
       << "conflicts</a><a href=\"#pipeline\">Joint pipeline review</a>";
  for (const PartnerReview& p : r_.partners) {
    out_ << "<a href=\"#partner-" << Slug(p.id) << "\">" << HtmlEscape(p.name) << "</a>";
  }
  out_ << "</nav>\n</header>\n";
}

void HtmlWriter::Summary() {
  int held = 0;
  int64_t held_stake = 0;
  int settled = 0;
  for (const ConflictLine& line : r_.conflicts) {
    if (line.conflict.status == ConflictStatus::kHeldForReview) {
      ++held;
      held_stake += line.stake_minor.value_or(0);
    } else {
      ++settled;
    }
  }
  SideMetrics vendor;
  SideMetrics partner;
  for (const PartnerReview& p : r_.partners) {
    vendor.pipeline_minor += p.vendor.pipeline_minor;
    partner.pipeline_minor += p.partner.pipeline_minor;
  }
  out_ << "<section id=\"summary\" class=\"cards\">\n"
       << "<div class=\"card" << (held ? " held" : "") << "\"><div class=\"n\">" << held
       << "</div><div class=\"l\">held for your decision<br>" << Money(held_stake) << " "
       << HtmlEscape(currency_) << " at stake</div></div>\n"
       << "<div class=\"card\"><div class=\"n\">" << settled
       << "</div><div class=\"l\">settled conflicts<br>by policy or by a manager</div></div>\n"
       << "<div class=\"card\"><div class=\"n\">" << Money(vendor.pipeline_minor)
       << "</div><div class=\"l\">open pipeline, vendor view (" << HtmlEscape(currency_)
       << ")</div></div>\n<div class=\"card\"><div class=\"n\">" << Money(partner.pipeline_minor)
       << "</div><div class=\"l\">open pipeline, partner view (" << HtmlEscape(currency_)
       << ")</div></div>\n</section>\n";
}

void HtmlWriter::ConflictTable(bool held) {
  if (held) {
    out_ << "<section id=\"held\">\n<h2>Needs your decision</h2>\n<p class=\"note\">Conflicts "
         << "held for review, largest value at stake first. Each one's row ends with the command "
         << "that settles it: keep <code>--take vendor</code> or change it to <code>--take "
         << "partner</code> (or <code>--value V</code>), and say why in <code>--reason</code>. "
         << "It works whether or not dealsyncd is running.</p>\n";
  } else {
    out_ << "<section id=\"settled\">\n<h2>Settled conflicts</h2>\n<p class=\"note\">Both sides "
         << "changed the same field; the rule shown decided the result.</p>\n";
  }
  size_t rows = 0;
  for (const ConflictLine& line : r_.conflicts) {
    if ((line.conflict.status == ConflictStatus::kHeldForReview) != held) {
      continue;
    }
    if (rows++ == 0) {
      out_ << "<table class=\"conflicts\">\n<thead><tr><th>Deal</th><th>Field</th><th>Agreed "
           << "before</th><th>Vendor</th><th>Partner</th><th>Rule &rarr; result</th><th "
           << "class=\"num\">At stake (" << HtmlEscape(currency_) << ")</th><th>Status</th>"
           << "<th class=\"num\">Age</th></tr></thead>\n<tbody>\n";
    }
    ConflictRow(line);
  }
  if (rows == 0) {
    out_ << "<p class=\"empty\">" << (held ? "Nothing is waiting for a decision." : "None.")
         << "</p>\n";
  } else {
    out_ << "</tbody>\n</table>\n";
  }
  out_ << "</section>\n";
}

void HtmlWriter::Change(const char* side, Field field, const FieldChange& change) {
  out_ << "<td>"
       << (change.value.empty() ? "<span class=\"empty\">empty</span>"
                                : DisplayValue(field, change.value));
  if (change.modified_at != Timestamp{} || !change.modified_by.empty()) {
    out_ << "<span class=\"who\">" << side << (change.modified_by.empty() ? "" : " ")
         << HtmlEscape(change.modified_by) << ", " << When(change.modified_at) << "</span>";
  }
  out_ << "</td>";
}

void HtmlWriter::ConflictRow(const ConflictLine& line) {
  const Conflict& c = line.conflict;
  const std::string status(ConflictStatusName(c.status));
  out_ << "<tr class=\"" << (c.status == ConflictStatus::kHeldForReview ? "held" : "settled")
       << "\"><td><strong>" << HtmlEscape(c.deal_name) << "</strong><span class=\"ids\">"
       << HtmlEscape(c.account)
       << (r_.scope == "all" ? " &middot; " + HtmlEscape(line.partner_name) : "")
       << "</span><span class=\"ids\">vendor " << HtmlEscape(c.vendor_id) << " &middot; partner "
       << HtmlEscape(c.partner_id) << "</span><span class=\"ids\">" << HtmlEscape(c.id)
       << "</span></td><td>" << Words(FieldName(c.field)) << "</td><td>"
       << (c.base_value.empty() ? "<span class=\"empty\">none</span>"
                                : DisplayValue(c.field, c.base_value))
       << "</td>";
  Change("changed by vendor", c.field, c.vendor);
  Change("changed by partner", c.field, c.partner_change);
  out_ << "<td>" << HtmlEscape(c.rule) << " &rarr; "
       << (c.outcome_value.empty()
               ? "<em>waiting for a decision</em>"
               : "<strong>" + DisplayValue(c.field, c.outcome_value) + "</strong>");
  if (!c.explanation.empty()) {
    out_ << "<span class=\"who\">" << HtmlEscape(c.explanation) << "</span>";
  }
  if (!c.resolved_by.empty()) {
    out_ << "<span class=\"who\">resolved by " << HtmlEscape(c.resolved_by)
         << (c.resolved_at ? ", " + When(*c.resolved_at) : "") << "</span>";
  }
  out_ << "</td><td class=\"num\">" << Money(line.stake_minor) << "</td><td><span class=\"badge "
       << status << "\">" << Words(status) << "</span>";
  for (const std::string& flag : c.flags) {
    out_ << " <span class=\"flag\">" << HtmlEscape(Words(flag)) << "</span>";
  }
  out_ << "</td><td class=\"num\">" << line.age_days << " d</td></tr>\n";
  if (c.status == ConflictStatus::kHeldForReview) {
    out_ << "<tr class=\"settle\"><td colspan=\"9\"><code>" << HtmlEscape(SettleCommand(c))
         << "</code></td></tr>\n";
  }
}

// A command that runs as printed in a POSIX shell: the id and the config
// directory single-quoted, the user's name from $USER.
std::string HtmlWriter::SettleCommand(const Conflict& c) const {
  const auto quoted = [](const std::string& s) {
    std::string q = "'";
    for (char ch : s) {
      q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    }
    return q + "'";
  };
  std::string command = "dealsyncctl conflicts resolve " + quoted(c.id);
  if (!r_.config_dir.empty() && r_.config_dir != "/etc/dealsync") {
    command += " --config " + quoted(r_.config_dir);
  }
  return command + " --take vendor --by \"$USER\" --reason 'checked with the partner'";
}

void HtmlWriter::Pipeline() {
  out_ << "<section id=\"pipeline\">\n<h2>Joint pipeline review</h2>\n<p class=\"note\">Open "
       << "pipeline and weighted forecast (stage probability &times; amount) as each side sees "
       << "it. Vendor view: the vendor's deals linked to the partner. Partner view: every deal in "
       << "the partner's CRM.</p>\n";
  if (!r_.partners.empty()) {
    out_ << report_internal::PipelineByPartnerSvg(r_.partners, currency_) << "\n";
  }
  if (r_.scope == "all" && r_.partners.size() > 1) {
    out_ << "<h3>All partners</h3>\n";
    MetricsTable(r_.all_vendor, r_.all_partner, false);
  }
  for (const PartnerReview& p : r_.partners) {
    PartnerSection(p);
  }
  if (r_.scope == "all") {
    out_ << "<section id=\"vendor-only\">\n";
    DealTable("Vendor deals linked to no partner", r_.only_vendor,
              "Every vendor deal is linked to a partner deal.");
    out_ << "</section>\n";
  }
  out_ << "</section>\n";
}

void HtmlWriter::MetricsTable(const SideMetrics& v, const SideMetrics& p, bool with_coverage) {
  out_
      << "<table class=\"metrics\">\n<thead><tr><th></th><th class=\"num\">Vendor view</th><th "
      << "class=\"num\">Partner view</th><th class=\"num\">Difference</th></tr></thead>\n<tbody>\n";
  auto row = [&](const char* label, const std::string& a, const std::string& b,
                 const std::string& diff, bool negative) {
    out_ << "<tr><th scope=\"row\">" << label << "</th><td class=\"num\">" << a
         << "</td><td class=\"num\">" << b << "</td><td class=\"num" << (negative ? " neg" : "")
         << "\">" << diff << "</td></tr>\n";
  };
  auto count = [](int n) { return std::to_string(n); };
  const std::string cur = " (" + HtmlEscape(currency_) + ")";
  row("Open deals", count(v.open_deals), count(p.open_deals), count(p.open_deals - v.open_deals),
      false);
  row(("Open pipeline" + cur).c_str(), Money(v.pipeline_minor), Money(p.pipeline_minor),
      Money(p.pipeline_minor - v.pipeline_minor), p.pipeline_minor < v.pipeline_minor);
  row(("Weighted forecast" + cur).c_str(), Money(v.weighted_minor), Money(p.weighted_minor),
      Money(p.weighted_minor - v.weighted_minor), p.weighted_minor < v.weighted_minor);
  row("Won / lost deals", count(v.won_deals) + " / " + count(v.lost_deals),
      count(p.won_deals) + " / " + count(p.lost_deals), "", false);
  row("Win rate", Percent(v.win_rate_bp), Percent(p.win_rate_bp), "", false);
  row(("Average won deal" + cur).c_str(), Money(v.average_won_minor), Money(p.average_won_minor),
      "", false);
  if (with_coverage && r_.pipeline_target_minor) {
    row(("Coverage of target " + Money(r_.pipeline_target_minor) + cur).c_str(),
        Percent(v.coverage_bp), Percent(p.coverage_bp), "", false);
  }
  if (v.unpriced + p.unpriced > 0) {
    row("Deals without a usable amount", count(v.unpriced), count(p.unpriced), "", false);
  }
  out_ << "</tbody>\n</table>\n";
}

void HtmlWriter::ConversionTable(const SideMetrics& v, const SideMetrics& p) {
  out_ << "<h4>Stage conversion</h4>\n<table class=\"conversion\">\n<thead><tr><th>Stage</th><th "
       << "class=\"num\">Probability</th><th class=\"num\">Vendor: now in stage</th><th "
       << "class=\"num\">Vendor: reached</th><th class=\"num\">Partner: now in stage</th><th "
       << "class=\"num\">Partner: reached</th></tr></thead>\n<tbody>\n";
  for (Stage s : AllStages()) {
    const int i = static_cast<int>(s);
    const bool lost = s == Stage::kClosedLost;
    out_ << "<tr><th scope=\"row\">" << Words(StageName(s)) << "</th><td class=\"num\">"
         << DefaultProbabilityPercent(s) << "%</td><td class=\"num\">" << v.in_stage[i]
         << "</td><td class=\"num\">" << (lost ? "&mdash;" : std::to_string(v.reached[i]))
         << "</td><td class=\"num\">" << p.in_stage[i] << "</td><td class=\"num\">"
         << (lost ? "&mdash;" : std::to_string(p.reached[i])) << "</td></tr>\n";
  }
  out_ << "</tbody>\n</table>\n";
}

void HtmlWriter::DealTable(const char* title, const std::vector<DealLine>& deals,
                           const char* empty) {
  out_ << "<h4>" << title << " (" << deals.size() << ")</h4>\n";
  if (deals.empty()) {
    out_ << "<p class=\"empty\">" << empty << "</p>\n";
    return;
  }
  out_ << "<table class=\"deals\">\n<thead><tr><th>Deal</th><th>Side</th><th>Stage</th><th "
       << "class=\"num\">Amount</th><th class=\"num\">" << HtmlEscape(currency_)
       << "</th><th>Close "
       << "date</th><th>Why it is listed</th></tr></thead>\n<tbody>\n";
  for (const DealLine& d : deals) {
    out_ << "<tr><td><strong>" << HtmlEscape(d.name) << "</strong><span class=\"ids\">"
         << HtmlEscape(d.account) << " &middot; " << HtmlEscape(d.native_id)
         << (d.other_id.empty() ? "" : " &harr; " + HtmlEscape(d.other_id)) << "</span></td><td>"
         << HtmlEscape(d.side) << "</td><td>" << (d.stage ? Words(StageName(*d.stage)) : "&mdash;")
         << "</td><td class=\"num\">" << NativeMoney(d.amount) << "</td><td class=\"num\">"
         << Money(d.amount_minor) << "</td><td>"
         << (d.close_date ? FormatDate(*d.close_date) : "&mdash;") << "</td><td>"
         << HtmlEscape(d.detail) << "</td></tr>\n";
  }
  out_ << "</tbody>\n</table>\n";
}

void HtmlWriter::PartnerSection(const PartnerReview& p) {
  out_ << "<article class=\"partner\" id=\"partner-" << Slug(p.id) << "\">\n<h3>"
       << HtmlEscape(p.name) << " <span class=\"ids\">" << HtmlEscape(p.id) << " &middot; "
       << p.linked_deals << " linked deals &middot; conflicts: " << p.held_conflicts << " held, "
       << p.auto_resolved_conflicts << " settled by policy, " << p.operator_resolved_conflicts
       << " settled by a manager</span></h3>\n";
  MetricsTable(p.vendor, p.partner, true);
  out_ << report_internal::StageDistributionSvg(p.vendor, p.partner, "Deals per stage, " + p.name)
       << "\n";
  ConversionTable(p.vendor, p.partner);
  DealTable("Only in the partner's CRM", p.only_partner, "Every partner deal is linked.");
  DealTable("Stalled deals", p.stalled, "No deal has sat in one stage too long.");
  DealTable("Stage skips and regressions", p.stage_moves, "None recorded.");
  DealTable("Slipped close dates", p.slipped, "No close date slipped.");
  out_ << "</article>\n";
}

void HtmlWriter::Footer() {
  out_
      << "<footer>\n<p>How these numbers are computed:</p>\n<ul>\n"
      << "<li>Weighted forecast = amount &times; stage probability (prospect 10%, qualified 20%, "
      << "discovery 30%, solution 50%, proposal 70%), summed over open deals.</li>\n"
      << "<li>Win rate = won / (won + lost) deals. Average won deal = won value / won deals.</li>\n"
      << "<li>Stalled: an open deal unchanged in its stage for more than " << r_.stalled_after_days
      << " days (time of the record's last change in its CRM).</li>\n"
      << "<li>Reached: open and won deals at or past a stage; lost deals are not counted past "
      << "entry because the stage they were lost in is not known.</li>\n"
      << "<li>Stage skips, regressions and moved close dates come from the conflicts recorded "
      << "for each deal; past-due close dates from each side's current records.</li>\n"
      << "<li>All amounts converted to " << HtmlEscape(currency_)
      << " with the rates listed at the top, each amount rounded once to the cent (minor "
         "unit).</li>\n</ul>\n"
      << "<p>Generated by dealsync at " << When(r_.generated_at) << ".</p>\n</footer>\n";
}

}  // namespace

std::string RenderReportHtml(const Report& report) {
  return HtmlWriter(report).Render();
}

}  // namespace dealsync
