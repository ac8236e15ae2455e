//! Rule packs: `--rules` errors with file:line:column and rule id (all at once, exit 2), `rules check`, `rules
//! test` and `rules list`, and the shipped pack's own self-test.

use crate::util::*;
use stackscan::rules::Pack;
use stackscan::scan::test_pack;
use std::path::Path;

const GOOD: &str = r#"
[[rule]]
id = "x.refused"
title = "Refused"
family = "connection"
severity = "warning"
components = ["receiver"]
pattern = '''java\.net\.ConnectException: Connection refused(?:: (?P<target>\S+))?'''
next_steps = ["look"]
counterexamples = ['''Connection established''']

[[rule.examples]]
line = '''java.net.ConnectException: Connection refused: kafka-0:9092'''
fields = { target = "kafka-0:9092" }

[[family]]
id = "connection"
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `stackscan ARGS... DIR`.
fn run_on(args: &[&str], dir: &Path) -> std::process::Output {
    cmd().args(args).arg(dir).output().unwrap()
}

#[test]
fn shipped_pack_passes_its_self_test() {
    let pack = Pack::embedded().expect("the embedded pack loads");
    let report = test_pack(&pack);
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(report.rules >= 40, "issue 3 expects 40 rules or more, got {}", report.rules);
    assert!(report.examples >= report.rules);
    assert!(report.counterexamples > 0);
    // Every family has rules.
    for family in ["json-deserialization", "connection", "kafka-to-es-index"] {
        assert!(pack.rules().iter().any(|r| r.family == family), "no {family} rule");
    }
}

#[test]
fn shipped_pack_through_the_binary() {
    let o = run(["rules", "test"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains(" 0 failures"), "{}", stdout(&o));
    let o = run(["rules", "check", "rules/stackstate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: "));
    let o = run(["rules", "list", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), Pack::embedded().unwrap().rules().len());
    for id in ["es.flood-stage", "receiver.deserialize-400", "kafka.broker-unreachable", "net.no-route-to-host"] {
        assert!(ids.contains(&id), "{id} not listed");
    }
}

#[test]
fn a_good_pack_loads_and_scans() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.toml", GOOD);
    assert_eq!(code(&run_on(&["rules", "check"], dir.path())), 0);
    assert_eq!(code(&run_on(&["rules", "test", "--rules"], dir.path())), 0);
    // The pack replaces the embedded one: crlf.log's Kafka problems are no longer found.
    let r = scan_json(["--rules".as_ref(), dir.path().as_os_str(), "fixtures/edge/crlf.log".as_ref()]);
    assert_eq!(r["incidents"], serde_json::json!([]));
}

#[test]
fn unknown_field_names_file_line_column_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let text = GOOD.replace("next_steps = [\"look\"]", "next_steps = [\"look\"]\ncolour = \"red\"");
    write(dir.path(), "a.toml", &text);
    let line = text.lines().position(|l| l.starts_with("colour")).unwrap() + 1;
    for args in [&["rules", "check"][..], &["rules", "test", "--rules"], &["rules", "list", "--rules"]] {
        let o = run_on(args, dir.path());
        assert_eq!(code(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(&format!("a.toml:{line}:1: rule x.refused: unknown field `colour`")), "{args:?}: {err}");
    }
}

/// Several problems in two files: every one reported in one run, each with file:line:column and rule id.
#[test]
fn all_problems_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", GOOD);
    let b = r#"[[rule]]
id = "x.refused"
title = "Duplicate id"
family = "connection"
severity = "warning"
components = ["receiver"]
pattern = '''Connection refused'''
next_steps = ["look"]

[[rule.examples]]
line = '''Connection refused'''

[[rule]]
id = "x.badkey"
title = "Key that is not a capture"
family = "connection"
severity = "warning"
components = ["receiver"]
pattern = '''could not be (?P<what>established)'''
key = ["target"]
next_steps = ["look"]

[[rule.examples]]
line = '''could not be established'''

[[rule]]
id = "x.badregex"
title = "Bad regex, family, severity and component"
family = "bogus-family"
severity = "loud"
components = ["toaster"]
pattern = '''unclosed (group'''
next_steps = ["look"]

[[rule.examples]]
line = '''unclosed (group'''

[[rule]]
id = "x.huge"
title = "A pattern that parses but is too big to compile"
family = "connection"
severity = "warning"
components = ["receiver"]
pattern = '''refused (\w{1000}){1000}'''
next_steps = ["look"]

[[rule.examples]]
line = '''refused'''

