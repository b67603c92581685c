// Workload files: the fixtures load, every bad file says FILE:LINE: FIELD: reason, payload sizes
// sample as defined, the fingerprint identifies what is sent, the schema matches the loader.
#include "loadgen/workload.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "protocol/digest.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::StartsWith;

const std::string kFixtures = std::string(KMSCONF_SOURCE_DIR) + "/fixtures";

// The problems parse_workload reports for `text` (named w.json), one string each.
std::vector<std::string> problems(const std::string& text) {
  try {
    parse_workload(text, "w.json");
  } catch (const WorkloadError& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems()) out.push_back(p.to_string());
    return out;
  }
  return {};
}

// A workload with one operation entry written as `op` (a JSON object body) on line 3.
std::string one_op(const std::string& op) {
  return "{\n  \"name\": \"t\",\n  \"operations\": [ {" + op + "} ]\n}";
}

// ---- the fixtures ---------------------------------------------------------------------------

TEST(WorkloadFixtures, EncryptIsEncryptOnlyWith256BytePlaintexts) {
  const Workload w = load_workload(kFixtures + "/workloads/encrypt.json");
  EXPECT_EQ(w.name, "encrypt");
  EXPECT_EQ(w.source, kFixtures + "/workloads/encrypt.json");
  ASSERT_EQ(w.operations.size(), 1u);
  const auto& op = w.operations[0];
  EXPECT_EQ(op.op, "Encrypt");
  EXPECT_EQ(op.weight, 1);  // default
  EXPECT_EQ(op.payload, PayloadSizes::fixed(256));
  EXPECT_FALSE(op.encryption_context);
  EXPECT_EQ(w.setup.keys, 1);
  EXPECT_EQ(w.setup.ciphertexts, 0);  // no Decrypt, no ciphertexts
  EXPECT_TRUE(w.teardown.schedule_deletion);
  EXPECT_EQ(w.teardown.pending_window_days, 7);
}

TEST(WorkloadFixtures, EnvelopeMixIs70_20_10) {
  const Workload w = load_workload(kFixtures + "/workloads/envelope-mix.json");
  EXPECT_EQ(w.name, "envelope-mix");
  EXPECT_THAT(w.description, StartsWith("70% Encrypt"));
  ASSERT_EQ(w.operations.size(), 3u);
  const auto& encrypt = w.operations[0];
  EXPECT_EQ(encrypt.op, "Encrypt");
  EXPECT_EQ(encrypt.weight, 70);
  EXPECT_EQ(encrypt.payload.kind(), PayloadSizes::Kind::Weighted);
  EXPECT_THAT(encrypt.payload.choices(), ElementsAre(SizeChoice{256, 80}, SizeChoice{3072, 20}));
  EXPECT_EQ(encrypt.payload.min_bytes(), 256u);
  EXPECT_EQ(encrypt.payload.max_bytes(), 3072u);
  EXPECT_TRUE(encrypt.encryption_context);
  EXPECT_EQ(w.operations[1].op, "Decrypt");
  EXPECT_EQ(w.operations[1].weight, 20);
  EXPECT_TRUE(w.operations[1].encryption_context);
  EXPECT_EQ(w.operations[2].op, "GenerateDataKey");
  EXPECT_EQ(w.operations[2].weight, 10);
  EXPECT_EQ(w.operations[2].number_of_bytes, 32u);
  EXPECT_FALSE(w.operations[2].encryption_context);
  EXPECT_EQ(w.setup.keys, 4);
  EXPECT_EQ(w.setup.ciphertexts, 64);
  EXPECT_TRUE(w.teardown.schedule_deletion);
  EXPECT_EQ(w.teardown.pending_window_days, 7);
  // Setup's ciphertexts have the Encrypt operation's plaintext sizes.
  EXPECT_EQ(w.setup_plaintext_sizes(), encrypt.payload);
}

TEST(WorkloadFormat, DefaultsFillWhatIsNotWritten) {
  const Workload w = parse_workload(R"({"name": "d", "operations": [
      {"op": "Encrypt"}, {"op": "Decrypt"}, {"op": "GenerateDataKey"}, {"op": "DescribeKey"},
      {"op": "DescribeRegions"}]})",
                                    "d.json");
  EXPECT_EQ(w.description, "");
  ASSERT_EQ(w.operations.size(), 5u);
  for (const auto& op : w.operations) {
    EXPECT_EQ(op.weight, 1) << op.op;
    EXPECT_FALSE(op.encryption_context) << op.op;
  }
  EXPECT_EQ(w.operations[0].payload, PayloadSizes::fixed(256));
  EXPECT_EQ(w.operations[2].number_of_bytes, 32u);
  EXPECT_EQ(w.setup.keys, 1);
  EXPECT_EQ(w.setup.ciphertexts, 64);  // Decrypt is sent and setup.ciphertexts is absent
  EXPECT_TRUE(w.teardown.schedule_deletion);
  EXPECT_EQ(w.teardown.pending_window_days, 7);
}

