// The Kubernetes manifests of deploy/kubernetes parsed and checked for what a sharded load needs
// to run: an Indexed Job whose N matches --shard, a merge Job reading what the shards write, the
// volume, ConfigMap and Secret keys they refer to, and options kmsconf actually has.
#include <yaml-cpp/yaml.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/dialect.hpp"

namespace kmsconf::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = KMSCONF_SOURCE_DIR;
const fs::path kDir = kSource / "deploy" / "kubernetes";
constexpr const char* kIndexVariable = "JOB_COMPLETION_INDEX";

struct Manifest {
  std::string file;
  YAML::Node node;
};

std::vector<Manifest> all_manifests() {
  std::vector<Manifest> out;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() != ".yaml") continue;
    for (const YAML::Node& doc : YAML::LoadAllFromFile(entry.path().string())) {
      if (doc && !doc.IsNull()) out.push_back({entry.path().filename().string(), doc});
    }
  }
  return out;
}

// node[key], or an undefined node when node is no map or lacks key: yaml-cpp throws when a
// missing key is indexed again, and a non-const [] would add it.
YAML::Node get(const YAML::Node& node, const std::string& key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node child = node[key];
  return child.IsDefined() ? child : YAML::Node(YAML::NodeType::Undefined);
}

// node[key1][key2]...; reset() rebinds, where = would write into the document.
YAML::Node at(YAML::Node node, std::initializer_list<std::string> path) {
  for (const std::string& key : path) node.reset(get(node, key));
  return node;
}

std::string text(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.as<std::string>() : "";
}

std::vector<Manifest> of_kind(const std::string& kind) {
  std::vector<Manifest> out;
  for (const Manifest& m : all_manifests()) {
    if (text(get(m.node, "kind")) == kind) out.push_back(m);
  }
  return out;
}

const Manifest* named(const std::vector<Manifest>& manifests, const std::string& name) {
  for (const Manifest& m : manifests) {
    if (text(at(m.node, {"metadata", "name"})) == name) return &m;
  }
  return nullptr;
}

bool indexed(const Manifest& job) {
  return text(at(job.node, {"spec", "completionMode"})) == "Indexed";
}

YAML::Node pod_spec(const Manifest& m) {
  return text(get(m.node, "kind")) == "Pod" ? get(m.node, "spec")
                                            : at(m.node, {"spec", "template", "spec"});
}

std::vector<YAML::Node> containers(const Manifest& m) {
  std::vector<YAML::Node> out;
  const YAML::Node spec = pod_spec(m);
  for (const char* list : {"initContainers", "containers"}) {
    for (const YAML::Node& c : get(spec, list)) out.push_back(c);
  }
  return out;
}

// The container's command and args as words; a `sh -c` script split on spaces, quotes removed,
// so both forms read alike.
std::vector<std::string> words_of(const YAML::Node& container) {
  std::vector<std::string> words;
  for (const char* part : {"command", "args"}) {
    for (const YAML::Node& w : get(container, part)) words.push_back(text(w));
  }
  if (words.size() >= 3 && words[0] == "/bin/sh" && words[1] == "-c") {
    std::istringstream script(words[2]);
    words.clear();
    for (std::string w; script >> w;) {
      std::erase(w, '\'');
      std::erase(w, '"');
      words.push_back(w);
    }
  }
  return words;
}

// The word after `option`; "" when absent.
std::string value_of(const std::vector<std::string>& words, const std::string& option) {
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == option) return words[i + 1];
  }
  return "";
}

// From "kmsconf" on: the subcommand words and their options.
std::vector<std::string> kmsconf_words(const std::vector<std::string>& words) {
  const auto at = std::find(words.begin(), words.end(), "kmsconf");
  return at == words.end() ? std::vector<std::string>{}
                           : std::vector<std::string>(at + 1, words.end());
}

const Manifest& the_load_job() {
  static const Manifest job = [] {
    std::vector<Manifest> found;
    for (const Manifest& m : of_kind("Job")) {
      if (indexed(m)) found.push_back(m);
    }
    EXPECT_EQ(found.size(), 1u) << "one Indexed Job: the shards";
    return found.empty() ? Manifest{} : found.front();
  }();
  return job;
}

