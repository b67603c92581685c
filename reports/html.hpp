// One self-contained HTML page for people: inline CSS, inline JS and inline SVG, no network
// (a Content-Security-Policy meta forbids any fetch), so it can be archived as a CI artifact
// and opened anywhere.
//
// Sections (element ids): #summary (outcome counts, a stacked bar and the verdict),
// #file-errors (when case files were malformed), #reference-behaviour (Fail of cases tagged
// "inferred": the spec row is inferred, so the endpoint may be right), #plots (#outcome-donut,
// #latency-histogram), #operations (operation × outcome counts), #tags (tag × outcome counts),
// #cases (a filter box and outcome toggles over the case list; each case expands to its
// message, context and recorded requests/responses). Every piece of report text is
// HTML-escaped; control characters are removed and invalid UTF-8 becomes U+FFFD.
//
// The filter box keeps the cases that match every whitespace-separated term, case-insensitively:
// a term "dialect:<d>", "outcome:<o>", "tag:<t>" or "op:<operation>" must equal one of the
// case's tokens (so op:CreateKey does not match CreateKeyring); any other term is a substring
// of the id, title, doc, file, message or xfail reason. The outcome checkboxes narrow further.
// Clicking a matrix row or cell sets the filter to its tokens.
#pragma once

#include <string>

#include "conformance/results.hpp"

namespace kmsconf::reports {

std::string to_html(const conformance::RunReport& report);

// Throws std::runtime_error naming the path when it cannot be written.
void write_html(const conformance::RunReport& report, const std::string& path);

}  // namespace kmsconf::reports