TEST(WorkloadFormat, UniformSizesAndEveryFieldWritten) {
  const Workload w = parse_workload(R"({
    "name": "u", "description": "range",
    // comments are allowed, as in case files
    "setup": {"keys": 100, "ciphertexts": 10000},
    "operations": [
      {"op": "Encrypt", "weight": 0.5, "payload": {"min_bytes": 1, "max_bytes": 4096},
       "encryption_context": true},
      {"op": "Decrypt", "weight": 0.001},
      {"op": "GenerateDataKey", "weight": 1000000, "number_of_bytes": 1024}
    ],
    "teardown": {"schedule_deletion": false, "pending_window_days": 30}})",
                                    "u.json");
  EXPECT_EQ(w.operations[0].payload, PayloadSizes::uniform(1, 4096));
  EXPECT_EQ(w.operations[0].weight, 0.5);
  EXPECT_EQ(w.operations[1].weight, 0.001);
  EXPECT_EQ(w.operations[2].weight, 1e6);
  EXPECT_EQ(w.operations[2].number_of_bytes, 1024u);
  EXPECT_EQ(w.setup.keys, 100);
  EXPECT_EQ(w.setup.ciphertexts, 10000);
  EXPECT_FALSE(w.teardown.schedule_deletion);
  EXPECT_EQ(w.teardown.pending_window_days, 30);
}

TEST(WorkloadFormat, SingleOperationWorkloadForDashDashOp) {
  const Workload encrypt = single_operation_workload("Encrypt");
  EXPECT_EQ(encrypt.name, "Encrypt");
  EXPECT_EQ(encrypt.source, "--op Encrypt");
  ASSERT_EQ(encrypt.operations.size(), 1u);
  EXPECT_EQ(encrypt.operations[0].op, "Encrypt");
  EXPECT_EQ(encrypt.operations[0].payload, PayloadSizes::fixed(256));
  EXPECT_EQ(encrypt.setup.ciphertexts, 0);
  EXPECT_EQ(single_operation_workload("Decrypt").setup.ciphertexts, 64);
  for (const auto op : kWorkloadOperations) {
    EXPECT_NO_THROW(single_operation_workload(std::string(op))) << op;
  }
  try {
    single_operation_workload("Encrpt");
    FAIL() << "an unknown op must throw";
  } catch (const WorkloadError& e) {
    EXPECT_STREQ(e.what(), "--op: unknown operation \"Encrpt\" (did you mean \"Encrypt\"?)");
  }
}

// ---- errors: FILE:LINE: FIELD: reason, all at once ------------------------------------------

TEST(WorkloadErrors, UnknownFieldsWithSuggestions) {
  EXPECT_THAT(problems("{\n  \"name\": \"t\",\n  \"operation\": []\n}"),
              ElementsAre("w.json:1: operations: is required",
                          "w.json:3: operation: unknown field \"operation\" (did you mean "
                          "\"operations\"?)"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "wieght": 3)")),
              ElementsAre("w.json:3: operations[0].wieght: unknown field \"wieght\" (did you "
                          "mean \"weight\"?)"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "color": 3)")),
              ElementsAre("w.json:3: operations[0].color: unknown field \"color\""));
  EXPECT_THAT(problems("{\"name\": \"t\", \"operations\": [{\"op\": \"Decrypt\"}],\n"
                       "\"setup\": {\"key\": 2},\n\"teardown\": {\"pending_window\": 7}}"),
              ElementsAre("w.json:2: setup.key: unknown field \"key\" (did you mean \"keys\"?)",
                          "w.json:3: teardown.pending_window: unknown field \"pending_window\""));
}

