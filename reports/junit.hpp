// JUnit XML for CI systems: valid against the Jenkins/Ant junit-10 schema
// (tests/data/junit-10.xsd), which Jenkins, GitLab, GitHub test reporters and Azure read.
//
// <testsuites> holds one <testsuite name="kmsconf.<dialect>"> per dialect (in the order the
// dialects first appear in the run) and, when case files were malformed, one
// <testsuite name="kmsconf.case-files"> with an <error> per file error. Each case is
// <testcase classname="kmsconf.<dialect>.<first tag or file stem>" name="<id>" time="s.mmm">:
//   Fail, XPass    -> <failure message="first line" type="ExpectationFailed|UnexpectedPass|
//                     ReferenceServerBehaviour">message, "at file:line", recorded
//                     exchanges (CRLF shown as LF, each part capped at 8 KiB)</failure>
//                     (ReferenceServerBehaviour: a Fail of a case tagged "inferred")
//   Error          -> <error message type="EngineError">…</error>
//   Skip, Disabled -> <skipped message="…"/> (Skip: the failed prerequisite's exchanges in
//                     <system-out>)
//   XFail          -> no failure element (it passes); <system-out> starts with the reason
// A testsuite's time is the sum of its cases' times; <testsuites time> is the run's wall
// clock (cases may run in parallel, so it can be the smaller).
// Every testcase has a <system-out> with its doc reference, tags, operations and file:line.
// The schema allows <properties> only on <testsuite>, so per-case properties live there as
// "<id>.doc", "<id>.tags" and "<id>.xfail_reason", next to kmsconf.tool_version,
// kmsconf.endpoint, kmsconf.run_prefix, kmsconf.started_at and kmsconf.dialect.
// All text is escaped; control characters are removed and invalid UTF-8 becomes U+FFFD.
#pragma once

#include <string>

#include "conformance/results.hpp"

namespace kmsconf::reports {

std::string to_junit_xml(const conformance::RunReport& report);

// Throws std::runtime_error naming the path when it cannot be written.
void write_junit(const conformance::RunReport& report, const std::string& path);

}  // namespace kmsconf::reports
