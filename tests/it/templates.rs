//! `stackscan templates` through the binary: listing, levels, JSON, assignments, errors; and the miner's accuracy
//! on the labelled Loghub-2k systems against the targets (average GA >= 0.90 and FGA >= 0.85 on the messages,
//! GA >= 0.80 on raw lines), with the figures printed.

use crate::util::*;
use serde_json::Value;

#[path = "../../benches/ga/mod.rs"]
mod score;

fn input() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("app.log");
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("2024-03-12 10:00:{:02},000 [main] INFO  a.B - job {i} done in {} ms\n", i, i * 7));
        text.push_str(&format!("2024-03-12 10:00:{:02},500 [main] ERROR a.B - job {i} failed on host-{}\n", i, i % 4));
        if i % 3 == 0 {
            text.push_str(&format!(
                "2024-03-12 10:00:{:02},700 [main] WARN  a.B - queue {} is {}% full\n",
                i,
                i,
                90 + i % 10
            ));
        }
    }
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

#[test]
fn lists_templates_with_counts() {
    let (_d, p) = input();
    let o = run(["templates", p.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("stackscan: 3 templates from 70 lines mined of 70\n"), "{text}");
    assert!(text.contains("       30  ") && text.contains("  job <*> done in <*>\n"), "{text}");
    assert!(text.contains("  job <*> failed on <*>\n") && text.contains("  queue <*> is <*> full\n"), "{text}");
    let j = run(["templates", "--format", "json", "--level", "warn", p.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!((v["lines"].as_u64(), v["mined"].as_u64()), (Some(70), Some(40)));
    let t = v["templates"].as_array().unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!((t[0]["template"].as_str(), t[0]["count"].as_u64()), (Some("job <*> failed on <*>"), Some(30)));
    assert_eq!(t[0]["examples"][0], serde_json::json!(["0", "1", "2"]));
    assert_eq!(t[0]["id"].as_str().unwrap().len(), 16);
    let e = run(["templates", "--format", "json", "--level", "error", p.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&e.stdout).unwrap();
    assert_eq!(v["templates"].as_array().unwrap().len(), 1);
    // The whole line: the header is part of the template.
    let w = run(["templates", "--whole-line", "--format", "json", p.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&w.stdout).unwrap();
    assert!(v["templates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["template"].as_str().unwrap().starts_with("<*> [main]")));
}

#[test]
fn assigns_every_line_to_its_template() {
    let (_d, p) = input();
    let o = run(["templates", "--assign", "--level", "error", p.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<(usize, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let (n, id) = l.split_once('\t').unwrap();
            (n.parse().unwrap(), id.to_string())
        })
        .collect();
    assert_eq!(lines.len(), 70);
    assert!(lines.iter().enumerate().all(|(i, (n, _))| *n == i + 1), "1-based, every line");
    assert_eq!(lines[0].1, "-", "an INFO line is not mined at --level error");
    assert_ne!(lines[1].1, "-");
    assert!(lines.iter().filter(|l| l.1 != "-").all(|l| l.1 == lines[1].1), "one template for the errors");
    // The same ids whatever the threads and from stdin.
    let two = run(["templates", "--assign", "--level", "error", "-j", "2", p.to_str().unwrap()]);
    assert_eq!(stdout(&two), stdout(&o));
    let mut c = cmd();
    c.args(["templates", "--assign", "--level", "error", "-"]).stdin(std::fs::File::open(&p).unwrap());
    assert_eq!(String::from_utf8(c.output().unwrap().stdout).unwrap(), stdout(&o));
}

#[test]
fn bad_invocations_exit_2() {
    let (d, p) = input();
    let q = d.path().join("other.log");
    std::fs::write(&q, "x\n").unwrap();
    let o = run(["templates", "--assign", p.to_str().unwrap(), q.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("one input"), "{}", stderr(&o));
    let o = run(["templates", "--assign", d.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "a directory of two files");
    assert_eq!(code(&run(["templates", "/no/such/file"])), 2);
    assert_eq!(code(&run(["templates"])), 2);
}

/// The targets of the issue, on the 11 labelled systems (the five others have no labels here).
#[test]
fn loghub_accuracy() {
    let (Some(_), Some(shared)) = (shared_corpus("loghub"), shared_corpus("loghub-templates")) else { return };
    let shared = shared.parent().unwrap().to_path_buf();
    let tmp = tempfile::tempdir().unwrap();
    let rows = score::score_all(std::path::Path::new(env!("CARGO_BIN_EXE_stackscan")), &shared, tmp.path()).unwrap();
    let (table, (ga, fga, raw_ga, _)) = score::table(&rows);
    eprintln!("{table}");
    assert_eq!(rows.len(), 11);
    assert!(ga >= 0.90, "average GA {ga:.3}\n{table}");
    assert!(fga >= 0.85, "average FGA {fga:.3}\n{table}");
    assert!(raw_ga >= 0.80, "average raw GA {raw_ga:.3}\n{table}");
}

/// A secret's value is hidden in the template and in its example values, through the binary, whatever spaces
/// surround the separator (`password<TAB>=<TAB>v`) and in the scan's unexplained section alike.
#[test]
fn secret_values_are_no_examples() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stackstate-server.log");
    let text: String = (1..=3)
        .map(|i| format!("2024-03-12 13:10:0{i},001 [main] ERROR c.s.X - Config dump: password\t=\tHunter{i}2x end\n"))
        .collect();
    std::fs::write(&log, text).unwrap();
    let o = run(["templates", "--format", "json", log.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("Hunter"), "{}", stdout(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["templates"][0]["template"].as_str().unwrap().contains("<redacted>"), "{v:#}");
    let o = run(["scan", "--format", "json", log.to_str().unwrap()]);
    assert!(!stdout(&o).contains("Hunter"), "{}", stdout(&o));
}

/// Terminal escapes in a line are dropped before mining, as the scan's section drops them: the template reads as
/// the scan's (`ESC[2J` is neither a variable nor a sequence that eats the text printed after it). A binary file
/// met while walking is skipped with a note, as `scan` skips it; named, it is mined; UTF-16 is decoded and mined.
#[test]
fn escapes_are_not_mined_and_binary_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stackstate-receiver.log");
    let text: String =
        (1..=3).map(|i| format!("2024-03-12 13:10:0{i},001 ERROR c.s.Receiver - \x1b[2J boom {i}\x1b[0m\n")).collect();
    std::fs::write(&log, text).unwrap();
    let mut binary = b"2024-03-12 13:10:00,001 ERROR c.s.Receiver - core\n".to_vec();
    binary.extend_from_slice(&[0, 1, 2, 3, 0xff, b'\n']);
    std::fs::write(dir.path().join("core.log"), &binary).unwrap();
    let o = run(["templates", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let templates: Vec<&str> =
        v["templates"].as_array().unwrap().iter().map(|t| t["template"].as_str().unwrap()).collect();
    assert_eq!(templates, ["boom <*>"], "{v:#}");
    assert_eq!(v["templates"][0]["examples"], serde_json::json!([["1", "2", "3"]]), "{v:#}");
    assert!(stderr(&o).contains("core.log: binary file"), "{}", stderr(&o));
    let scan = scan_json([log.to_str().unwrap()]);
    assert_eq!(scan["unexplained"][0]["template"], "boom <*>");
    let named = run(["templates", "--format", "json", dir.path().join("core.log").to_str().unwrap()]);
    assert_eq!(code(&named), 0, "{}", stderr(&named));
    assert_eq!(serde_json::from_slice::<Value>(&named.stdout).unwrap()["lines"], 2);
    // UTF-16 is text, not binary: decoded and mined, as `scan` reads it.
    let wide = tempfile::tempdir().unwrap();
    let line = "2024-03-12 13:10:01,001 ERROR c.s.Receiver - wide boom 1\n2024-03-12 13:10:02,001 ERROR c.s.Receiver - wide boom 2\n";
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(line.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(wide.path().join("stackstate-receiver.log"), bytes).unwrap();
    let o = run(["templates", "--format", "json", wide.path().to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["lines"].as_u64(), v["templates"][0]["template"].as_str()),
        (Some(2), Some("wide boom <*>")),
        "{v:#}"
    );
}
