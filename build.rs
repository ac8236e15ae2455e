//! Build-time work: embeds the shipped rule pack (`rules/stackstate/*.toml`) into the binary, so `stackscan`
//! works from any directory without its source tree; and hashes the HTML report's inline style sheet and script
//! (`src/report/html/`) for the page's Content-Security-Policy, which allows exactly those two and nothing else.

use sha2::{Digest, Sha256};
use std::{env, fs, path::Path};

fn main() {
    let out_dir = env::var("OUT_DIR").expect("OUT_DIR");
    embed_rules(Path::new(&out_dir));
    hash_html_assets(Path::new(&out_dir));
}

fn embed_rules(out_dir: &Path) {
    let dir = Path::new("rules/stackstate");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// The shipped rule pack: (path relative to the crate, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = fs::canonicalize(f).expect("rule file path");
        out.push_str(&format!("    ({:?}, include_str!({:?})),\n", f.display().to_string(), abs.display().to_string()));
    }
    out.push_str("];\n");
    fs::write(out_dir.join("embedded_rules.rs"), out).expect("write embedded_rules.rs");
}

/// `html_assets.rs`: the style sheet and the script, with the `sha256-…` sources the CSP names them by. Hashed
/// here because they are constants: nothing is computed per report.
fn hash_html_assets(out_dir: &Path) {
    let mut out = String::new();
    for (name, file) in [("CSS", "src/report/html/report.css"), ("JS", "src/report/html/report.js")] {
        println!("cargo:rerun-if-changed={file}");
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let abs = fs::canonicalize(file).expect("asset path");
        let digest = Sha256::digest(text.as_bytes());
        out.push_str(&format!(
            "/// `{file}`, inlined.\nconst {name}: &str = include_str!({:?});\n/// Its CSP source.\nconst {name}_SOURCE: &str = \"'sha256-{}'\";\n",
            abs.display().to_string(),
            base64(&digest)
        ));
    }
    fs::write(out_dir.join("html_assets.rs"), out).expect("write html_assets.rs");
}

/// Standard base64 with padding, as CSP hash sources are written.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
