//! Export archives built here with the `zip` crate, read back and mapped to order items.
#![cfg(feature = "export-archive")]

use std::io::{Cursor, Read, Write};

use housecanary_partner::exports::naming::{
    EntryKind, FixedClock, ItemNaming, OrderNaming, expected_archive_entries, order_download_name,
};
use housecanary_partner::exports::{ArchiveError, ExportArchive};
use jiff::civil::date;
use proptest::prelude::*;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

fn at(instant: &str) -> FixedClock {
    FixedClock::new(instant.parse().expect("test timestamp"))
}

/// A zip of `(name, bytes)` files; a name ending in `/` becomes a directory entry.
fn build(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        if let Some(dir) = name.strip_suffix('/') {
            writer.add_directory(dir, options).expect("add directory");
        } else {
            writer.start_file(*name, options).expect("start file");
            writer.write_all(bytes).expect("write file");
        }
    }
    writer.finish().expect("finish zip").into_inner()
}

fn open(bytes: Vec<u8>) -> ExportArchive<Cursor<Vec<u8>>> {
    ExportArchive::new(Cursor::new(bytes)).expect("archive opens")
}

fn read_entry(archive: &mut ExportArchive<Cursor<Vec<u8>>>, path: &str) -> Vec<u8> {
    let entry = archive
        .entries()
        .iter()
        .find(|entry| entry.path() == path)
        .cloned()
        .expect("entry present");
    let mut bytes = Vec::new();
    archive
        .entry_reader(&entry)
        .expect("entry opens")
        .read_to_end(&mut bytes)
        .expect("entry reads");
    bytes
}

/// The order of most tests: three items (customer id; address and unit; address only).
fn order_and_items() -> (OrderNaming, Vec<ItemNaming>) {
    let order = OrderNaming::new("Spring Portfolio").completed_date(date(2024, 3, 10));
    let items = vec![
        ItemNaming::new("1 Main St")
            .customer_item_id("loan_42")
            .completion_date(date(2024, 3, 10)),
        ItemNaming::new("742 Evergreen Terrace")
            .unit("2B")
            .completion_date(date(2024, 3, 9)),
        ItemNaming::new("Café Crème Blvd 5").completion_date(date(2024, 3, 10)),
    ];
    (order, items)
}

#[test]
fn a_vendor_archive_in_a_top_level_folder_is_listed_classified_matched_and_streamed() {
    let clock = at("2024-03-12T18:00:00Z");
    let (order, items) = order_and_items();
    let folder = order_download_name(&order, "zip", &clock);
    let folder = folder.trim_end_matches(".zip");
    assert_eq!(folder, "HC_spring-portfolio_2024-03-10");

    let pdf = b"%PDF-1.4 value report".repeat(100);
    let mut files: Vec<(String, Vec<u8>)> = vec![(format!("{folder}/"), Vec::new())];
    for name in expected_archive_entries(&order, &items, false, &clock) {
        let bytes = if name.ends_with(".pdf") {
            pdf.clone()
        } else {
            format!("{{\"name\":\"{name}\"}}").into_bytes()
        };
        files.push((format!("{folder}/{name}"), bytes));
    }
    files.push((
        format!("{folder}/cafe-creme-blvd-5_2024-03-10_AgileInsights.pdf"),
        b"%PDF agile".to_vec(),
    ));
    files.push((format!("{folder}/Order.json"), b"{\"id\":1}".to_vec()));
    files.push((format!("{folder}/README.txt"), b"hello".to_vec()));
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let mut archive = open(build(&borrowed));

    // The directory entry is not listed; everything else is, in order.
    assert_eq!(archive.entries().len(), files.len() - 1);
    let first = &archive.entries()[0];
    assert_eq!(first.index(), 1);
    assert_eq!(first.folder(), Some(folder));
    assert_eq!(first.file_name(), "loan_42_2024-03-10_OrderItem.json");
    assert_eq!(
        first.kind(),
        &EntryKind::OrderItemJson {
            item_id: "loan_42".into(),
            date: "2024-03-10".into()
        }
    );
    let second = &archive.entries()[1];
    assert_eq!(
        second.kind(),
        &EntryKind::Report {
            item_id: "loan_42".into(),
            date: "2024-03-10".into(),
            suffix: "ValueReport".into()
        }
    );
    assert_eq!(second.size(), pdf.len() as u64);

    let matched = archive.match_items(&order, &items, &clock);
    assert_eq!(matched.items.len(), 3);
    let names = |entries: &[housecanary_partner::exports::ArchiveEntry]| {
        entries
            .iter()
            .map(|entry| entry.file_name().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&matched.items[0].order_item_json),
        ["loan_42_2024-03-10_OrderItem.json"]
    );
    assert_eq!(
        names(&matched.items[1].reports),
        ["742-evergreen-terrace-2B_2024-03-09_ValueReport.pdf"]
    );
    assert_eq!(
        names(&matched.items[2].reports),
        [
            "cafe-creme-blvd-5_2024-03-10_ValueReport.pdf",
            "cafe-creme-blvd-5_2024-03-10_AgileInsights.pdf"
        ]
    );
    let agile = matched.items[2]
        .report("agileinsights")
        .expect("suffix lookup ignores case")
        .clone();
    assert_eq!(names(&matched.order_json), ["Order.json"]);
    assert_eq!(names(&matched.unmatched), ["README.txt"]);
    assert!(matched.ambiguous.is_empty());

    // Bytes stream back out intact (deflated in the archive).
    assert_eq!(
        read_entry(
            &mut archive,
            &format!("{folder}/742-evergreen-terrace-2B_2024-03-09_ValueReport.pdf")
        ),
        pdf
    );
    let mut out = Vec::new();
    let copied = archive.copy_entry_to(&agile, &mut out).expect("copy");
    assert_eq!((copied, out.as_slice()), (10, b"%PDF agile".as_slice()));
}