const Manifest& the_merge_job() {
  static const Manifest job = [] {
    std::vector<Manifest> found;
    for (const Manifest& m : of_kind("Job")) {
      for (const YAML::Node& c : containers(m)) {
        const auto words = kmsconf_words(words_of(c));
        if (words.size() >= 2 && words[0] == "report" && words[1] == "merge") found.push_back(m);
      }
    }
    EXPECT_EQ(found.size(), 1u) << "one Job running kmsconf report merge";
    return found.empty() ? Manifest{} : found.front();
  }();
  return job;
}

// The load container's words (the Indexed Job has one container).
std::vector<std::string> load_words() {
  const auto list = containers(the_load_job());
  return list.empty() ? std::vector<std::string>{} : words_of(list.front());
}

// ---------------------------------------------------------------------------------------------

TEST(DeployManifests, EveryFileParsesIntoNamedObjects) {
  std::multiset<std::string> kinds;
  for (const Manifest& m : all_manifests()) {
    SCOPED_TRACE(m.file);
    EXPECT_FALSE(text(get(m.node, "apiVersion")).empty());
    EXPECT_FALSE(text(at(m.node, {"metadata", "name"})).empty());
    kinds.insert(text(get(m.node, "kind")));
  }
  EXPECT_EQ(kinds.count("Job"), 2u);
  for (const char* kind : {"ConfigMap", "Secret", "PersistentVolumeClaim", "Pod"}) {
    EXPECT_EQ(kinds.count(kind), 1u) << kind;
  }
}

TEST(DeployManifests, LoadJobIsAnIndexedJobOfNShards) {
  const YAML::Node spec = get(the_load_job().node, "spec");
  EXPECT_EQ(text(get(the_load_job().node, "apiVersion")), "batch/v1");
  const int completions = get(spec, "completions").as<int>(0);
  EXPECT_GE(completions, 2) << "more than one machine";
  EXPECT_EQ(get(spec, "parallelism").as<int>(0), completions) << "every shard runs at once";
  const auto words = load_words();
  const auto kmsconf = kmsconf_words(words);
  ASSERT_FALSE(kmsconf.empty()) << "the container runs kmsconf";
  EXPECT_EQ(kmsconf.front(), "load");
  EXPECT_EQ(value_of(kmsconf, "--shard"),
            "$(" + std::string(kIndexVariable) + ")/" + std::to_string(completions));
  EXPECT_NE(value_of(kmsconf, "--out").find("$(" + std::string(kIndexVariable) + ")"),
            std::string::npos)
      << "each shard writes a file of its own";
  EXPECT_EQ(value_of(kmsconf, "--threshold"), "")
      << "a shard's failed threshold would fail its pod; the merge judges the whole load";
}

TEST(DeployManifests, EveryJobAndPodCanRun) {
  std::set<std::string> claims;
  for (const Manifest& pvc : of_kind("PersistentVolumeClaim")) {
    claims.insert(text(at(pvc.node, {"metadata", "name"})));
  }
  auto runnable = of_kind("Job");
  for (const Manifest& pod : of_kind("Pod")) runnable.push_back(pod);
  for (const Manifest& m : runnable) {
    SCOPED_TRACE(m.file);
    if (text(get(m.node, "kind")) == "Job") {
      EXPECT_EQ(text(get(m.node, "apiVersion")), "batch/v1");
    }
    const YAML::Node spec = pod_spec(m);
    const std::string restart = text(get(spec, "restartPolicy"));
    EXPECT_TRUE(restart == "Never" || restart == "OnFailure") << restart;
    std::set<std::string> volumes;
    for (const YAML::Node& v : get(spec, "volumes")) {
      volumes.insert(text(get(v, "name")));
      if (get(v, "persistentVolumeClaim")) {
        EXPECT_EQ(claims.count(text(at(v, {"persistentVolumeClaim", "claimName"}))), 1u)
            << "a claim declared in pvc.yaml";
      }
    }
    const auto list = containers(m);
    ASSERT_FALSE(list.empty());
    for (const YAML::Node& c : list) {
      EXPECT_FALSE(text(get(c, "image")).empty());
      EXPECT_FALSE(words_of(c).empty()) << "command or args";
      for (const YAML::Node& mount : get(c, "volumeMounts")) {
        EXPECT_EQ(volumes.count(text(get(mount, "name"))), 1u) << text(get(mount, "name"));
      }
      // Every $(VAR) Kubernetes expands is in the container's environment, or the index an
      // Indexed Job sets.
      std::set<std::string> env;
      for (const YAML::Node& e : get(c, "env")) env.insert(text(get(e, "name")));
      if (text(get(m.node, "kind")) == "Job" && indexed(m)) env.insert(kIndexVariable);
      static const std::regex kReference(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))");
      for (const std::string& word : words_of(c)) {
        for (std::sregex_iterator it(word.begin(), word.end(), kReference), end; it != end; ++it) {
          EXPECT_EQ(env.count((*it)[1].str()), 1u) << (*it)[1].str() << " in " << word;
        }
      }
    }
  }
}

