//! `stackscan man`: the manual page (roff, section 1), generated from the same clap definitions the binary
//! parses with. One page for the whole tool: the top command's synopsis and description, then a subsection per
//! command (`scan`, `follow`, `rules list`, ...) with its synopsis, description and options, then what the
//! flags do not say: exit status, environment, files, examples.

use crate::cli::args::Cli;
use clap::CommandFactory;
use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;
use std::io::Write;
use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    let page = page()?;
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    w.write_all(&page)?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The page, as bytes.
fn page() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone()).title("STACKSCAN").manual("stackscan manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in leaves(&cmd) {
        let sub_man = Man::new(sub.clone());
        let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name()).to_string();
        let mut r = Roff::new();
        r.control("SS", [name.as_str()]);
        r.to_writer(&mut out)?;
        out.extend(without_heading(&sub_man, Man::render_synopsis_section)?);
        out.extend(without_heading(&sub_man, Man::render_description_section)?);
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            out.extend(without_heading(&sub_man, Man::render_options_section)?);
        }
    }
    extra().to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(one_preamble(&out))
}

/// The page with roff's preamble (the `Aq` string that each rendered part opens with) once, at its top.
fn one_preamble(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let preamble = |l: &str| l.starts_with(".ie \\n(.g .ds Aq") || l.starts_with(".el .ds Aq");
    let lines: Vec<&str> = text.lines().collect();
    let head: Vec<&str> = lines.iter().copied().take_while(|l| preamble(l)).collect();
    let rest = lines[head.len()..].iter().copied().filter(|l| !preamble(l));
    let mut out = head.into_iter().chain(rest).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

/// The commands that run something (`rules` is only a group: its `list`, `test`, `check`).
fn leaves(cmd: &clap::Command) -> Vec<&clap::Command> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        if sub.has_subcommands() {
            out.extend(leaves(sub));
        } else {
            out.push(sub);
        }
    }
    out
}

/// A section as clap_mangen renders it, without its `.SH` heading line (the subsection heading stands for it).
fn without_heading(man: &Man, render: fn(&Man, &mut dyn Write) -> std::io::Result<()>) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    render(man, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let body: Vec<&str> = text.lines().filter(|l| !l.starts_with(".SH")).collect();
    let mut out = body.join("\n").into_bytes();
    out.push(b'\n');
    out.splice(0..0, b".PP\n".iter().copied());
    Ok(out)
}

/// Exit status, environment, files and examples.
fn extra() -> Roff {
    let mut r = Roff::new();
    let para = |r: &mut Roff, tag: &str, text: &str| {
        r.control("TP", []);
        r.text([bold(tag)]);
        r.text([roman(text)]);
    };
    r.control("SH", ["EXIT STATUS"]);
    para(&mut r, "0", "The run was done; findings are output, not failure. A closed pipe also ends the run with 0.");
    para(&mut r, "1", "With --fail-on SEVERITY: an incident at or above that severity was found.");
    para(
        &mut r,
        "2",
        "The run could not be done: bad arguments, a path that does not exist, an invalid rule pack, no input readable.",
    );
    r.control("SH", ["ENVIRONMENT"]);
    para(&mut r, "NO_COLOR", "When set and not empty, --color auto prints no colour.");
    para(&mut r, "XDG_STATE_HOME", "Where follow keeps its checkpoint (stackscan/follow-state.json below it).");
    para(&mut r, "HOME", "Without XDG_STATE_HOME: the checkpoint is ~/.local/state/stackscan/follow-state.json.");
    r.control("SH", ["FILES"]);
    para(
        &mut r,
        "/opt/stackstate/var/log",
        "What scan and follow read when no path is given (plus /var/log/stackstate-agent where it exists).",
    );
    para(&mut r, "/var/lib/stackscan/follow-state.json", "The follow checkpoint when running as root.");
    r.control("SH", ["EXAMPLES"]);
    for (what, cmd) in [
        ("Scan the server's logs and print the incidents:", "stackscan scan"),
        (
            "An HTML page with a timeline per incident, to open in a browser:",
            "stackscan scan --format html DIR > report.html",
        ),
        ("Markdown to paste into a ticket or a GitHub issue:", "stackscan scan --format markdown DIR > report.md"),
        (
            "Pod logs through kubectl:",
            "kubectl logs -n stackstate deploy/stackstate-receiver --timestamps | stackscan scan -",
        ),
        ("Follow the logs as a service, one JSON object per event:", "stackscan follow --format ndjson"),
    ] {
        r.control("PP", []);
        r.text([roman(what)]);
        r.control("IP", []);
        r.text([bold(cmd)]);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_with_every_command_and_its_options() {
        let page = String::from_utf8(page().unwrap()).unwrap();
        assert!(page.lines().nth(2).is_some_and(|l| l.starts_with(".TH STACKSCAN 1")), "{}", &page[..120]);
        assert_eq!(page.matches(".ds Aq").count(), 2, "one preamble (.ie/.el)");
        for sub in
            ["stackscan scan", "stackscan follow", "stackscan rules list", "stackscan completions", "stackscan man"]
        {
            assert!(page.contains(&format!(".SS \"{sub}\"")) || page.contains(&format!(".SS {sub}")), "{sub}");
        }
        for flag in ["\\-\\-format", "\\-\\-wide", "\\-\\-from\\-start", "\\-\\-fail\\-on"] {
            assert!(page.contains(flag), "{flag}");
        }
        assert!(!page.contains("progress\\-delay"), "hidden flags stay hidden");
        assert!(page.contains(".SH \"EXIT STATUS\"") || page.contains(".SH EXIT STATUS"));
        assert_eq!(page.matches(".SH SYNOPSIS").count(), 1, "subcommands have subsections, not sections");
    }
}
