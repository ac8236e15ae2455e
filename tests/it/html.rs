//! The HTML report in a real browser: headless Chromium, driven over WebDriver, renders the report of the shipped
//! fixtures plus a log line carrying markup and terminal escapes. It must show every incident with one timeline
//! bar per episode, log no console error, make no network request, draw something (a screenshot that is not
//! one colour), and show the hostile line and file name as text: no script of its own runs, no element of its own
//! appears, a terminal escape in a name is shown as `\x1b`.

use crate::util::browser::{png_colours, Browser};
use crate::util::*;
use serde_json::Value;

#[test]
fn the_report_renders_offline_with_a_bar_per_episode_and_log_text_as_text() {
    let Some(browser) = Browser::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_receiver_log(&dir.path().join("hostile"));
    hostile_file_name(&hostile);
    let args = [fixture("linux").display().to_string(), hostile.display().to_string()];
    let report = scan_json(&args);
    let o = cmd().args(["scan", "--format", "html"]).args(&args).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = dir.path().join("report.html");
    std::fs::write(&page, &o.stdout).unwrap();
    let html = stdout(&o);
    assert!(html.contains("http-equiv=\"Content-Security-Policy\""));

    browser.open(&page);
    let incidents = report["incidents"].as_array().unwrap();
    assert!(incidents.len() >= 6, "the fixtures' five incidents and the hostile line's");

    // Every incident, by title, with as many bars in its timeline as it has episodes.
    let seen = browser.eval(
        "return [...document.querySelectorAll('article.incident')].map(a => ({
            title: a.querySelector('h2 .title').textContent,
            bars: a.querySelectorAll('figure.timeline svg rect.bar').length,
            episodes: Number(a.dataset.episodes)}));",
    );
    let seen = seen.as_array().unwrap();
    assert_eq!(seen.len(), incidents.len(), "the page's incidents: {seen:?}");
    for (inc, s) in incidents.iter().zip(seen) {
        assert_eq!(s["title"], inc["title"], "titles in report order");
        let episodes = inc["episodes"].as_array().unwrap().len() as u64;
        assert_eq!(s["episodes"], episodes);
        assert_eq!(s["bars"], episodes, "one bar per episode: {}", inc["title"]);
    }
    let overview_bars = browser.eval("return document.querySelectorAll('#overview svg rect.bar').length;");
    assert_eq!(overview_bars, incidents.len() as u64, "the scan's axis: a bar per incident");

    // The hostile line is text: no script but the page's own, no image, no alert, no escape character.
    let dom = browser.eval(
        "return {scripts: document.scripts.length, images: document.images.length,
                 bold: document.querySelectorAll('b').length,
                 links_out: [...document.querySelectorAll('a[href]')].filter(a => !a.getAttribute('href').startsWith('#')).length,
                 text: document.body.textContent};",
    );
    assert_eq!(dom["scripts"], 1, "only the report's own script");
    assert_eq!(dom["images"], 0);
    assert_eq!(dom["bold"], 0, "a file name's markup is text too");
    assert_eq!(dom["links_out"], 0, "no link leaves the page");
    let text = dom["text"].as_str().unwrap();
    assert!(text.contains("<script>alert(1)</script>"), "the markup is shown as text");
    assert!(text.contains("<img src=x onerror=alert(2)>red"), "in the title and the details too");
    assert!(!text.contains('\u{1b}'), "terminal escapes do not reach the page");
    assert!(text.contains("stackstate-receiver-\\x1b[2J<b>bold.log"), "a file name's escape is shown, not obeyed");
    assert_eq!(browser.alert_text(), None, "no script from the log ran");

    // Drawn: the screenshot is not blank.
    let png = browser.screenshot();
    assert!(png_colours(&png) > 8, "a blank screenshot");

    // Nothing in the console, nothing fetched but the page itself.
    let console: Vec<Value> = browser.log("browser");
    let errors: Vec<&Value> = console.iter().filter(|e| e["level"] == "SEVERE").collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let page_url = format!("file://{}", page.display());
    let requests: Vec<String> = browser
        .log("performance")
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
        .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
        .map(|m| m["message"]["params"]["request"]["url"].as_str().unwrap_or_default().to_string())
        .filter(|u| *u != page_url)
        .collect();
    assert!(requests.is_empty(), "network requests: {requests:?}");
}

#[test]
fn the_page_holds_what_the_report_keeps_and_no_more() {
    // The page is bounded by the samples, not the logs: the same report from a log four times as long (the same
    // problem repeated) is the same size, give or take the numbers.
    let dir = tempfile::tempdir().unwrap();
    let line =
        std::fs::read_to_string(fixture("linux/opt/stackstate/var/log/stackstate-receiver/stackstate-receiver.log"))
            .unwrap()
            .lines()
            .find(|l| l.contains("Failed to deserialize JSON"))
            .unwrap()
            .to_string();
    let size = |n: usize| {
        let d = dir.path().join(format!("n{n}/stackstate-receiver"));
        std::fs::create_dir_all(&d).unwrap();
        let body: String =
            (0..n).map(|i| line.replacen("13:10:41", &format!("13:{:02}:41", 10 + i % 40), 1) + "\n").collect();
        std::fs::write(d.join("stackstate-receiver.log"), body).unwrap();
        let o = run(["scan", "--format", "html", d.to_str().unwrap()]);
        assert_eq!(code(&o), 0);
        o.stdout.len()
    };
    let (small, large) = (size(500), size(2000));
    assert!(large.abs_diff(small) < 200, "{small} vs {large} bytes");
}

/// Every `id` in the page is unique (an SVG marker per timeline, and an unexplained template per component: the
/// fixtures mine one text in two components), so links and `url(#…)` references find the one meant.
#[test]
fn every_id_in_the_page_is_unique() {
    let o = run(["scan", "--format", "html", fixture("linux").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let html = stdout(&o);
    let mut ids: Vec<&str> = html.split(" id=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
    assert!(ids.iter().any(|i| i.starts_with("arrow-")) && ids.iter().any(|i| i.starts_with("unexplained-")));
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    for r in html.split("url(#").skip(1).map(|rest| &rest[..rest.find(')').unwrap()]) {
        assert!(ids.binary_search(&r).is_ok(), "url(#{r}) names no element");
    }
}