TEST(DeployManifests, MergeJobReadsWhatTheShardsWrite) {
  const std::string out = value_of(kmsconf_words(load_words()), "--out");
  const std::string marker = "$(" + std::string(kIndexVariable) + ")";
  const std::size_t index_at = out.find(marker);
  ASSERT_NE(index_at, std::string::npos) << out;
  const std::string pattern = out.substr(0, index_at) + "*" + out.substr(index_at + marker.size());
  const auto merge_containers = containers(the_merge_job());
  ASSERT_FALSE(merge_containers.empty());
  const auto words = kmsconf_words(words_of(merge_containers.front()));
  EXPECT_NE(std::find(words.begin(), words.end(), pattern), words.end())
      << "kmsconf report merge " << pattern;
  EXPECT_FALSE(indexed(the_merge_job())) << "one merge of every shard";

  // Both mount the directory from the same claim.
  const auto claim_at = [](const Manifest& job, const std::string& file) {
    std::map<std::string, std::string> claim_of_volume;
    for (const YAML::Node& v : get(pod_spec(job), "volumes")) {
      claim_of_volume[text(get(v, "name"))] = text(at(v, {"persistentVolumeClaim", "claimName"}));
    }
    for (const YAML::Node& c : containers(job)) {
      for (const YAML::Node& mount : get(c, "volumeMounts")) {
        const std::string path = text(get(mount, "mountPath"));
        if (file.rfind(path + "/", 0) == 0) return claim_of_volume[text(get(mount, "name"))];
      }
    }
    return std::string("(not mounted)");
  };
  EXPECT_EQ(claim_at(the_load_job(), out), claim_at(the_merge_job(), pattern));
  EXPECT_NE(claim_at(the_load_job(), out), "(not mounted)");
}

TEST(DeployManifests, ResultsVolumeIsReadWriteMany) {
  const auto claims = of_kind("PersistentVolumeClaim");
  ASSERT_EQ(claims.size(), 1u);
  std::set<std::string> modes;
  for (const YAML::Node& mode : at(claims.front().node, {"spec", "accessModes"})) {
    modes.insert(text(mode));
  }
  EXPECT_EQ(modes.count("ReadWriteMany"), 1u) << "shards on several nodes write at once";
}

TEST(DeployManifests, ReferencedSecretAndConfigMapKeysExist) {
  const auto secrets = of_kind("Secret");
  const auto maps = of_kind("ConfigMap");
  int references = 0;
  for (const Manifest& job : of_kind("Job")) {
    for (const YAML::Node& c : containers(job)) {
      for (const YAML::Node& e : get(c, "env")) {
        SCOPED_TRACE(job.file + ": " + text(get(e, "name")));
        const YAML::Node from = get(e, "valueFrom");
        if (!from.IsDefined()) continue;
        const bool secret = get(from, "secretKeyRef").IsDefined();
        const YAML::Node ref = secret ? get(from, "secretKeyRef") : get(from, "configMapKeyRef");
        if (!ref.IsDefined()) continue;
        ++references;
        const Manifest* source = named(secret ? secrets : maps, text(get(ref, "name")));
        ASSERT_NE(source, nullptr) << "no manifest named " << text(get(ref, "name"));
        const std::string key = text(get(ref, "key"));
        const bool held = at(source->node, {"data", key}).IsDefined() ||
                          at(source->node, {"stringData", key}).IsDefined();
        EXPECT_TRUE(held) << key << " is not in " << source->file;
      }
    }
  }
  EXPECT_GE(references, 2);
}

