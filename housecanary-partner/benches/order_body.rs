//! Benchmark: a 10,000-item `valueReport` order serializes straight to the request body.
//!
//! Compares what `Client::create_order` does (`serde_json::to_vec(&order)`) with the baseline of
//! going through an intermediate `serde_json::Value` (`to_value` then `to_vec`). Prints median
//! times and their ratio; exits non-zero only if the direct path is grossly slower than the
//! baseline (ratios, not absolute times: the machines are noisy).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use housecanary_partner::OwnerPair;
use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};

const ITEMS: usize = 10_000;
const REPETITIONS: usize = 25;
/// The target is direct ≤ baseline; only a gross miss fails the run.
const FAIL_ABOVE_RATIO: f64 = 1.5;

fn main() -> ExitCode {
    let order = order_of(ITEMS);

    // Both paths must produce the same JSON document (key order may differ: `Value` sorts keys).
    let direct = serde_json::to_vec(&order).expect("the order serializes");
    let via_value =
        serde_json::to_vec(&serde_json::to_value(&order).expect("the order serializes"))
            .expect("a Value serializes");
    let direct_doc: serde_json::Value = serde_json::from_slice(&direct).expect("valid JSON");
    let via_value_doc: serde_json::Value = serde_json::from_slice(&via_value).expect("valid JSON");
    assert_eq!(
        direct_doc, via_value_doc,
        "both paths must produce the same document"
    );
    assert_eq!(
        direct_doc["items"].as_array().map(Vec::len),
        Some(ITEMS),
        "every item must be in the body"
    );

    // Warm up both paths once more before timing.
    black_box(serde_json::to_vec(&order).ok());
    black_box(serde_json::to_value(&order).ok());

    let direct_median = median_of(|| {
        black_box(serde_json::to_vec(black_box(&order)).expect("the order serializes"));
    });
    let baseline_median = median_of(|| {
        let value = serde_json::to_value(black_box(&order)).expect("the order serializes");
        black_box(serde_json::to_vec(&value).expect("a Value serializes"));
    });
    let ratio = direct_median.as_secs_f64() / baseline_median.as_secs_f64();

    println!("order_body: {ITEMS}-item ValueReportOrder, median of {REPETITIONS} runs");
    println!("  body size: {} bytes", direct.len());
    println!("  {:<44} {:>12}", "path", "median");
    println!(
        "  {:<44} {:>12}",
        "direct: serde_json::to_vec(&order) (client)",
        format_duration(direct_median)
    );
    println!(
        "  {:<44} {:>12}",
        "baseline: to_value(&order) then to_vec",
        format_duration(baseline_median)
    );
    println!(
        "  ratio direct / baseline: {ratio:.2} (target <= 1.00; fails above {FAIL_ABOVE_RATIO:.2})"
    );

    if ratio > FAIL_ABOVE_RATIO {
        println!("  FAIL: the direct path is grossly slower than the baseline");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// An order shaped like a real portfolio: every item has an address, a unit on some, a full
/// location and the caller's own item id.
fn order_of(items: usize) -> ValueReportOrder {
    let item = |index: usize| {
        let builder = OrderItem::builder(
            &format!("{} W {}nd St", 100 + index, index % 90 + 1),
            Location::full("Austin", "TX", format!("787{:02}", index % 100)),
        )
        .customer_item_id(format!("loan-{index:06}"));
        if index % 3 == 0 {
            builder.unit(format!("Apt {}", index % 40 + 1)).build()
        } else {
            builder.build()
        }
    };
    ValueReportOrder::builder("Benchmark portfolio", item(0))
        .customer_order_id("bench-order-1")
        .owner(OwnerPair::new(1200_u64, 5531_u64))
        .items((1..items).map(item))
        .build()
}

fn median_of(mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..REPETITIONS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn format_duration(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1e3)
}