#[test]
fn a_flat_archive_without_json_matches_too() {
    let clock = at("2024-03-12T18:00:00Z");
    let (order, items) = order_and_items();
    let names = expected_archive_entries(&order, &items, true, &clock);
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|name| (name.as_str(), b"%PDF".as_slice()))
        .collect();
    let archive = open(build(&files));
    assert!(
        archive
            .entries()
            .iter()
            .all(|entry| entry.folder().is_none())
    );
    let matched = archive.match_items(&order, &items, &clock);
    for files in &matched.items {
        assert!(files.order_item_json.is_empty());
        assert_eq!(files.reports.len(), 1);
        assert!(files.report("ValueReport").is_some());
    }
    assert!(matched.unmatched.is_empty() && matched.order_json.is_empty());
}

#[test]
fn items_without_dates_match_an_archive_built_on_another_day() {
    let order = OrderNaming::new("Q1");
    let items = [
        ItemNaming::new("1 Main St"),
        ItemNaming::new("2 Oak Ave").unit("7"),
    ];
    // Built on 10 March (Los Angeles), read on 12 March: "today" differs.
    let built = expected_archive_entries(&order, &items, false, &at("2024-03-10T20:00:00Z"));
    assert_eq!(built[0], "1-main-st_2024-03-10_OrderItem.json");
    let files: Vec<(&str, &[u8])> = built
        .iter()
        .map(|name| (name.as_str(), b"x".as_slice()))
        .collect();
    let archive = open(build(&files));
    let matched = archive.match_items(&order, &items, &at("2024-03-12T20:00:00Z"));
    for files in &matched.items {
        assert_eq!((files.order_item_json.len(), files.reports.len()), (1, 1));
    }
}

#[test]
fn same_named_items_are_ambiguous_and_unknown_items_unmatched() {
    let clock = at("2024-03-10T20:00:00Z");
    let order = OrderNaming::new("Q1");
    let items = [
        ItemNaming::new("1 Main St"),
        ItemNaming::new("1 MAIN ST."),
        ItemNaming::new("9 Elm St"),
    ];
    let archive = open(build(&[
        ("1-main-st_2024-03-10_ValueReport.pdf", b"a"),
        ("3-pine-rd_2024-03-10_ValueReport.pdf", b"b"),
        ("9-elm-st_2024-03-10_ValueReport.pdf", b"c"),
    ]));
    let matched = archive.match_items(&order, &items, &clock);
    assert_eq!(matched.ambiguous.len(), 1);
    assert_eq!(matched.ambiguous[0].1, [0, 1]);
    assert_eq!(matched.unmatched.len(), 1);
    assert_eq!(
        matched.unmatched[0].file_name(),
        "3-pine-rd_2024-03-10_ValueReport.pdf"
    );
    assert_eq!(matched.items[2].reports.len(), 1);
    assert!(matched.items[0].reports.is_empty() && matched.items[1].reports.is_empty());
}

#[test]
fn hostile_entry_names_are_refused_with_a_typed_error() {
    for hostile in [
        "../evil.pdf",
        "HC_x/../../evil.pdf",
        "/etc/cron.d/evil",
        "..\\evil.pdf",
        "C:/evil.pdf",
        "a/./b.pdf",
    ] {
        let bytes = build(&[("ok_2024-03-10_ValueReport.pdf", b"ok"), (hostile, b"evil")]);
        match ExportArchive::new(Cursor::new(bytes)) {
            Err(ArchiveError::UnsafeEntryName { index, name, .. }) => {
                assert_eq!((index, name.as_str()), (1, hostile));
            }
            other => panic!("{hostile:?} gave {other:?}"),
        }
    }
}