// The Secret's keys become the variables kmsconf reads for the dialect the shards speak.
TEST(DeployManifests, CredentialsAreTheVariablesKmsconfReads) {
  const auto words = kmsconf_words(load_words());
  const auto* dialect = client::find_dialect(value_of(words, "--dialect"));
  ASSERT_NE(dialect, nullptr) << value_of(words, "--dialect");
  std::set<std::string> from_secrets;
  for (const YAML::Node& c : containers(the_load_job())) {
    for (const YAML::Node& e : get(c, "env")) {
      if (at(e, {"valueFrom", "secretKeyRef"}).IsDefined())
        from_secrets.insert(text(get(e, "name")));
    }
  }
  const auto& v = dialect->credential_variables;
  EXPECT_EQ(from_secrets.count(std::string(v.access_key_id)), 1u) << v.access_key_id;
  EXPECT_EQ(from_secrets.count(std::string(v.secret)), 1u) << v.secret;
  for (const std::string& name : from_secrets) {
    EXPECT_TRUE(name == v.access_key_id || name == v.secret || name == v.session_token) << name;
  }
}

std::string help_of(const std::vector<std::string>& subcommand) {
  std::string command = std::string(KMSCONF_BINARY);
  for (const std::string& word : subcommand) command += " " + word;
  command += " --help 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    std::array<char, 4096> buffer{};
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
      out.append(buffer.data(), n);
    }
    ::pclose(pipe);
  }
  return out;
}

// Every option the manifests pass is one of the subcommand's (a typo would fail every pod).
TEST(DeployManifests, OptionsAreTheCommandsOwn) {
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> runs{
      {{"load"}, kmsconf_words(load_words())},
      {{"report", "merge"}, kmsconf_words(words_of(containers(the_merge_job()).front()))}};
  for (const auto& [subcommand, words] : runs) {
    const std::string help = help_of(subcommand);
    ASSERT_NE(help.find("Options:"), std::string::npos) << help;
    for (const std::string& word : words) {
      if (word.rfind("-", 0) != 0) continue;
      // The whole option: --rat must not pass on --rate. Options are letters, digits and '-'.
      const std::regex whole("(^|[\\s,])" + word + "([\\s,=]|$)");
      EXPECT_TRUE(std::regex_search(help, whole)) << word << " in: " << help;
    }
  }
}

// What the image holds is what the Jobs use: the fixtures they name are copied to where they look.
TEST(DeployManifests, FilesTheJobsNameAreInTheImage) {
  std::ifstream in(kDir / "Dockerfile");
  std::stringstream dockerfile;
  dockerfile << in.rdbuf();
  const std::string image_fixtures = "/opt/kmsconf/fixtures";
  EXPECT_NE(dockerfile.str().find("COPY --from=build /src/fixtures " + image_fixtures),
            std::string::npos);
  const std::string workload = value_of(kmsconf_words(load_words()), "--workload");
  ASSERT_EQ(workload.rfind(image_fixtures + "/", 0), 0u) << workload;
  EXPECT_TRUE(fs::exists(kSource / "fixtures" / workload.substr(image_fixtures.size() + 1)))
      << workload;
}

TEST(DeployManifests, RunScriptIsBashAndNamesTheManifests) {
  const fs::path script = kDir / "run.sh";
  EXPECT_EQ(std::system(("bash -n " + script.string()).c_str()), 0);
  std::ifstream in(script);
  std::stringstream text;
  text << in.rdbuf();
  static const std::regex kManifest(R"(([a-z-]+\.yaml))");
  const std::string s = text.str();
  int named_files = 0;
  for (std::sregex_iterator it(s.begin(), s.end(), kManifest), end; it != end;
       ++it, ++named_files) {
    EXPECT_TRUE(fs::exists(kDir / (*it)[1].str())) << (*it)[1].str();
  }
  EXPECT_GE(named_files, 4);
}

}  // namespace
}  // namespace kmsconf::testing
