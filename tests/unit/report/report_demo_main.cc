// dealsync_report_demo: writes the report of the fixed test dataset, for
// scripts/report-screenshot.sh and for looking at the layout by hand.
//   dealsync_report_demo OUT [html|csv|pipeline-csv|json] [PARTNER]
#include <fstream>
#include <iostream>

#include "dealsync/report.h"
#include "tests/unit/report/report_fixture.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: dealsync_report_demo OUT [html|csv|pipeline-csv|json] [PARTNER]\n";
    return 2;
  }
  const std::string format = argc > 2 ? argv[2] : "html";
  dealsync::ReportOptions options;
  options.partner = argc > 3 ? argv[3] : "";
  dealsync::Result<dealsync::Report> report =
      dealsync::BuildReport(dealsync::testing::MakeFixedReportInput(), options);
  if (!report.ok()) {
    std::cerr << report.status().ToString() << "\n";
    return 1;
  }
  std::string text;
  if (format == "html") {
    text = dealsync::RenderReportHtml(*report);
  } else if (format == "csv") {
    text = dealsync::RenderConflictsCsv(*report);
  } else if (format == "pipeline-csv") {
    text = dealsync::RenderPipelineCsv(*report);
  } else if (format == "json") {
    text = dealsync::RenderReportJson(*report);
  } else {
    std::cerr << "unknown format " << format << "\n";
    return 2;
  }
  std::ofstream out(argv[1], std::ios::binary);
  out << text;
  return out ? 0 : 1;
}
