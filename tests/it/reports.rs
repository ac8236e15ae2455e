//! The reports for people, through the binary: Markdown (parsed as GitHub would, compared with a golden file,
//! held within GitHub's size limit, log text unable to become markup), the text report's plurals and widths,
//! the progress line (only ever on a terminal), `rules list`, and the shell completions and man page.

use crate::util::*;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Markdown with the summary line's duration and rate taken out.
fn normalise_markdown(md: &str) -> String {
    md.lines()
        .map(|l| match (l.find(" read in "), l.find(" MiB/s)")) {
            (Some(a), Some(b)) if a < b => format!("{} read in <time> (<rate>{}", &l[..a], &l[b + " MiB/s".len()..]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn gfm(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS).collect()
}

/// What GitHub would render, in short: table rows (cells' text), headings, code (spans and blocks), raw HTML.
#[derive(Default, Debug)]
struct Rendered {
    rows: Vec<Vec<String>>,
    headings: Vec<String>,
    code: Vec<String>,
    html: Vec<String>,
    links: usize,
}

fn render(md: &str) -> Rendered {
    let mut r = Rendered::default();
    let (mut in_heading, mut in_cell, mut in_block) = (false, false, false);
    let mut cell = String::new();
    let mut row: Vec<String> = Vec::new();
    for e in gfm(md) {
        match e {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                r.headings.push(String::new());
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                cell.clear();
            }
            Event::End(TagEnd::TableCell) => {
                in_cell = false;
                row.push(cell.clone());
            }
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => r.rows.push(std::mem::take(&mut row)),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                in_block = true;
                r.code.push(String::new());
            }
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Start(Tag::Link { .. }) | Event::Start(Tag::Image { .. }) => r.links += 1,
            Event::Html(h) | Event::InlineHtml(h) => r.html.push(h.to_string()),
            Event::Code(c) => {
                r.code.push(c.to_string());
                if in_cell {
                    cell.push_str(&c);
                }
            }
            Event::Text(t) => {
                if in_block {
                    r.code.last_mut().unwrap().push_str(&t);
                } else if in_heading {
                    r.headings.last_mut().unwrap().push_str(&t);
                }
                if in_cell {
                    cell.push_str(&t);
                }
            }
            _ => {}
        }
    }
    r
}

/// The raw HTML a report may hold: the folding elements and the closing note's small print, nothing else.
fn only_our_html(r: &Rendered) {
    for h in &r.html {
        let t = h.trim();
        let ours = t.starts_with("<details><summary>")
            || t == "</details>"
            || t == "<sub>"
            || t == "</sub>"
            || t == "<!-- -->";
        assert!(ours, "raw HTML that is not the report's own: {t:?}");
    }
}

#[test]
fn markdown_of_the_linux_tree_matches_its_golden_file_and_reads_as_github_would() {
    let o = run(["scan", "--format", "markdown", "fixtures/linux"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let raw = stdout(&o);
    let md = normalise_markdown(&raw);
    let path = root().join("tests/golden/linux.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &md).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    if md != want {
        let first = md.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "linux.md changed at line {}:\n  got:  {}\n  want: {}\n(review, then UPDATE_GOLDEN=1 cargo test golden)",
            first + 1,
            md.lines().nth(first).unwrap_or(""),
            want.lines().nth(first).unwrap_or("")
        );
    }

    let report = scan_json(["fixtures/linux"]);
    let incidents = report["incidents"].as_array().unwrap();
    let r = render(&raw);
    // The summary table: a header row and a row per incident with its title; then per incident a heading and an
    // episode table when it has several episodes.
    let summary: Vec<&Vec<String>> = r.rows.iter().take(incidents.len() + 1).collect();
    assert_eq!(summary[0][..3], ["#", "severity", "incident"]);
    for (i, inc) in incidents.iter().enumerate() {
        assert_eq!(summary[i + 1][2], inc["title"].as_str().unwrap(), "row {}", i + 1);
        let heading = format!(
            "{}. {}: {}",
            i + 1,
            inc["severity"].as_str().unwrap().to_uppercase(),
            inc["title"].as_str().unwrap()
        );
        assert_eq!(r.headings[i + 1], heading);
    }
    // Every evidence line shown is a code block holding the sample exactly (of an incident's episode or of an
    // unexplained template).
    let unexplained = report["unexplained"].as_array().unwrap();
    assert!(!unexplained.is_empty());
    let samples: Vec<&str> = all_episodes(&report)
        .iter()
        .copied()
        .chain(unexplained)
        .flat_map(|e| e["samples"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()))
        .collect();
    assert!(r.headings.iter().any(|h| h == "Unexplained errors and warnings"), "{:?}", r.headings);
    let blocks: Vec<&String> = r.code.iter().filter(|c| c.ends_with('\n')).collect();
    assert!(!blocks.is_empty());
    for b in &blocks {
        let first = b.lines().next().unwrap();
        assert!(samples.contains(&first), "a code block that is no sample: {first}");
    }
    only_our_html(&r);
    assert_eq!(raw.matches("<details>").count(), raw.matches("</details>").count());
    assert_eq!(r.links, 0, "no links");
}

/// A title holding what a log line named (here a member name with a mention, an address and a URL) pings nobody
/// and links nowhere when pasted into GitHub: each is broken by an empty comment, and reads as the same text.
#[test]
fn markdown_titles_neither_mention_nor_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("stackstate-receiver");
    std::fs::create_dir_all(&d).unwrap();
    let member = "@octocat ops@example.com https://evil.example/x www.evil.example";
    let line = format!(
        "2024-03-12 13:40:41,301 [StsReceiver-akka.actor.default-dispatcher-24] WARN  \
         com.stackstate.api.ReceiverRoutes - 10.9.9.9 - POST http://stackstate-host:7077/stsAgent/intake/ (6211): \
         400 Bad Request Failed to deserialize JSON on fields: , with message: Object is missing required member \
         '{member}'\n"
    );
    std::fs::write(d.join("stackstate-receiver.log"), line).unwrap();
    let o = run(["scan", "--format", "markdown", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = stdout(&o);
    let r = render(&md);
    only_our_html(&r);
    assert!(r.headings.iter().any(|h| h.contains(&format!("'{member}'"))), "{:?}", r.headings);
    let heading = md.lines().find(|l| l.starts_with("### 1.")).unwrap();
    for raw in ["@octocat", "@example.com", "https://", "www.evil"] {
        assert!(!heading.contains(raw), "{raw} in {heading}");
    }
    for row in md.lines().filter(|l| l.starts_with("| 1 |")) {
        assert!(!row.contains("@octocat") && !row.contains("https://"), "{row}");
    }
}

#[test]
fn markdown_shows_hostile_log_text_only_as_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = hostile_receiver_log(dir.path());
    hostile_file_name(&d);
    let o = run(["scan", "--format", "markdown", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = stdout(&o);
    let r = render(&md);
    only_our_html(&r);
    assert_eq!(r.links, 0, "the log's [a](http://x) is no link");
    assert!(!md.contains('\u{1b}'));
    assert!(r.code.iter().any(|c| c.contains("<script>alert(1)</script>`|[a](http://x)")), "the URL, as code");
    assert!(r.code.iter().any(|c| c.contains("<img src=x onerror=alert(2)>red")), "the member, as code");
    assert!(r.code.iter().any(|c| c.contains("stackstate-receiver-\\x1b[2J<b>bold.log:1")), "the file name, as code");
    // The title holds the member too: escaped, so it renders as the same text.
    assert!(
        r.headings.iter().any(|h| h.contains("missing member '<img src=x onerror=alert(2)>red'")),
        "{:?}",
        r.headings
    );
}

/// `n` agent integrations failing at once, each its own incident, with long lines.
fn many_incidents(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let d = dir.join("stackstate-agent");
    std::fs::create_dir_all(&d).unwrap();
    let mut body = String::new();
    for i in 0..n {
        let host = format!("10.{}.{}.{}", 96 + i / 65536, (i / 256) % 256, i % 256);
        body.push_str(&format!(
            "2024-03-12 15:{:02}:07 UTC | CORE | ERROR | (pkg/collector/worker/check_logger.go:71 in Error) | check:app_{i} | \
             Error running check: [{{\"message\": \"HTTPConnectionPool(host='{host}', port=8080): Max retries exceeded with url: \
             /metrics (Caused by ConnectTimeoutError(<urllib3.connection.HTTPConnection object at 0x7fff31434cf3>, 'Connection to \
             {host} timed out. (connect timeout=10.0)'))\", \"traceback\": \"Traceback (most recent call last):\\n  File \
             \\\"/opt/stackstate-agent/embedded/lib/python3.8/site-packages/datadog_checks/base/checks/base.py\\\", line 1012, in \
             run\\n    self.check(instance)\\n\"}}]\n",
            i % 60
        ));
    }
    std::fs::write(d.join("agent.log"), body).unwrap();
    d
}

#[test]
fn markdown_stays_within_githubs_limit_and_says_what_was_cut() {
    let dir = tempfile::tempdir().unwrap();
    let d = many_incidents(dir.path(), 300);
    let report = scan_json([d.to_str().unwrap()]);
    assert_eq!(report["incidents"].as_array().unwrap().len(), 300);
    let o = run(["scan", "--format", "markdown", d.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = stdout(&o);
    let utf16 = md.encode_utf16().count();
    assert!(utf16 <= 65_536, "{utf16} characters");
    assert!(utf16 > 50_000, "the room is used: {utf16}");
    let note = md.lines().find(|l| l.contains("Cut to fit 65,536 characters")).expect("a note on what was cut");
    assert!(note.contains("the timeline, evidence and next steps of incident"), "{note}");
    assert!(note.contains("–300) are not shown"), "{note}");
    let r = render(&md);
    only_our_html(&r);
    assert_eq!(md.matches("<details>").count(), md.matches("</details>").count(), "folds are never cut open");
    // The first incidents keep their evidence; the table lists as many as fit and counts the rest.
    assert!(md.contains("### 1. ERROR: ") && md.contains("**Evidence**"));
    assert!(r.rows.iter().any(|row| row.get(2).is_some_and(|c| c.ends_with("more, not listed"))));
}

#[test]
fn text_plurals_and_rates_read_right() {
    let dir = tempfile::tempdir().unwrap();
    let d = hostile_receiver_log(dir.path());
    let o = run(["scan", "--color", "never", d.to_str().unwrap()]);
    let text = stdout(&o);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("stackscan: 1 file, 372 B, 1 line in "), "{first}");
    assert!(first.ends_with(": 1 matching record, 1 incident (1 critical)"), "{first}");
    let rate = first.split('(').nth(1).unwrap().split(' ').next().unwrap();
    assert!(rate.contains('.'), "a rate below 10 MiB/s has a decimal: {first}");
    assert!(text.contains("(0s), 1 record\n"), "{text}");
}

#[test]
fn text_lines_are_cut_only_when_a_width_applies() {
    let path = fixture("linux").display().to_string();
    let whole = stdout(&run(["scan", "--color", "never", &path]));
    let cut = stdout(&run(["scan", "--color", "never", "--width", "80", &path]));
    let wide = stdout(&run(["scan", "--color", "never", "--wide", &path]));
    assert!(whole.lines().any(|l| l.starts_with("      ") && l.chars().count() > 200), "a pipe gets whole lines");
    assert_eq!(whole.lines().count(), cut.lines().count(), "cut, not wrapped or dropped");
    let evidence: Vec<&str> = cut.lines().filter(|l| l.starts_with("      ")).collect();
    assert!(!evidence.is_empty());
    for l in &evidence {
        assert!(l.chars().count() <= 80, "{l}");
    }
    assert!(evidence.iter().any(|l| l.ends_with('…')));
    assert_eq!(strip_time(&whole), strip_time(&wide), "--wide keeps lines whole");
}

fn strip_time(s: &str) -> String {
    s.lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
fn progress_is_never_written_when_stderr_is_not_a_terminal() {
    let o = run(["scan", "--progress-delay", "0s", "--color", "never", "fixtures/linux"]);
    assert_eq!(code(&o), 0);
    let err = stderr(&o);
    assert!(!err.contains('\r') && !err.contains("\x1b[K") && !err.contains(" files, "), "{err:?}");
}

/// Runs `stackscan ARGS` with a pseudo-terminal for stderr (util-linux `script`), stdout to /dev/null: what the
/// terminal showed, or `None` (with a notice) where `script` is missing.
fn on_a_terminal(args: &str) -> Option<String> {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "script (util-linux) is missing and CI is set");
        eprintln!("NOTICE: skipped: `script` (util-linux) is missing: no pseudo-terminal for the progress test");
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_stackscan");
    let o = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &format!("{bin} {args} > /dev/null"), "/dev/null"])
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn on_a_terminal_progress_is_drawn_then_cleared_and_quiet_silences_it() {
    let Some(shown) = on_a_terminal("scan --progress-delay 0s fixtures/linux") else { return };
    assert!(shown.contains("\rstackscan: "), "{shown:?}");
    assert!(shown.contains("\x1b[K"), "each line erases what it overdraws: {shown:?}");
    assert!(shown.ends_with("\r\x1b[K"), "cleared at the end: {shown:?}");
    let Some(quiet) = on_a_terminal("scan --quiet --progress-delay 0s fixtures/linux") else { return };
    assert!(!quiet.contains("stackscan: "), "{quiet:?}");
    let Some(late) = on_a_terminal("scan --progress-delay 1h fixtures/linux") else { return };
    assert!(!late.contains("stackscan: "), "a short scan shows none: {late:?}");
}

#[test]
fn rules_list_has_a_header_and_aligned_columns() {
    let o = run(["rules", "list"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID ") && lines[0].contains(" FAMILY ") && lines[0].ends_with(" TITLE"));
    let col = |l: &str, word: &str| l.find(word).unwrap();
    let (fam, sev) = (col(lines[0], "FAMILY"), col(lines[0], "SEVERITY"));
    for l in &lines[1..lines.len() - 1] {
        assert_eq!(l.as_bytes()[fam - 1], b' ', "{l}");
        assert_ne!(l.as_bytes()[fam], b' ', "every family starts under FAMILY: {l}");
        assert_ne!(l.as_bytes()[sev], b' ', "every severity under SEVERITY: {l}");
    }
    assert!(lines.last().unwrap().ends_with(" chains"));
}

#[test]
fn completions_and_the_man_page_come_from_the_binary() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        let script = stdout(&o);
        assert!(script.contains("stackscan") && script.contains("format") && script.contains("wide"), "{shell}");
        // clap_complete's PowerShell script completes flags, not their values.
        if shell != "powershell" {
            assert!(script.contains("markdown") && script.contains("html"), "{shell}: the format values");
        }
    }
    if std::process::Command::new("bash").arg("--version").output().is_ok() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("stackscan.bash");
        std::fs::write(&f, run(["completions", "bash"]).stdout).unwrap();
        let o = std::process::Command::new("bash").arg("-n").arg(&f).output().unwrap();
        assert!(o.status.success(), "bash -n: {}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(code(&run(["completions", "tcsh"])), 2, "an unknown shell is a usage error");

    let o = run(["man"]);
    assert_eq!(code(&o), 0);
    let page = stdout(&o);
    assert!(page.lines().any(|l| l.starts_with(".TH STACKSCAN 1")), "{page}");
    // groff, where installed, reads it without a warning (-k: UTF-8 input, as man(1) gives it).
    if let Ok(mut g) = std::process::Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        g.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
        let out = g.wait_with_output().unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "groff: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn merged_reports_print_as_html_and_markdown_naming_their_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let parts = [("node-a", "elasticsearch7"), ("node-b", "kafka-to-es")];
    let mut files = Vec::new();
    for (host, sub) in parts {
        let path = format!("fixtures/linux/opt/stackstate/var/log/{sub}");
        let o = run(["scan", "--format", "json", "--host", host, &path]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let f = dir.path().join(format!("{host}.json"));
        std::fs::write(&f, &o.stdout).unwrap();
        files.push(f.display().to_string());
    }
    let merged = |format: &str| {
        let o = run(["merge", "--format", format, &files[0], &files[1]]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    let json: serde_json::Value = serde_json::from_str(&merged("json")).unwrap();
    let (html, md) = (merged("html"), merged("markdown"));
    for inc in json["incidents"].as_array().unwrap() {
        let title = inc["title"].as_str().unwrap();
        assert!(html.contains(&format!("<span class=\"title\">{title}</span>")), "{title}");
        assert!(render(&md).headings.iter().any(|h| h.ends_with(title)), "{title}");
    }
    for host in ["node-a", "node-b"] {
        assert!(html.contains(&format!("loc mono\">{host}:fixtures/linux/")), "{host} in the HTML evidence");
        assert!(md.contains(&format!("`{host}:fixtures/linux/")), "{host} in the Markdown evidence");
    }
}
