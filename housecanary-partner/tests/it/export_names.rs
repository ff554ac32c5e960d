//! Export file names: Django's slug, the date fallbacks, and "today" in Los Angeles across the
//! DST changes.

use housecanary_partner::exports::naming::{
    Clock, ExportDate, FixedClock, ItemNaming, OrderNaming, SystemClock, date_in_export_zone,
    expected_archive_entries, item_date, item_file_id, order_date, order_download_name,
    order_item_file_prefix, order_item_json_name, slug, today, value_report_pdf_name,
};
use jiff::Timestamp;
use jiff::civil::date;
use proptest::prelude::*;

fn at(instant: &str) -> FixedClock {
    FixedClock::new(instant.parse().expect("test timestamp"))
}

fn la_date(instant: &str) -> String {
    date_in_export_zone(instant.parse::<Timestamp>().expect("test timestamp")).to_string()
}

// ---- slug -------------------------------------------------------------------------------------

/// Expected values worked out from Django's three lines (NFKD + ASCII; lowercase then drop
/// `[^\w\s-]`; collapse `[-\s]+` to `-` and strip `-_`), double-checked with a local Python
/// re-implementation of those lines (Unicode 14 data).
const SLUG_CASES: &[(&str, &str)] = &[
    // accents
    ("Café Crème", "cafe-creme"),
    ("naïve café", "naive-cafe"),
    ("São Paulo", "sao-paulo"),
    ("Ångström ñ", "angstrom-n"),
    ("Ünit 4 – Ste. 200", "unit-4-ste-200"),
    ("İstanbul", "istanbul"),
    // ligatures and compatibility forms: decomposed when NFKD can, dropped otherwise
    ("ﬁne", "fine"),
    ("ﬀ", "ff"),
    ("Æther œuvre", "ther-uvre"),
    ("Æsir", "sir"),
    ("cœur", "cur"),
    ("Straße", "strae"),
    ("ǅemal", "dzemal"),
    ("ＡＢＣ１２３", "abc123"),
    ("ℌ𝔢𝔩𝔩𝔬", "hello"),
    ("Ⓐ Street", "a-street"),
    ("Acme™ Corp", "acmetm-corp"),
    ("5 ㎏", "5-kg"),
    ("x²", "x2"),
    ("Ⅻ", "xii"),
    ("℡", "tel"),
    // fractions: NFKD gives "1⁄2" and the fraction slash is not ASCII
    ("½ acre", "12-acre"),
    ("4½ Elm", "412-elm"),
    // scripts without an ASCII decomposition, and emoji
    ("東京 Tower", "tower"),
    ("東京タワー", ""),
    ("Москва", ""),
    ("Ελλάδα", ""),
    ("🏠 Home 🏡", "home"),
    ("🏠", ""),
    // punctuation
    ("Hello, World!", "hello-world"),
    ("123 Main St. #4", "123-main-st-4"),
    (
        "1234 Main St, Apt #5, Los Angeles, CA 90001",
        "1234-main-st-apt-5-los-angeles-ca-90001",
    ),
    ("O'Brien & Sons", "obrien-sons"),
    ("HC Order: 2024/03", "hc-order-202403"),
    ("wait…what", "waitwhat"),
    ("a—b", "ab"),
    ("a - ! - b", "a-b"),
    // underscores: kept inside, stripped at the ends
    ("a_b", "a_b"),
    ("a__b", "a__b"),
    ("a_-_b", "a_-_b"),
    ("__a_b__", "a_b"),
    ("Ça_va_", "ca_va"),
    // leading and trailing separators, runs
    ("--a--", "a"),
    ("-_-leading", "leading"),
    ("trailing_-_", "trailing"),
    ("_-_a-_-b_-_", "a-_-b"),
    ("a--b", "a-b"),
    ("  leading and trailing  ", "leading-and-trailing"),
    // whitespace is Python's \s: tabs, newlines, \x0b, \x0c, \x1c-\x1f, and NBSP via NFKD
    ("a\tb\nc\rd", "a-b-c-d"),
    ("a\x0bb\x0cc", "a-b-c"),
    ("a\x1cb\x1dc\x1ed\x1ff", "a-b-c-d-f"),
    ("a\u{a0}b", "a-b"),
    ("a\u{2003}b", "a-b"),
    // other control characters are removed, not separators
    ("a\x00b\x7fc", "abc"),
    // empty results
    ("", ""),
    ("!!!", ""),
    ("   ", ""),
    ("-_-", ""),
    ("\x1c", ""),
    ("ß", ""),
];