[[rule]]
id = "x.kindmark"
title = "A kind marked as a writer's rule"
family = "connection"
severity = "warning"
components = ["receiver"]
layer = "kind"
known_writer = true
pattern = '''timed out'''
next_steps = ["look"]

[[rule.examples]]
line = '''timed out'''

[[rule]]
id = "x.badwhen"
title = "An escalation on a capture the pattern does not have"
family = "connection"
severity = "warning"
components = ["receiver"]
pattern = '''Will retry(?P<reason>: x509: .+)?'''
escalate = { when = "tls" }
next_steps = ["look"]

[[rule.examples]]
line = '''Will retry'''
"#;
    write(dir.path(), "b.toml", b);
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    let want = [
        "b.toml:2:6: rule x.refused: duplicate id (first defined at",
        "b.toml:20:8: rule x.badkey: key \"target\" is not a named capture",
        "b.toml:29:10: rule x.badregex: unknown family \"bogus-family\"",
        "b.toml:30:12: rule x.badregex: unknown severity \"loud\"",
        "b.toml:31:15: rule x.badregex: unknown component \"toaster\"",
        "b.toml:32:11: rule x.badregex: invalid pattern",
        "b.toml:44:11: rule x.huge: pattern does not compile",
        "b.toml:57:16: rule x.kindmark: known_writer marks a writer's rule",
        "b.toml:71:12: rule x.badwhen: escalate: `when = \"tls\"` is not a named capture of the pattern",
    ];
    for w in want {
        assert!(err.contains(w), "missing {w:?} in:\n{err}");
    }
    assert!(err.contains("9 problems"), "{err}");
    // The duplicate names where the first one is.
    assert!(err.contains("a.toml:2"), "{err}");

    // The same through `scan --rules`: exit 2, no report.
    let o = cmd()
        .args(["scan", "--format", "json", "--rules"])
        .arg(dir.path())
        .arg("fixtures/edge/crlf.log")
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("b.toml:32:11: rule x.badregex"));
}

/// What rules/README.md promises: a pack whose example does not match (or yields another field value) or whose
/// counterexample matches is refused, by `rules check`, `rules test` and `scan --rules` alike, naming the rule and
/// the line.
#[test]
fn a_failing_example_or_counterexample_makes_the_pack_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let text = GOOD
        .replace(
            "line = '''java.net.ConnectException: Connection refused: kafka-0:9092'''",
            "line = '''java.net.ConnectException: Connection timed out'''",
        )
        .replace(
            "counterexamples = ['''Connection established''']",
            "counterexamples = ['''java.net.ConnectException: Connection refused''']",
        );
    write(dir.path(), "c.toml", &text);
    // The example is named by its `[[rule.examples]]` table; the counterexample by its line.
    let ex_line = text.lines().position(|l| l.starts_with("[[rule.examples]]")).unwrap() + 1;
    let cx_line = text.lines().position(|l| l.starts_with("counterexamples")).unwrap() + 1;
    let runs: [&[&str]; 3] =
        [&["rules", "check"], &["rules", "test", "--rules"], &["scan", "fixtures/edge/crlf.log", "--rules"]];
    for args in runs {
        let o = run_on(args, dir.path());
        assert_eq!(code(&o), 2, "{args:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("c.toml:{cx_line}:1: rule x.refused: counterexample matches")), "{err}");
        assert!(err.contains(&format!("c.toml:{ex_line}:1: rule x.refused: example does not match")), "{err}");
        assert!(err.contains("2 problems"), "{err}");
        assert!(o.stdout.is_empty(), "no report from an invalid pack");
    }

    // A field value that differs is a problem too.
    let text = GOOD.replace("fields = { target = \"kafka-0:9092\" }", "fields = { target = \"kafka-1:9092\" }");
    write(dir.path(), "c.toml", &text);
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("field target: expected \"kafka-1:9092\""), "{}", stderr(&o));
}

#[test]
fn empty_rules_dir_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no .toml rule files"), "{}", stderr(&o));
}

/// The pack's knowledge tables are validated like rules: a misspelt key, a family declared twice, a second
/// `[scope]`, and a rule naming a family nobody declared are errors with file:line:column.
#[test]
fn knowledge_tables_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", GOOD);
    let k = r#"[[family]]
id = "connection"

[[telemetry]]
fields = ["index"]
contains = ["metric"]
kind = ["metrics"]