TEST(WorkloadErrors, BadWeights) {
  const std::string file = R"({
  "name": "bad",
  "operations": [
    { "op": "Encrypt", "weight": 70 },
    {
      "op": "Decrypt",
      "weight": -3
    }
  ]
})";
  EXPECT_THAT(problems(file),
              ElementsAre("w.json:7: operations[1].weight: must be a positive number, got -3"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "weight": 0)")),
              ElementsAre("w.json:3: operations[0].weight: must be a positive number, got 0"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "weight": "high")")),
              ElementsAre("w.json:3: operations[0].weight: must be a positive number, got a "
                          "string"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "weight": 0.0001)")),
              ElementsAre("w.json:3: operations[0].weight: must be at least 0.001, got 0.0001"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "weight": 2000000)")),
              ElementsAre("w.json:3: operations[0].weight: must be at most 1000000, got "
                          "2000000"));
}

TEST(WorkloadErrors, FieldsOnOperationsThatDoNotTakeThem) {
  EXPECT_THAT(problems(one_op(R"("op": "Decrypt", "payload": {"bytes": 16})")),
              ElementsAre("w.json:3: operations[0].payload: only Encrypt takes a payload (its "
                          "plaintext sizes), not Decrypt"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "number_of_bytes": 16)")),
              ElementsAre("w.json:3: operations[0].number_of_bytes: only GenerateDataKey takes "
                          "it, not Encrypt"));
  EXPECT_THAT(problems(one_op(R"("op": "DescribeKey", "encryption_context": true)")),
              ElementsAre("w.json:3: operations[0].encryption_context: only Encrypt, Decrypt "
                          "and GenerateDataKey take it, not DescribeKey"));
  EXPECT_THAT(problems("{\"name\": \"t\", \"operations\": [{\"op\": \"Encrypt\"}],\n"
                       "\"setup\": {\"ciphertexts\": 8}}"),
              ElementsAre("w.json:2: setup.ciphertexts: only Decrypt uses them, and the "
                          "workload does not send Decrypt"));
}

TEST(WorkloadErrors, SizesOutOfRange) {
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "payload": {"bytes": 5000})")),
              ElementsAre("w.json:3: operations[0].payload.bytes: must be from 1 to 4096, got "
                          "5000"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "payload": {"bytes": 0})")),
              ElementsAre("w.json:3: operations[0].payload.bytes: must be from 1 to 4096, got 0"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "payload": {"bytes": 25.5})")),
              ElementsAre("w.json:3: operations[0].payload.bytes: must be an integer, got a "
                          "number"));
  EXPECT_THAT(problems(one_op(R"("op": "GenerateDataKey", "number_of_bytes": 2048)")),
              ElementsAre("w.json:3: operations[0].number_of_bytes: must be from 1 to 1024, got "
                          "2048"));
  EXPECT_THAT(
      problems(one_op(R"("op": "Encrypt", "payload": {"min_bytes": 512, "max_bytes": 64})")),
      ElementsAre("w.json:3: operations[0].payload.min_bytes: must not exceed max_bytes (64), "
                  "got 512"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "payload": {"min_bytes": 512})")),
              ElementsAre("w.json:3: operations[0].payload.max_bytes: is required"));
  EXPECT_THAT(problems("{\"name\": \"t\", \"operations\": [{\"op\": \"Decrypt\"}],\n"
                       "\"setup\": {\"keys\": 101, \"ciphertexts\": 0},\n"
                       "\"teardown\": {\"pending_window_days\": 6}}"),
              ElementsAre("w.json:2: setup.keys: must be from 1 to 100, got 101",
                          "w.json:2: setup.ciphertexts: must be from 1 to 10000, got 0",
                          "w.json:3: teardown.pending_window_days: must be from 7 to 30, got 6"));
}

TEST(WorkloadErrors, PayloadNeedsExactlyOneForm) {
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "payload": {})")),
              ElementsAre("w.json:3: operations[0].payload: needs one of bytes, min_bytes with "
                          "max_bytes, or sizes"));
  EXPECT_THAT(
      problems(one_op(R"("op": "Encrypt", "payload": {"bytes": 16, "sizes": []})")),
      ElementsAre("w.json:3: operations[0].payload: takes only one of bytes, min_bytes with "
                  "max_bytes, or sizes"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "payload": {"sizes": []})")),
              ElementsAre("w.json:3: operations[0].payload.sizes: must list at least one size"));
}

