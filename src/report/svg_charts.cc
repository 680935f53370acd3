#include "src/report/svg_charts.h"

#include <algorithm>

#include "src/report/escape.h"
#include "src/report/report_money.h"

namespace dealsync::report_internal {
namespace {

constexpr const char* kVendorColour = "#2f5d8a";
constexpr const char* kPartnerColour = "#e0a030";

std::string Attr(const char* name, int64_t value) {
  return std::string(" ") + name + "=\"" + std::to_string(value) + "\"";
}

std::string Rect(int64_t x, int64_t y, int64_t w, int64_t h, const char* fill) {
  return "<rect" + Attr("x", x) + Attr("y", y) + Attr("width", w) + Attr("height", h) + " fill=\"" +
         fill + "\"/>";
}

std::string Text(int64_t x, int64_t y, const std::string& text, const char* anchor = "start",
                 const char* extra = "") {
  return "<text" + Attr("x", x) + Attr("y", y) + " text-anchor=\"" + anchor + "\"" + extra + ">" +
         HtmlEscape(text) + "</text>";
}

std::string Legend(int64_t x, int64_t y) {
  return Rect(x, y - 9, 10, 10, kVendorColour) + Text(x + 14, y, "Vendor view") +
         Rect(x + 110, y - 9, 10, 10, kPartnerColour) + Text(x + 124, y, "Partner view");
}

std::string Open(int64_t width, int64_t height, const std::string& title) {
  return "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) + "\"" + Attr("width", width) +
         Attr("height", height) + " aria-label=\"" + HtmlEscape(title) + "\"><title>" +
         HtmlEscape(title) + "</title>";
}

std::string StageLabel(Stage s) {
  std::string out(StageName(s));
  for (char& ch : out) {
    ch = ch == '_' ? ' ' : ch;
  }
  return out;
}

}  // namespace

std::string ShortAmount(int64_t minor, const std::string& currency) {
  const int digits = CurrencyMinorDigits(currency).value_or(2);
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) {
    unit *= 10;
  }
  const int64_t whole = DivRound(minor, unit);
  const int64_t magnitude = whole < 0 ? -whole : whole;
  if (magnitude >= 1'000'000) {
    // One decimal of millions: 1'250'000 -> "1.3M".
    const int64_t tenths = DivRound(whole, 100'000);
    const int64_t abs_tenths = tenths < 0 ? -tenths : tenths;
    return std::string(tenths < 0 ? "-" : "") + std::to_string(abs_tenths / 10) + "." +
           std::to_string(abs_tenths % 10) + "M";
  }
  if (magnitude >= 10'000) {
    return std::to_string(DivRound(whole, 1000)) + "k";
  }
  return std::to_string(whole);
}

std::string PipelineByPartnerSvg(const std::vector<PartnerReview>& partners,
                                 const std::string& currency) {
  constexpr int64_t kLabelWidth = 170;
  constexpr int64_t kBarArea = 420;
  constexpr int64_t kRowHeight = 44;
  constexpr int64_t kTop = 28;
  const int64_t width = kLabelWidth + kBarArea + 80;
  const int64_t height = kTop + kRowHeight * static_cast<int64_t>(partners.size()) + 8;
  int64_t max_value = 1;
  for (const PartnerReview& p : partners) {
    max_value = std::max({max_value, p.vendor.pipeline_minor, p.partner.pipeline_minor});
  }
  std::string svg = Open(
      width, height, "Open pipeline per partner, vendor view vs partner view (" + currency + ")");
  svg += Legend(kLabelWidth, 14);
  int64_t y = kTop;
  for (const PartnerReview& p : partners) {
    svg += Text(kLabelWidth - 8, y + 22, p.name, "end", " class=\"label\"");
    int64_t bar_y = y + 4;
    for (const SideMetrics* side : {&p.vendor, &p.partner}) {
      const int64_t value = std::max<int64_t>(0, side->pipeline_minor);
      const int64_t bar = value * kBarArea / max_value;
      svg += Rect(kLabelWidth, bar_y, std::max<int64_t>(bar, 1), 16,
                  side == &p.vendor ? kVendorColour : kPartnerColour);
      svg += Text(kLabelWidth + bar + 6, bar_y + 12, ShortAmount(side->pipeline_minor, currency),
                  "start", " class=\"value\"");
      bar_y += 18;
    }
    y += kRowHeight;
  }
  svg += "</svg>";
  return svg;
}

std::string StageDistributionSvg(const SideMetrics& vendor, const SideMetrics& partner,
                                 const std::string& title) {
  constexpr int64_t kLeft = 30;
  constexpr int64_t kGroupWidth = 84;
  constexpr int64_t kBarWidth = 26;
  constexpr int64_t kPlotHeight = 120;
  constexpr int64_t kTop = 30;
  const int64_t width = kLeft + kGroupWidth * kStageCount + 10;
  const int64_t height = kTop + kPlotHeight + 34;
  int64_t max_count = 1;
  for (int i = 0; i < kStageCount; ++i) {
    max_count = std::max<int64_t>({max_count, vendor.in_stage[i], partner.in_stage[i]});
  }
  std::string svg = Open(width, height, title);
  svg += Legend(kLeft, 14);
  const int64_t baseline = kTop + kPlotHeight;
  svg += "<line" + Attr("x1", kLeft) + Attr("y1", baseline) + Attr("x2", width - 10) +
         Attr("y2", baseline) + " stroke=\"#999\"/>";
  for (int i = 0; i < kStageCount; ++i) {
    const int64_t group_x = kLeft + i * kGroupWidth + 12;
    const int64_t counts[2] = {vendor.in_stage[i], partner.in_stage[i]};
    for (int side = 0; side < 2; ++side) {
      const int64_t h = counts[side] * kPlotHeight / max_count;
      const int64_t x = group_x + side * (kBarWidth + 4);
      svg += Rect(x, baseline - h, kBarWidth, std::max<int64_t>(h, 0),
                  side == 0 ? kVendorColour : kPartnerColour);
      svg += Text(x + kBarWidth / 2, baseline - h - 4, std::to_string(counts[side]), "middle",
                  " class=\"value\"");
    }
    svg += Text(group_x + kBarWidth + 2, baseline + 16,
                StageLabel(AllStages()[static_cast<size_t>(i)]), "middle", " class=\"label\"");
  }
  svg += "</svg>";
  return svg;
}

}  // namespace dealsync::report_internal