[scope]
single_integration_fields = ["check"]
"#;
    write(dir.path(), "k.toml", k);
    write(dir.path(), "s.toml", "[scope]\nsingle_integration_fields = []\n");
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("k.toml:") && err.contains("unknown field `kind`"), "{err}");
    // A rule naming an undeclared family.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", &GOOD.replace("family = \"connection\"\nseverity", "family = \"conection\"\nseverity"));
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("a.toml:5:10: rule x.refused: unknown family \"conection\""), "{err}");
    assert!(err.contains("declare: connection"), "{err}");
    // Twice the same family, and two [scope] tables.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", GOOD);
    write(dir.path(), "b.toml", "[[family]]\nid = \"connection\"\n\n[scope]\n\n[display]\n");
    write(dir.path(), "c.toml", "[scope]\n");
    let err = stderr(&run_on(&["rules", "check"], dir.path()));
    assert!(err.contains("b.toml:2:6: rule connection: family declared twice (first at"), "{err}");
    assert!(err.contains("c.toml:1:1: [scope] declared twice"), "{err}");
    // A family's `rooted_instead` names components, on both sides.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.toml",
        &GOOD.replace(
            "id = \"connection\"\n",
            "id = \"connection\"\nrooted_instead = { kafak = \"kafka-to-es\", receiver = \"elastic\" }\n",
        ),
    );
    let err = stderr(&run_on(&["rules", "check"], dir.path()));
    assert!(err.contains("a.toml:18:28: rule connection: rooted_instead: unknown component \"kafak\""), "{err}");
    assert!(err.contains("a.toml:18:54: rule connection: rooted_instead: unknown component \"elastic\""), "{err}");
}