TEST(WorkloadErrors, NestedSizesPointAtTheirOwnLines) {
  const std::string file = R"({
  "name": "t",
  "operations": [
    { "op": "Encrypt", "payload": { "sizes": [
      { "bytes": 256 },
      { "bytes": 9999, "weight": 0 },
      { "byte": 16 }
    ] } }
  ]
})";
  EXPECT_THAT(
      problems(file),
      ElementsAre(
          "w.json:6: operations[0].payload.sizes[1].bytes: must be from 1 to 4096, got 9999",
          "w.json:6: operations[0].payload.sizes[1].weight: must be a positive number, got 0",
          "w.json:7: operations[0].payload.sizes[2].byte: unknown field \"byte\" (did you mean "
          "\"bytes\"?)",
          "w.json:7: operations[0].payload.sizes[2].bytes: is required"));
}

TEST(WorkloadErrors, UnknownAndRepeatedOperations) {
  EXPECT_THAT(problems(one_op(R"("op": "Encrpyt")")),
              ElementsAre("w.json:3: operations[0].op: unknown operation \"Encrpyt\" (did you "
                          "mean \"Encrypt\"?)"));
  EXPECT_THAT(problems(one_op(R"("op": "Sign")")),
              ElementsAre("w.json:3: operations[0].op: unknown operation \"Sign\" (one of "
                          "Encrypt, Decrypt, GenerateDataKey, DescribeKey, DescribeRegions)"));
  EXPECT_THAT(problems(one_op(R"("weight": 2)")),
              ElementsAre("w.json:3: operations[0].op: is required"));
  EXPECT_THAT(problems("{\"name\": \"t\", \"operations\": [\n{\"op\": \"Encrypt\"},\n"
                       "{\"op\": \"Encrypt\", \"payload\": {\"bytes\": 16}}]}"),
              ElementsAre("w.json:3: operations[1].op: Encrypt is already at operations[0] "
                          "(line 2); list each operation once (payload.sizes gives several "
                          "sizes)"));
}

TEST(WorkloadErrors, InvalidJsonSaysWhere) {
  const auto found = problems("{\n  \"name\": \"t\",\n  \"operations\": [\n    {\"op\": }\n]}");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], StartsWith("w.json:4: invalid JSON (column 12): "));
  EXPECT_THAT(problems("{\"name\": \"t\",\n\"operations\": [],\n"),
              ElementsAre(StartsWith("w.json:3: invalid JSON")));
}

TEST(WorkloadErrors, WrongShapes) {
  EXPECT_THAT(problems("[]"), ElementsAre("w.json:1: the file must hold a JSON object, got an "
                                          "array"));
  EXPECT_THAT(problems("{\n\"name\": \"t\",\n\"operations\": []\n}"),
              ElementsAre("w.json:3: operations: must list at least one operation"));
  EXPECT_THAT(problems("{\n\"name\": \"\",\n\"operations\": {}\n}"),
              ElementsAre("w.json:2: name: must not be empty",
                          "w.json:3: operations: must be an array, got an object"));
  EXPECT_THAT(problems("{\"operations\": [7]}"),
              ElementsAre("w.json:1: name: is required",
                          "w.json:1: operations[0]: must be an object, got an integer"));
  EXPECT_THAT(problems(one_op(R"("op": "Encrypt", "encryption_context": "yes")")),
              ElementsAre("w.json:3: operations[0].encryption_context: must be a boolean, got a "
                          "string"));
}

TEST(WorkloadErrors, EveryProblemOfAFileAtOnceInFileOrder) {
  const std::string file = R"({
  "name": "many",
  "setup": { "keys": 0 },
  "operations": [
    { "op": "Encrypt", "weight": -1, "payload": { "bytes": 5000 } },
    { "op": "Decrypt", "payload": { "bytes": 16 } },
    { "op": "GenerateDatakey" }
  ],
  "teardwn": {}
})";
  const std::vector<std::string> expected = {
      "w.json:3: setup.keys: must be from 1 to 100, got 0",
      "w.json:5: operations[0].weight: must be a positive number, got -1",
      "w.json:5: operations[0].payload.bytes: must be from 1 to 4096, got 5000",
      "w.json:6: operations[1].payload: only Encrypt takes a payload (its plaintext sizes), not "
      "Decrypt",
      "w.json:7: operations[2].op: unknown operation \"GenerateDatakey\" (did you mean "
      "\"GenerateDataKey\"?)",
      "w.json:9: teardwn: unknown field \"teardwn\" (did you mean \"teardown\"?)",
  };
  EXPECT_EQ(problems(file), expected);
  try {
    parse_workload(file, "w.json");
    FAIL() << "must throw";
  } catch (const WorkloadError& e) {
    std::string joined;
    for (const auto& line : expected) joined += (joined.empty() ? "" : "\n") + line;
    EXPECT_EQ(e.what(), joined);
    EXPECT_EQ(e.problems()[0].line, 3);
    EXPECT_EQ(e.problems()[0].field, "setup.keys");
  }
}

