//! The release tarball (deploy/release.sh): built around this test's binary (a release build would add minutes
//! to CI; the packaging is what is tested), unpacked, and run: `--version`, and a scan of the shipped fixtures.

use crate::util::*;
use std::process::Command;

#[test]
fn the_tarball_unpacks_and_runs() {
    let out = tempfile::tempdir().unwrap();
    // The test build carries debug information: stripped (as the release profile strips), it packs in a second.
    let bin = out.path().join("stackscan-under-test");
    std::fs::copy(env!("CARGO_BIN_EXE_stackscan"), &bin).unwrap();
    let _ = Command::new("strip").arg(&bin).status();
    let o = Command::new("bash")
        .current_dir(root())
        .args(["deploy/release.sh", "--bin"])
        .arg(&bin)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tarball = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy().ends_with(".tar.gz") && p.file_name().is_some_and(|n| n != "stackscan-under-test")
        })
        .expect("a tarball");
    let sums = std::fs::read_to_string(format!("{}.sha256", tarball.display())).unwrap();
    assert!(sums.contains(tarball.file_name().unwrap().to_str().unwrap()), "{sums}");
    let unpack = tempfile::tempdir().unwrap();
    assert!(Command::new("tar").arg("-xzf").arg(&tarball).arg("-C").arg(unpack.path()).status().unwrap().success());
    let top = std::fs::read_dir(unpack.path()).unwrap().next().unwrap().unwrap().path();
    assert!(top.file_name().unwrap().to_str().unwrap().starts_with("stackscan-"), "{}", top.display());
    for f in [
        "stackscan",
        "README.md",
        "LICENSE",
        "man/stackscan.1",
        "systemd/stackscan.service",
        "completions/stackscan.bash",
        "completions/_stackscan",
        "completions/stackscan.fish",
        "completions/_stackscan.ps1",
    ] {
        let p = top.join(f);
        assert!(p.metadata().is_ok_and(|m| m.len() > 0), "{f} in the tarball");
    }
    let bin = top.join("stackscan");
    let v = Command::new(&bin).arg("--version").output().unwrap();
    assert!(v.status.success());
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("stackscan "), "{}", String::from_utf8_lossy(&v.stdout));
    let scan =
        Command::new(&bin).args(["scan", "--color", "never"]).arg(root().join("fixtures/linux")).output().unwrap();
    assert!(scan.status.success(), "{}", String::from_utf8_lossy(&scan.stderr));
    assert!(String::from_utf8_lossy(&scan.stdout).contains("CRITICAL"), "{}", String::from_utf8_lossy(&scan.stdout));
}