#[test]
fn slug_matches_django_slugify() {
    let failures: Vec<String> = SLUG_CASES
        .iter()
        .filter(|(input, expected)| slug(input) != *expected)
        .map(|(input, expected)| format!("{input:?}: got {:?}, want {expected:?}", slug(input)))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

proptest! {
    #[test]
    fn slug_output_is_a_fixed_point_of_slug(input in any::<String>()) {
        let once = slug(&input);
        prop_assert!(once.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'));
        prop_assert!(!once.starts_with(['-', '_']) && !once.ends_with(['-', '_']));
        prop_assert!(!once.contains("--"));
        prop_assert_eq!(slug(&once), once);
    }
}

// ---- "today" in America/Los_Angeles -----------------------------------------------------------

#[test]
fn spring_forward_2024_03_10() {
    // 02:00 PST jumps to 03:00 PDT at 10:00 UTC.
    assert_eq!(la_date("2024-03-10T07:59:59Z"), "2024-03-09"); // 23:59:59 PST
    assert_eq!(la_date("2024-03-10T08:00:00Z"), "2024-03-10"); // 00:00 PST
    assert_eq!(la_date("2024-03-10T09:30:00Z"), "2024-03-10"); // 01:30 PST
    assert_eq!(la_date("2024-03-10T10:30:00Z"), "2024-03-10"); // 03:30 PDT
    // The next midnight comes an hour earlier in UTC: 07:00, not 08:00.
    assert_eq!(la_date("2024-03-11T06:59:59Z"), "2024-03-10"); // 23:59:59 PDT
    assert_eq!(la_date("2024-03-11T07:00:00Z"), "2024-03-11"); // 00:00 PDT
    assert_eq!(la_date("2024-03-11T07:30:00Z"), "2024-03-11"); // would be 03-10 under PST
}

#[test]
fn fall_back_2024_11_03() {
    // 02:00 PDT falls back to 01:00 PST at 09:00 UTC: 01:xx happens twice.
    assert_eq!(la_date("2024-11-03T06:59:59Z"), "2024-11-02"); // 23:59:59 PDT
    assert_eq!(la_date("2024-11-03T07:00:00Z"), "2024-11-03"); // 00:00 PDT
    assert_eq!(la_date("2024-11-03T08:00:00Z"), "2024-11-03"); // 01:00 PDT
    assert_eq!(la_date("2024-11-03T08:30:00Z"), "2024-11-03"); // 01:30 PDT
    assert_eq!(la_date("2024-11-03T08:59:59Z"), "2024-11-03"); // 01:59:59 PDT
    assert_eq!(la_date("2024-11-03T09:00:00Z"), "2024-11-03"); // 01:00 PST
    assert_eq!(la_date("2024-11-03T09:30:00Z"), "2024-11-03"); // 01:30 PST
    // The next midnight is an hour later in UTC: 08:00, not 07:00.
    assert_eq!(la_date("2024-11-04T07:30:00Z"), "2024-11-03"); // 23:30 PST, 04 under PDT
    assert_eq!(la_date("2024-11-04T07:59:59Z"), "2024-11-03");
    assert_eq!(la_date("2024-11-04T08:00:00Z"), "2024-11-04");
}

#[test]
fn just_after_utc_midnight_is_still_yesterday_in_los_angeles() {
    assert_eq!(la_date("2024-07-04T00:05:00Z"), "2024-07-03"); // 17:05 PDT
    assert_eq!(la_date("2024-01-01T00:30:00Z"), "2023-12-31"); // 16:30 PST, across a year
    assert_eq!(la_date("2024-03-01T07:59:00Z"), "2024-02-29"); // leap day
    assert_eq!(la_date("2024-03-01T08:00:00Z"), "2024-03-01");
}

#[test]
fn today_reads_the_injected_clock() {
    let clock = at("2024-03-11T00:05:00Z");
    assert_eq!(today(&clock), date(2024, 3, 10));
    let dynamic: &dyn Clock = &clock;
    assert_eq!(today(dynamic), date(2024, 3, 10));
}

#[test]
fn the_system_clock_gives_the_current_los_angeles_date() {
    let before = date_in_export_zone(Timestamp::now());
    let got = today(&SystemClock);
    let after = date_in_export_zone(Timestamp::now());
    assert!(
        got == before || got == after,
        "{got} not in {before}..={after}"
    );
}

// ---- archive name -----------------------------------------------------------------------------

#[test]
fn archive_name_uses_the_completion_date_when_completed() {
    let clock = at("2024-11-03T09:30:00Z");
    let order = OrderNaming::new("Spring Portfolio").completed_date(date(2024, 3, 12));
    assert_eq!(
        order_download_name(&order, "zip", &clock),
        "HC_spring-portfolio_2024-03-12.zip"
    );
}

#[test]
fn archive_name_of_an_uncompleted_order_uses_today_in_los_angeles() {
    let order = OrderNaming::new("Spring Portfolio")
        // The delivery date is an item fallback, not an order one.
        .actual_delivery_date(date(2024, 1, 1));
    let cases = [
        ("2024-03-10T09:30:00Z", "2024-03-10"),
        ("2024-03-10T10:30:00Z", "2024-03-10"),
        ("2024-11-03T08:30:00Z", "2024-11-03"),
        ("2024-11-03T09:30:00Z", "2024-11-03"),
        ("2024-07-04T00:05:00Z", "2024-07-03"),
    ];
    for (now, day) in cases {
        assert_eq!(
            order_download_name(&order, "zip", &at(now)),
            format!("HC_spring-portfolio_{day}.zip"),
            "at {now}"
        );
    }
}

#[test]
fn a_completion_timestamp_becomes_its_los_angeles_date() {
    let clock = at("2025-01-01T00:00:00Z");
    // 07:30 UTC on 10 March is 23:30 PST on the 9th.
    let completed = ExportDate::parse("2024-03-10T07:30:00Z").expect("timestamp");
    let order = OrderNaming::new("Q1").completed_date(completed);
    assert_eq!(order_date(&order, &clock).to_string(), "2024-03-09");
    let order = OrderNaming::new("Q1").completed_date(
        "2024-11-03T08:30:00Z"
            .parse::<Timestamp>()
            .expect("timestamp"),
    );
    assert_eq!(
        order_download_name(&order, "csv", &clock),
        "HC_q1_2024-11-03.csv"
    );
}

#[test]
fn archive_name_slugs_the_order_name_even_to_nothing() {
    let clock = at("2024-03-10T09:30:00Z");
    assert_eq!(
        order_download_name(&OrderNaming::new("Ça va? Œuvre #2 ½"), "zip", &clock),
        "HC_ca-va-uvre-2-12_2024-03-10.zip"
    );
    assert_eq!(
        order_download_name(&OrderNaming::new("東京"), "zip", &clock),
        "HC__2024-03-10.zip"
    );
}

// ---- item names -------------------------------------------------------------------------------

#[test]
fn item_id_prefers_a_non_empty_customer_item_id() {
    let item = ItemNaming::new("123 Main St")
        .unit("4")
        .customer_item_id("Loan #42_A");
    // Used verbatim: the vendor does not slug customer ids.
    assert_eq!(item_file_id(&item), "Loan #42_A");
    let empty = ItemNaming::new("123 Main St").customer_item_id("");
    assert_eq!(item_file_id(&empty), "123-main-st");
}

#[test]
fn item_id_appends_the_unit_as_given_to_the_address_slug() {
    assert_eq!(
        item_file_id(&ItemNaming::new("123 Main St.")),
        "123-main-st"
    );
    assert_eq!(
        item_file_id(&ItemNaming::new("123 Main St.").unit("4B")),
        "123-main-st-4B"
    );
    assert_eq!(
        item_file_id(&ItemNaming::new("123 Main St.").unit("#4 B")),
        "123-main-st-#4 B"
    );
    assert_eq!(
        item_file_id(&ItemNaming::new("123 Main St.").unit("")),
        "123-main-st"
    );
    assert_eq!(
        item_file_id(&ItemNaming::new("Rue de l'Église 5").unit("2")),
        "rue-de-leglise-5-2"
    );
}

#[test]
fn item_date_falls_back_from_completion_to_delivery_to_today() {
    let clock = at("2024-11-04T07:30:00Z"); // 23:30 PST on 3 November
    let completed_order = OrderNaming::new("Q1").completed_date(date(2024, 10, 1));
    let delivered_order = completed_order
        .clone()
        .actual_delivery_date(date(2024, 10, 2));
    let bare = ItemNaming::new("1 Main St");
    let done = bare.clone().completion_date(date(2024, 9, 30));

    // 1. the item's completion date wins over everything
    assert_eq!(
        item_date(&done, &delivered_order, &clock).date(),
        date(2024, 9, 30)
    );
    // 2. then the order's actual delivery date
    assert_eq!(
        item_date(&bare, &delivered_order, &clock).date(),
        date(2024, 10, 2)
    );
    // 3. then today in Los Angeles; the order's completion date is not an item fallback
    assert_eq!(
        item_date(&bare, &completed_order, &clock).date(),
        date(2024, 11, 3)
    );
}

#[test]
fn item_file_names_put_it_together() {
    let clock = at("2024-03-10T10:30:00Z");
    let order = OrderNaming::new("Q1");
    let item = ItemNaming::new("742 Evergreen Terrace").unit("2");
    assert_eq!(
        order_item_file_prefix(&item, &order, &clock),
        "742-evergreen-terrace-2_2024-03-10"
    );
    assert_eq!(
        order_item_json_name(&item, &order, false, &clock).as_deref(),
        Some("742-evergreen-terrace-2_2024-03-10_OrderItem.json")
    );
    assert_eq!(order_item_json_name(&item, &order, true, &clock), None);
    assert_eq!(
        value_report_pdf_name(&item, &order, &clock),
        "742-evergreen-terrace-2_2024-03-10_ValueReport.pdf"
    );
    let timestamped = item.completion_date(
        ExportDate::parse("2024-03-10T06:59:59Z").expect("timestamp"), // 22:59:59 PST on the 9th
    );
    assert_eq!(
        value_report_pdf_name(&timestamped, &order, &clock),
        "742-evergreen-terrace-2_2024-03-09_ValueReport.pdf"
    );
}

#[test]
fn expected_entries_list_every_item_with_and_without_json() {
    let clock = at("2024-11-03T09:30:00Z");
    let order = OrderNaming::new("Q1").actual_delivery_date(date(2024, 11, 1));
    let items = [
        ItemNaming::new("1 Main St").completion_date(date(2024, 10, 31)),
        ItemNaming::new("2 Oak Ave").customer_item_id("B-2"),
        ItemNaming::new("2 Oak Ave").customer_item_id("B-2"),
    ];
    assert_eq!(
        expected_archive_entries(&order, &items, false, &clock),
        [
            "1-main-st_2024-10-31_OrderItem.json",
            "1-main-st_2024-10-31_ValueReport.pdf",
            "B-2_2024-11-01_OrderItem.json",
            "B-2_2024-11-01_ValueReport.pdf",
            "B-2_2024-11-01_OrderItem.json",
            "B-2_2024-11-01_ValueReport.pdf",
        ]
    );
    assert_eq!(
        expected_archive_entries(&order, &items[..1], true, &clock),
        ["1-main-st_2024-10-31_ValueReport.pdf"]
    );
    assert!(expected_archive_entries(&order, &[], false, &clock).is_empty());
}