TEST(WorkloadErrors, UnreadableFile) {
  try {
    load_workload("/nonexistent/w.json");
    FAIL() << "must throw";
  } catch (const WorkloadError& e) {
    EXPECT_THAT(e.what(), StartsWith("/nonexistent/w.json: cannot read the file: "));
  }
}

// ---- payload sizes ------------------------------------------------------------------------

TEST(PayloadSizes, FixedAlwaysGivesItsSize) {
  std::mt19937_64 rng(1);
  const auto sizes = PayloadSizes::fixed(300);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sizes.sample(rng), 300u);
  EXPECT_EQ(sizes.max_bytes(), 300u);
}

TEST(PayloadSizes, UniformStaysInItsRangeAndReachesBothEnds) {
  std::mt19937_64 rng(2);
  const auto sizes = PayloadSizes::uniform(10, 13);
  std::map<std::size_t, int> seen;
  for (int i = 0; i < 4000; ++i) ++seen[sizes.sample(rng)];
  // Each of the 4 sizes expects 1000 draws (sd ~27); 800..1200 is over 7 sd either way.
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [bytes, count] : seen) {
    EXPECT_GE(bytes, 10u);
    EXPECT_LE(bytes, 13u);
    EXPECT_NEAR(count, 1000, 200) << bytes;
  }
  EXPECT_EQ(sizes.max_bytes(), 13u);
}

TEST(PayloadSizes, WeightedChoiceMatchesItsWeights) {
  std::mt19937_64 rng(3);
  const auto sizes = PayloadSizes::weighted({{256, 80}, {4096, 20}});
  constexpr int kDraws = 100000;
  int small = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::size_t bytes = sizes.sample(rng);
    ASSERT_TRUE(bytes == 256 || bytes == 4096) << bytes;
    small += bytes == 256;
  }
  // Expected share 0.8; its sd over 100000 draws is 0.0013, so +-0.01 is over 7 sd.
  EXPECT_NEAR(static_cast<double>(small) / kDraws, 0.8, 0.01);
  EXPECT_EQ(sizes.max_bytes(), 4096u);
  EXPECT_EQ(sizes.min_bytes(), 256u);
}

TEST(PayloadSizes, ThreeWayWeightedChoice) {
  std::mt19937_64 rng(4);
  const auto sizes = PayloadSizes::weighted({{16, 1}, {32, 1}, {64, 2}});
  std::map<std::size_t, int> seen;
  constexpr int kDraws = 40000;
  for (int i = 0; i < kDraws; ++i) ++seen[sizes.sample(rng)];
  // Shares 0.25, 0.25, 0.5; sd at most 0.0025, so +-0.02 is 8 sd.
  EXPECT_NEAR(seen[16] / double(kDraws), 0.25, 0.02);
  EXPECT_NEAR(seen[32] / double(kDraws), 0.25, 0.02);
  EXPECT_NEAR(seen[64] / double(kDraws), 0.5, 0.02);
  EXPECT_EQ(seen.size(), 3u);
}

// ---- canonical form and fingerprint -------------------------------------------------------

std::string envelope_text() {
  std::ifstream in(kFixtures + "/workloads/envelope-mix.json");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(WorkloadFingerprint, IsTheSha256OfTheCanonicalOperationsAndSetup) {
  const Workload w = load_workload(kFixtures + "/workloads/encrypt.json");
  // Worked out from the definition: sorted keys, defaults filled, weights as numbers.
  const std::string canonical =
      R"({"operations":[{"encryption_context":false,"op":"Encrypt","payload":{"bytes":256},)"
      R"("weight":1.0}],"setup":{"keys":1}})";
  EXPECT_EQ(w.fingerprint(), sha256_hex(canonical));
  EXPECT_EQ(w.fingerprint().size(), 64u);
}

TEST(WorkloadFingerprint, StableForTheSameWorkloadWrittenDifferently) {
  const Workload w = parse_workload(envelope_text(), "a.json");
  EXPECT_EQ(w.fingerprint(),
            load_workload(kFixtures + "/workloads/envelope-mix.json").fingerprint());
  // Layout, key order, defaults spelt out, comments, and what is not sent do not count.
  const Workload same = parse_workload(R"({
    "teardown": {"pending_window_days": 30},  // not sent during the run
    "operations": [
      {"encryption_context": true, "payload": {"sizes": [{"weight": 80, "bytes": 256},
       {"bytes": 3072, "weight": 20.0}]}, "weight": 70, "op": "Encrypt"},
      {"op": "Decrypt", "weight": 20, "encryption_context": true},
      {"op": "GenerateDataKey", "weight": 10, "encryption_context": false}
    ],
    "setup": {"ciphertexts": 64, "keys": 4},
    "name": "renamed", "description": "other words"})",
                                       "b.json");
  EXPECT_EQ(same.fingerprint(), w.fingerprint());
}