/// A family's `rooted_instead` moves the root of an episode that only the logging component would root: a JSON
/// error in a Kafka client's log (ClickHouse's Kafka engine, a file named after Kafka) is the reader's. The same
/// scan without it names Kafka.
#[test]
fn a_family_roots_episodes_away_from_the_logger_it_names() {
    let pack = |rooted: &str| {
        format!(
            r#"
[[rule]]
id = "x.json"
title = "JSON"
family = "json-deserialization"
severity = "error"
components = ["receiver"]
layer = "kind"
pattern = '''Cannot parse JSON string: (?P<message>[^(\n]+)'''
next_steps = ["look"]
counterexamples = ['''parsed the JSON string''']

[[rule.examples]]
line = '''{LINE}'''

[[family]]
id = "json-deserialization"
{rooted}
"#
        )
    };
    let root_of = |rooted: &str| {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("rules");
        std::fs::create_dir(&rules).unwrap();
        write(&rules, "p.toml", &pack(rooted));
        write(dir.path(), "kafka_consumer.log", &format!("{LINE}\n"));
        let o = cmd()
            .args(["scan", "--format", "json", "--rules"])
            .arg(&rules)
            .arg(dir.path().join("kafka_consumer.log"))
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        report["incidents"][0]["root_cause"]["component"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(root_of(""), "kafka");
    assert_eq!(root_of("rooted_instead = { kafka = \"kafka-to-es\" }"), "kafka-to-es");
    // The mapping is of the logger it names only.
    assert_eq!(root_of("rooted_instead = { receiver = \"agent\" }"), "kafka");
}

/// A ClickHouse Kafka engine's JSON error (fixtures/real/kafka_clickhouse_json_parse.log).
const LINE: &str = "2019.11.08 12:54:41.941739 [ 14 ] {} <Error> void DB::StorageKafka::threadFunc(): Code: 26, \
    e.displayText() = DB::Exception: Cannot parse JSON string: expected opening quote: (while read the value of key \
    needPromoPrice): (at row 1)";

/// Two rules of a pack from files share a `[[fragment]]` of another file: both load, pass their examples and
/// find their lines, each with the captures the fragment holds and the status it reads after it.
#[test]
fn rules_share_a_fragment_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let fragment = r#"[[family]]
id = "connection"

[[fragment]]
name = "sender_status"
description = "A sender quoting the intake's answer."
pattern = '''(?:Response failed\. response=Response \{ status: |Invalid response from (?P<url>\S+): )'''
"#;
    let rules = r#"[[rule]]
id = "x.unauthorized"
title = "Refused key"
family = "connection"
severity = "error"
components = ["agent"]
pattern = '''{{sender_status}}(?P<status>40[13])\b'''
next_steps = ["check the key"]
counterexamples = ['''Invalid response from https://intake: 404 -> nil''']

[[rule.examples]]
line = '''2020-06-09 12:40:25 UTC | PROCESS | ERROR | (collector.go:311) | Invalid response from https://intake: 403 -> nil'''
fields = { url = "https://intake", status = "403" }

[[rule]]
id = "x.not-found"
title = "Wrong path"
family = "connection"
severity = "error"
components = ["agent"]
pattern = '''{{sender_status}}(?P<status>404)\b'''
next_steps = ["check the endpoint"]

[[rule.examples]]
line = '''2024-03-01T12:00:00Z ERROR vector::sinks::util::retries: Response failed. response=Response { status: 404, version: HTTP/1.1 }'''
fields = { status = "404" }
"#;
    write(dir.path(), "fragments.toml", fragment);
    write(dir.path(), "rules.toml", rules);
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run_on(&["rules", "test", "--rules"], dir.path());
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("2 rules: 2 examples, 1 counterexamples, 0 failures"), "{}", stdout(&o));
    let logs = tempfile::tempdir().unwrap();
    write(
        logs.path(),
        "stackstate-agent.log",
        "2020-06-09 12:40:25 UTC | PROCESS | ERROR | (collector.go:311) | Invalid response from https://intake: 403 -> nil\n\
         2020-06-09 12:40:35 UTC | PROCESS | ERROR | (collector.go:311) | Invalid response from https://intake: 404 -> nil\n",
    );
    let r = scan_json(["--rules".as_ref(), dir.path().as_os_str(), logs.path().as_os_str()]);
    let rules: Vec<&str> = r["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["episodes"].as_array().unwrap().iter().map(|e| e["rule"].as_str().unwrap()))
        .collect();
    assert!(rules.contains(&"x.unauthorized") && rules.contains(&"x.not-found"), "{r}");
}

/// A fragment's problems are errors with file:line:column and its name, all in one run: an unknown name in a
/// rule's pattern (at the pattern, with the rule id and the names the pack has), a name declared twice, a pattern
/// that does not parse, a fragment using another one, a name that is not one.
#[test]
fn fragment_problems_name_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", &GOOD.replace("pattern = '''java", "pattern = '''{{refusal}}java"));
    let f = r#"[[fragment]]
name = "refused"
pattern = '''Connection refused'''

[[fragment]]
name = "refused"
pattern = '''refused'''

[[fragment]]
name = "broken"
pattern = '''(unclosed'''

[[fragment]]
name = "nested"
pattern = '''x{{refused}}'''

[[fragment]]
name = "Bad-Name"
pattern = '''x'''
"#;
    write(dir.path(), "f.toml", f);
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(
            "a.toml:8:11: rule x.refused: unknown fragment {{refusal}} (the pack's [[fragment]] tables name: refused)"
        ),
        "{err}"
    );
    assert!(err.contains("f.toml:6:8: fragment \"refused\": duplicate fragment (first defined at"), "{err}");
    assert!(err.contains("f.toml:11:11: fragment \"broken\": invalid pattern:"), "{err}");
    assert!(
        err.contains("f.toml:15:11: fragment \"nested\": a fragment cannot use another fragment ({{refused}})"),
        "{err}"
    );
    assert!(err.contains("f.toml:18:8: fragment \"Bad-Name\": a fragment name is lowercase letters"), "{err}");
    // A misspelt field of a fragment that follows a rule is not blamed on the rule.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", &format!("{GOOD}\n[[fragment]]\nname = \"x\"\npatern = '''x'''\n"));
    let err = stderr(&run_on(&["rules", "check"], dir.path()));
    assert!(err.contains("a.toml:") && err.contains("unknown field `patern`"), "{err}");
    assert!(!err.contains("rule x.refused"), "{err}");
}

/// A site's pack: the shipped rules and twelve more, each with a sentence of its own, more literals than the SIMD
/// search takes. `rules check` says which shared pieces are searched instead, and a scan still finds every rule.
#[test]
fn a_pack_past_the_simd_searchs_limit_is_checked_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("rules/stackstate")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let (site, lines) = site_rules(12);
    write(dir.path(), "zz-site.toml", &site);
    let o = run_on(&["rules", "check"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("note: the prefilter's ") && out.contains("are searched, with pieces"), "{out}");
    assert!(!stdout(&run(["rules", "check", "rules/stackstate"])).contains("note:"));
    // Every site rule is found.
    let log = dir.path().join("site.log");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let r = scan_json(["--rules".as_ref(), dir.path().as_os_str(), log.as_os_str()]);
    let mut rules: Vec<String> = all_episodes(&r).iter().map(|e| e["rule"].as_str().unwrap().to_string()).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(rules.len(), 12, "{rules:?}");
}