#[test]
fn garbage_truncated_and_corrupt_archives_give_typed_errors() {
    assert!(matches!(
        ExportArchive::new(Cursor::new(b"PK\x03\x04 not really".to_vec())),
        Err(ArchiveError::NotAZip { .. })
    ));
    let good = build(&[("a_2024-03-10_ValueReport.pdf", &[7u8; 4096])]);
    let truncated = good[..good.len() - 10].to_vec();
    assert!(matches!(
        ExportArchive::new(Cursor::new(truncated)),
        Err(ArchiveError::NotAZip { .. })
    ));

    // Stored (uncompressed) data with one byte flipped: listed fine, the CRC check fails on read.
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer
        .start_file("a_2024-03-10_ValueReport.pdf", stored)
        .expect("start");
    writer.write_all(&[7u8; 4096]).expect("write");
    let mut corrupt = writer.finish().expect("finish").into_inner();
    let at_data = corrupt
        .windows(4)
        .position(|window| window == [7, 7, 7, 7])
        .expect("data present");
    corrupt[at_data + 100] = 8;
    let mut archive = open(corrupt);
    let entry = archive.entries()[0].clone();
    let err = archive
        .copy_entry_to(&entry, &mut std::io::sink())
        .expect_err("CRC mismatch");
    assert!(
        matches!(err, ArchiveError::Entry { index: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn an_entry_from_another_archive_is_refused() {
    let mut one = open(build(&[("a.txt", b"a")]));
    let other = open(build(&[("b.txt", b"b"), ("c.txt", b"c")]));
    let foreign = other.entries()[0].clone();
    assert!(matches!(
        one.entry_reader(&foreign),
        Err(ArchiveError::UnknownEntry { index: 0, .. })
    ));
    let beyond = other.entries()[1].clone();
    assert!(matches!(
        one.copy_entry_to(&beyond, &mut Vec::new()),
        Err(ArchiveError::UnknownEntry { index: 1, .. })
    ));
}

#[test]
fn a_failing_writer_is_a_write_error() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut archive = open(build(&[("a.txt", b"abc")]));
    let entry = archive.entries()[0].clone();
    let err = archive
        .copy_entry_to(&entry, &mut Broken)
        .expect_err("writer fails");
    assert!(matches!(err, ArchiveError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains("disk full"));
}

#[test]
fn an_archive_opens_from_a_path_and_streams_a_large_entry() {
    let big = vec![42u8; 3 * 1024 * 1024 + 17];
    let bytes = build(&[("HC_q1_2024-03-10/A-1_2024-03-10_ValueReport.pdf", &big)]);
    let path =
        std::env::temp_dir().join(format!("hc-export-archive-test-{}.zip", std::process::id()));
    std::fs::write(&path, bytes).expect("write temp archive");
    let result = (|| {
        let mut archive = ExportArchive::open(&path)?;
        let entry = archive.entries()[0].clone();
        let mut counter = CountingSink::default();
        let copied = archive.copy_entry_to(&entry, &mut counter)?;
        Ok::<_, ArchiveError>((copied, counter))
    })();
    let _ = std::fs::remove_file(&path);
    let (copied, counter) = result.expect("read from path");
    assert_eq!(copied, big.len() as u64);
    assert_eq!(counter.bytes, big.len() as u64);
    // Streamed in bounded chunks, never as one buffer.
    assert!(
        counter.largest_write <= 64 * 1024,
        "{}",
        counter.largest_write
    );

    let missing = ExportArchive::open(path.with_extension("missing")).expect_err("no file");
    assert!(matches!(missing, ArchiveError::Open { .. }));
}

#[derive(Default)]
struct CountingSink {
    bytes: u64,
    largest_write: usize,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.largest_write = self.largest_write.max(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Opening and reading every entry of whatever bytes arrive.
fn read_everything(bytes: Vec<u8>) {
    if let Ok(mut archive) = ExportArchive::new(Cursor::new(bytes)) {
        for entry in archive.entries().to_vec() {
            let _ = archive.copy_entry_to(&entry, &mut std::io::sink());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        read_everything(bytes);
    }

    #[test]
    fn damaged_archives_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = build(&[
            ("HC_q1_2024-03-10/", b""),
            ("HC_q1_2024-03-10/A-1_2024-03-10_ValueReport.pdf", b"%PDF-1.4 report"),
            ("HC_q1_2024-03-10/A-1_2024-03-10_OrderItem.json", b"{}"),
        ]);
        for (index, value) in edits {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        read_everything(bytes);
    }
}

/// Rewrites every entry's declared uncompressed size (local and central headers) to `size`.
fn declare_sizes(mut bytes: Vec<u8>, size: u32) -> Vec<u8> {
    let mut at = 0;
    while at + 4 <= bytes.len() {
        let field = match bytes.get(at..at + 4) {
            Some([0x50, 0x4b, 0x03, 0x04]) => Some(at + 22),
            Some([0x50, 0x4b, 0x01, 0x02]) => Some(at + 24),
            _ => None,
        };
        if let Some(field) = field {
            bytes
                .get_mut(field..field + 4)
                .expect("header field")
                .copy_from_slice(&size.to_le_bytes());
        }
        at += 1;
    }
    bytes
}

/// Peak resident memory growth of `work`, from `VmHWM` reset through `clear_refs` (Linux).
fn peak_growth<T>(work: impl FnOnce() -> T) -> (T, u64) {
    fn kib(field: &str) -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .expect("status")
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("memory figure")
    }
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let start = kib("VmRSS:");
    let result = work();
    (result, kib("VmHWM:").saturating_sub(start) * 1024)
}

#[test]
fn an_entry_that_inflates_past_its_declared_size_is_a_typed_error() {
    // Four entries of 256 KiB that does not compress: a 1 MB archive.
    let mut rng = fastrand::Rng::with_seed(7);
    let noise: Vec<u8> = std::iter::repeat_with(|| rng.u8(..))
        .take(256 << 10)
        .collect();
    let names: Vec<String> = (0..4)
        .map(|n| format!("A-{n}_2024-03-10_ValueReport.pdf"))
        .collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|name| (name.as_str(), noise.as_slice()))
        .collect();
    let bytes = declare_sizes(build(&files), 1024);
    assert!(bytes.len() > 1_000_000, "{} bytes", bytes.len());
    let mut archive = open(bytes);
    let (results, growth) = peak_growth(|| {
        archive
            .entries()
            .to_vec()
            .iter()
            .map(|entry| {
                assert_eq!(entry.size(), 1024);
                archive.copy_entry_to(entry, &mut std::io::sink())
            })
            .collect::<Vec<_>>()
    });
    for result in results {
        let err = result.expect_err("inflates past 1,024 bytes");
        assert!(
            matches!(
                err,
                ArchiveError::LimitExceeded {
                    limit: housecanary_partner::Limit::ArchiveEntry(1024),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("1024 bytes"), "{err}");
    }
    assert!(growth < 64 << 20, "grew {growth} bytes");
}

/// The dangerous names, each refused with a typed error naming the entry and why.
#[test]
fn names_dangerous_on_some_file_system_are_refused() {
    for hostile in [
        "CON",
        "aux.pdf",
        ":hidden",
        "report.pdf.",
        "report.pdf ",
        "fdp\u{202e}.exe",
        "\u{ff0e}\u{ff0e}/report.pdf",
        "a\u{2215}report.pdf",
        "report\n.pdf",
        "report\u{1b}[2J.pdf",
    ] {
        let bytes = build(&[("ok_2024-03-10_ValueReport.pdf", b"ok"), (hostile, b"evil")]);
        match ExportArchive::new(Cursor::new(bytes)) {
            Err(ArchiveError::UnsafeEntryName { index, reason, .. }) => {
                assert_eq!(index, 1, "{hostile:?}");
                assert!(!reason.is_empty());
            }
            other => panic!("{hostile:?} gave {other:?}"),
        }
    }
}

/// Two entries with one name (exactly, or but for case) are a typed error, not one entry.
#[test]
fn duplicate_entry_names_are_a_typed_error() {
    let same_but_case = build(&[("report.pdf", b"one"), ("REPORT.pdf", b"two")]);
    // The writer refuses an exact duplicate; the second name is patched in afterwards.
    let exact = build(&[("report.pdf", b"one"), ("rePOrt.pdf", b"two")]);
    let exact = replace_all(exact, b"rePOrt.pdf", b"report.pdf");
    for bytes in [same_but_case, exact] {
        match ExportArchive::new(Cursor::new(bytes)) {
            Err(ArchiveError::DuplicateEntryName {
                index, first_index, ..
            }) => assert_eq!((first_index, index), (0, 1)),
            other => panic!("{other:?}"),
        }
    }
}

fn replace_all(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + found..at + found + to.len()].copy_from_slice(to);
        at += found + from.len();
    }
    bytes
}