TEST(WorkloadFingerprint, ChangesWithWhatIsSent) {
  const std::string text = envelope_text();
  const std::string base = parse_workload(text, "w.json").fingerprint();
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"\"weight\": 70", "\"weight\": 71"},
      {"\"bytes\": 3072", "\"bytes\": 2048"},
      {"\"number_of_bytes\": 32", "\"number_of_bytes\": 16"},
      {"\"keys\": 4", "\"keys\": 5"},
      {"\"ciphertexts\": 64", "\"ciphertexts\": 65"},
      {"{ \"op\": \"Decrypt\", \"weight\": 20, \"encryption_context\": true }",
       "{ \"op\": \"Decrypt\", \"weight\": 20 }"},
  };
  std::set<std::string> seen = {base};
  for (const auto& [from, to] : changes) {
    const std::string changed = parse_workload(replaced(text, from, to), "w.json").fingerprint();
    EXPECT_TRUE(seen.insert(changed).second) << from << " -> " << to;
  }
}

TEST(WorkloadCanonicalForm, IsAWorkloadFileThatLoadsToTheSameWorkload) {
  for (const char* name : {"encrypt", "envelope-mix"}) {
    const Workload w = load_workload(kFixtures + "/workloads/" + name + ".json");
    const Workload again = parse_workload(w.to_json().dump(2), "canonical.json");
    EXPECT_EQ(again.to_json(), w.to_json()) << name;
    EXPECT_EQ(again.fingerprint(), w.fingerprint()) << name;
  }
  const json canonical = load_workload(kFixtures + "/workloads/envelope-mix.json").to_json();
  EXPECT_EQ(canonical["operations"][1],
            json::parse(R"({"op": "Decrypt", "weight": 20.0, "encryption_context": true})"));
  EXPECT_EQ(canonical["operations"][2],
            json::parse(R"({"op": "GenerateDataKey", "weight": 10.0, "number_of_bytes": 32,
                            "encryption_context": false})"));
  EXPECT_EQ(canonical["teardown"],
            json::parse(R"({"schedule_deletion": true, "pending_window_days": 7})"));
}

// ---- the schema stays in step with the loader ---------------------------------------------

TEST(WorkloadSchema, ListsExactlyTheFieldsTheLoaderAccepts) {
  std::ifstream in(kFixtures + "/schema/workload.schema.json");
  ASSERT_TRUE(in) << "fixtures/schema/workload.schema.json is missing";
  json schema;
  ASSERT_NO_THROW(schema = json::parse(in)) << "the schema is not valid JSON";
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  for (const auto& [kind, names] : accepted_workload_fields()) {
    const json& def = kind == "file" ? schema : schema["$defs"][kind];
    std::set<std::string> in_schema;
    for (const auto& [name, value] : def["properties"].items()) in_schema.insert(name);
    EXPECT_EQ(in_schema, std::set<std::string>(names.begin(), names.end())) << kind;
    EXPECT_EQ(def["additionalProperties"], false)
        << kind << ": the loader rejects unknown fields, so must the schema";
  }
  std::vector<std::string> ops(kWorkloadOperations.begin(), kWorkloadOperations.end());
  EXPECT_EQ(schema["$defs"]["operation"]["properties"]["op"]["enum"], json(ops));
}

TEST(WorkloadSchema, FixturesPointAtIt) {
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures + "/workloads")) {
    std::ifstream in(entry.path());
    const json file = json::parse(in, nullptr, true, true);
    EXPECT_EQ(file.value("$schema", ""), "../schema/workload.schema.json") << entry.path();
    EXPECT_NO_THROW(load_workload(entry.path())) << entry.path();
  }
}

}  // namespace
}  // namespace kmsconf::loadgen
